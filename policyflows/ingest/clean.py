"""Text repair: mojibake, invisible characters, and CSS rules that leaked into plain text."""
from __future__ import annotations

import re
import unicodedata
from functools import cache

import ftfy

try:
    from re import _parser as _sre_parse  # Python 3.11+
except ImportError:  # Python 3.10
    import sre_parse as _sre_parse

from policyflows.ingest import rules

# A CSS selector list: class/id selectors or bare tag names, combined and comma-separated.
_SIMPLE_SELECTOR = r"(?:[.#][A-Za-z_][\w-]*|\b(?:a|p|div|span|body|html|li|ul|ol|img|table|td|tr|h[1-6]|section|article|main|header|footer|nav|button|input|label)\b)(?:[.#:][\w-]+(?:\([^(){}]*\))?)*"
_SELECTOR_LIST = rf"{_SIMPLE_SELECTOR}(?:\s*[,>+~]?\s*{_SIMPLE_SELECTOR})*"
_DECLARATIONS = r"\{\s*(?:[\w-]+\s*:[^{};]*(?:;\s*|(?=\})))*\}"
_CSS_RULE = re.compile(rf"{_SELECTOR_LIST}\s*{_DECLARATIONS}")
# At-rules may nest one level of ordinary rules: @media screen and (...) { .a { … } }
_CSS_AT_RULE = re.compile(r"@(?:media|supports|font-face|keyframes|-webkit-keyframes|page|import|charset)\b[^{};]*(?:;|\{(?:[^{}]*\{[^{}]*\})*[^{}]*\})")
# ftfy is slow on long lines; mojibake never spans an ASCII space, so pieces of about a
# thousand characters cut at a space (or a line end) are repaired alike, and pure-ASCII ones skipped.
_CHUNK = re.compile(r"[^\n]{1,1000}(?: |\n|$)|[^\n]{1,1000}|\n", re.DOTALL)
# UTF-8 read as Latin-1/Windows-1252 always shows a lead byte 0xC2–0xF4 as one of these letters.
_MOJIBAKE_LEAD = re.compile("[\u00c2-\u00f4]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\n\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


@cache
def _residues() -> list[tuple[re.Pattern, str, str | None]]:
    """(pattern, replacement, a character every match holds) of each residue."""
    residues = []
    for r in rules.load("boilerplate")["mojibake_residues"]:
        pattern = re.compile(r["pattern"])
        residues.append((pattern, r["replace"], _required_character(pattern)))
    return residues


def _required_character(pattern: re.Pattern) -> str | None:
    """A character every match of ``pattern`` consumes (a literal at its top level), or None."""
    if pattern.flags & re.IGNORECASE:  # "k" matches the Kelvin sign too
        return None
    for op, arg in _sre_parse.parse(pattern.pattern, pattern.flags):
        if op is _sre_parse.LITERAL:
            return chr(arg)
    return None


@cache
def _invisible() -> tuple[str, dict[int, None]]:
    """The characters that carry no text, and the table that deletes them."""
    characters = rules.load("boilerplate")["invisible_characters"]
    return characters, dict.fromkeys(map(ord, characters))


def repair(text: str) -> str:
    """Undo mojibake (ftfy, then residues ftfy cannot see) and drop characters that carry no text."""
    text = "".join(_fix_chunk(chunk) for chunk in _CHUNK.findall(text))
    # A residue's pattern opening with a lookbehind is tried at every position of the whole text;
    # a character every match holds ("â", in few policies) is looked for first.
    for pattern, replacement, required in _residues():
        if required is None or required in text:
            text = pattern.sub(replacement, text)
    characters, table = _invisible()
    if any(c in text for c in characters):  # str.translate goes character by character: only when needed
        text = text.translate(table)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


def _fix_chunk(chunk: str) -> str:
    """ftfy on text that can hold mojibake; NFC only on the rest (most of a policy)."""
    if chunk.isascii():
        return chunk
    if not _MOJIBAKE_LEAD.search(chunk):
        return unicodedata.normalize("NFC", chunk)
    # Curly quotes stay: evidence quoted from the cleaned text should read as the policy wrote it.
    return ftfy.fix_text(chunk, normalization="NFC", uncurl_quotes=False)


def strip_leaked_css(text: str) -> str:
    """Remove CSS rules pasted into text; each becomes a paragraph break, as it stood between blocks."""
    if "{" not in text:
        return text
    text = _CSS_AT_RULE.sub("\n\n", text)
    return _CSS_RULE.sub("\n\n", text)


def squeeze_spaces(line: str) -> str:
    """One plain space between words (NBSP and other spaces included), none at the ends."""
    return _SPACES.sub(" ", line).strip()
