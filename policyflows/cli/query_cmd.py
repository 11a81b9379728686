"""`policyflows query` (the named queries of queries/) and `policyflows sparql` (your own)."""
from __future__ import annotations

import csv
import io
import json
import sys
import textwrap

import click

from policyflows.cli.store_cmd import open_store, page_options, store_option

FORMATS = ["table", "csv", "tsv", "json"]


@click.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter of the query; repeat for several (a repeated name gives several values).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries with their parameters.")
@page_options
@click.option("--ids", is_flag=True, help="Add the policy ids of each summary cell.")
@store_option
@click.option("--format", "fmt", type=click.Choice(FORMATS + ["jsonl"]), default="table", show_default=True)
def query(name, params, list_queries, rows, limit, offset, ids, store_path, fmt):
    """Run a named query from the query library (queries/NAME.rq).

    A query with a summary (see --list) answers for the whole corpus: how many policies are in
    each cell (stated, inferred only, ruled out), read from the store's cache. --rows runs its
    SPARQL and lists the rows, a page at a time with --limit/--offset.

    \b
    Examples:
      policyflows query --list
      policyflows query recipients-of-data --param category=video
      policyflows query cross-border --param code=US --rows --format csv
      policyflows query data-for-recipient -p kind=advertiser --ids --format json
      policyflows query compare-policies -p first=acme-camera -p second=other-camera
    """
    from policyflows import queries

    if list_queries or not name:
        click.echo(describe_library(queries.library().values(), fmt))
        return
    q = queries.get(name)  # an unknown name fails before the store is opened
    store = open_store(store_path)
    if rows or not q.summary:
        result = store.run_query(name, parse_params(params), limit=limit, offset=offset)
    else:
        result = store.summarize_query(name, parse_params(params), ids=ids)
    if fmt == "jsonl":
        for row in result.rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    click.echo(render(result.columns, result.rows, fmt), nl=False)


@click.command()
@click.argument("text", required=False)
@click.option("--file", "-f", "path", type=click.File("r", encoding="utf-8"), default=None,
              help="Read the query from this file ('-' for standard input).")
@store_option
@click.option("--format", "fmt", type=click.Choice(FORMATS + ["turtle", "ntriples"]), default="table",
              show_default=True, help="turtle or ntriples for CONSTRUCT and DESCRIBE.")
def sparql(text, path, store_path, fmt):
    """Run your own SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the store. Read-only.

    Each policy is the named graph <https://w3id.org/policyflows/policy/ID>; the ontology is in
    <https://w3id.org/policyflows/ontology>. The prefixes pf:, dpv:, loc:, rdfs:, skos: … must be declared.

    \b
    Examples:
      policyflows sparql 'SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g'
      policyflows sparql --file my-question.rq --format csv
    """
    if (text is None) == (path is None):
        raise click.UsageError("give the query as TEXT or with --file, not both")
    text = text if text is not None else path.read()
    result = open_store(store_path).sparql(text)
    if isinstance(result, bool):
        click.echo(json.dumps({"boolean": result}) if fmt == "json" else ("yes" if result else "no"))
    elif isinstance(result, list):
        import pyoxigraph as ox

        rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
        sys.stdout.buffer.write(ox.serialize(result, format=rdf_format))
    else:
        click.echo(render(result.columns, result.rows, fmt), nl=False)


def parse_params(pairs) -> dict:
    params: dict = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--param")
        params.setdefault(key.strip(), []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in params.items()}


def render(columns: list[str], rows: list[dict], fmt: str) -> str:
    from policyflows.queries import display

    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([display(r.get(c)) for c in columns] for r in rows)
        return out.getvalue()
    return text_table(columns, [[display(r.get(c)) for c in columns] for r in rows])


def text_table(columns: list[str], cells: list[list[str]], max_width: int = 60) -> str:
    """A plain table; long cells are cut with … so a row stays one line."""
    cut = [[c if len(c) <= max_width else c[: max_width - 1] + "\u2026" for c in row] for row in cells]
    widths = [max([len(h)] + [len(row[i]) for row in cut]) for i, h in enumerate(columns)]
    line = lambda row: "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cut]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def describe_library(named, fmt: str) -> str:
    named = list(named)
    if fmt == "json":
        return json.dumps([q.describe() for q in named], ensure_ascii=False, indent=2)
    blocks = []
    for q in named:
        lines = [f"{q.name}: {q.title}"]
        lines += textwrap.wrap(q.description, 96, initial_indent="    ", subsequent_indent="    ")
        for p in q.params:
            extra = "required" if p.required else (f"default {p.default}" if p.default else "optional")
            lines += textwrap.wrap(f"--param {p.name}=… ({p.type}, {extra}): {p.description}", 96,
                                   initial_indent="    ", subsequent_indent="        ")
        if q.summary:
            lines.append(f"    summary (default; --rows for the rows): {' '.join(q.summary)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
