"""`policyflows ontology …`: inspect and check the ontology."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group()
def ontology():
    """Inspect and check the ontology (counts, consistency, SHACL)."""


@ontology.command()
@click.option("--dpv", "dpv_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Check DPV IRIs against this copy of DPV (its dpv.ttl, pd.ttl, tech.ttl, loc.ttl) "
                   "instead of the generated extracts.")
@click.option("--reason/--no-reason", default=True, show_default=True, help="Run HermiT (needs Java; ~5–15 s).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def check(dpv_dir, reason, fmt):
    """Load the ontology, count its vocabulary, check DPV links and the SHACL shapes, run HermiT.

    Exits 1 when HermiT finds the ontology inconsistent, a DPV IRI it uses does not exist, or
    shapes.ttl is not valid SHACL.

    \b
    Example:
      policyflows ontology check
      policyflows ontology check --dpv ../shared/dpv --format json
    """
    from policyflows.ontology.check import counts, dangling_dpv_iris
    from policyflows.ontology.graph import ontology_graph

    from policyflows.ontology.shapes import shapes_problems

    result = {"counts": counts(ontology_graph()), "dangling_dpv_iris": dangling_dpv_iris(dpv_dir=dpv_dir),
              "shapes_problems": shapes_problems()}
    if reason:
        from policyflows.ontology.reasoning import check as hermit
        report = hermit()
        result["consistent"] = report.consistent
        result["reasoning_seconds"] = round(report.seconds, 1)
        if report.error:
            result["reasoning_error"] = report.error
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
    else:
        _print_table(result)
    if result["dangling_dpv_iris"] or result["shapes_problems"] or result.get("consistent") is False:
        sys.exit(1)


@ontology.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(files):
    """Check graph files (Turtle, TriG, N-Quads, N-Triples, JSON-LD) against the SHACL shapes.

    Prints one line per violation; exits 1 when any file does not conform.

    \b
    Example:
      policyflows export --format trig > all.trig && policyflows ontology validate all.trig
    """
    from policyflows.ontology.shapes import read_graph, validate as shacl

    failed = False
    for path in files:
        try:
            graph = read_graph(path)
        except (ValueError, SyntaxError) as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        report = shacl(graph)
        for v in report.results:
            click.echo(f"{path}: {v.focus} {v.path or ''}: {v.message}")
        click.echo(f"{path}: {'conforms' if report.conforms else f'{len(report.results)} violations'}", err=True)
        failed = failed or not report.conforms
    if failed:
        sys.exit(1)


def _print_table(result: dict) -> None:
    rows = list(result["counts"].items())
    if "consistent" in result:
        verdict = "consistent" if result["consistent"] else "INCONSISTENT"
        rows.append(("HermiT", f"{verdict} ({result['reasoning_seconds']} s)"))
    rows.append(("dangling DPV IRIs", len(result["dangling_dpv_iris"])))
    rows.append(("SHACL shapes well-formed", "no" if result["shapes_problems"] else "yes"))
    width = max(len(name) for name, _ in rows)
    click.echo(f"| {'what'.ljust(width)} | count |")
    click.echo(f"| {'-' * width} | ----- |")
    for name, value in rows:
        click.echo(f"| {name.ljust(width)} | {value} |")
    for iri in result["dangling_dpv_iris"]:
        click.echo(f"dangling: {iri}", err=True)
    for problem in result["shapes_problems"]:
        click.echo(f"shapes.ttl: {problem}", err=True)
