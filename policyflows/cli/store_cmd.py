"""`policyflows build`, `where`, `policies`, `export` and `push`: the commands over the store."""
from __future__ import annotations

import json
import re
import sys
import textwrap

import click

from policyflows.settings import default_store

WIDTH = 100

store_option = click.option(
    "--store", "store_path", type=click.Path(file_okay=False, path_type=str), default=None,
    help="The store folder (default: $POLICYFLOWS_STORE, else ~/.local/share/policyflows/store).")
policy_option = click.option(
    "--policy", "policies", multiple=True, metavar="ID",
    help="Only this policy (its file name without extension); repeat for several.")


def open_store(store_path, create=False):
    from policyflows.store import FlowStore

    return FlowStore.open(store_path or default_store(), create=create)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@store_option
@click.option("--force", is_flag=True, help="Rebuild every policy, even files that have not changed.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes that read and extract (default: the machine's cores).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run the reading and extraction on a Dask cluster (e.g. tcp://10.0.0.5:8786) instead.")
@click.option("--prune", is_flag=True, help="Also remove the policies whose source files are gone.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary line.")
def build(paths, store_path, force, jobs, scheduler, prune, quiet):
    """Read, extract and load policy files (or folders of them) into the store.

    Each policy becomes one named graph; building a policy again replaces its graph, and files
    that have not changed since the last build (same sha256) are skipped. A file that cannot be
    read is reported on one line and the rest are built. The store is swapped in only when the
    build completes, so an interrupted build leaves the previous store as it was.

    \b
    Examples:
      policyflows build ../shared/policies
      policyflows build ../shared/corpus --store /tmp/corpus-store --jobs 2
      policyflows build policy.html other.pdf --force
      policyflows build /srv/policies --prune --scheduler tcp://127.0.0.1:8786

    Exit status: 0 when every file was built or skipped, 1 when some file failed.
    """
    store = open_store(store_path, create=True)
    report = store.build(paths, progress=not quiet, force=force, jobs=jobs, scheduler=scheduler, prune=prune)
    for path, warning in report.warnings:  # what reading noticed about a document (Document.warnings)
        click.echo(f"warning: {path}: {warning}", err=True)
    for path, reason in report.failed:
        click.echo(f"Error: {path}: {reason}", err=True)
    if not (report.built or report.skipped or report.failed or report.pruned):
        raise click.UsageError(f"no policy files in {', '.join(paths)}")
    if not quiet:
        pruned = f", pruned {len(report.pruned)}" if prune else ""
        click.echo(f"built {len(report.built)}, unchanged {len(report.skipped)}, failed {len(report.failed)}{pruned} "
                   f"in {report.seconds:.1f} s -> {store.path}", err=True)
    sys.exit(1 if report.failed else 0)


def page_options(fn):
    """--rows, --limit, --offset: the rows of an answer instead of its corpus summary, a page at a time."""
    fn = click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows first.")(fn)
    fn = click.option("--limit", type=click.IntRange(min=0), default=None, help="At most this many rows.")(fn)
    fn = click.option("--rows", "rows", is_flag=True,
                      help="The rows (flows), not the corpus summary (jsonl streams them one per line).")(fn)
    return fn


@click.command()
@click.argument("term")
@policy_option
@store_option
@page_options
@click.option("--ids", "ids", metavar="DIM=VALUE", default=None,
              help="List the policies of one summary cell, e.g. kind=third-party, place=US, organisation=Google.")
@click.option("--format", "fmt", type=click.Choice(["json", "table", "jsonl"]), default="table", show_default=True,
              help="json: the object of ../shared/spec/where-json.md; jsonl: one flow per line; table: for people.")
def where(term, policies, store_path, rows, limit, offset, ids, fmt):
    """Where does this kind of data flow? TERM is a data category as a person says it.

    TERM resolves through the ontology's labels and synonyms, and every category beneath it
    counts: "video" finds cloud-cached and real-time video. Across more than a handful of
    policies the answer is a summary: how many policies have flows of it, and per recipient kind,
    named organisation, place, purpose and action how many send it there (stated, inferred
    only, ruled out). With --policy or --rows it lists the flows: who gets the data, where it
    is kept, why, for how long, and the sentences of the policy that say so.

    \b
    Examples:
      policyflows where video
      policyflows where location --ids kind=third-party
      policyflows where "MAC address" --policy acme-camera
      policyflows where "phone number" --rows --limit 20 --format json | jq '.flows[].recipient.label'
      policyflows where email --rows --format jsonl > email-flows.jsonl

    An unknown TERM, or a missing store, prints one "Error: …" line (with close matches) and exits 2.
    """
    from policyflows.settings import HANDFUL

    store = open_store(store_path)
    chosen = list(policies) or None
    if ids:
        dim, eq, value = ids.partition("=")
        if not eq:
            raise click.BadParameter(f"{ids!r} is not DIM=VALUE", param_hint="--ids")
        cell = summary_cell(store, term, dim.strip(), value.strip(), chosen)
        found = store.cell_policies(term, dim.strip(), cell["value"], chosen)
        if fmt == "table":
            for how in ("stated", "inferred", "ruled_out"):
                for policy in found[how]:
                    click.echo(f"{policy}\t{how.replace('_', ' ')}")
        else:
            click.echo(json.dumps({"term": term, "dim": dim.strip(), "value": cell["value"], "label": cell["label"],
                                   **found}, ensure_ascii=False))
        return
    if not rows:  # a handful of policies: their flows; more: the corpus summary
        rows = store.policies_with(term, chosen) <= HANDFUL
    if not rows:
        answer = store.summary(term, chosen)
        click.echo(json.dumps(answer, ensure_ascii=False, indent=1) if fmt != "table" else summary_table(answer))
        return
    if fmt == "jsonl":  # streamed: a large answer is never held whole
        for row in store.iter_flows(term, chosen, limit, offset):
            click.echo(json.dumps(row, ensure_ascii=False))
    elif fmt == "json":
        click.echo(store.where_json(term, chosen, limit, offset))
    else:
        click.echo(where_table(store.where(term, chosen, limit, offset)))


def summary_cell(store, term, dim: str, value: str, policies) -> dict:
    """The summary cell a user names: a kind or action code, a place's ISO code, an organisation's
    or purpose's label or IRI."""
    from policyflows.cache import DIMS

    if dim not in DIMS or dim == "any":
        raise click.BadParameter(f"{dim!r} is not one of {', '.join(d for d in DIMS if d != 'any')}", param_hint="--ids")
    cells = store.summary(term, policies, dims=(dim,))["summary"]["by"][dim]
    wanted = value.lower()
    for cell in cells:
        if wanted in {str(cell["value"]).lower(), str(cell["label"]).lower(), str(cell.get("code") or "").lower()}:
            return cell
    known = ", ".join(str(c.get("code") or c["label"]) for c in cells[:12])
    raise click.BadParameter(f"no {dim} {value!r} in this answer (there are: {known or 'none'})", param_hint="--ids")


@click.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
def policies(store_path, fmt):
    """List the policies in the store: id, title, controller, date, places, counts.

    \b
    Examples:
      policyflows policies
      policyflows policies --format json | jq '.[].id'
    """
    store = open_store(store_path)
    if fmt == "json":  # the cached records, one per line, not decoded: 10,000 policies print at once
        click.echo(store.cache.policies_json())
    else:
        click.echo(policies_table(store.policies()))


@click.command()
@store_option
@policy_option
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig", "turtle", "jsonld"]), default="nquads",
              show_default=True, help="turtle has no named graphs: it holds the union of the graphs.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write to this file (default: standard output).")
def export(store_path, policies, fmt, output):
    """Write the store (every policy's graph and the ontology), or some policies, as RDF.

    \b
    Examples:
      policyflows export -o store.nq
      policyflows export --format trig --policy acme-camera
      policyflows export --format jsonld | jq '.[0]'
    """
    store = open_store(store_path)
    if output:
        store.export(output, fmt, policies=list(policies) or None)
    else:
        sys.stdout.buffer.write(store.export(None, fmt, policies=list(policies) or None))


@click.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="The server's SPARQL 1.1 Graph Store Protocol URL (Oxigraph: http://HOST:7878/store).")
@store_option
@policy_option
def push(endpoint, store_path, policies):
    """Load every policy's named graph (and the ontology's) into another SPARQL server.

    Each graph is sent with an HTTP PUT, which replaces that graph on the server.

    \b
    Example:
      oxigraph serve --location /srv/flows --bind 127.0.0.1:7878 &
      policyflows push --endpoint http://127.0.0.1:7878/store
    """
    written = open_store(store_path).push(endpoint, policies=list(policies) or None)
    click.echo(f"pushed {len(written)} graphs to {endpoint}", err=True)


# --- the where summary: for people, one block per dimension ------------------------------------

SUMMARY_TITLES = {"kind": "recipient kind", "organisation": "named organisation", "place": "place",
                  "purpose": "purpose", "action": "action"}
TOP = 12


def summary_table(answer: dict) -> str:
    s = answer["summary"]
    matched = ", ".join(m["label"] for m in answer["matched"])
    lines = [f'Where does "{answer["term"]}" flow?  ({matched})']
    if not s["policies"] and not s["ruled_out"]:
        lines.append(f"No policy of the {s['of']:,} in the store says anything about this data.")
        return "\n".join(lines)
    collect = next((c for c in s["by"].get("action", []) if c["value"] == "collect"), None)
    lines.append(f"{s['policies']:,} of {s['of']:,} policies have flows of it ({s['stated']:,} state one, "
                 f"{s['inferred']:,} only imply one); {collect['policies'] if collect else 0:,} collect it; "
                 f"{s['ruled_out']:,} rule some of it out.")
    lines.append("Each row: how many policies send it there — stated / inferred only / ruled out.")
    for dim, title in SUMMARY_TITLES.items():
        cells = s["by"].get(dim) or []
        if not cells:
            continue
        width = max(len(_cell_name(c)) for c in cells[:TOP])
        lines += ["", f"{title:<{max(width, 20)}}  policies   stated inferred ruled-out"]
        for c in cells[:TOP]:
            lines.append(f"{_cell_name(c):<{max(width, 20)}}  {c['policies']:>8,} {c['stated']:>8,} {c['inferred']:>8,} "
                         f"{c['ruled_out']:>9,}")
        if len(cells) > TOP:
            lines.append(f"… and {len(cells) - TOP} more ({'--format json' } lists all)")
    term = answer["term"] if " " not in answer["term"] else f'"{answer["term"]}"'
    lines += ["", f"The policies of a row:  policyflows where {term} --ids kind=third-party  (or place=US, …)",
              f"The flows themselves:   policyflows where {term} --policy ID, or --rows --limit 20"]
    # Long lines (the sentence that sums the answer up, a long matched list) wrap; none is cut.
    return "\n".join("\n".join(textwrap.wrap(line, WIDTH, subsequent_indent="  ")) if len(line) > WIDTH else line
                     for line in lines)


def _cell_name(cell: dict) -> str:
    return f"{cell['label']} ({cell['code']})" if cell.get("code") else str(cell["label"])


# --- the where table: for people, grouped by policy and recipient -------------------------------

def where_table(answer: dict) -> str:
    flows = answer["flows"]
    matched = ", ".join(m["label"] for m in answer["matched"])
    policies: dict[str, list[dict]] = {}
    for f in flows:
        policies.setdefault(f["policy"], []).append(f)
    lines = [f'Where does "{answer["term"]}" flow?  ({matched})']
    if not flows:
        lines.append("No policy in the store says anything about this data.")
        return "\n".join(lines)
    lines.append(f"{len(flows)} flows in {len(policies)} polic{'y' if len(policies) == 1 else 'ies'}. "
                 "'inferred': the policy says it of a broader category.")
    for policy, mine in policies.items():
        lines += ["", policy.upper()[:WIDTH], "=" * min(len(policy), WIDTH)]
        positive = [f for f in mine if f["modality"] != "will-not"]
        for recipient, group in _by_recipient(positive):
            lines += ["", recipient]
            for row in _merge_places(group):
                lines += _flow_lines(row)
        ruled_out = [f for f in mine if f["modality"] == "will-not"]
        if ruled_out:
            lines += ["", "Ruled out by the policy"]
            for row in _merge_places(ruled_out):
                lines += _flow_lines(row, negative=True)
    return "\n".join(lines)


def _recipient_name(flow: dict) -> str:
    r = flow["recipient"]
    return f"{r['label']} ({r['kind']})" if r else "(no recipient: used by the first party)"


def _by_recipient(flows: list[dict]):
    order = {"first-party": 0, "user": 1, "affiliate": 2, "service-provider": 3}
    groups: dict[str, list] = {}
    for f in flows:
        groups.setdefault(_recipient_name(f), []).append(f)
    return sorted(groups.items(), key=lambda kv: (order.get((kv[1][0]["recipient"] or {}).get("kind"), 9), kv[0]))


def _merge_places(flows: list[dict]) -> list[dict]:
    """One row per (data, action, modality, recipient): a sentence naming six places is one line."""
    merged: dict[tuple, dict] = {}
    for f in flows:
        key = (f["data"]["label"], f["action"], f["modality"], f["stated"], tuple(f["via"]), f["retention"])
        row = merged.setdefault(key, {**f, "places": [], "evidence": [], "purposes": [], "conditions": []})
        if f["jurisdiction"]:
            row["places"].append(f["jurisdiction"])
        for field in ("purposes", "conditions"):
            row[field] += [x for x in f[field] if x not in row[field]]
        _merge_evidence(row["evidence"], f["evidence"])
    for row in merged.values():
        row["evidence"].sort(key=lambda e: e["start"])
    return list(merged.values())


def _merge_evidence(into: list[dict], more: list[dict]) -> None:
    """Add sentences not yet cited; a sentence cited by several merged flows is quoted once, with the
    words of all of them (each flow names a different place in the same sentence)."""
    by_span = {(e["start"], e["end"]): e for e in into}
    for e in more:
        seen = by_span.get((e["start"], e["end"]))
        if seen is None:
            seen = by_span[(e["start"], e["end"])] = {**e, "words": list(e.get("words") or [])}
            into.append(seen)
        else:
            seen["words"] = seen.get("words") or []
            seen["words"] += [w for w in e.get("words") or [] if w not in seen["words"]]


def _flow_lines(row: dict, negative: bool = False) -> list[str]:
    how = "will not" if negative else row["modality"]
    head = f"  {'x ' if negative else '- '}{how} {row['action']} {row['data']['label']}"
    if negative and row["recipient"]:
        head += f" -> {_recipient_name(row)}"
    if not row["stated"]:
        head += f"  [inferred via {', '.join(row['via']) or 'a broader category'}]"
    lines = wrap(head.strip(), "  ", "      ")
    details = []
    if row["places"]:
        details.append(("places", ", ".join(f"{p['label']} ({p['code']})" if p.get("code") else p["label"]
                                             for p in row["places"])))
    if row["purposes"]:
        details.append(("purposes", "; ".join(p["label"] for p in row["purposes"])))
    if row["retention"]:
        details.append(("kept", _duration(row["retention"])))
    if row["conditions"]:
        details.append(("when", "; ".join(row["conditions"])))
    for label, text in details:
        lines += wrap(text, f"      {label + ':':10}", " " * 16)
    for ev in row["evidence"]:
        quote = f"\u201c{ev['text']}\u201d [{ev['start']}-{ev['end']}]"
        lines += wrap(quote, "      ", "       ")
    return lines


_SPACES = str.maketrans("\n\t\r\f\v", "     ")


def wrap(text: str, first: str, rest: str, width: int = WIDTH) -> list[str]:
    """Lines of at most ``width``, as textwrap.wrap makes them (words longer than a line are cut),
    found by searching for spaces instead of walking word by word: 5x faster than textwrap,
    which a table of thousands of flows (a corpus of hundreds of policies) notices."""
    text = text.translate(_SPACES).strip(" ")
    longest = width - len(rest)  # a word longer than a whole line is cut wherever it falls
    lines, prefix = [], first
    while text:
        room = max(1, width - len(prefix))
        if len(text) <= room:
            lines.append(prefix + text)
            break
        cut = text.rfind(" ", 0, room + 1)
        after = text.find(" ", cut + 1)
        if cut <= 0 or (after if after >= 0 else len(text)) - cut - 1 > longest:
            lines.append(prefix + text[:room].rstrip(" "))
            text = text[room:].lstrip(" ")
        else:
            lines.append(prefix + text[:cut].rstrip(" "))
            text = text[cut + 1:].lstrip(" ")
        prefix = rest
    return lines


def _duration(iso: str) -> str:
    """P7D -> "7 days (P7D)": the ISO form is exact, the words are for reading."""
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", iso or "")
    if not m or not any(m.groups()):
        return iso
    names = ("year", "month", "week", "day")
    words = [f"{n} {name}{'s' if int(n) != 1 else ''}" for n, name in zip(m.groups(), names) if n]
    return f"{' '.join(words)} ({iso})"


def policies_table(records: list[dict]) -> str:
    if not records:
        return "The store holds no policies yet: run `policyflows build PATH`."
    lines = []
    for p in records:
        c = p["counts"]
        lines += [
            p["id"],
            f"    title:       {p['title'] or '-'}",
            f"    controller:  {p['controller'] or '-'}",
            f"    updated:     {p['updated'] or '-'}",
            f"    contacts:    {', '.join(p['contacts']) or '-'}",
            f"    places:      {', '.join(p['jurisdictions']) or '-'}",
            f"    counts:      {c['statements']} statements, {c['flows']} flows "
            f"({c['stated']} stated, {c['inferred']} inferred)",
            f"    source:      {p['source']['path'] or '-'}",
            "",
        ]
    return "\n".join(lines).rstrip()


def _emit(answer, fmt: str, table) -> None:
    """JSON for scripts, a table for people."""
    click.echo(json.dumps(answer, ensure_ascii=False, indent=2) if fmt == "json" else table(answer))
