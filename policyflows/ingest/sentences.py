"""A fast rule-based sentence splitter that returns character spans.

Regular expressions find candidate ends (., ! or ? before a space and an opening character);
a few cheap checks reject abbreviations, initials, clause numbers and decimals. A whole policy
takes milliseconds, where pysbd takes seconds.
"""
from __future__ import annotations

import re
from functools import cache

from policyflows.ingest import rules

# End punctuation, optional closing quotes/brackets, then space, then what may open a sentence.
_CANDIDATE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-Þ•·])")
# "… this Policy.We may …": a missing space after a full stop between two words.
_GLUED = re.compile(r"(?<=[a-z]{3}[.!?])(?=[A-Z][a-z]+\s)")
_WORD_BEFORE = re.compile(r"([\w.&-]+)\.*$")
_WORD_AFTER = re.compile(r"\s+[\"'“‘(\[]?([\w-]+)")
# A clause number such as 4.1.2. (several levels) opens a new sentence after : or ;
_CLAUSE_AFTER_COLON = re.compile(r"[:;](?=\s+\d{1,2}(?:\.\d{1,3})+\.?\s+\S)")
# "1). Contact information" / "(a). …": a bracketed list number before a full stop.
_BRACKETED_NUMBER = re.compile(r"(?:^|\s)\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})\)$")
_NUMBERING = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*|[ivxlc]{1,5}|[a-z])$", re.IGNORECASE)


@cache
def _rules() -> tuple[frozenset, frozenset, frozenset]:
    data = rules.load("sentences")
    return (frozenset(data["never_end"]), frozenset(data["maybe_end"]), frozenset(data["sentence_openers"]))


def split(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` in ``text``, each stripped of surrounding spaces."""
    cuts = sorted({m.end() for m in _CANDIDATE.finditer(text) if _is_end(text, m)}
                  | {m.end() for m in _CLAUSE_AFTER_COLON.finditer(text)}
                  | {m.end() for m in _GLUED.finditer(text) if not _in_address(text, m.end())})
    spans = []
    start = 0
    for cut in [*cuts, len(text)]:
        span = _strip(text, start, cut)
        if span:
            spans.append(span)
        start = cut
    return spans


def _in_address(text: str, position: int) -> bool:
    """Inside a URL, e-mail address or domain name ("www.Example.Com/Page")."""
    start = text.rfind(" ", 0, position) + 1
    end = text.find(" ", position)
    word = text[start:end if end >= 0 else len(text)]
    return "@" in word or "/" in word or word.lower().startswith("www")


def _is_end(text: str, match: re.Match) -> bool:
    """Whether the punctuation at ``match`` ends a sentence rather than an abbreviation or a number."""
    if text[match.start()] != ".":
        return True
    never, maybe, openers = _rules()
    if _BRACKETED_NUMBER.search(text, max(0, match.start() - 8), match.start()):
        return False  # the list number belongs to the item that follows
    before = _WORD_BEFORE.search(text, max(0, match.start() - 40), match.start() + 1)
    word = before.group(1).lower().rstrip(".") if before else ""
    if not word:
        return True
    if _NUMBERING.match(word) and _starts_line_or_clause(text, before.start()):
        return False  # "1.1. This Agreement": the clause number belongs to what follows
    if word in never or (len(word) == 1 and word.isalpha() and text[before.start() - 1:before.start()] in ("", " ")
                         and word.upper() == text[before.start()]):
        return False  # e.g. / No. / an initial such as "J."
    if "." in word and all(len(part) <= 2 for part in word.split(".")) and word.replace(".", "").isalpha():
        return word in maybe and _next_word_opens(text, match.end(), openers)  # U.S.A. style
    if word in maybe:
        return _next_word_opens(text, match.end(), openers)
    return True


def _starts_line_or_clause(text: str, position: int) -> bool:
    """A numbering stands at a block start or right after the end of the previous sentence."""
    head = text[max(0, position - 3):position].rstrip()
    return not head or head[-1] in ".:;!?\n)”\""


def _next_word_opens(text: str, position: int, openers: frozenset) -> bool:
    after = _WORD_AFTER.match(text, position)
    return bool(after) and after.group(1).lower() in openers


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
