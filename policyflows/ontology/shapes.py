"""Validate a graph the project wrote against ontology/shapes.ttl (SHACL, with pyshacl).

    from policyflows.ontology.shapes import validate
    report = validate(graph)          # an rdflib Graph or Dataset of one or more policies
    report.conforms, len(report.results)
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Graph
from rdflib.namespace import RDF, SH

from policyflows.resources import ontology_dir


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the node at fault, the property path, the shape's message."""

    focus: str
    path: str | None
    message: str
    severity: str
    value: str | None = None


@dataclass
class ShapesReport:
    conforms: bool
    results: list[Violation] = field(default_factory=list)
    text: str = ""
    seconds: float = 0.0

    def messages(self) -> list[str]:
        return [v.message for v in self.results]


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The SHACL shapes of ontology/shapes.ttl, parsed once."""
    return Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")


def shape_count() -> int:
    return len(set(shapes_graph().subjects(RDF.type, SH.NodeShape)))


def _violations(results: Graph) -> list[Violation]:
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        def value(predicate):
            v = results.value(result, predicate)
            return None if v is None else str(v)
        found.append(Violation(focus=value(SH.focusNode) or "", path=value(SH.resultPath),
                               message=value(SH.resultMessage) or "", severity=(value(SH.resultSeverity) or "").rsplit("#", 1)[-1],
                               value=value(SH.value)))
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.message))


def shapes_problems(shapes: Graph | None = None) -> list[str]:
    """Problems in the shapes themselves (default: shapes.ttl), found by validating them against SHACL's own shapes."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    try:
        pyshacl.validate(Graph(), shacl_graph=shapes if shapes is not None else shapes_graph(),
                         meta_shacl=True, inference="none")
    except ReportableRuntimeError as exc:
        return [str(exc.message if hasattr(exc, "message") else exc).strip()]
    return []


def read_graph(path) -> Graph:
    """A graph file in any syntax rdflib knows by its extension; quads files keep their named graphs.

    :raises ValueError: the extension names no RDF syntax.
    :raises SyntaxError: the file does not parse.
    """
    from rdflib import Dataset
    from rdflib.util import guess_format

    fmt = guess_format(str(path))
    if fmt is None:
        raise ValueError(f"{path}: unknown RDF syntax (use .ttl, .trig, .nq, .nt or .jsonld)")
    graph = Dataset() if fmt in ("trig", "nquads") else Graph()
    try:
        graph.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises a different class per parser
        raise SyntaxError(f"{path}: {exc}") from exc
    return graph


def validate(graph) -> ShapesReport:
    """Check ``graph`` (an rdflib Graph, or a Dataset whose named graphs are each checked) against the shapes."""
    import pyshacl

    started = time.perf_counter()
    conforms, results, text = pyshacl.validate(graph, shacl_graph=shapes_graph(), inference="none",
                                               allow_warnings=True, advanced=True)
    return ShapesReport(bool(conforms), _violations(results), text, time.perf_counter() - started)
