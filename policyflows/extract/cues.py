"""Load the reading rules of ingest/extraction-cues.yaml, check them, and compile them once."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from policyflows.resources import ingest_dir

ACTION_CODES = {"collect", "use", "store", "share", "transfer", "sell", "retain", "delete"}
_REQUIRED = ("actions", "may", "negation", "user_subject", "non_personal", "legal_disclosure",
             "conditions", "purposes", "purpose_lead_in", "retention", "reference", "continuation",
             "local_storage", "storage_location", "section_actions", "definition", "prefilter", "purpose_reference")


class CueError(ValueError):
    """The cue file is malformed: names the entry and what is wrong with it."""


@dataclass(frozen=True)
class ActionCue:
    id: str
    action: str
    regex: re.Pattern
    example: str


# Every word cue is compiled between these: it starts where a word may start and ends at a word's end.
_WORD_START = r"(?<![\w-])"
_WORD_END = r"(?:(?<=\s)|(?![\w]))"  # a pattern that ends on a space ("to (?=provide)") ends between words already


class WordCueSet:
    """Several word cues whose matches are wanted separately, found with one scan of the text.

    Python's regex engine tries a pattern at every position of the text, so nine cues cost nine
    scans. One pattern that checks the shared word-start once and then looks ahead for any of
    the cues finds every position where at least one cue matches (a sentence has few); each cue
    is then tried only there. ``finditer_each`` returns exactly what ``cue.finditer`` would.
    """

    def __init__(self, cues: tuple[re.Pattern, ...], raw: list[str]):
        self.cues = cues
        self.starts: re.Pattern | None = None
        # A cue with groups could hold a backreference, whose number would shift in the
        # combined pattern: such a set keeps one scan per cue.
        if all(c.groups == 0 for c in cues):
            alternatives = "|".join(f"(?:{r}){_WORD_END}" for r in raw)
            try:
                self.starts = re.compile(rf"{_WORD_START}(?=(?:{alternatives}))", re.IGNORECASE)
            except re.error:
                self.starts = None

    def finditer_each(self, text: str) -> list[list[re.Match]]:
        """For each cue, its non-overlapping matches left to right, as ``list(cue.finditer(text))``."""
        if self.starts is None:
            return [list(c.finditer(text)) for c in self.cues]
        positions = [m.start() for m in self.starts.finditer(text)]
        found_each = []
        for cue in self.cues:
            found, free_from = [], 0
            for pos in positions:
                if pos < free_from:
                    continue  # inside this cue's previous match: finditer goes on after it
                m = cue.match(text, pos)
                if m is None:
                    continue
                if m.end() == pos:  # an empty match: finditer's stepping rules apply, let it decide
                    found = list(cue.finditer(text))
                    break
                found.append(m)
                free_from = m.end()
            found_each.append(found)
        return found_each


@dataclass(frozen=True)
class Cues:
    actions: tuple[ActionCue, ...]
    may: re.Pattern
    negation: re.Pattern
    negation_window_words: int
    user_subject: re.Pattern
    non_personal: re.Pattern
    legal_disclosure: re.Pattern
    conditions: tuple[re.Pattern, ...]
    purposes: tuple[re.Pattern, ...]
    purpose_lead_in: re.Pattern
    retention: re.Pattern
    reference: re.Pattern
    continuation: re.Pattern
    local_storage: re.Pattern
    storage_location: re.Pattern
    section_actions: tuple[tuple[str, re.Pattern], ...]
    definition: re.Pattern
    purpose_reference: re.Pattern
    any_action: re.Pattern  # every action cue in one alternation; group "aN" is actions[N]
    prefilter: re.Pattern  # case-sensitive: search ``lowered(text)``
    spans: WordCueSet  # conditions, then purposes: what find_spans looks for in a sentence

    def candidates(self, text: str, start: int = 0):
        """Where a practice verb may start: the prefilter's hits on the lower-cased text."""
        low = text.lower()
        if len(low) != len(text):  # a few characters change length when lower-cased; stay exact
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        return self.prefilter.finditer(low, start)


def _word(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(rf"{_WORD_START}(?:{pattern}){_WORD_END}", re.IGNORECASE)
    except re.error as exc:
        raise CueError(f"{where}: bad pattern: {exc}") from None


def parse_cues(raw: dict) -> Cues:
    """Check a loaded cue document and compile it; raises CueError naming the bad entry."""
    if not isinstance(raw, dict) or raw.get("schema") != 1:
        raise CueError("cue file: expected a mapping with 'schema: 1'")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise CueError(f"cue file: missing {', '.join(missing)}")
    actions = []
    for i, entry in enumerate(raw["actions"]):
        where = f"actions[{i}]"
        for key in ("id", "action", "pattern", "example"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise CueError(f"{where}: '{key}' must be a non-empty string")
        if entry["action"] not in ACTION_CODES:
            raise CueError(f"{where} ({entry['id']}): unknown action {entry['action']!r}; "
                           f"use one of {', '.join(sorted(ACTION_CODES))}")
        actions.append(ActionCue(entry["id"], entry["action"], _word(entry["pattern"], where), entry["example"]))
    any_action = re.compile("|".join(f"(?P<a{i}>{a.regex.pattern})" for i, a in enumerate(actions)), re.IGNORECASE)
    conditions = tuple(_word(p, f"conditions[{i}]") for i, p in enumerate(raw["conditions"]))
    purposes = tuple(_word(p, f"purposes[{i}]") for i, p in enumerate(raw["purposes"]))
    return Cues(
        spans=WordCueSet(conditions + purposes, [*raw["conditions"], *raw["purposes"]]),
        any_action=any_action,
        prefilter=re.compile(rf"\b{raw['prefilter'].lower()}"),  # run on lower-cased text: 3× faster than IGNORECASE
        actions=tuple(actions),
        may=_word(raw["may"], "may"),
        negation=_word(raw["negation"], "negation"),
        negation_window_words=int(raw.get("negation_window_words", 6)),
        user_subject=re.compile(raw["user_subject"], re.IGNORECASE),
        non_personal=_word(raw["non_personal"], "non_personal"),
        legal_disclosure=_word(raw["legal_disclosure"], "legal_disclosure"),
        conditions=conditions,
        purposes=purposes,
        purpose_lead_in=re.compile(raw["purpose_lead_in"], re.IGNORECASE),
        retention=_word(raw["retention"], "retention"),
        reference=_word(raw["reference"], "reference"),
        continuation=re.compile(raw["continuation"], re.IGNORECASE),
        local_storage=_word(raw["local_storage"], "local_storage"),
        storage_location=_word(raw["storage_location"], "storage_location"),
        section_actions=tuple((a, _word(p, f"section_actions.{a}")) for a, p in raw["section_actions"].items()),
        definition=re.compile(raw["definition"], re.IGNORECASE),
        purpose_reference=re.compile(raw["purpose_reference"], re.IGNORECASE),
    )


@cache
def load_cues() -> Cues:
    path = ingest_dir() / "extraction-cues.yaml"
    with open(path, encoding="utf-8") as fh:
        return parse_cues(yaml.safe_load(fh))
