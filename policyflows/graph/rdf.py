"""A policy's document, statements and flows → RDF in the shape of ontology/core.ttl.

Every statement and flow points at the pf:Sentence nodes that support it (text and character
offsets into the cleaned policy text); inferred flows also name the statements they follow from.
"""
from __future__ import annotations

import datetime as dt

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from policyflows.extract.model import Evidence, PartyRef, Statement, Term
from policyflows.graph.flows import Flow
from policyflows.vocab import ACTIONS, KINDS, MODALITIES, PF, flow_iri, party_iri, policy_iri, sentence_iri, slug, statement_iri

_POLICY_LOCAL = "/purpose/"


class _Triples(set):
    """A plain set of triples with Graph.add's signature: collecting is cheap, rdflib's store is not."""

    def add(self, triple):  # noqa: D401 - same call shape as rdflib.Graph.add
        set.add(self, triple)


def to_rdflib(triples) -> Graph:
    g = Graph()
    for prefix, ns in (("pf", PF), ("dct", DCTERMS), ("skos", SKOS)):
        g.bind(prefix, ns)
    for t in triples:
        g.add(t)
    return g


class PolicyGraphWriter:
    """Writes one policy's named-graph content as triples (rdflib terms)."""

    def __init__(self, doc, lexicon=None, controller_country: str | None = None):
        self.doc = doc
        self.lex = lexicon
        self.controller_country = controller_country
        self.g = _Triples()
        self.policy = policy_iri(doc.policy)
        self._parties: dict[tuple, URIRef] = {}
        self._sentences: set[int] = set()

    def write(self, statements: list[Statement], flows: list[Flow]) -> set:
        self._policy()
        st_iris = [self._statement(n, st) for n, st in enumerate(statements)]
        for n, st in enumerate(statements):
            for basis in st.legal_bases:
                self.g.add((st_iris[n], PF.legalBasis, URIRef(basis.iri)))
        for f in flows:
            self._flow(f, st_iris)
        return self.g

    # -- nodes --------------------------------------------------------------------------------

    def _policy(self) -> None:
        g, p, doc, meta = self.g, self.policy, self.doc, self.doc.metadata
        g.add((p, RDF.type, PF.Policy))
        g.add((p, PF.policyId, Literal(doc.policy)))
        if meta.title:
            g.add((p, DCTERMS.title, Literal(meta.title)))
        if meta.controller:
            g.add((p, PF.controllerName, Literal(meta.controller)))
        g.add((p, PF.controller, self._party(_first_party(doc))))
        if meta.updated and _is_iso_date(meta.updated):
            g.add((p, DCTERMS.modified, Literal(meta.updated, datatype=XSD.date)))
        for c in meta.contacts:
            g.add((p, PF.contact, Literal(c)))
        if self.controller_country:
            g.add((p, PF.controllerCountry, URIRef(f"https://w3id.org/dpv/loc#{self.controller_country}")))
        for code in meta.governing_law:
            g.add((p, PF.governingLaw, URIRef(f"https://w3id.org/dpv/loc#{code}")))
        src = doc.source
        if src.path:
            g.add((p, PF.sourcePath, Literal(src.path)))
        g.add((p, PF.sha256, Literal(src.sha256)))
        g.add((p, PF.sourceFormat, Literal(src.format)))
        g.add((p, PF.textLength, Literal(len(doc.text), datatype=XSD.integer)))

    def _sentence(self, ev: Evidence) -> URIRef:
        node = sentence_iri(self.doc.policy, ev.sentence)
        if ev.sentence not in self._sentences:
            self._sentences.add(ev.sentence)
            g = self.g
            g.add((node, RDF.type, PF.Sentence))
            g.add((node, PF.text, Literal(ev.text)))
            g.add((node, PF.start, Literal(ev.start, datatype=XSD.integer)))
            g.add((node, PF.end, Literal(ev.end, datatype=XSD.integer)))
            g.add((node, PF.sentenceIndex, Literal(ev.sentence, datatype=XSD.integer)))
            g.add((node, PF.inPolicy, self.policy))
            title = self.doc.section_title(ev.sentence)
            if title:
                g.add((node, PF.sectionTitle, Literal(title)))
        return node

    def _party(self, party: PartyRef) -> URIRef:
        key = (party.kind, party.label.lower())
        node = self._parties.get(key)
        if node is None:
            node = party_iri(self.doc.policy, party.kind, party.label)
            self._parties[key] = node
            g = self.g
            g.add((node, RDF.type, KINDS[party.kind]))
            if party.concept and party.concept != str(KINDS[party.kind]):
                g.add((node, RDF.type, URIRef(party.concept)))
            g.add((node, RDFS.label, Literal(party.label)))
            g.add((node, PF.kindCode, Literal(party.kind)))
            g.add((node, PF.inPolicy, self.policy))
            if party.organisation:
                g.add((node, PF.organisation, URIRef(party.organisation)))
        return node

    def _purpose(self, term: Term) -> URIRef:
        node = URIRef(term.iri)
        if _POLICY_LOCAL in term.iri:  # a purpose in the policy's own words
            g = self.g
            g.add((node, RDF.type, PF.StatedPurpose))
            g.add((node, RDFS.label, Literal(term.label)))
            if term.broader:
                g.add((node, SKOS.broader, URIRef(term.broader)))
        return node

    def _practice(self, node: URIRef, action: str, modality: str, data: list[Term], recipients, purposes,
                  places, conditions, retention, evidence) -> None:
        g = self.g
        g.add((node, PF.action, ACTIONS[action]))
        g.add((node, PF.modality, MODALITIES[modality]))
        for d in data:
            g.add((node, PF.data, URIRef(d.iri)))
        for r in recipients:
            if r is not None:
                g.add((node, PF.recipient, self._party(r)))
        for p in purposes:
            g.add((node, PF.purpose, self._purpose(p)))
        for j in places:
            if j is not None:
                g.add((node, PF.jurisdiction, URIRef(j.iri)))
        for c in conditions:
            g.add((node, PF.condition, Literal(c)))
        if retention:
            g.add((node, PF.retention, Literal(retention, datatype=XSD.duration)))
        for ev in evidence:
            g.add((node, PF.evidence, self._sentence(ev)))
        g.add((node, PF.inPolicy, self.policy))

    def _statement(self, n: int, st: Statement) -> URIRef:
        node = statement_iri(self.doc.policy, n)
        self.g.add((node, RDF.type, PF.Statement))
        self.g.add((node, PF.actor, self._party(st.actor)))
        self._practice(node, st.action, st.modality, st.data, st.recipients, st.purposes, st.jurisdictions,
                       st.conditions, st.retention, st.all_evidence)
        return node

    def _flow(self, f: Flow, st_iris: list[URIRef]) -> URIRef:
        key = [f.data.iri, f.action, f.modality, f.recipient.kind + ":" + f.recipient.label if f.recipient else "",
               f.jurisdiction.iri if f.jurisdiction else "", str(f.stated)]
        node = flow_iri(self.doc.policy, *key)
        g = self.g
        g.add((node, RDF.type, PF.Flow))
        self._practice(node, f.action, f.modality, [f.data], [f.recipient], f.purposes, [f.jurisdiction],
                       f.conditions, f.retention, f.evidence)
        g.add((node, PF.stated, Literal(f.stated)))
        for v in f.via:
            g.add((node, PF.via, URIRef(v.iri)))
        for n in f.derived_from:
            g.add((node, PF.derivedFrom, st_iris[n]))
        for n in f.overridden_by:
            g.add((node, PF.overriddenBy, st_iris[n]))
        return node


def _first_party(doc) -> PartyRef:
    from policyflows.extract.extractor import first_party
    return first_party(doc)


def _is_iso_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
        return True
    except ValueError:
        return False


def policy_triples(doc, statements: list[Statement], flows: list[Flow], lexicon=None) -> set:
    """The triples of the policy's named graph, as a set of rdflib-term tuples."""
    country = controller_country(doc, lexicon) if lexicon is not None else None
    return PolicyGraphWriter(doc, lexicon, country).write(statements, flows)


def controller_country(doc, lexicon) -> str | None:
    """The country of the company whose policy it is, when the policy says where it is: a place in
    its legal name ("… (Shanghai) Co., Ltd.") or in the contact section's address. ISO 3166-1 code."""
    texts = [doc.metadata.controller or ""]
    for i, sentence in enumerate(doc.sentences):
        title = doc.section_title(i) or ""
        if "contact" in title.lower():
            texts.append(doc.text[sentence.start:sentence.end])
    for text in texts:
        for m in lexicon.jurisdiction_mentions(text):
            if m.code:
                return m.code.split("-")[0]
    return None


def policy_graph(doc, statements: list[Statement], flows: list[Flow]) -> Graph:
    """The same as an rdflib Graph (for SHACL, serialising, owlready2)."""
    return to_rdflib(policy_triples(doc, statements, flows))
