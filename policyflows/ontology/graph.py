"""The ontology as one rdflib graph: every ontology/*.ttl file."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from policyflows.resources import ontology_dir
from policyflows.vocab import PREFIXES


def ontology_files(directory: str | Path | None = None) -> list[Path]:
    """The Turtle files of the ontology, sorted by name."""
    return sorted(Path(directory or ontology_dir()).glob("*.ttl"))


def read_ontology(directory: str | Path | None = None, exclude: tuple[str, ...] = ()) -> Graph:
    """Parse the ontology's Turtle files into a fresh graph (``exclude``: file names to leave out).

    :raises rdflib.plugins.parsers.notation3.BadSyntax: a file is not valid Turtle.
    """
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for path in ontology_files(directory):
        if path.name not in exclude:
            graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The project's ontology (all of ontology/*.ttl) as an rdflib Graph, parsed once per process.

    Treat it as read-only: it is shared by every caller.
    """
    return read_ontology()
