"""Headings in text without markup: run-in capitals, numbered titles, bracketed titles, bullets.

A paragraph of plain text is cut into blocks: headings, then the paragraph text between them, with
bullet items as blocks of their own.
"""
from __future__ import annotations

import re
from functools import cache

from policyflows.ingest import rules
from policyflows.ingest.blocks import HEADING, ITEM, PARAGRAPH, Block

_TOKEN = re.compile(r"\S+")
# Two or more words without a lower-case letter: where run-in headings may be.
_CAPS_WORD = r"[^\sa-zß-öø-ÿ]*[A-ZÀ-Þ][^\sa-zß-öø-ÿ]*(?!\S)"
_CAPS_RUN = re.compile(rf"(?<!\S){_CAPS_WORD}(?:\s+{_CAPS_WORD})+")
_HAS_LOWER = re.compile(r"[a-zß-öø-ÿ]")
_UPPER = re.compile(r"[A-ZÀ-Þ]")
_LETTER = re.compile(r"[^\W\d_]")
_NUMBERED_TITLE = re.compile(r"(?<!\S)(\d{1,2})\.\s+([A-Z][^.!?;:]{0,120}?)\s+(?=\1\.1\.?\s)")
_SENTENCE_END = re.compile(r"[.!?:;]")
_BRACKETED = re.compile(r"(?<!\S)\[([A-Z][^\[\]]{0,80})\]")


@cache
def _rules() -> dict:
    data = dict(rules.load("headings"))
    data["title_connectors"] = frozenset(data["title_connectors"])
    return data


def split_paragraph(text: str, promote_titles: bool = True) -> list[Block]:
    """Cut one paragraph of plain text into heading, paragraph and item blocks.

    ``promote_titles``: a short Title Case fragment standing alone becomes a heading (right for
    plain text; HTML marks its headings, and its short lines are addresses and labels).
    """
    if _is_caps_line(text):
        return [Block(HEADING, text)]
    blocks: list[Block] = []
    for kind, piece in _split_bullets(text):
        for n, block in enumerate(_split_headings(piece)):
            if kind == ITEM and n == 0 and block.kind == PARAGRAPH:
                block = Block(ITEM, block.text)  # text after the item's end stays a paragraph
            blocks.append(block)
    return [_promote_title_fragment(b) for b in blocks] if promote_titles else blocks


def _is_caps_line(text: str) -> bool:
    """A short line in capitals without end punctuation ("STATEMENT OF PRIVACY (2014, US ONLY)")."""
    if text[-1] in ".,;:" or text.count(" ") >= _rules()["caps_line_max_words"]:
        return False
    letters = len(_LETTER.findall(text))
    return letters >= _rules()["caps_min_letters"] and len(_UPPER.findall(text)) >= 0.9 * letters


@cache
def _bullet_split() -> re.Pattern:
    return re.compile(rf"(?:^|\s+)[{re.escape(_rules()['bullets'])}]\s*")


def _split_bullets(text: str) -> list[tuple[str, str]]:
    if not any(b in text for b in _rules()["bullets"]):
        return [(PARAGRAPH, text.strip())] if text.strip() else []
    parts = _bullet_split().split(text)
    pieces = [(PARAGRAPH, parts[0].strip())] + [(ITEM, p.strip()) for p in parts[1:]]
    return [(kind, piece) for kind, piece in pieces if piece]


def _split_headings(text: str) -> list[Block]:
    spans = sorted(_heading_spans(text))
    blocks: list[Block] = []
    position = 0
    for start, end, title in spans:
        if start < position:
            continue
        if text[position:start].strip():
            blocks.append(Block(PARAGRAPH, text[position:start].strip()))
        blocks.append(Block(HEADING, title))
        position = end
    if text[position:].strip():
        blocks.append(Block(PARAGRAPH, text[position:].strip()))
    return blocks


def _heading_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    # Both patterns open with a lookbehind, which the regex engine tries at every position of the
    # paragraph; the text they need (a first subsection "2.1", a bracket) is looked for first.
    if ".1" in text:
        for m in _NUMBERED_TITLE.finditer(text):
            if _opens_sentence(text, m.start()) and is_title_case(m.group(2), _rules()["numbered_title_max_words"]):
                spans.append((m.start(), m.end(), f"{m.group(1)}. {m.group(2).strip()}"))
    if "[" in text:
        for m in _BRACKETED.finditer(text):
            if is_title_case(m.group(1), _rules()["bracketed_max_words"]) and _opens_or_follows_title(text, m.start()):
                spans.append((m.start(), m.end(), m.group(1).strip()))
    spans.extend(_caps_spans(text))
    return spans


def _caps_spans(text: str) -> list[tuple[int, int, str]]:
    """Runs of words in capitals that stand before a sentence: run-in headings."""
    spans: list[tuple[int, int, str]] = []
    for run in _CAPS_RUN.finditer(text):
        # The word before the run may be a name that opens the heading ("Acme’s SECURITY MEASURES").
        window_start = text.rfind(" ", 0, max(0, run.start() - 1)) + 1
        window_end = _TOKEN.match(text, run.end() + 1) if run.end() < len(text) else None
        window = range(window_start, window_end.end() if window_end else run.end())
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, window.start, window.stop)]
        spans.extend(s for s in _caps_spans_in(text, tokens, spans) if not spans or s[0] >= spans[-1][1])
    return spans


def _caps_spans_in(text: str, tokens, found: list) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        previous_end = (spans or found or [(0, -1)])[-1][1]
        after_heading = previous_end >= 0 and not text[previous_end:tokens[i][0]].strip()
        j = i + _leading_name(text, tokens, i, after_heading)
        while j < len(tokens) and _is_caps_word(tokens[j][2]) and not (j > i and tokens[j - 1][2][-1] in "?!"):
            j += 1
        run = _trim_run(tokens, i, j)
        if run and _is_heading_run(text, tokens, i, run):
            spans.append((tokens[i][0], tokens[run - 1][1], text[tokens[i][0]:tokens[run - 1][1]]))
            i = run
        else:
            i = max(j, i + 1)
    return spans


def _is_caps_word(token: str) -> bool:
    """A word in capitals; one ending in "." closes a sentence ("… under GDPR. CONTACT US") so it is not."""
    return (bool(_UPPER.search(token)) and not _HAS_LOWER.search(token) and "@" not in token
            and not token.endswith("."))


def _leading_name(text: str, tokens, i: int, after_heading: bool) -> int:
    """1 when a capitalised name opens a sentence before words in capitals ("Acme’s SECURITY MEASURES")."""
    token = tokens[i][2]
    if _is_caps_word(token) or not (token[0].isupper() or token[0].isdigit()) or token[-1] in ".,;:!?":
        return 0
    follows = tokens[i + 1:i + 3]
    if len(follows) < 2 or not all(_is_caps_word(t[2]) for t in follows):
        return 0
    return 1 if after_heading or _opens_sentence(text, tokens[i][0]) else 0


def _trim_run(tokens, i: int, j: int) -> int | None:
    """End of the run, giving back a last capital word that opens the following lower-case sentence."""
    if j < len(tokens) and j - i >= 2 and _HAS_LOWER.match(tokens[j][2][:1] or " "):
        j -= 1
    while j > i and tokens[j - 1][2][-1] in ",;-–(&/":
        j -= 1
    return j if j > i else None


def _is_heading_run(text: str, tokens, i: int, j: int) -> bool:
    words = [t[2] for t in tokens[i:j]]
    letters = sum(len(_LETTER.findall(w)) for w in words)
    if len(words) < _rules()["caps_min_words"] or letters < _rules()["caps_min_letters"]:
        return False
    if words[-1].endswith(".") or words[-1].endswith(":"):
        return False  # a sentence written in capitals, or a lead-in
    if j < len(tokens) and not _opens_after_heading(tokens[j][2]):
        return False
    if j < len(tokens) and words[-1][-1] not in "?!" and _is_caps_word(tokens[j][2].rstrip(".,;:")):
        return False  # the capitals go on into a full stop: a sentence in capitals, not a heading
    strong = len(words) >= 3 and letters >= 12
    return strong or _opens_sentence(text, tokens[i][0])


def _opens_after_heading(token: str) -> bool:
    first = token.lstrip("\"'“‘([•·")
    return bool(first) and (first[0].isdigit() or first[0].isupper())


def _opens_or_follows_title(text: str, position: int) -> bool:
    """At a sentence start, or after a Title Case fragment that opens the paragraph ("User Agreement [Notice]")."""
    head = text[:position].strip()
    return _opens_sentence(text, position) or (
        not _SENTENCE_END.search(head) and is_title_case(head, _rules()["title_fragment_max_words"]))


def _opens_sentence(text: str, position: int) -> bool:
    """Nothing but spaces before ``position``, or end punctuation before those spaces."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position == 0 or text[position - 1] in ".!?:;”\")]"


def is_title_case(phrase: str, max_words: int) -> bool:
    """At most ``max_words`` words, each capitalised, a number, a symbol or a small connector word."""
    words = phrase.split()
    if not words or len(words) > max_words:
        return False
    connectors = _rules()["title_connectors"]
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in connectors or not w[0].isalpha() for w in words)


def _promote_title_fragment(block: Block) -> Block:
    """A short Title Case paragraph without end punctuation ("User Agreement") is a heading."""
    text = block.text
    if block.kind == PARAGRAPH and text[-1] not in ".!?:;," and is_title_case(text, _rules()["title_fragment_max_words"]):
        return Block(HEADING, text)
    return block
