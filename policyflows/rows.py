"""The row model of a flow: what a policy graph says, as where-json rows (../shared/spec/where-json.md).

One place turns a policy's quads into the facts a row needs (:class:`PolicyFacts`, from the graph
alone and the ontology's labels), and one function turns those facts into the row every reader
renders (:func:`flow_row`: the CLI, ``serve``, the views and the notebook). The store keeps the facts
in a cache beside the graph (policyflows/cache.py), derived from the graph and rebuilt from it.

A flow's evidence is the evidence of the statements it follows from (``pf:derivedFrom``): the
graph does not copy sentences onto flows. A flow is stated unless it names a broader category it
was inferred through (``pf:via``). Overridden flows (``pf:overriddenBy``) are left out of answers.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

import pyoxigraph as ox

PF = "https://w3id.org/policyflows/ns#"
DPV = "https://w3id.org/dpv#"
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
DCT = "http://purl.org/dc/terms/"
ONTOLOGY = "https://w3id.org/policyflows/ontology"

HANDLING = DPV + "PersonalDataHandling"
OVERRIDDEN = PF + "OverriddenFlow"
STATEMENT = PF + "Statement"
WORD_ROLES = {PF + "dataWords": "data", PF + "recipientWords": "recipient", PF + "purposeWords": "purpose",
              PF + "placeWords": "place"}
# the properties giving a statement's items of each role of words (what words of that role name)
ROLE_ITEMS = {PF + "dataWords": (DPV + "hasPersonalData", DPV + "hasData"),
              PF + "recipientWords": (DPV + "hasRecipient", DPV + "hasDataController"),
              PF + "purposeWords": (DPV + "hasPurpose",), PF + "placeWords": (DPV + "hasLocation",)}

# the predicates the facts are read from, each one string (a dict lookup hashes a string once)
_POLICY_ID, _KIND_CODE, _ORGANISATION, _NAMES = PF + "policyId", PF + "kindCode", PF + "organisation", PF + "names"
_EVIDENCE, _INHERITED_FROM, _SECTION_TITLE, _MODALITY = PF + "evidence", PF + "inheritedFrom", PF + "sectionTitle", PF + "modality"
_VIA, _DERIVED_FROM, _OVERRIDDEN_BY, _CONDITION = PF + "via", PF + "derivedFrom", PF + "overriddenBy", PF + "condition"
_STATED_PURPOSE = PF + "StatedPurpose"
_LABEL = RDFS + "label"
_EXACT, _START, _END = OA + "exact", OA + "start", OA + "end"
_PERSONAL_DATA, _PROCESSING, _LOCATION = DPV + "hasPersonalData", DPV + "hasProcessing", DPV + "hasLocation"
_RECIPIENT, _CONTROLLER, _PURPOSE = DPV + "hasRecipient", DPV + "hasDataController", DPV + "hasPurpose"
_STORAGE, _DURATION, _LEGAL_BASIS = DPV + "hasStorageCondition", DPV + "hasDuration", DPV + "hasLegalBasis"
_RECIPIENT_WORDS = PF + "recipientWords"

_ONTOLOGY_TERMS = """
PREFIX pf:   <https://w3id.org/policyflows/ns#>
PREFIX loc:  <https://w3id.org/dpv/loc#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?p ?o WHERE { GRAPH <https://w3id.org/policyflows/ontology> {
  VALUES ?p { rdfs:label skos:prefLabel pf:code loc:iso_alpha2 rdfs:subClassOf }
  ?s ?p ?o FILTER(?p IN (pf:code, loc:iso_alpha2, rdfs:subClassOf) || LANG(?o) IN ("en", ""))
} }"""


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass
class OntologyTerms:
    """What rows need from the store's ontology graph: English labels, action/modality codes, ISO
    codes of places, and the taxonomy (rdfs:subClassOf) for the corpus summary."""

    labels: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    iso: dict[str, str] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, store: ox.Store) -> "OntologyTerms":
        terms = cls()
        parents = defaultdict(set)
        for s, p, o in store.query(_ONTOLOGY_TERMS):
            key, value, prop = s.value, o.value, p.value
            if prop.endswith("#code"):
                terms.codes.setdefault(key, value)
            elif prop.endswith("#iso_alpha2"):
                terms.iso.setdefault(key, value)
            elif prop.endswith("#subClassOf"):
                if isinstance(o, ox.NamedNode) and value != key:
                    parents[key].add(value)
            elif key not in terms.labels or value < terms.labels[key]:
                terms.labels[key] = value  # MIN, as the SPARQL queries pick it
        terms.parents = {k: sorted(v) for k, v in parents.items()}
        return terms

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or local_name(iri)

    def ancestors(self, iri: str) -> set[str]:
        """Every category above ``iri`` (rdfs:subClassOf*, without ``iri``)."""
        found = self._ancestors.get(iri)
        if found is None:
            found, todo = set(), list(self.parents.get(iri, ()))
            while todo:
                p = todo.pop()
                if p not in found:
                    found.add(p)
                    todo.extend(self.parents.get(p, ()))
            self._ancestors[iri] = found
        return found

    @cached_property
    def _ancestors(self) -> dict:
        return {}


def flow_order(row: dict):
    """The order of flows in every answer: by policy, data, action, recipient, place (then stated
    before inferred, and by flow IRI, so that every build gives the same order)."""
    r = row["recipient"] or {}
    j = row["jurisdiction"] or {}
    return (row["policy"], row["data"]["label"].lower(), row["data"]["iri"], row["action"], r.get("kind") or "",
            (r.get("label") or "").lower(), j.get("code") or "", row["modality"], not row["stated"],
            row.get("flow") or "")


@dataclass
class FlowFacts:
    """One flow of a policy graph, as the graph says it (IRIs), in the answer's order (``n``)."""

    flow: str
    data: str
    action: str
    modality: str
    party: str | None
    place: str | None
    stated: bool
    retention: str | None
    via: list[str]
    purposes: list[str]
    conditions: list[str]
    legal: list[str]
    statements: list[str]  # pf:derivedFrom
    overridden: bool = False
    n: int = 0


@dataclass
class PolicyFacts:
    """What one policy graph says, ready to be kept and turned into rows."""

    policy: str
    graph: str
    record: dict  # the `policies --format json` object of where-json.md
    sentences: dict[str, tuple[int, int, str, str | None]]  # iri -> start, end, text, section
    parties: dict[str, tuple[str, str | None, str | None]]  # iri -> label, kind, organisation
    evidence: dict[str, list[str]]  # statement iri -> its sentence iris
    words: dict[str, list[tuple[str, str, int, int, str | None]]]  # statement -> (role, names, start, end, exact)
    flows: list[FlowFacts]  # answering flows only, in the answer's order
    labels: dict[str, str]  # labels the policy graph gives (its purposes in its own words)
    broader: dict[str, str]  # a purpose in the policy's words -> the taxonomy purpose it falls under

    @classmethod
    def from_quads(cls, graph: str, quads: Iterable[ox.Quad], terms: OntologyTerms) -> "PolicyFacts | None":
        """The facts of one policy graph read from pyoxigraph quads (None when it holds no pf:Policy)."""
        from policyflows.graph.rdf import spo_of

        return cls.from_triples(graph, spo_of(quads), terms)

    @classmethod
    def from_triples(cls, graph: str, triples: Iterable[tuple], terms: OntologyTerms) -> "PolicyFacts | None":
        """The facts of one policy graph, from its plain triples (subject, predicate, object: IRIs as
        strings, literals as graph.rdf.Lit). None when the graph holds no pf:Policy."""
        props: dict = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            props[s][p].append(o.value if type(o) is not str else o)
        policy_node = props.get(graph)
        if not policy_node or not policy_node.get(_POLICY_ID):
            return None
        policy = min(policy_node[_POLICY_ID])

        def first(node: dict, prop: str):
            values = node.get(prop)
            return min(values) if values else None

        def values(node: dict, prop: str) -> list[str]:
            return sorted(set(node.get(prop, ())))

        implied = words_names(props)
        sentences, parties, evidence, words, labels, broader = {}, {}, {}, {}, {}, {}
        flows, overridden, n_statements, statement_places = [], [], 0, []
        statement_data: dict[str, tuple[set[str], set[str]]] = {}  # statement -> its data, its processings
        handlings: list[tuple] = []
        for iri, p in props.items():
            types = p.get(RDF_TYPE, ())
            if _KIND_CODE in p:
                parties[iri] = (first(p, _LABEL) or local_name(iri), first(p, _KIND_CODE), first(p, _ORGANISATION))
            if _EXACT in p and _START in p and _NAMES not in p:
                sentences[iri] = (int(first(p, _START)), int(first(p, _END)), first(p, _EXACT), first(p, _SECTION_TITLE))
            if _STATED_PURPOSE in types:
                labels[iri] = first(p, _LABEL) or local_name(iri)
                if p.get(SKOS_BROADER):
                    broader[iri] = first(p, SKOS_BROADER)
            if STATEMENT in types:
                n_statements += 1
                # the sentences it cites, and the one whose practice it continues (pf:inheritedFrom)
                evidence[iri] = sorted(set(p.get(_EVIDENCE, ())) | set(p.get(_INHERITED_FROM, ())))
                statement_places += [(iri, place) for place in values(p, _LOCATION)]
                found = []
                for prop, role in WORD_ROLES.items():
                    for w in p.get(prop, ()):
                        span = span_of(w)
                        if span is not None:
                            wp = props.get(w, {})
                            names = wp.get(_NAMES) or implied.get(w, ())
                            found += [(role, name, *span, first(wp, _EXACT)) for name in sorted(set(names))]
                if found:
                    words[iri] = sorted(set(found), key=lambda w: (w[2], w[3], w[0], w[1]))
                statement_data[iri] = (set(p.get(_PERSONAL_DATA, ())), set(p.get(_PROCESSING, ())))
            if HANDLING in types or OVERRIDDEN in types:
                handlings.append((iri, p, types))
        for iri, p, types in handlings:
            processing = [v for v in values(p, _PROCESSING) if v in terms.codes]
            data = values(p, _PERSONAL_DATA)
            modality = terms.codes.get(first(p, _MODALITY) or "")
            if not (processing and data and modality):
                continue
            party = first(p, _RECIPIENT) or first(p, _CONTROLLER)
            retention = None
            for storage in values(p, _STORAGE):
                retention = retention or first(props.get(storage, {}), _DURATION)
            via = values(p, _VIA)
            derived = values(p, _DERIVED_FROM)
            action, place = terms.codes[processing[0]], first(p, _LOCATION)
            purposes, conditions = values(p, _PURPOSE), values(p, _CONDITION)
            legal = values(p, _LEGAL_BASIS)
            is_overridden = OVERRIDDEN in types or bool(p.get(_OVERRIDDEN_BY))
            kept = overridden if is_overridden else flows
            processes = set(processing)
            for d in data:  # one row per category of the handling; the rows share its (read-only) lists
                kept.append(FlowFacts(
                    flow=iri, data=d, action=action, modality=modality, party=party, place=place,
                    stated=not via, retention=retention, via=via, purposes=purposes, conditions=conditions,
                    legal=legal, statements=row_statements(d, derived, statement_data, processes, terms),
                    overridden=is_overridden))
        facts = cls(policy, graph, {}, sentences, parties, evidence, words, flows, labels, broader)
        flows.sort(key=facts.order_key(terms))
        for n, f in enumerate(flows):
            f.n = n
        facts.record = facts._record(policy_node, n_statements, overridden, statement_places, terms)
        return facts

    def order_key(self, terms: OntologyTerms):
        """The key of :func:`flow_order` computed from the facts (without making the rows)."""
        policy, parties, iso = self.policy, self.parties, terms.iso

        def key(f: FlowFacts):
            kind, label = "", ""
            if f.party:
                label, kind, _ = parties.get(f.party, (local_name(f.party), None, None))
                kind = kind or ""
            return (policy, terms.label(f.data).lower(), f.data, f.action, kind, (label or "").lower(),
                    (iso.get(f.place) if f.place else None) or "", f.modality, not f.stated, f.flow or "")

        return key

    def flow_sentences(self, f: FlowFacts) -> list[str]:
        """The sentences of a flow: those of the statements it follows from, by offset."""
        found = {s for st in f.statements for s in self.evidence.get(st, ())}
        return sorted((s for s in found if s in self.sentences), key=lambda s: self.sentences[s][:3])

    def row(self, f: FlowFacts, terms: OntologyTerms) -> dict:
        return flow_row(self.policy, f, self.sentences, self.parties, terms, self.labels,
                        self.flow_sentences(f), self.words)

    def _record(self, node: dict, n_statements: int, overridden: list[FlowFacts], statement_places: list,
                terms: OntologyTerms) -> dict:
        """The policy as `policies --format json` gives it; its places in the order the policy first says them."""
        def first(prop):
            values = node.get(prop)
            return min(values) if values else None

        places: dict[str, int] = {}
        # only a place with a code counts: the sentences of the others (most flows name no place) are not looked up
        practices = [(code, f) for f in self.flows + overridden if (code := terms.iso.get(f.place or ""))]
        practices = [(code, self.flow_sentences(f)) for code, f in practices]
        practices += [(code, self.evidence[st]) for st, place in statement_places if (code := terms.iso.get(place or ""))]
        for code, sentences in practices:
            starts = [self.sentences[s][0] for s in sentences if s in self.sentences]
            if starts:
                places[code] = min(places.get(code, starts[0]), *starts)
        stated = sum(f.stated for f in self.flows)
        updated = first(DCT + "modified")
        return {
            "id": self.policy,
            "title": first(DCT + "title"),
            "controller": first(PF + "controllerName"),
            "updated": updated[:10] if updated else None,
            "contacts": sorted(set(node.get(PF + "contact", ()))),
            "jurisdictions": [c for c, _ in sorted(places.items(), key=lambda kv: (kv[1], kv[0]))],
            "source": {"path": first(PF + "sourcePath"), "sha256": first(PF + "sha256")},
            "counts": {"statements": n_statements, "flows": len(self.flows), "stated": stated,
                       "inferred": len(self.flows) - stated},
        }


_WORDS = "/text#char="


def words_iri(policy: str, start: int, end: int) -> str:
    """The IRI of the words at ``text[start:end]`` of a policy (its IRI): an RFC 5147 fragment, which is
    the words' selector (the graph does not repeat the offsets)."""
    return f"{policy}{_WORDS}{start},{end}"


def span_of(words: str) -> tuple[int, int] | None:
    """The offsets a words node names (the inverse of :func:`words_iri`); None for another IRI."""
    _, _, fragment = words.rpartition(_WORDS)
    start, _, end = fragment.partition(",")
    if not (start.isdigit() and end.isdigit()):
        return None
    return int(start), int(end)


_USE, _NAMES_NO_RECIPIENT, _POLICY_CONTROLLER = DPV + "Use", PF + "namesNoRecipient", PF + "controller"


def statement_recipients(p: dict, controller: str | None) -> list[str]:
    """A statement's recipients (``p``: its predicate -> [objects]) as extraction gave them: those it
    names, else, for a statement other than a use that does not say it names none
    (``pf:namesNoRecipient``), the policy's controller (``controller``), which the graph leaves
    out there (graph/rdf.py; core.ttl)."""
    found = p.get(_RECIPIENT, []) + p.get(_CONTROLLER, [])
    if found or controller is None or _NAMES_NO_RECIPIENT in p or _USE in p.get(_PROCESSING, ()):
        return found
    return [controller]


def policy_controller(props: dict) -> str | None:
    """The policy's ``pf:controller`` among a graph's subjects (``props``: subject -> predicate -> [objects])."""
    for p in props.values():
        found = p.get(_POLICY_CONTROLLER)
        if found:
            return min(found)
    return None


def words_names(props: dict) -> dict[str, set[str]]:
    """What the words that carry no ``pf:names`` name: the items of the role each statement citing
    them cites them for (its ``dpv:hasPersonalData`` for ``pf:dataWords`` …). The graph leaves
    pf:names out only where every such statement has one item of that role (graph/rdf.py), so these
    are the items the words were written for. ``props``: subject -> predicate -> [objects]."""
    implied: dict[str, set[str]] = {}
    controller = None
    for p in props.values():
        for prop, items_of in ROLE_ITEMS.items():
            cited = p.get(prop)
            if not cited:
                continue
            if prop == _RECIPIENT_WORDS:
                if controller is None:
                    controller = policy_controller(props) or ""
                items = set(statement_recipients(p, controller or None))
            else:
                items = {o for item in items_of for o in p.get(item, ())}
            for w in cited:
                if _NAMES not in props.get(w, ()):
                    implied.setdefault(w, set()).update(items)
    return implied


def row_statements(data: str, derived: list[str], statement_data: dict[str, tuple[set[str], set[str]]],
                   processing: set[str], terms: OntologyTerms) -> list[str]:
    """The statements a row of one category follows from, of its handling's (``pf:derivedFrom``):
    those that name the category, and those that state the handling's own processing of a broader
    one ("we share personal information with …" behind an inferred row). A handling groups
    categories, and a statement collecting one of them is no premise of the others'."""
    broader = terms.ancestors(data)
    out = []
    for s in derived:
        named, done = statement_data.get(s, _NO_DATA)
        if data in named or (not named.isdisjoint(broader) and not done.isdisjoint(processing)):
            out.append(s)
    return out


_NO_DATA = (frozenset(), frozenset())  # a statement the graph does not hold: no data, no processing


def flow_row(policy: str, f: FlowFacts, sentences: dict, parties: dict, terms: OntologyTerms, labels: dict,
             cited: list[str], words: dict) -> dict:
    """THE row of a flow, in the shape of where-json.md: what every reader renders.

    ``cited`` are the flow's sentences (those of its statements) in order; ``words`` the statements'
    words, of which each evidence entry lists those naming this flow's data, recipient, place or purposes."""
    recipient = None
    if f.party:
        label, kind, _ = parties.get(f.party, (local_name(f.party), None, None))
        recipient = {"iri": f.party, "label": label, "kind": kind}
    jurisdiction = None
    if f.place:
        jurisdiction = {"iri": f.place, "label": terms.label(f.place), "code": terms.iso.get(f.place)}
    purposes = sorted(({"iri": p, "label": terms.labels.get(p) or labels.get(p) or local_name(p)} for p in f.purposes),
                      key=lambda x: (x["label"], x["iri"]))
    names = {"data": {f.data, *f.via}, "recipient": {f.party}, "place": {f.place}, "purpose": set(f.purposes)}
    flow_words = [w for st in f.statements for w in words.get(st, ()) if w[1] in names[w[0]]]
    evidence = []
    for s in cited:
        start, end, text, _ = sentences[s]
        inside = sorted({(w[2], w[3], w[0], w[4]) for w in flow_words if start <= w[2] and w[3] <= end},
                        key=lambda w: (w[0], w[1], w[2], w[3] or ""))  # exact is None when the text gives it
        evidence.append({"text": text, "start": start, "end": end,
                         "words": [{"role": role, "text": exact if exact is not None else text[a - start:b - start],
                                    "start": a, "end": b} for a, b, role, exact in inside]})
    evidence.sort(key=lambda e: (e["start"], e["end"], e["text"]))
    return {
        "policy": policy,
        "data": {"iri": f.data, "label": terms.label(f.data)},
        "action": f.action,
        "recipient": recipient,
        "jurisdiction": jurisdiction,
        "purposes": purposes,
        "modality": f.modality,
        "conditions": sorted(set(f.conditions)),
        "retention": f.retention,
        "stated": f.stated,
        "via": sorted({terms.labels[v] if v in terms.labels else v for v in f.via}),
        "evidence": evidence,
        "legal_bases": [{"iri": b, "label": terms.label(b)} for b in f.legal],
        "flow": f.flow,
    }
