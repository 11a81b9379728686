"""The policy's title: the name a reader gives the document, from its page title or its first lines.

In order:
1. the page's own title (HTML: an <h1>, else the <title> part) when it names the policy
   ("Privacy Notice | Acme" → "Privacy Notice");
2. the first lines of the text (a heading, a short line, or the words a long line opens with:
   "Acme, Inc. Privacy Statement Acme is committed …"), the first that names a privacy
   policy, statement or notice; else the first that speaks of privacy ("Your Privacy");
3. the name the policy gives itself: '(the "Privacy Policy")', "this Privacy Statement";
4. the page title, else the first heading, whatever they say.

A section number before a title ("VI. Privacy Policy") and a date after it ("Privacy Policy -
Effective May 7, 2015", "Privacy Policy 2/11/15 12:11pm") are not part of it.
"""
from __future__ import annotations

import re
from functools import cache

from policyflows.ingest import rules
from policyflows.ingest.model import Section

# How far into the text the title is looked for: the first lines, before the policy's body.
_FIRST_LINES = 8
_FIRST_CHARS = 1500
_SHORT_LINE_WORDS = 12
_SELF_NAME_REACH = 3000
_POLICY_KIND = r"(?:policy|statement|notice|commitment|agreement|principles|pledge)"
# Names the policy: "privacy" (or "data protection") with the kind of document it is.
_STRONG = re.compile(rf"\b(?:privacy|data\s+protection)\b(?:\W+\w+){{0,3}}?\W+{_POLICY_KIND}\b|"
                     rf"\b{_POLICY_KIND}\s+(?:of|on)\s+privacy\b|^(?:your\s+|our\s+)?privacy$", re.IGNORECASE)
_WEAK = re.compile(r"\bprivacy\b", re.IGNORECASE)
# The words a long line opens with, up to the kind of document: "Acme, Inc. Privacy Statement".
_NAME_WORD = r"(?:[A-Z0-9][\w.&'’\-]*,?|[a-z][\w\-]*\.(?:com|org|net|edu)|of|and|for|the|&|online|web|site|u\.s\.)"
_LEADING_TITLE = re.compile(
    rf"^(?:{_NAME_WORD}\s+){{0,8}}?(?:privacy|data\s+protection)(?:\s+and\s+\w+)?\s+{_POLICY_KIND}"
    rf"(?:\s+agreement)?\b", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:[IVXLC]+|\d{1,2}(?:\.\d{1,2})*)\.\s*(?=[A-Z])")
_TRAILING_CUE = re.compile(r"[\s\-–—|:,(]*(?:(?:last\s+)?(?:updated|revised|modified|effective|posted|published|"
                           r"revision|version)(?:\s+date)?(?:\s+(?:on|of|as\s+of))?|date)?[\s\-–—|:,(]*$",
                           re.IGNORECASE)
_TIME = re.compile(r"\s+\d{1,2}/\d{1,2}/\d{2}\b.*$")
_SELF_NAME = re.compile(r"\((?:the\s+|this\s+)?[\"“]((?:[A-Z][\w’']*\s+){0,3}(?:Privacy|Data\s+Protection)\s+"
                        r"(?:Policy|Statement|Notice))[\"”]\)|\b[Tt]his\s+((?:Online\s+)?Privacy\s+(?:Policy|Statement|Notice))\b")
_AFTER_KIND = re.compile(rf"^(.*?\b(?:privacy|data\s+protection)\s+{_POLICY_KIND})\s+(\w+(?:\s+\w+)?)$", re.IGNORECASE)
_CONNECTOR = re.compile(r"^(?:for|of|on|and|to|at|in)\b", re.IGNORECASE)


def find_title(text: str, page_title: str | None, sections: list[Section], dates) -> str | None:
    """The title of the policy whose cleaned ``text`` is given (see the module's doc).

    ``dates`` finds the dates in a string ([(start, iso)]): a date after a title is cut off.
    """
    if page_title and _STRONG.search(page_title):
        return _trim_page_title(_clean(page_title, dates))
    lines = list(_first_lines(text, sections, dates))
    for pattern in (_STRONG, _WEAK):
        found = next((line for line in lines if pattern.search(line)), None)
        if found:
            return found
    named = _SELF_NAME.search(text, 0, _SELF_NAME_REACH)
    if named:
        return named.group(1) or named.group(2)
    if page_title:
        return _clean(page_title, dates) or page_title
    return sections[0].title if sections else None


def _first_lines(text: str, sections: list[Section], dates):
    """A title candidate from each of the first lines: its heading, the line when short, or its opening words."""
    headings = {s.start: s.title for s in sections}
    start = 0
    limit = min(len(text), _FIRST_CHARS)
    for _n in range(_FIRST_LINES):
        if start >= limit:
            return
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].strip()
        heading = headings.get(start + len(text[start:end]) - len(text[start:end].lstrip()))
        start = end + 1
        if not line:
            continue
        if heading is not None:
            candidate = heading
        elif len(line.split()) <= _SHORT_LINE_WORDS and not line.endswith("."):
            candidate = line
        else:
            opening = _LEADING_TITLE.match(line)
            candidate = opening.group(0) if opening else None
        cleaned = _clean(candidate, dates) if candidate else ""
        if cleaned and not _is_sentence(cleaned):
            yield cleaned


@cache
def _sentence_words() -> frozenset:
    return frozenset(rules.load("metadata")["title_sentence_words"])


def _is_sentence(candidate: str) -> bool:
    words = _sentence_words()
    return any(w in words for w in re.findall(r"[a-z]+", candidate.lower()))


def _clean(title: str, dates) -> str:
    """The title without a section number before it or a date (and its cue) after it."""
    title = _NUMBERING.sub("", title.strip())
    found = dates(title)
    if found and found[0][0] > 0:
        title = title[:found[0][0]]
    title = _TIME.sub("", title)
    title = _TRAILING_CUE.sub("", title).strip()
    return title


def _trim_page_title(title: str) -> str:
    """"Acme Privacy Notice System" → "Acme Privacy Notice"; "Privacy Statement for Acme Products" stays."""
    match = _AFTER_KIND.match(title)
    if match and not _CONNECTOR.match(match.group(2)):
        return match.group(1)
    return title
