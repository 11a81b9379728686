"""Text repair: mojibake, invisible characters, and CSS rules that leaked into plain text."""
from __future__ import annotations

import re
from functools import cache

import ftfy

from policyflows.ingest import rules

# A CSS selector list: class/id selectors or bare tag names, combined and comma-separated.
_SIMPLE_SELECTOR = r"(?:[.#][A-Za-z_][\w-]*|\b(?:a|p|div|span|body|html|li|ul|ol|img|table|td|tr|h[1-6]|section|article|main|header|footer|nav|button|input|label)\b)(?:[.#:][\w-]+(?:\([^(){}]*\))?)*"
_SELECTOR_LIST = rf"{_SIMPLE_SELECTOR}(?:\s*[,>+~]?\s*{_SIMPLE_SELECTOR})*"
_DECLARATIONS = r"\{\s*(?:[\w-]+\s*:[^{};]*(?:;\s*|(?=\})))*\}"
_CSS_RULE = re.compile(rf"{_SELECTOR_LIST}\s*{_DECLARATIONS}")
# At-rules may nest one level of ordinary rules: @media screen and (...) { .a { … } }
_CSS_AT_RULE = re.compile(r"@(?:media|supports|font-face|keyframes|-webkit-keyframes|page|import|charset)\b[^{};]*(?:;|\{(?:[^{}]*\{[^{}]*\})*[^{}]*\})")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\n\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


@cache
def _residues() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(r["pattern"]), r["replace"]) for r in rules.load("boilerplate")["mojibake_residues"]]


@cache
def _invisible() -> dict[int, None]:
    return dict.fromkeys(map(ord, rules.load("boilerplate")["invisible_characters"]))


def repair(text: str) -> str:
    """Undo mojibake (ftfy, then residues ftfy cannot see) and drop characters that carry no text."""
    # Curly quotes stay: evidence quoted from the cleaned text should read as the policy wrote it.
    text = ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)
    for pattern, replacement in _residues():
        text = pattern.sub(replacement, text)
    text = text.translate(_invisible())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


def strip_leaked_css(text: str) -> str:
    """Remove CSS rules pasted into text; each becomes a paragraph break, as it stood between blocks."""
    text = _CSS_AT_RULE.sub("\n\n", text)
    return _CSS_RULE.sub("\n\n", text)


def squeeze_spaces(line: str) -> str:
    """One plain space between words (NBSP and other spaces included), none at the ends."""
    return _SPACES.sub(" ", line).strip()
