"""Compile the checked rule records of ingest/rules/ (policyflows/extract/rules.py) into patterns, once."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from policyflows.extract.rules import Record, RuleError, parse_records, read_files

ACTION_CODES = {"collect", "use", "store", "share", "transfer", "sell", "retain", "delete"}
CueError = RuleError  # the name the cue file's loader used


class CaselessPattern:
    """A pattern written in lower case, tested case-insensitively, for a yes or no.

    Under IGNORECASE Python's regex engine cannot rule out an alternative of words by its first
    letter, so it tries every word at every position. On ASCII text, lower-casing the text and
    matching case-sensitively gives the same answer about 3× faster; other text keeps IGNORECASE,
    under which a few non-ASCII letters ("ſ", "ı", "K") match ASCII ones.
    """

    def __init__(self, pattern: str):
        if any(c.isupper() for c in re.sub(r"\\.", "", pattern)):  # escapes like \S keep their case
            raise ValueError(f"a caseless pattern is written in lower case: {pattern!r}")
        self._folded = re.compile(pattern)
        self._ignorecase = re.compile(pattern, re.IGNORECASE)

    def search(self, text: str) -> bool:
        if text.isascii():
            return self._folded.search(text.lower()) is not None
        return self._ignorecase.search(text) is not None

    def match(self, text: str) -> bool:
        if text.isascii():
            return self._folded.match(text.lower()) is not None
        return self._ignorecase.match(text) is not None


@dataclass(frozen=True)
class ActionCue:
    id: str
    action: str
    regex: re.Pattern
    examples: tuple
    not_on: tuple = ()
    subject: str | None = None  # "user": fires only when the person is the verb's subject
    recipient: str | None = None  # "public": who receives when the sentence names no one

    @property
    def example(self) -> str:
        first = self.examples[0]
        return first if isinstance(first, str) else first["text"]


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
    statistic_of: re.Pattern  # before a data mention: it is what a statistic counts
    legal_disclosure: re.Pattern
    conditions: tuple[re.Pattern, ...]
    purposes: tuple[re.Pattern, ...]
    purpose_lead_in: re.Pattern
    retention: re.Pattern
    reference: re.Pattern
    object_reference: re.Pattern  # right after a verb: its object points back at an earlier verb's data ("share it")
    exclusion: re.Pattern  # data named only to be left out: "(not including your name)"
    continuation: re.Pattern
    inventory: re.Pattern
    inventory_lead: re.Pattern
    list_lead: re.Pattern  # words that lead into a list ("the following", "such as", "may include")
    local_storage: re.Pattern
    storage_location: re.Pattern
    data_source: re.Pattern  # the words before a party that is where data comes from ("… from a social media site")
    section_actions: tuple[tuple[str, re.Pattern], ...]
    headings: tuple[tuple[str, re.Pattern], ...]  # (action, heading pattern): headings that give a practice
    definition: re.Pattern
    purpose_reference: re.Pattern
    any_action: re.Pattern  # every action cue in one alternation; group "aN" is actions[N]
    prefilter: re.Pattern  # case-sensitive: search ``lowered(text)``
    spans: WordCueSet  # conditions, then purposes: what find_spans looks for in a sentence
    # not-practice rules applied around a verb (policyflows/extract/sentence.py)
    not_after: tuple[tuple[CaselessPattern, frozenset | None], ...]  # (pattern, the verb forms it is for, or None: all)
    not_before: tuple[tuple[CaselessPattern, frozenset | None], ...]
    kept_safe: CaselessPattern
    relative: CaselessPattern
    records: dict  # id -> Record, every rule as written (for tests and --explain)

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
        raise RuleError(f"{where}: bad pattern: {exc}") from None


def _compiled(rec: Record) -> re.Pattern:
    """A context or not-practice record's pattern, in its form."""
    form = rec.get("form", "words")
    if form == "words":
        return _word(rec.get("pattern"), f"{rec.file}.yaml: record {rec.id!r}")
    return re.compile(rec.get("pattern"), re.IGNORECASE)


def _around(rec: Record) -> tuple[CaselessPattern, frozenset | None]:
    words = rec.get("only_words")
    return CaselessPattern(rec.get("pattern")), (frozenset(w.lower() for w in words) if words else None)


def _action_pattern(rec: Record, classes: dict) -> str:
    """Every word form of the record's verb classes, then its phrases, as one alternation."""
    words = [re.escape(w) for cls in rec.get("verbs", ()) for w in classes[cls]]
    alternatives = "|".join([*words, *rec.get("phrases", ())])
    pattern = f"(?:{alternatives})"
    if rec.get("followed_by"):
        pattern += f"(?={rec.get('followed_by')})"
    return pattern


def parse_cues(files: dict) -> Cues:
    """Check the loaded rule files and compile them; raises RuleError naming the bad record."""
    records = parse_records(files)
    classes = files["verbs"]["classes"]
    by_id = {r.id: r for rs in records.values() for r in rs}
    context = records["context"]

    def one(rid: str) -> Record:
        if rid not in by_id:
            raise RuleError(f"a rule the extractor needs is missing: {rid!r}")
        return by_id[rid]

    def of(component: str, rs=context) -> list[Record]:
        return [r for r in rs if r.component == component]

    actions = []
    for rec in records["practices"]:
        where = f"practices.yaml: record {rec.id!r}"
        actions.append(ActionCue(rec.id, rec.get("action"), _word(_action_pattern(rec, classes), where),
                                 tuple(rec.get("examples")), tuple(rec.get("not_on", ())), rec.get("subject"),
                                 rec.get("recipient")))
    any_action = re.compile("|".join(f"(?P<a{i}>{a.regex.pattern})" for i, a in enumerate(actions)), re.IGNORECASE)
    conditions_raw = [r.get("pattern") for r in of("conditions")]
    purposes_raw = [r.get("pattern") for r in of("purposes") if r.get("form", "words") == "words"]
    conditions = tuple(_word(p, "conditions") for p in conditions_raw)
    purposes = tuple(_word(p, "purposes") for p in purposes_raw)
    not_practice = records["not-practice"]
    return Cues(
        spans=WordCueSet(conditions + purposes, [*conditions_raw, *purposes_raw]),
        any_action=any_action,
        prefilter=re.compile(rf"\b{one('prefilter').get('pattern').lower()}"),  # on lower-cased text: 3× faster
        actions=tuple(actions),
        may=_compiled(one("may")),
        negation=_compiled(one("negation")),
        negation_window_words=int(one("negation").get("window_words", 6)),
        user_subject=_compiled(one("user-subject")),
        non_personal=_compiled(one("non-personal")),
        statistic_of=_compiled(one("statistic-of")),
        legal_disclosure=_compiled(one("legal-disclosure")),
        conditions=conditions,
        purposes=purposes,
        purpose_lead_in=_compiled(one("purpose-lead-in")),
        retention=_compiled(one("retention-period")),
        reference=_compiled(one("reference")),
        object_reference=_compiled(one("object-reference")),
        exclusion=_compiled(one("exclusion")),
        continuation=_compiled(one("continuation")),
        inventory=_compiled(one("inventory")),
        inventory_lead=_compiled(one("inventory-lead")),
        list_lead=_compiled(one("list-lead")),
        local_storage=_compiled(one("local-storage")),
        storage_location=_compiled(one("storage-location")),
        data_source=_compiled(one("data-source")),
        section_actions=tuple((r.get("action"), _compiled(r)) for r in of("sections")),
        headings=tuple((r.get("action"), _compiled(r)) for r in of("headings")),
        definition=_compiled(one("definition")),
        purpose_reference=_compiled(one("purpose-reference")),
        not_after=tuple(_around(r) for r in not_practice if r.get("form") == "after" and r.id != "kept-safe"),
        not_before=tuple(_around(r) for r in not_practice if r.get("form") == "before" and r.id != "relative-clause"),
        kept_safe=CaselessPattern(one("kept-safe").get("pattern")),
        relative=CaselessPattern(one("relative-clause").get("pattern")),
        records=by_id,
    )


@cache
def load_cues() -> Cues:
    return parse_cues(read_files())
