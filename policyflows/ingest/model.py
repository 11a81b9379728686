"""The ingest data model: what reading a policy file yields (Contract 1 in docs/ARCHITECTURE.md)."""
from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Source:
    """Where a document came from: ``format`` is "text", "markdown", "html" or "pdf"."""

    path: str | None
    sha256: str
    format: str

    def to_json(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "format": self.format}


@dataclass
class Metadata:
    """Facts about the policy found by general rules; ``updated`` is an ISO date or None."""

    title: str | None = None
    controller: str | None = None
    updated: str | None = None
    contacts: list[str] = field(default_factory=list)
    governing_law: list[str] = field(default_factory=list)
    controller_aliases: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "controller": self.controller,
            "updated": self.updated,
            "contacts": list(self.contacts),
            "governing_law": list(self.governing_law),
            "controller_aliases": list(self.controller_aliases),
        }


@dataclass(frozen=True)
class Section:
    """A heading and the span of text it governs (heading included)."""

    title: str
    start: int
    end: int

    def to_json(self) -> dict:
        return {"title": self.title, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Sentence:
    """A sentence span; ``section`` indexes ``Document.sections`` (None before the first heading)."""

    start: int
    end: int
    section: int | None

    def to_json(self) -> dict:
        return {"start": self.start, "end": self.end, "section": self.section}


@dataclass
class Document:
    """A policy read into clean text, with sections, sentences (offsets into ``text``) and metadata."""

    policy: str
    source: Source
    metadata: Metadata
    text: str
    sections: list[Section]
    sentences: list[Sentence]
    # ISO 639-1 code of the language the text reads as (None when unsure), and one-line warnings for
    # a reader: not English, not a privacy policy (policyflows.ingest.language).
    language: str | None = None
    warnings: list[str] = field(default_factory=list)

    def sentence_text(self, i: int) -> str:
        s = self.sentences[i]
        return self.text[s.start:s.end]

    def section_title(self, i: int) -> str | None:
        index = self.sentences[i].section
        return None if index is None else self.sections[index].title

    def to_json(self) -> dict:
        """The ``policyflows read --format json`` object (../shared/spec/statements-json.md)."""
        return {
            "schema": SCHEMA_VERSION,
            "policy": self.policy,
            "source": self.source.to_json(),
            "metadata": self.metadata.to_json(),
            "text": self.text,
            "sections": [s.to_json() for s in self.sections],
            "sentences": [s.to_json() for s in self.sentences],
            "language": self.language,
            "warnings": list(self.warnings),
        }
