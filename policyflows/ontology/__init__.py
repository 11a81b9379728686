"""The vocabulary: data categories, purposes, recipients and places of ontology/*.ttl.

    from policyflows.ontology import Lexicon, ontology_graph
    lex = Lexicon.load()
    lex.data_mentions("your WIFI SSID, RSSI, device IP and BSSID")
    lex.resolve("video")          # [Concept(iri=…#Video, label='video')]
    ontology_graph()              # rdflib.Graph of every ontology/*.ttl

The graph functions import rdflib on first use, so that loading the lexicon (from its JSON
cache) stays fast for a command like ``policyflows where``.
"""
from __future__ import annotations

from policyflows.ontology.lexicon import Concept, Lexicon, Mention

__all__ = ["Concept", "Lexicon", "Mention", "ontology_graph", "read_ontology"]


def __getattr__(name):
    if name in ("ontology_graph", "read_ontology"):
        from policyflows.ontology import graph
        return getattr(graph, name)
    raise AttributeError(f"module 'policyflows.ontology' has no attribute {name!r}")
