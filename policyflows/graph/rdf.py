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
    """A plain set of triples: it has Graph.add's call shape, and collecting is cheap where rdflib's store is not."""


class _Terms:
    """A namespace's terms, each minted once.

    rdflib builds (and validates) a new URIRef on every ``PF.x`` or ``RDF.type`` lookup; a policy's
    graph has a few thousand triples, so the writer looks each predicate and class up here instead.
    """

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term = getattr(self._namespace, name)
        setattr(self, name, term)  # later lookups are plain attribute reads
        return term


_PF, _RDF, _RDFS, _SKOS, _DCTERMS, _XSD = (_Terms(ns) for ns in (PF, RDF, RDFS, SKOS, DCTERMS, XSD))


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
        self._sentences: dict[int, URIRef] = {}  # sentence index -> node, written once
        self._purposes: dict[Term, URIRef] = {}  # purpose -> node, written once
        # Terms are cached per writer: flows repeat the same data IRIs, conditions and flags many
        # times over, and rdflib validates every URIRef and Literal it builds.
        self._iris: dict[str, URIRef] = {}
        self._literals: dict[tuple, Literal] = {}

    def _iri(self, iri: str) -> URIRef:
        node = self._iris.get(iri)
        if node is None:
            node = self._iris[iri] = URIRef(iri)
        return node

    def _literal(self, value, datatype=None) -> Literal:
        key = (type(value), value, datatype)  # the type keeps True apart from 1
        literal = self._literals.get(key)
        if literal is None:
            literal = self._literals[key] = Literal(value, datatype=datatype)
        return literal

    def write(self, statements: list[Statement], flows: list[Flow]) -> set:
        self._policy()
        st_iris = [self._statement(n, st) for n, st in enumerate(statements)]
        for n, st in enumerate(statements):
            for basis in st.legal_bases:
                self.g.add((st_iris[n], _PF.legalBasis, self._iri(basis.iri)))
        for f in flows:
            self._flow(f, st_iris)
        return self.g

    # -- nodes --------------------------------------------------------------------------------

    def _policy(self) -> None:
        g, p, doc, meta = self.g, self.policy, self.doc, self.doc.metadata
        g.add((p, _RDF.type, _PF.Policy))
        g.add((p, _PF.policyId, Literal(doc.policy)))
        if meta.title:
            g.add((p, _DCTERMS.title, Literal(meta.title)))
        if meta.controller:
            g.add((p, _PF.controllerName, Literal(meta.controller)))
        g.add((p, _PF.controller, self._party(_first_party(doc))))
        if meta.updated and _is_iso_date(meta.updated):
            g.add((p, _DCTERMS.modified, Literal(meta.updated, datatype=_XSD.date)))
        for c in meta.contacts:
            g.add((p, _PF.contact, Literal(c)))
        if self.controller_country:
            g.add((p, _PF.controllerCountry, URIRef(f"https://w3id.org/dpv/loc#{self.controller_country}")))
        for code in meta.governing_law:
            g.add((p, _PF.governingLaw, URIRef(f"https://w3id.org/dpv/loc#{code}")))
        src = doc.source
        if src.path:
            g.add((p, _PF.sourcePath, Literal(src.path)))
        g.add((p, _PF.sha256, Literal(src.sha256)))
        g.add((p, _PF.sourceFormat, Literal(src.format)))
        g.add((p, _PF.textLength, Literal(len(doc.text), datatype=_XSD.integer)))

    def _sentence(self, ev: Evidence) -> URIRef:
        node = self._sentences.get(ev.sentence)
        if node is None:
            node = self._sentences[ev.sentence] = sentence_iri(self.doc.policy, ev.sentence)
            g = self.g
            g.add((node, _RDF.type, _PF.Sentence))
            g.add((node, _PF.text, Literal(ev.text)))
            g.add((node, _PF.start, Literal(ev.start, datatype=_XSD.integer)))
            g.add((node, _PF.end, Literal(ev.end, datatype=_XSD.integer)))
            g.add((node, _PF.sentenceIndex, Literal(ev.sentence, datatype=_XSD.integer)))
            g.add((node, _PF.inPolicy, self.policy))
            title = self.doc.section_title(ev.sentence)
            if title:
                g.add((node, _PF.sectionTitle, Literal(title)))
        return node

    def _party(self, party: PartyRef) -> URIRef:
        key = (party.kind, party.label.lower())
        node = self._parties.get(key)
        if node is None:
            node = party_iri(self.doc.policy, party.kind, party.label)
            self._parties[key] = node
            g = self.g
            g.add((node, _RDF.type, KINDS[party.kind]))
            if party.concept and party.concept != str(KINDS[party.kind]):
                g.add((node, _RDF.type, URIRef(party.concept)))
            g.add((node, _RDFS.label, Literal(party.label)))
            g.add((node, _PF.kindCode, Literal(party.kind)))
            g.add((node, _PF.inPolicy, self.policy))
            if party.organisation:
                g.add((node, _PF.organisation, URIRef(party.organisation)))
        return node

    def _purpose(self, term: Term) -> URIRef:
        node = self._purposes.get(term)
        if node is not None:  # its triples are written already
            return node
        node = self._purposes[term] = self._iri(term.iri)
        if _POLICY_LOCAL in term.iri:  # a purpose in the policy's own words
            g = self.g
            g.add((node, _RDF.type, _PF.StatedPurpose))
            g.add((node, _RDFS.label, Literal(term.label)))
            if term.broader:
                g.add((node, _SKOS.broader, URIRef(term.broader)))
        return node

    def _practice(self, node: URIRef, action: str, modality: str, data: list[Term], recipients, purposes,
                  places, conditions, retention, evidence) -> None:
        g = self.g
        g.add((node, _PF.action, ACTIONS[action]))
        g.add((node, _PF.modality, MODALITIES[modality]))
        for d in data:
            g.add((node, _PF.data, self._iri(d.iri)))
        for r in recipients:
            if r is not None:
                g.add((node, _PF.recipient, self._party(r)))
        for p in purposes:
            g.add((node, _PF.purpose, self._purpose(p)))
        for j in places:
            if j is not None:
                g.add((node, _PF.jurisdiction, self._iri(j.iri)))
        for c in conditions:
            g.add((node, _PF.condition, self._literal(c)))
        if retention:
            g.add((node, _PF.retention, self._literal(retention, _XSD.duration)))
        for ev in evidence:
            g.add((node, _PF.evidence, self._sentence(ev)))
        g.add((node, _PF.inPolicy, self.policy))

    def _statement(self, n: int, st: Statement) -> URIRef:
        node = statement_iri(self.doc.policy, n)
        self.g.add((node, _RDF.type, _PF.Statement))
        self.g.add((node, _PF.actor, self._party(st.actor)))
        self._practice(node, st.action, st.modality, st.data, st.recipients, st.purposes, st.jurisdictions,
                       st.conditions, st.retention, st.all_evidence)
        return node

    def _flow(self, f: Flow, st_iris: list[URIRef]) -> URIRef:
        key = [f.data.iri, f.action, f.modality, f.recipient.kind + ":" + f.recipient.label if f.recipient else "",
               f.jurisdiction.iri if f.jurisdiction else "", str(f.stated)]
        node = flow_iri(self.doc.policy, *key)
        g = self.g
        g.add((node, _RDF.type, _PF.Flow))
        self._practice(node, f.action, f.modality, [f.data], [f.recipient], f.purposes, [f.jurisdiction],
                       f.conditions, f.retention, f.evidence)
        g.add((node, _PF.stated, self._literal(f.stated)))
        for v in f.via:
            g.add((node, _PF.via, self._iri(v.iri)))
        for n in f.derived_from:
            g.add((node, _PF.derivedFrom, st_iris[n]))
        for n in f.overridden_by:
            g.add((node, _PF.overriddenBy, st_iris[n]))
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
