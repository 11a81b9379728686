"""Statements → flows: one row per (data, action, recipient, jurisdiction), stated or inferred.

Inference, each step recorded as inference (``stated=False``, ``via``, ``derived_from``):

1. What the policy shares, stores or transfers as a broad category ("personal information") flows
   for each narrower category the policy collects; the inferred flow cites the sentence that
   collects the narrower data and the sentence that states the broad practice.
2. Policy-wide statements that name no data ("we have data centres in …") are about personal
   information, so step 1 carries them to every collected category.
3. A specific will-not overrides a broader positive for the same data and recipient: the
   overridden flow is kept, marked ``overridden_by``, and left out of answers.

A category the policy never collects gets no inferred flow, and data the ontology puts outside
personal information (anonymised, aggregated: pf:NonPersonalData) gets no flow at all: a flow is a
personal-data handling. Its statement keeps it (graph/rdf.py writes it as ``dpv:hasData``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from policyflows.extract.model import Evidence, PartyRef, Statement, Term
from policyflows.vocab import PF

POSITIVE = {"will", "may"}
_COLLECTING = {"collect", "use", "store", "retain"}
_KEEPING = {"collect", "store", "retain", "transfer"}  # a retention period describes these
# A will-not of the key action also rules out these actions ("never disclose" rules out selling).
_RULES_OUT = {"share": {"share", "sell", "transfer"}, "sell": {"sell"}, "transfer": {"transfer"},
              "store": {"store", "retain"}, "retain": {"retain", "store"}, "collect": {"collect"},
              "use": {"use"}, "delete": {"delete"}}


@dataclass
class Flow:
    policy: str
    data: Term
    action: str
    modality: str
    recipient: PartyRef | None
    jurisdiction: Term | None
    purposes: list[Term]
    conditions: list[str]
    retention: str | None
    stated: bool
    via: list[Term]
    derived_from: list[int]  # indexes into the policy's statement list
    evidence: list[Evidence]
    overridden_by: list[int] = field(default_factory=list)
    legal_bases: list[Term] = field(default_factory=list)  # of the statement(s) it follows from

    @property
    def key(self) -> tuple:
        return (self.data.iri, self.action, self.modality,
                (self.recipient.kind, self.recipient.label.lower()) if self.recipient else None,
                self.jurisdiction.iri if self.jurisdiction else None, self.stated)


PERSONAL = str(PF.PersonalInformation)


def is_personal(iri: str, lexicon) -> bool:
    """Is a data category personal information (the root or beneath it)? Without a lexicon, or for
    a category the lexicon does not know, it is taken to be."""
    if lexicon is None or iri == PERSONAL:
        return True
    known = getattr(lexicon, "concepts", None)
    if known is not None and iri not in known:
        return True
    return PERSONAL in lexicon.broader(iri)


def derive_flows(policy: str, statements: list[Statement], lexicon) -> list[Flow]:
    """All flows of one policy: stated ones, inferred ones, and overrides marked."""
    personal: dict[str, bool] = {}

    def keep(d: Term) -> bool:
        found = personal.get(d.iri)
        if found is None:
            found = personal[d.iri] = is_personal(d.iri, lexicon)
        return found

    statements = [s if all(keep(d) for d in s.data) else _replace_data(s, [d for d in s.data if keep(d)])
                  for s in statements]
    stated = _stated_flows(policy, statements)
    collected = _collected(statements, lexicon)
    retention = _retention_by_data(statements)
    for f in stated:
        if f.retention is None and f.action in _KEEPING and (f.recipient is None or f.recipient.kind in {"first-party", "user"}):
            f.retention = retention.get(f.data.iri)
    inferred = _inferred_flows(policy, statements, collected, retention, lexicon, {f.key[:5] for f in stated})
    flows = _dedupe(stated + inferred)
    _mark_overrides(flows, statements, lexicon)
    return flows


def _replace_data(st: Statement, data: list[Term]) -> Statement:
    """The statement as far as flows go: its personal data only (the statement itself is unchanged)."""
    from dataclasses import replace

    return replace(st, data=data)


def _stated_flows(policy: str, statements: list[Statement]) -> list[Flow]:
    flows = []
    for n, st in enumerate(statements):
        for data in st.data:
            flows.extend(_rows(policy, st, n, data, stated=True, via=[], retention=st.retention,
                               evidence=st.all_evidence, derived=[n]))
    return flows


def _rows(policy, st: Statement, n: int, data: Term, *, stated, via, retention, evidence, derived) -> list[Flow]:
    # Data kept on the person's own device (an SD card) goes nowhere: the statement stays, no flow.
    recipients = [r for r in st.recipients if r.kind != "user"]
    if st.recipients and not recipients:
        return []
    recipients = recipients or ([None] if st.action == "use" else [st.actor])
    places = st.jurisdictions or [None]
    return [Flow(policy=policy, data=data, action=st.action, modality=st.modality, recipient=r, jurisdiction=j,
                 purposes=list(st.purposes), conditions=list(st.conditions), retention=retention, stated=stated,
                 via=list(via), derived_from=list(derived), evidence=list(evidence),
                 legal_bases=list(st.legal_bases))
            for r in recipients for j in places]


def _collected(statements: list[Statement], lexicon) -> dict[str, list[int]]:
    """Categories the policy collects or keeps itself, with the statements that say so."""
    out: dict[str, list[int]] = {}
    for n, st in enumerate(statements):
        if st.modality not in POSITIVE or st.action not in _COLLECTING or st.policy_wide:
            continue
        if st.recipients and all(r.kind == "user" for r in st.recipients):
            continue  # kept on the person's own device: the company does not hold it
        for d in st.data:
            out.setdefault(d.iri, []).append(n)
    return out


def _retention_by_data(statements: list[Statement]) -> dict[str, str]:
    out: dict[str, str] = {}
    for st in statements:
        if st.retention and st.modality in POSITIVE:
            for d in st.data:
                out.setdefault(d.iri, st.retention)
    return out


def _inferred_flows(policy, statements, collected, retention, lexicon, stated_keys) -> list[Flow]:
    flows = []
    terms = {d.iri: d for st in statements for d in st.data}
    ancestors = {iri: lexicon.broader(iri) for iri in collected}  # walked once, asked per statement
    for n, st in enumerate(statements):
        if st.action in {"collect", "delete"}:
            # collecting "personal information" says nothing about a narrower category, and erasing
            # it is a promise about the broad kind, not a flow of each narrower one
            continue
        if st.modality == "will-not" and st.conditions:
            continue  # "thereafter not use … as per your request" rules nothing out in general
        evidence: dict[int, list[Evidence]] = {}  # by the collecting statement: many categories share one
        for broad in st.data:
            for iri, sources in collected.items():
                if broad.iri not in ancestors[iri]:
                    continue
                data = terms[iri]
                source = sources[0]
                if source not in evidence:
                    evidence[source] = _ordered([*statements[source].all_evidence, *st.all_evidence])
                keeps = st.action in _KEEPING
                for f in _rows(policy, st, n, data, stated=False, via=[broad],
                               retention=retention.get(iri) if keeps else None,
                               evidence=evidence[source], derived=[n, source]):
                    if f.key[:5] not in stated_keys:
                        flows.append(f)
    return flows


def _ordered(evidence: list[Evidence]) -> list[Evidence]:
    seen, out = set(), []
    for e in sorted(evidence, key=lambda e: e.start):
        if e.start not in seen:
            seen.add(e.start)
            out.append(e)
    return out


def _dedupe(flows: list[Flow]) -> list[Flow]:
    """Two statements giving the same row merge into one row citing both."""
    by_key: dict[tuple, Flow] = {}
    for f in flows:
        key = f.key  # a property that builds the tuple: once per flow
        kept = by_key.get(key)
        if kept is None:
            by_key[key] = f
            continue
        kept.purposes = _merge_terms(kept.purposes, f.purposes)
        kept.conditions = list(dict.fromkeys(kept.conditions + f.conditions))
        kept.via = _merge_terms(kept.via, f.via)
        kept.derived_from = list(dict.fromkeys(kept.derived_from + f.derived_from))
        kept.evidence = _ordered(kept.evidence + f.evidence)
        kept.legal_bases = _merge_terms(kept.legal_bases, f.legal_bases)
        kept.retention = kept.retention or f.retention
    return list(by_key.values())


def _merge_terms(a: list[Term], b: list[Term]) -> list[Term]:
    seen = {t.iri for t in a}
    return a + [t for t in b if t.iri not in seen and not seen.add(t.iri)]


def _mark_overrides(flows: list[Flow], statements: list[Statement], lexicon) -> None:
    negatives = [(n, st) for n, st in enumerate(statements) if st.modality == "will-not"]
    ancestors: dict[str, set[str]] = {}  # the taxonomy walk, once per IRI rather than once per pair

    def broader(iri: str) -> set[str]:
        found = ancestors.get(iri)
        if found is None:
            found = ancestors[iri] = lexicon.broader(iri)
        return found

    for f in flows:
        if f.modality not in POSITIVE:
            continue
        basis = [v.iri for v in f.via] or [f.data.iri]
        for n, st in negatives:
            if f.action not in _RULES_OUT.get(st.action, {st.action}):
                continue
            for d in st.data:
                covers = d.iri == f.data.iri or d.iri in broader(f.data.iri)
                if not covers:  # most pairs: the taxonomy walk below is for those that do
                    continue
                narrower = all(d.iri != b and b in broader(d.iri) for b in basis)
                if narrower and _same_recipient(st, f):
                    f.overridden_by.append(n)
                    break


_OUTSIDERS = {"third-party", "advertiser", "acquirer", "public"}


def _same_recipient(negative: Statement, flow: Flow) -> bool:
    """Does the will-not speak of this flow's recipient? A rule that names no recipient speaks of all;
    "third parties" speaks of outsiders (not affiliates, processors or the company itself)."""
    if flow.recipient is None:
        return True
    rec = flow.recipient
    for r in negative.recipients:
        if r.concept is None and not r.organisation and r.kind == "third-party":
            return True  # "we will never disclose …": to no one
        if r.concept == str(PF.ThirdParty) and not r.organisation:
            if rec.kind in _OUTSIDERS:
                return True
        elif r.kind == rec.kind and (r.label.lower() == rec.label.lower() or r.kind in {"first-party", "user"}):
            return True
    return not negative.recipients
