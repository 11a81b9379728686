"""The vocabulary: data categories, purposes, recipients and places of ontology/*.ttl.

    from policyflows.ontology import Lexicon, ontology_graph
    lex = Lexicon.load()
    lex.data_mentions("your WIFI SSID, RSSI, device IP and BSSID")
    lex.resolve("video")          # [Concept(iri=…#Video, label='video')]
    ontology_graph()              # rdflib.Graph of every ontology/*.ttl
"""
from __future__ import annotations

from policyflows.ontology.graph import ontology_graph, read_ontology
from policyflows.ontology.lexicon import Concept, Lexicon, Mention

__all__ = ["Concept", "Lexicon", "Mention", "ontology_graph", "read_ontology"]
