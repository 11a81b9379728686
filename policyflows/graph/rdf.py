"""A policy's document, statements and flows → RDF in the shape of ontology/core.ttl, in DPV terms.

The facts speak DPV where DPV has the term (a flow is a ``dpv:PersonalDataHandling`` with
``dpv:hasPersonalData``, ``dpv:hasProcessing``, ``dpv:hasRecipient`` …) and cite their words with W3C
Web Annotation selectors (``oa:TextQuoteSelector``/``oa:TextPositionSelector``). They stay lean:

* evidence hangs off the statements only; a flow names the statements it follows from
  (``pf:derivedFrom``) and its evidence is theirs, so an inferred flow copies no sentence;
* a flow is stated unless it names the broader category it was inferred through (``pf:via``);
* one named graph is one policy, so nothing says ``in policy`` node by node;
* the words naming an item are one node per span of the text, named by an RFC 5147 fragment
  (``{policy}/text#char=start,end``: the IRI is its own selector, with no oa:start/oa:end beside
  it), shared by every statement that cites those words;
* flows that differ only in their data are one node (:func:`handlings`);
* a statement names its actor (``pf:actor``) only when it is not the policy's controller
  (``pf:controller``), which is the actor of the others; its modality only when it is not
  ``pf:Will``; its rule (``pf:rule``) only when it is not the one named after its action; a
  statement other than a use whose one recipient is the controller names none (``dpv:hasDataController``
  is then the controller's, :func:`policyflows.rows.statement_recipients`);
* words say what they name (``pf:names``) only when a statement citing them has several items of
  the role it cites them for: otherwise they name the one item (:func:`policyflows.rows.words_names`).

The writer gives plain triples: subjects and predicates are IRI strings, an object is an IRI string
or a :class:`Lit`. The store loads them as N-Quads text (:func:`nquads`, what a build worker sends);
pyoxigraph quads (:func:`quads_of`) and rdflib triples are made from them only when asked for
(SHACL, owlready2, tests).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, NamedTuple

import pyoxigraph as ox

from policyflows.extract.model import Evidence, PartyRef, Statement, Term
from policyflows.graph.flows import Flow, is_personal
from policyflows.rows import words_iri
from policyflows.vocab import flow_iri, party_iri, policy_iri, sentence_iri, statement_iri

PF = "https://w3id.org/policyflows/ns#"
DPV = "https://w3id.org/dpv#"
OA = "http://www.w3.org/ns/oa#"
LOC = "https://w3id.org/dpv/loc#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = RDF + "type"
INTEGER = XSD + "integer"

# where-json action code -> the processing it is: DPV's own term, or ours where DPV has none
# (selling is a disclosure DPV names only as a purpose; retaining is storing for a period)
PROCESSING = {
    "collect": DPV + "Collect", "use": DPV + "Use", "store": DPV + "Store", "share": DPV + "Share",
    "transfer": DPV + "Transfer", "sell": PF + "Sell", "retain": PF + "Retain", "delete": DPV + "Erase",
}
MODALITY = {"will": PF + "Will", "may": PF + "May", "will-not": PF + "WillNot"}
STATEMENT_MODALITY = "will"  # the modality of a statement that writes none (core.ttl)
KIND_CLASS = {
    "first-party": PF + "FirstParty", "affiliate": PF + "Affiliate", "service-provider": PF + "ServiceProvider",
    "third-party": PF + "ThirdParty", "advertiser": PF + "Advertiser", "authority": PF + "Authority",
    "acquirer": PF + "Acquirer", "public": PF + "Public", "user": PF + "UserParty",
}
# the words naming an item of a statement, by the role of the item
WORD_ROLES = {"data": PF + "dataWords", "recipient": PF + "recipientWords", "purpose": PF + "purposeWords",
              "place": PF + "placeWords"}
CROSS_BORDER = DPV + "CrossBorderTransfer"
_POLICY_LOCAL = "/purpose/"


class Lit(NamedTuple):
    """A literal object: its lexical form and datatype IRI (None: a plain string)."""

    value: str
    datatype: str | None = None


Triple = tuple  # (subject IRI, predicate IRI, object IRI or Lit)


class PolicyGraphWriter:
    """Writes one policy's named graph as plain triples."""

    def __init__(self, doc, lexicon=None, controller_country: str | None = None):
        self.doc = doc
        self.lex = lexicon
        self.controller_country = controller_country
        self.policy = str(policy_iri(doc.policy))
        self.graph = self.policy
        self.triples: list[Triple] = []
        self._literals: dict[tuple, Lit] = {}
        self._parties: dict[tuple, str] = {}
        self._sentences: dict[int, str] = {}
        self._purposes: set[str] = set()
        self._storage: dict[str, str] = {}
        self._countries: dict[str, str | None] = {}
        self._spans: dict[tuple[int, int], str] = {}  # (start, end) -> the words' node
        self._span_names: dict[str, dict[str, None]] = {}  # the words' node -> the items it names, in order
        self._span_ambiguous: set[str] = set()  # words some citing statement has several items of the role for
        self._span_exact: set[str] = set()
        self._personal: dict[str, bool] = {}

    # -- terms, each made once -----------------------------------------------------------------

    def literal(self, value, datatype: str | None = None) -> Lit:
        key = (type(value), value, datatype)  # the type keeps True apart from 1
        found = self._literals.get(key)
        if found is None:
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            found = self._literals[key] = Lit(text, datatype)
        return found

    def add(self, s: str, p: str, o) -> None:
        self.triples.append((s, p, o))

    def write(self, statements: list[Statement], flows: list[Flow]) -> list[Triple]:
        self._policy()
        st_nodes = [self._statement(n, st) for n, st in enumerate(statements)]
        self._names()
        for key, group in handlings(flows):
            self._flow(key, group, st_nodes)
        return self.triples

    # -- nodes ---------------------------------------------------------------------------------

    def _policy(self) -> None:
        p, doc, meta = self.graph, self.doc, self.doc.metadata
        self.add(p, TYPE, PF + "Policy")
        self.add(p, PF + "policyId", self.literal(doc.policy))
        if meta.title:
            self.add(p, DCT + "title", self.literal(meta.title))
        if meta.controller:
            self.add(p, PF + "controllerName", self.literal(meta.controller))
        self.controller = self._party(_first_party(doc))
        self.add(p, PF + "controller", self.controller)
        if meta.updated and _is_iso_date(meta.updated):
            self.add(p, DCT + "modified", self.literal(meta.updated, XSD + "date"))
        for c in meta.contacts:
            self.add(p, PF + "contact", self.literal(c))
        if self.controller_country:
            self.add(p, PF + "controllerCountry", LOC + self.controller_country)
        for code in meta.governing_law:
            self.add(p, PF + "governingLaw", LOC + code)
        src = doc.source
        if src.path:
            self.add(p, PF + "sourcePath", self.literal(src.path))
        self.add(p, PF + "sha256", self.literal(src.sha256))
        self.add(p, PF + "sourceFormat", self.literal(src.format))
        self.add(p, PF + "textLength", self.literal(len(doc.text), INTEGER))

    def _sentence(self, ev: Evidence) -> str:
        node = self._sentences.get(ev.sentence)
        if node is None:
            node = self._sentences[ev.sentence] = str(sentence_iri(self.doc.policy, ev.sentence))
            self.add(node, TYPE, OA + "TextQuoteSelector")
            self.add(node, TYPE, OA + "TextPositionSelector")
            self.add(node, OA + "exact", self.literal(ev.text))
            self.add(node, OA + "start", self.literal(ev.start, INTEGER))
            self.add(node, OA + "end", self.literal(ev.end, INTEGER))
            title = self.doc.section_title(ev.sentence)
            if title:
                self.add(node, PF + "sectionTitle", self.literal(title))
        return node

    def _party(self, party: PartyRef) -> str:
        key = (party.kind, party.label.lower())
        node = self._parties.get(key)
        if node is None:
            node = self._parties[key] = str(party_iri(self.doc.policy, party.kind, party.label))
            self.add(node, TYPE, KIND_CLASS[party.kind])
            if party.concept and party.concept != KIND_CLASS[party.kind]:
                self.add(node, TYPE, party.concept)
            self.add(node, RDFS + "label", self.literal(party.label))
            self.add(node, PF + "kindCode", self.literal(party.kind))
            if party.organisation:
                self.add(node, PF + "organisation", party.organisation)
        return node

    def _purpose(self, term: Term) -> str:
        node = term.iri
        if _POLICY_LOCAL in node and node not in self._purposes:  # a purpose in the policy's own words
            self._purposes.add(node)
            self.add(node, TYPE, PF + "StatedPurpose")
            self.add(node, RDFS + "label", self.literal(term.label))
            if term.broader:
                self.add(node, SKOS + "broader", term.broader)
        return node

    def _storage_duration(self, duration: str) -> str:
        node = self._storage.get(duration)
        if node is None:
            node = self._storage[duration] = f"{self.policy}/storage/{duration}"
            self.add(node, TYPE, DPV + "StorageDuration")
            self.add(node, DPV + "hasDuration", self.literal(duration, XSD + "duration"))
        return node

    def _recipient(self, node: str, party: PartyRef | None) -> None:
        """The first party holds what it collects (DPV: its controller); anyone else receives it."""
        if party is not None:
            prop = DPV + "hasDataController" if party.kind == "first-party" else DPV + "hasRecipient"
            self.add(node, prop, self._party(party))

    def _practice(self, node: str, action: str, modality: str | None, recipients, purposes, places,
                  conditions, retention, legal_bases) -> None:
        """A statement's or flow's practice; ``modality`` None: not written (a statement's default)."""
        self.add(node, DPV + "hasProcessing", PROCESSING[action])
        if modality is not None:
            self.add(node, PF + "modality", MODALITY[modality])
        for r in recipients:
            self._recipient(node, r)
        for p in purposes:
            self.add(node, DPV + "hasPurpose", self._purpose(p))
        for j in places:
            if j is not None:
                self.add(node, DPV + "hasLocation", j.iri)
        for c in conditions:
            self.add(node, PF + "condition", self.literal(c))
        if retention:
            self.add(node, DPV + "hasStorageCondition", self._storage_duration(retention))
        for basis in legal_bases:
            self.add(node, DPV + "hasLegalBasis", basis.iri)

    def _is_personal(self, iri: str) -> bool:
        found = self._personal.get(iri)
        if found is None:
            found = self._personal[iri] = is_personal(iri, self.lex)
        return found

    def _statement(self, n: int, st: Statement) -> str:
        node = str(statement_iri(self.doc.policy, n))
        self.add(node, TYPE, PF + "Statement")
        actor = self._party(st.actor)
        if actor != self.controller:
            # a statement's actor is the policy's controller unless it says otherwise: 92 % of them
            # are, and pf:actor beside each was 40 quads a policy (core.ttl; retention.rq reads the default)
            self.add(node, PF + "actor", actor)
        for d in st.data:
            # DPV's own property for data that is not personal (anonymised, aggregated): no flow follows
            self.add(node, DPV + ("hasPersonalData" if self._is_personal(d.iri) else "hasData"), d.iri)
        # a statement's modality is pf:Will unless it says otherwise (half of them are; core.ttl):
        # every reader of a statement's modality asks for pf:WillNot (ruled-out.rq), flows say theirs
        self._practice(node, st.action, None if st.modality == STATEMENT_MODALITY else st.modality,
                       self._stated_recipients(node, st), st.purposes, st.jurisdictions, st.conditions,
                       st.retention, st.legal_bases)
        sentences = st.all_evidence
        for ev in sentences:
            self.add(node, PF + "evidence", self._sentence(ev))
        inherited = getattr(st, "inherited_from", None)
        if inherited is not None:
            # an inventory sentence ("This information may include …") states the practice of an
            # earlier sentence: the statement is inferred from that one too, and cites it
            self.add(node, PF + "inheritedFrom", self._sentence(inherited))
        rule = getattr(st, "rule", None) or ""
        if rule != st.action:
            # most statements come from the practice rule named after their action ("collect" makes
            # collect statements: 70 %), which a statement without pf:rule came from; one that no
            # rule or component is recorded for says so with an empty pf:rule (core.ttl)
            self.add(node, PF + "rule", self.literal(rule))
        self._words(node, st, sentences)
        return node

    def _stated_recipients(self, node: str, st: Statement) -> list[PartyRef]:
        """The recipients to write of a statement. One that is not a use and names no recipient
        (dpv:hasRecipient, dpv:hasDataController) is held by the policy's controller (core.ttl): the
        controller alone is not written (23 quads a policy: extraction names the company as the
        holder of what it collects, stores, retains or erases), and one naming no recipient at all
        says so (``pf:namesNoRecipient``). A use naming none has no recipient (its flow has none)."""
        recipients = st.recipients
        if st.action == "use":
            return recipients
        if not recipients:
            self.add(node, PF + "namesNoRecipient", self.literal(True, XSD + "boolean"))
        elif len(recipients) == 1 and recipients[0].kind == "first-party" and self._party(recipients[0]) == self.controller:
            return []
        return recipients

    def _words(self, node: str, st: Statement, sentences: list[Evidence]) -> None:
        """The words naming each item, as text positions (``spans`` of extraction). One node per span
        of the policy's text, shared by the statements citing it; its text is the cited sentence's
        at those offsets, and a span outside the citing statement's sentences carries its own text."""
        items = [("data", d, d.iri) for d in st.data] + [("purpose", p, p.iri) for p in st.purposes] + \
                [("place", j, j.iri) for j in st.jurisdictions] + \
                [("recipient", r, self._party(r)) for r in st.recipients]
        targets: dict[str, set[str]] = {}  # role -> the statement's items of that role (as the graph has them)
        for role, _, target in items:
            targets.setdefault(role, set()).add(target)
        linked = set()
        for role, item, target in items:
            for start, end in getattr(item, "spans", ()) or ():
                start, end = int(start), int(end)
                words = self._spans.get((start, end))
                if words is None:
                    # the IRI is the selector (an RFC 5147 fragment of the text), so oa:start/oa:end
                    # are not repeated on it (160 quads a policy)
                    words = self._spans[(start, end)] = words_iri(self.policy, start, end)
                if (role, words) not in linked:
                    linked.add((role, words))
                    self.add(node, WORD_ROLES[role], words)
                self._span_names.setdefault(words, {})[target] = None
                if len(targets[role]) != 1:
                    self._span_ambiguous.add(words)
                if words not in self._span_exact and not any(ev.start <= start and end <= ev.end for ev in sentences):
                    self._span_exact.add(words)
                    self.add(words, OA + "exact", self.literal(self.doc.text[start:end]))

    def _names(self) -> None:
        """What each span of words names (``pf:names``), written only where the statements citing it
        do not say: words cited only by statements with one item of the citing role (one data
        category, one recipient …) name those items, so the rule of :func:`policyflows.rows.words_names`
        reads them back (86 quads a policy of which 46 were of such words)."""
        for words, names in self._span_names.items():
            if words in self._span_ambiguous:
                for target in names:
                    self.add(words, PF + "names", target)

    def _flow(self, key: tuple[str, ...], group: list[Flow], st_nodes: list[str]) -> str:
        """One data handling: the flows that differ only in their data, as one node with a
        ``dpv:hasPersonalData`` per category (DPV reads a handling as every combination of its values).
        It cites the union of its flows' statements; a row of one category cites those of them that
        name that category or state the handling's processing of a broader one (rows.py, flows.rq,
        where.rq)."""
        f = group[0]
        node = str(flow_iri(self.doc.policy, *key))
        # an overridden flow is kept for provenance, typed apart: it is no data handling the policy states
        self.add(node, TYPE, PF + "OverriddenFlow" if f.overridden_by else DPV + "PersonalDataHandling")
        for data in sorted({g.data.iri for g in group}):
            self.add(node, DPV + "hasPersonalData", data)
        self._practice(node, f.action, f.modality, [f.recipient], f.purposes, [f.jurisdiction],
                       f.conditions, f.retention, f.legal_bases)
        for v in f.via:
            self.add(node, PF + "via", v.iri)
        for n in dict.fromkeys(n for g in group for n in g.derived_from):
            self.add(node, PF + "derivedFrom", st_nodes[n])
        for n in f.overridden_by:
            self.add(node, PF + "overriddenBy", st_nodes[n])
        abroad = self._third_country(f)
        if abroad:
            # the rule of ontology/transfers.ttl, applied as the graph is written (HermiT agrees: tested)
            self.add(node, DPV + "hasProcessing", CROSS_BORDER)
            self.add(node, DPV + "hasThirdCountry", LOC + abroad)
        return node

    def _third_country(self, f: Flow) -> str | None:
        """The country of the flow's place when it is not the controller's (ISO code), else None.
        A flow the policy rules out goes nowhere."""
        if not (self.controller_country and f.jurisdiction and f.modality != "will-not" and self.lex is not None):
            return None
        place = f.jurisdiction.iri
        if place not in self._countries:
            country = country_of(place, self.lex)
            self._countries[place] = country.rsplit("#", 1)[-1] if country else None
        country = self._countries[place]
        return country if country and country != self.controller_country else None


def handling_key(f: Flow) -> tuple[str, ...]:
    """What a flow says beside its data: flows equal in all of it are one handling (one node, whose
    IRI is a hash of this key)."""
    return (f.action, f.modality, f"{f.recipient.kind}:{f.recipient.label.lower()}" if f.recipient else "",
            f.jurisdiction.iri if f.jurisdiction else "", str(f.stated),
            "|".join(sorted(p.iri for p in f.purposes)), "|".join(sorted(f.conditions)), f.retention or "",
            "|".join(sorted(b.iri for b in f.legal_bases)), "|".join(sorted(v.iri for v in f.via)),
            "|".join(map(str, sorted(f.overridden_by))))


def handlings(flows: list[Flow]) -> list[tuple[tuple[str, ...], list[Flow]]]:
    """The flows of a policy grouped into data handlings, (key, flows) in first-seen order: one group
    per :func:`handling_key`. A group is one node of the graph; its flows differ only in their data
    (and their statements)."""
    groups: dict[tuple[str, ...], list[Flow]] = {}
    for f in flows:
        groups.setdefault(handling_key(f), []).append(f)
    return list(groups.items())


def country_of(place: str, lexicon) -> str | None:
    """The country (loc IRI) a place lies in, itself for a country, following the lexicon's broader
    places; None for a union or an unknown place."""
    todo, seen = [place], set()
    while todo:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        concept = lexicon.concepts.get(node)
        if concept is None:
            continue
        code = concept.get("code") or ""
        if len(code) == 2 and code.isalpha():
            return node
        todo.extend(concept.get("parents", ()))
    return None


def _first_party(doc) -> PartyRef:
    from policyflows.extract.extractor import first_party
    return first_party(doc)


def _is_iso_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
        return True
    except ValueError:
        return False


def policy_spo(doc, statements: list[Statement], flows: list[Flow], lexicon=None) -> list[Triple]:
    """The plain triples of the policy's named graph (graph name: the policy IRI)."""
    country = controller_country(doc, lexicon) if lexicon is not None else None
    return PolicyGraphWriter(doc, lexicon, country).write(statements, flows)


def policy_quads(doc, statements: list[Statement], flows: list[Flow], lexicon=None) -> list[ox.Quad]:
    """The quads of the policy's named graph (graph name: the policy IRI), as pyoxigraph quads."""
    return quads_of(policy_spo(doc, statements, flows, lexicon), str(policy_iri(doc.policy)))


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


# --- the triples as N-Quads, pyoxigraph quads, and back ------------------------------------------------

# what an IRI of N-Quads may not hold (IRIREF); the IRIs written are minted here or come from the
# ontology, but one a component minted badly must fail its own policy, not the store's bulk load
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
XSD_STRING = XSD + "string"


def _iri_text(iri: str) -> str:
    if _NOT_IRI.search(iri) or not _SCHEME.match(iri):
        raise ValueError(f"not an IRI the graph can hold: {iri!r}")
    return f"<{iri}>"


def _literal_text(lit: Lit) -> str:
    text = '"' + lit.value.translate(_ESCAPES) + '"'
    if lit.datatype and lit.datatype != XSD_STRING:
        text += "^^" + _iri_text(lit.datatype)
    return text


def nquads(triples: Iterable[Triple], graph: str) -> bytes:
    """The triples as N-Quads in the named graph ``graph``: what a build worker hands the store.
    Every IRI is checked (ValueError for one N-Quads cannot hold)."""
    tail = " " + _iri_text(graph) + " .\n"
    made: dict = {}
    lines = []
    for s, p, o in triples:
        st = made.get(s)
        if st is None:
            st = made[s] = _iri_text(s)
        pt = made.get(p)
        if pt is None:
            pt = made[p] = _iri_text(p)
        ot = made.get(o)
        if ot is None:
            ot = made[o] = _literal_text(o) if type(o) is Lit else _iri_text(o)
        lines.append(f"{st} {pt} {ot}{tail}")
    return "".join(lines).encode("utf-8", "replace")


def quads_of(triples: Iterable[Triple], graph: str) -> list[ox.Quad]:
    """The triples as pyoxigraph quads in the named graph ``graph``."""
    g = ox.NamedNode(graph)
    made: dict = {}

    def term(x):
        found = made.get(x)
        if found is None:
            if type(x) is Lit:
                found = ox.Literal(x.value, datatype=ox.NamedNode(x.datatype) if x.datatype else None)
            else:
                found = ox.NamedNode(x)
            made[x] = found
        return found

    return [ox.Quad(term(s), term(p), term(o), g) for s, p, o in triples]


def spo_of(quads: Iterable) -> list[Triple]:
    """pyoxigraph quads (or triples) as plain triples (what the row model reads)."""
    out = []
    for q in quads:
        o = q.object
        if isinstance(o, ox.Literal):
            dtype = o.datatype.value
            o = Lit(o.value, None if dtype == XSD_STRING else dtype)
        else:
            o = o.value
        out.append((q.subject.value, q.predicate.value, o))
    return out


# --- rdflib, on request -----------------------------------------------------------------------------

def rdflib_triples(quads) -> set:
    """pyoxigraph quads (or triples), or plain triples, as a set of rdflib-term triples."""
    from rdflib import BNode, Literal, URIRef

    made: dict = {}

    def term(t):
        got = made.get(t)
        if got is None:
            if type(t) is str:
                got = URIRef(t)
            elif type(t) is Lit:
                got = Literal(t.value) if t.datatype in (None, XSD_STRING) else \
                    Literal(t.value, datatype=URIRef(t.datatype))
            elif isinstance(t, ox.NamedNode):
                got = URIRef(t.value)
            elif isinstance(t, ox.BlankNode):
                got = BNode(t.value)
            elif t.language:
                got = Literal(t.value, lang=t.language)
            elif t.datatype is None or t.datatype.value == XSD + "string":  # RDF 1.1: the same literal
                got = Literal(t.value)
            else:
                got = Literal(t.value, datatype=URIRef(t.datatype.value))
            made[t] = got
        return got

    return {(term(q[0]), term(q[1]), term(q[2])) if type(q) is tuple else
            (term(q.subject), term(q.predicate), term(q.object)) for q in quads}


def to_rdflib(triples):
    """An rdflib Graph of rdflib triples (or of pyoxigraph quads), with the project's prefixes bound."""
    from rdflib import Graph

    g = Graph()
    for prefix, ns in (("pf", PF), ("dpv", DPV), ("oa", OA), ("loc", LOC), ("dct", DCT), ("skos", SKOS)):
        g.bind(prefix, ns)
    triples = list(triples)
    if triples and (isinstance(triples[0], (ox.Quad, ox.Triple)) or type(triples[0][0]) is str):
        triples = rdflib_triples(triples)
    for t in triples:
        g.add(t)
    return g


def policy_triples(doc, statements: list[Statement], flows: list[Flow], lexicon=None) -> set:
    """The triples of the policy's named graph, as a set of rdflib-term tuples."""
    return rdflib_triples(policy_spo(doc, statements, flows, lexicon))


def policy_graph(doc, statements: list[Statement], flows: list[Flow], lexicon=None):
    """The same as an rdflib Graph (for SHACL, serialising, owlready2)."""
    return to_rdflib(policy_spo(doc, statements, flows, lexicon))
