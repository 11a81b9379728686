"""The corpus view: for many policies, data categories × recipient kinds (or × places), each cell
the number of policies that send that data there, down to the policies and their evidence.

Built on the store's corpus summary (``FlowStore.summary(term, policies, ids=True)``: per data
category, the policies of each recipient kind and each place, stated / inferred only / ruled out),
never on all flows, so a page of 1,000 policies is written from a few thousand cells. The summary
has no policy list for a category as a whole; :func:`corpus_summary` adds it from
``FlowStore.cell_policies(category, "any", "")``.

What is written:

- ``corpus-map.html``: one self-contained page (no script or style from anywhere, a CSP that
  forbids every fetch). Rows are the data categories, opening on the top level (a row with
  ``▸`` opens on click to the categories beneath it); columns are the kinds of recipient, or the
  places (the busiest ones; the rest in one "other places" column). A click on a cell lists its
  policies: those that state the flow, those that only imply it (through a broader category),
  those that rule some of it out.
- ``corpus-map-policies/ID.html`` beside it, one light page per policy with flows of the term
  (its *sheet*): the flows of the cell a reader came from (the page's ``#`` part names it), with
  the sentences that say them and the words of each sentence marked, then every flow of the
  policy. The policy list of a cell links to them.
- with ``maps=True``, ``corpus-map-policies/ID-map.html``: the policy's own flow map
  (:func:`policyflows.views.flowmap.write_map`), linked from its sheet. Off by default: a flow map
  is some 0.8 MB and 0.1 s of CPU per policy, a sheet a few tens of KB and a hundredth of that.

Policy text is untrusted: it reaches the pages only as JSON inside scripts (``|tojson`` escapes
``<``, ``>`` and ``&``) and is put on screen with ``textContent``, never as HTML.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from policyflows.views.flowmap import KIND_COLOURS, KIND_NAMES, write_map
from policyflows.views.network import KINDS

TOP_ROWS = 24          # category rows a 1400×900 window shows whole; beyond, the quietest fold into one row
PLACE_COLUMNS = 8      # place columns that fit beside the category names at 1400 px (as many as kinds); the rest fold into one
OTHER_ROW, OTHER_PLACES = "other:categories", "other:places"
CORPUS_TEMPLATE, SHEET_TEMPLATE = "corpus.html", "sheet.html"
STATES = ("stated", "inferred", "ruled_out")


# ---------------------------------------------------------------------------------------------
# public API


def corpus_summary(store, term: str | None = None, policies=None) -> dict:
    """The store's corpus summary with every cell's policy ids, and each category's own ids too.

    ``store`` is a :class:`policyflows.store.FlowStore` (anything with its ``summary`` and
    ``cell_policies``). Adds ``ids`` to each entry of ``summary.categories`` (the policies with
    flows of that category whatever the recipient) and to the summary itself.
    """
    answer = store.summary(term, policies, ids=True)
    summary = answer["summary"]
    for entry in summary["categories"]:
        entry["ids"] = store.cell_policies(entry["iri"], "any", "", policies)
    summary["ids"] = store.cell_policies(term, "any", "", policies)
    return answer


def corpus_model(answer: dict, records: Iterable[dict], *, sheets: str | None = None,
                 maps: bool = False) -> dict:
    """What the corpus page shows, from :func:`corpus_summary`'s answer and the policies' records
    (``FlowStore.policies()``): columns, rows (with their children), cells with policy numbers.

    ``sheets``: the folder of the policy sheets relative to the page (``None``: no links).
    """
    summary = answer["summary"]
    listed = _listed_policies(summary)
    known = {r["id"]: r for r in records}
    policies = [_record(known.get(p, {"id": p})) for p in listed]
    number = {p: i for i, p in enumerate(listed)}
    encode = lambda ids: [[number[p] for p in ids.get(s, [])] for s in STATES]  # noqa: E731

    kinds = [k for k in KINDS if any(c["value"] == k for c in summary["by"]["kind"])]
    kinds += sorted(c["value"] for c in summary["by"]["kind"] if c["value"] not in kinds)
    places = [c for c in summary["by"]["place"]]        # busiest first
    shown_places, folded_places = places[:PLACE_COLUMNS], places[PLACE_COLUMNS:]
    if len(folded_places) == 1:                          # one more column, rather than a fold of one
        shown_places, folded_places = places, []
    columns = {
        "kind": [{"value": k, "label": KIND_NAMES.get(k, k), "colour": KIND_COLOURS.get(k, "#607d8b")}
                 for k in kinds],
        "place": [_place_column(c) for c in shown_places],
    }
    if folded_places:
        columns["place"].append({"value": OTHER_PLACES, "label": f"other places ({len(folded_places)})",
                                 "code": None, "members": [c["label"] for c in folded_places],
                                 "values": [c["value"] for c in folded_places]})
    folded_values = {c["value"] for c in folded_places}

    def cells(entry: dict) -> dict:
        out = {"kind": {}, "place": {}}
        for cell in entry.get("kind", []):
            out["kind"][cell["value"]] = encode(cell["ids"])
        others = []
        for cell in entry.get("place", []):
            if cell["value"] in folded_values:
                others.append(encode(cell["ids"]))
            else:
                out["place"][cell["value"]] = encode(cell["ids"])
        if others:
            out["place"][OTHER_PLACES] = union(others)
        return out

    rows = []
    index = {}
    for entry in summary["categories"]:
        index[entry["iri"]] = len(rows)
        rows.append({"id": entry["iri"], "label": entry["label"], "ids": encode(entry["ids"]),
                     "cells": cells(entry), "parents": list(entry["parents"])})
    for row in rows:
        row["children"] = []
    for i, row in enumerate(rows):                       # summary order: most policies first
        row["parents"] = [index[p] for p in row["parents"] if p in index]
        for p in row["parents"]:
            rows[p]["children"].append(i)
    roots = [i for i, row in enumerate(rows) if not row["parents"]]
    top = rows[roots[0]]["children"] if len(roots) == 1 and rows[roots[0]]["children"] else roots
    top = _fold_rows(rows, list(top))
    total = {"id": "*", "label": _total_label(answer), "ids": encode(summary["ids"]),
             "cells": cells({"kind": summary["by"]["kind"], "place": summary["by"]["place"]}),
             "children": [], "parents": []}
    for row in rows:
        row.pop("parents", None)
    return {
        "title": _title(answer), "term": answer.get("term"), "of": summary["of"],
        "counts": [summary["policies"], summary["stated"], summary["inferred"], summary["ruled_out"]],
        "policies": policies, "columns": columns, "rows": rows, "top": top, "total": total,
        "sheets": sheets, "maps": maps,
        "matched": [m["label"] for m in answer.get("matched", [])],
    }


def corpus_html(model: dict) -> str:
    """The self-contained corpus page of a :func:`corpus_model`."""
    return _env().get_template(CORPUS_TEMPLATE).render(model=model, title=model["title"])


def write_corpus(store, path: str | Path, term: str | None = None, policies=None, *, sheets: bool = True,
                 maps: bool = False, progress: bool = False) -> Path:
    """Write the corpus page of the store's policies (or those given) to ``path``, and beside it
    the folder ``<stem>-policies`` with one sheet per policy (and, with ``maps``, its flow map).
    Returns the page's path."""
    path = Path(path)
    folder = path.with_name(path.stem + "-policies")
    answer = corpus_summary(store, term, policies)
    records = store.policies(policies)
    model = corpus_model(answer, records, sheets=folder.name if sheets else None, maps=maps and sheets)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(corpus_html(model), encoding="utf-8")
    if sheets:
        write_sheets(model, records, folder, lambda p: store.flows(term, policies=[p]), back=path.name,
                     maps=maps, term=term, progress=progress)
    return path


def write_sheets(model: dict, records: Iterable[dict], folder: Path,
                 flows_of: Callable[[str], list[dict]], *, back: str, maps: bool = False,
                 term: str | None = None, progress: bool = False) -> list[Path]:
    """One sheet per policy of the model (``folder/ID.html``), and its flow map with ``maps``."""
    known = {r["id"]: r for r in records}
    ancestors = _ancestors(model)
    folder.mkdir(parents=True, exist_ok=True)
    ids = [p["id"] for p in model["policies"]]
    written = []
    for policy in _progress(ids, progress):
        record = known.get(policy, {"id": policy})
        flows = flows_of(policy)
        if maps and flows:
            write_map(flows, [record], folder / f"{policy}-map.html", term=term)
        sheet = sheet_model(record, flows, ancestors, back=f"../{back}", corpus_title=model["title"],
                            map_page=f"{policy}-map.html" if maps and flows else None, term=term)
        target = folder / f"{policy}.html"
        target.write_text(sheet_html(sheet), encoding="utf-8")
        written.append(target)
    return written


def corpus_filename(term: str | None) -> str:
    """``corpus-map.html`` for all data, ``TERM-corpus-map.html`` for a term."""
    from policyflows.vocab import slug

    return f"{slug(term)}-corpus-map.html" if term else "corpus-map.html"


def sheet_model(record: dict, flows: list[dict], ancestors: dict[str, list[str]], *, back: str | None = None,
                corpus_title: str = "", map_page: str | None = None, term: str | None = None) -> dict:
    """What a policy's sheet holds: its record, its flows (compact), the sentences they cite (each
    once) and, per data category, the categories above it (so that a cell's row finds its flows)."""
    sentences, at = [], {}
    data, data_at, parties, party_at, places, place_at = [], {}, [], {}, [], {}
    rows = []
    for flow in flows:
        d = flow["data"]
        if d["iri"] not in data_at:
            data_at[d["iri"]] = len(data)
            data.append([d["iri"], d["label"], ancestors.get(d["iri"], [])])
        r = flow.get("recipient")
        rkey = (r["label"], r["kind"]) if r else None
        if rkey and rkey not in party_at:
            party_at[rkey] = len(parties)
            parties.append([r["label"], r["kind"]])
        j = flow.get("jurisdiction")
        if j and j["iri"] not in place_at:
            place_at[j["iri"]] = len(places)
            places.append([j["iri"], j["label"], j.get("code")])
        cited = []
        for e in flow.get("evidence") or []:
            key = (e["start"], e["end"])
            if key not in at:
                at[key] = len(sentences)
                sentences.append([e["start"], e["end"], e["text"]])
            words = [[w["role"], w["start"], w["end"]] for w in e.get("words") or []]
            cited.append([at[key], words])
        rows.append([data_at[d["iri"]], flow["action"], flow["modality"], party_at[rkey] if rkey else None,
                     place_at[j["iri"]] if j else None, bool(flow["stated"]), list(flow.get("via") or []),
                     [p["label"] for p in flow.get("purposes") or []], flow.get("retention"), cited])
    return {"policy": _record(record), "back": back, "corpus_title": corpus_title, "map": map_page, "term": term,
            "data": data, "parties": parties, "places": places, "sentences": sentences, "flows": rows,
            "kind_names": KIND_NAMES, "kind_colours": KIND_COLOURS}


def sheet_html(sheet: dict) -> str:
    return _env().get_template(SHEET_TEMPLATE).render(sheet=sheet, title=sheet["policy"]["title"] or sheet["policy"]["id"])


def union(cells: list[list[list[int]]]) -> list[list[int]]:
    """The cell of several cells: a policy states it when it states it in any, only implies it when
    it implies it in some and states it in none, rules it out when it rules it out in any."""
    stated = set().union(*(c[0] for c in cells))
    inferred = set().union(*(c[1] for c in cells)) - stated
    ruled = set().union(*(c[2] for c in cells))
    return [sorted(stated), sorted(inferred), sorted(ruled)]


# ---------------------------------------------------------------------------------------------
# helpers


@functools.lru_cache(maxsize=1)
def _env() -> Environment:
    """The templates' environment, made once: a corpus writes a sheet per policy."""
    env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")), autoescape=True)
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
    return env


def _place_column(cell: dict) -> dict:
    """A place's column head: its code on top (``US``), its name under it. A region without an ISO
    code often carries its abbreviation in its label ("European Economic Area (EEA)")."""
    label, code = cell["label"], cell.get("code")
    found = re.fullmatch(r"(.+?)\s*\(([A-Z]{2,5})\)", label)
    if found and (code is None or code == found.group(2)):
        label, code = found.group(1), found.group(2)
    return {"value": cell["value"], "label": label, "code": code}


def _listed_policies(summary: dict) -> list[str]:
    """Every policy that is in some cell: those of the whole answer, in id order."""
    ids = set()
    for state in STATES:
        ids.update(summary["ids"].get(state, []))
    return sorted(ids)


def _record(record: dict) -> dict:
    return {"id": record["id"], "title": record.get("title"), "controller": record.get("controller"),
            "updated": record.get("updated")}


def _title(answer: dict) -> str:
    term = answer.get("term")
    return f"Where does {term} flow? The corpus" if term else "Where does personal data flow? The corpus"


def _total_label(answer: dict) -> str:
    term = answer.get("term")
    return f"all of “{term}”" if term else "all personal data"


def _fold_rows(rows: list[dict], top: list[int]) -> list[int]:
    """More top-level rows than a screenful: the quietest (fewest policies, then fewest ruling it
    out) fold into one "other categories" row, which opens on click like any other."""
    if len(top) <= TOP_ROWS:
        return top
    size = lambda i: (len(rows[i]["ids"][0]) + len(rows[i]["ids"][1]), len(rows[i]["ids"][2]))  # noqa: E731
    ranked = sorted(top, key=lambda i: (-size(i)[0], -size(i)[1], rows[i]["label"].casefold()))
    keep, fold = ranked[:TOP_ROWS - 1], ranked[TOP_ROWS - 1:]
    cells = {"kind": {}, "place": {}}
    for dim in cells:
        values = {v for i in fold for v in rows[i]["cells"][dim]}
        for value in values:
            cells[dim][value] = union([rows[i]["cells"][dim][value] for i in fold if value in rows[i]["cells"][dim]])
    rows.append({"id": OTHER_ROW, "label": f"other categories ({len(fold)})", "ids": union([rows[i]["ids"] for i in fold]),
                 "cells": cells, "children": [i for i in top if i in set(fold)]})
    return [i for i in top if i in set(keep)] + [len(rows) - 1]


def _ancestors(model: dict) -> dict[str, list[str]]:
    """Each category's ancestors among the page's rows (a cell of a row holds the flows of the
    row's category and of every category beneath it)."""
    rows = [r for r in model["rows"] if r["id"] != OTHER_ROW]
    parents: dict[str, set[str]] = {r["id"]: set() for r in rows}
    for r in rows:
        for child in r["children"]:
            child_id = model["rows"][child]["id"]
            if child_id in parents:
                parents[child_id].add(r["id"])
    out = {}
    for iri in parents:
        seen, todo = set(), list(parents[iri])
        while todo:
            p = todo.pop()
            if p not in seen:
                seen.add(p)
                todo.extend(parents.get(p, ()))
        out[iri] = sorted(seen)
    return out


def _progress(items: list[str], progress: bool):
    if not progress:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="policy pages", unit="policy", leave=False)


def model_json(model: dict) -> str:
    """The model as compact JSON (what the page carries), for measuring."""
    return json.dumps(model, ensure_ascii=False, separators=(",", ":"))
