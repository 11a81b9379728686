"""Metadata found in a policy's text by general rules (ingest/metadata.yaml): never by naming a company."""
from __future__ import annotations

import re
from datetime import date
from functools import cache

from policyflows.ingest import rules
from policyflows.ingest.controller import find_controller
from policyflows.ingest.model import Metadata, Section
from policyflows.ingest.title import find_title

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
_LAW_OF = re.compile(r"\blaws?\s+of\b", re.IGNORECASE)
_LAW_CUE_REACH = 100
_SENTENCE_EDGE = re.compile(r"[.!?](?:\s|$)|\n")
_MONTHS = {m: n for n, names in enumerate([
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
    ("november", "nov"), ("december", "dec")], start=1) for m in names}
_CUE_REACH = 60
_DATE_REACH = 32  # the longest date form before its year: "23rd day of September, "
_DATE_REACH_AFTER = 6  # the month and day after the year in "2019-09-23"
_YEAR_ONLY = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_FORMS = [re.compile(p, re.IGNORECASE) for p in (
    rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}",                       # Sep 23th, 2019
    rf"\b{_DAY}\s+(?:day\s+of\s+)?{_MONTH},?\s+{_YEAR}",        # 1 August 2017, 1st day of August, 2017
    rf"\b{_YEAR}[-/.](?P<month_n>[01]?\d)[-/.]{_DAY}",         # 2019-09-23
    rf"\b(?P<month_n>[01]?\d)/{_DAY}/{_YEAR}",                 # 09/23/2019, as US policies write it
    rf"\b{_DAY}\.(?P<month_n>[01]?\d)\.{_YEAR}",               # 23.09.2019
    rf"\b{_MONTH},?\s+{_YEAR}",                                # August 2017 (the first of the month)
)]


def extract(text: str, page_title: str | None, sections: list[Section] | None = None) -> Metadata:
    """Title, controller (and its short names), updated date, contacts and governing law of ``text``.

    ``page_title`` is the page's own title (HTML <h1>/<title>), ``sections`` the headings found.
    """
    sections = sections or []
    title = find_title(text, page_title, sections, _dates)
    controller, aliases = find_controller(text, title)
    # A date in the title ("STATEMENT OF PRIVACY (12/23/2014)") dates the policy when no cue does.
    updated = find_updated(text) or next((iso for _at, iso in _dates(page_title or sections[0].title if
                                                                      (page_title or sections) else "")), None)
    return Metadata(title=title, controller=controller, updated=updated,
                    contacts=find_contacts(text), governing_law=find_governing_law(text),
                    controller_aliases=aliases)


# --- contacts -------------------------------------------------------------------------------

def find_contacts(text: str) -> list[str]:
    """E-mail addresses in order of first appearance, without repeats (compared in lower case)."""
    seen: dict[str, str] = {}
    at = text.find("@")
    while at >= 0:
        match = next((m for m in _EMAIL.finditer(text, max(0, at - 64), at + 256) if m.start() < at < m.end()), None)
        if match:
            address = match.group().rstrip(".")
            seen.setdefault(address.lower(), address)
        at = text.find("@", match.end() if match else at + 1)
    return list(seen.values())


# --- updated --------------------------------------------------------------------------------

@cache
def _date_rules():
    data = rules.load("metadata")
    # Each cue must end where the date begins (allowing "on", "the", ":" between).
    # "Last updated Sat, 31 Jul 2010": a weekday may stand between the cue and the date.
    cues = [(c["weight"], re.compile(f"(?:{c['pattern']})" + r"(?:the\s+|on\s+|:\s*|\s+)*"
                                     r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?$", re.IGNORECASE))
            for c in data["date_cues"]]
    return cues, tuple(data["policy_words"])


def find_updated(text: str) -> str | None:
    """The policy's last-updated (or effective) date as ISO 8601, or None.

    Dates are found first (they are few), then the words just before each are matched against
    the cues: a privacy policy's update date beats an agreement's entry into force.
    """
    cues, policy_words = _date_rules()
    searchable = text.replace("_", " ")  # "the _1st_ day of _August_": blanks filled in a form
    best: tuple[int, int, str] | None = None
    for position, iso in _dates(searchable):
        before = searchable[max(0, position - _CUE_REACH):position]
        weight = max((w for w, cue in cues if cue.search(before)), default=0)
        if not weight:
            continue
        sentence = _sentence_around(searchable, position).lower()
        score = weight + any(w in sentence for w in policy_words)
        if best is None or (score, -position) > (best[0], -best[1]):
            best = (score, position, iso)
    return best[2] if best else None


def _dates(text: str) -> list[tuple[int, str]]:
    """(start, ISO date) of every date written in one of the known forms.

    Every form holds a four-digit year, so only the few places with a year are searched.
    """
    found: dict[int, str] = {}
    for year in _YEAR_ONLY.finditer(text):
        window_start = max(0, year.start() - _DATE_REACH)
        for form in _DATE_FORMS:
            window_end = min(len(text), year.end() + _DATE_REACH_AFTER)
            match = next((m for m in form.finditer(text, window_start, window_end)
                          if m.start() <= year.start() and year.end() <= m.end()), None)
            if match:
                iso = _iso(match)
                if iso:
                    found.setdefault(match.start(), iso)
                break
    return sorted(found.items())


def _iso(match: re.Match) -> str | None:
    parts = match.groupdict()
    month = _MONTHS[parts["month"].lower()] if parts.get("month") else int(parts["month_n"])
    day = int(parts["day"]) if parts.get("day") else 1
    try:
        return date(int(parts["year"]), month, day).isoformat()
    except ValueError:
        return None


def _sentence_around(text: str, position: int) -> str:
    start = max((m.end() for m in _SENTENCE_EDGE.finditer(text, max(0, position - 300), position)), default=max(0, position - 300))
    end = _SENTENCE_EDGE.search(text, position)
    return text[start:end.end() if end else len(text)]


# --- governing law --------------------------------------------------------------------------

@cache
def _law_rules():
    data = rules.load("metadata")
    # Anchored at the end: the cue must end where the "law(s) of" found first ends.
    cue = re.compile("(?:" + "|".join(f"(?:{c})" for c in data["governing_law_cues"]) + ")$", re.IGNORECASE)
    return cue, data["governing_law_window"], tuple(data["policy_words"])


def find_governing_law(text: str) -> list[str]:
    """ISO codes of the laws said to govern the policy (an agreement's, when the policy names none)."""
    cue, window, policy_words = _law_rules()
    lexicon = _lexicon()
    if lexicon is None:
        return []
    for_policy: list[str] = []
    for_other: list[str] = []
    for anchor in _LAW_OF.finditer(text):
        # Every cue ends in "law(s) of": find that word first, then check the cue before it.
        match = cue.search(text, max(0, anchor.start() - _LAW_CUE_REACH), anchor.end())
        if not match:
            continue
        tail = text[match.end():match.end() + window]
        edge = _SENTENCE_EDGE.search(tail)
        place = tail[:edge.start() if edge else len(tail)]
        codes = [m.code for m in lexicon.jurisdiction_mentions(place) if getattr(m, "code", None)]
        sentence = _sentence_around(text, match.start()).lower()
        target = for_policy if any(w in sentence for w in policy_words) else for_other
        target.extend(c for c in codes if c not in target)
    return for_policy or for_other


def _lexicon():
    """The ontology's lexicon, or None while policyflows.ontology is not there (it is built in parallel)."""
    try:
        from policyflows.ontology import Lexicon
    except ImportError:
        return None
    return Lexicon.load()
