"""What extraction produces: data-practice statements, each citing its sentence.

The JSON form is the `statements --format json` object of ../shared/spec/statements-json.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

Spans = tuple[tuple[int, int], ...]


def _span_json(spans: Spans) -> dict:
    """The words that name an item: its first span as start/end, and every span (document offsets)."""
    first = spans[0] if spans else (None, None)
    return {"start": first[0], "end": first[1], "spans": [list(s) for s in spans]}


@dataclass(frozen=True)
class Term:
    """A vocabulary term a statement refers to (data category, purpose, jurisdiction)."""

    iri: str
    label: str
    code: str | None = None  # ISO 3166 code, for jurisdictions only
    broader: str | None = None  # for a purpose in the policy's own words: the taxonomy purpose it falls under
    # Document offsets of the words that name it, first occurrence first. Not part of equality:
    # two mentions of one category are one data item, with both spans.
    spans: Spans = field(default=(), compare=False)

    def with_spans(self, spans: Spans) -> "Term":
        return replace(self, spans=spans)

    def to_json(self) -> dict:
        out = {"iri": self.iri, "label": self.label}
        if self.code is not None:
            out["code"] = self.code
        out.update(_span_json(self.spans))
        return out


@dataclass(frozen=True)
class PartyRef:
    """A party as one policy describes it: a label, a where-json kind and, if named, its organisation."""

    label: str
    kind: str
    organisation: str | None = None  # IRI of a pf:NamedOrganisation
    concept: str | None = None  # IRI of the recipient class the words matched (e.g. pf:MailingHouse)
    # Document offsets of the words that name it; () for a party no words name (the company as
    # actor, "third parties" implied by a disclosure to no one named). Not part of equality.
    spans: Spans = field(default=(), compare=False)

    def with_spans(self, spans: Spans) -> "PartyRef":
        return replace(self, spans=spans)

    def to_json(self) -> dict:
        return {"label": self.label, "kind": self.kind, **_span_json(self.spans)}


@dataclass(frozen=True)
class Evidence:
    text: str
    start: int
    end: int
    sentence: int  # index into Document.sentences

    def to_json(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass
class Statement:
    action: str
    modality: str
    actor: PartyRef
    data: list[Term]
    evidence: Evidence
    recipients: list[PartyRef] = field(default_factory=list)
    purposes: list[Term] = field(default_factory=list)
    jurisdictions: list[Term] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    retention: str | None = None
    legal_bases: list[Term] = field(default_factory=list)  # DPV legal bases the sentence names
    section: str | None = None
    # Sentences that continue this one ("For example, …", "This information may include …").
    more_evidence: list[Evidence] = field(default_factory=list)
    # True for a policy-wide statement that names no data ("we have data centres in …"):
    # it is about personal information in general.
    policy_wide: bool = False
    # For a statement whose sentence names data but no practice ("Such information may include
    # your name, …"): the sentence whose practice it continues. Its own sentence is the evidence.
    inherited_from: Evidence | None = None
    # The rule or component that made it: a practices.yaml record id ("collect", "user-provides")
    # for a practice verb, else the component's name ("continuations", "headings", …).
    rule: str | None = None

    @property
    def all_evidence(self) -> list[Evidence]:
        return [self.evidence, *self.more_evidence]

    def to_json(self) -> dict:
        return {
            "action": self.action,
            "modality": self.modality,
            "actor": {"label": self.actor.label, "kind": self.actor.kind},
            "data": [t.to_json() for t in self.data],
            "recipients": [r.to_json() for r in self.recipients],
            "purposes": [t.to_json() for t in self.purposes],
            "jurisdictions": [t.to_json() for t in self.jurisdictions],
            "conditions": list(self.conditions),
            "retention": self.retention,
            "legal_bases": [t.to_json() for t in self.legal_bases],
            "section": self.section,
            "evidence": self.evidence.to_json(),
            "more_evidence": [e.to_json() for e in self.more_evidence],
            "inherited_from": self.inherited_from.to_json() if self.inherited_from else None,
            "rule": self.rule,
        }
