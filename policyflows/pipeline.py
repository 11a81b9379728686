"""One policy file through every stage: read → extract → flows → RDF (Contract 4)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from policyflows.vocab import policy_iri


@dataclass
class PolicyGraph:
    doc: object  # policyflows.ingest.Document
    statements: list
    flows: list
    triples: set  # the content of the policy's named graph, as rdflib-term tuples
    iri: URIRef
    _graph: Graph | None = None

    @property
    def graph(self) -> Graph:
        """The named graph's content as an rdflib Graph, built on first use (rdflib's store is slow to fill)."""
        if self._graph is None:
            from policyflows.graph import to_rdflib
            self._graph = to_rdflib(self.triples)
        return self._graph


def graph_for_document(doc, lexicon=None) -> PolicyGraph:
    from policyflows.extract import Extractor
    from policyflows.graph import derive_flows, policy_triples

    extractor = Extractor(lexicon)
    statements = extractor.extract(doc)
    flows = derive_flows(doc.policy, statements, extractor.lex)
    return PolicyGraph(doc, statements, flows, policy_triples(doc, statements, flows, extractor.lex), policy_iri(doc.policy))


def graph_for_file(path: str | Path, policy_id: str | None = None, lexicon=None) -> PolicyGraph:
    """Read one policy file and build its graph; raises PolicyReadError for a bad file."""
    from policyflows.ingest import read

    doc = read(path, policy_id=policy_id) if policy_id else read(path)
    return graph_for_document(doc, lexicon)
