"""The graph stage: statements → flows (with inference recorded as inference) → RDF."""
from policyflows.graph.flows import Flow, derive_flows
from policyflows.graph.rdf import policy_graph, policy_quads, policy_triples, rdflib_triples, to_rdflib

__all__ = ["Flow", "derive_flows", "policy_graph", "policy_quads", "policy_triples", "rdflib_triples", "to_rdflib"]
