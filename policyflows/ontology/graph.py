"""The ontology as one rdflib graph: every ontology/*.ttl file."""
from __future__ import annotations

import os
import pickle
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

    Parsing the Turtle takes a few seconds (loc.ttl holds 5 000 places); a pickle of the parsed
    graph, keyed by the files' SHA-256, is kept beside the lexicon's cache and loads in about a
    third of that. Treat the graph as read-only: it is shared by every caller.
    """
    from policyflows.ontology.lexicon import cache_dir, ontology_digest, prune_cache

    path = cache_dir() / f"ontology-{ontology_digest(ontology_dir())[:24]}.pickle"
    try:
        with path.open("rb") as handle:
            graph = pickle.load(handle)
        if isinstance(graph, Graph):
            return graph
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass  # no cache yet, or one from another rdflib: parse instead
    graph = read_ontology()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(graph, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)
        prune_cache(path.parent, "ontology-*.pickle")
    except OSError:
        pass  # a read-only home only costs speed
    return graph
