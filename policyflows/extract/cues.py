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

    def candidates(self, text: str, start: int = 0):
        """Where a practice verb may start: the prefilter's hits on the lower-cased text."""
        low = text.lower()
        if len(low) != len(text):  # a few characters change length when lower-cased; stay exact
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        return self.prefilter.finditer(low, start)


def _word(pattern: str, where: str) -> re.Pattern:
    try:
        # a pattern that ends on a space ("to (?=provide)") ends between words already
        return re.compile(rf"(?<![\w-])(?:{pattern})(?:(?<=\s)|(?![\w]))", re.IGNORECASE)
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
    return Cues(
        any_action=any_action,
        prefilter=re.compile(rf"\b{raw['prefilter'].lower()}"),  # run on lower-cased text: 3× faster than IGNORECASE
        actions=tuple(actions),
        may=_word(raw["may"], "may"),
        negation=_word(raw["negation"], "negation"),
        negation_window_words=int(raw.get("negation_window_words", 6)),
        user_subject=re.compile(raw["user_subject"], re.IGNORECASE),
        non_personal=_word(raw["non_personal"], "non_personal"),
        legal_disclosure=_word(raw["legal_disclosure"], "legal_disclosure"),
        conditions=tuple(_word(p, f"conditions[{i}]") for i, p in enumerate(raw["conditions"])),
        purposes=tuple(_word(p, f"purposes[{i}]") for i, p in enumerate(raw["purposes"])),
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
