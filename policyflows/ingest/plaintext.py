"""Plain text and Markdown to blocks: paragraphs at blank lines, then headings found inside them."""
from __future__ import annotations

import re

from policyflows.ingest import clean, rules
from policyflows.ingest.blocks import HEADING, ITEM, PARAGRAPH, Block
from policyflows.ingest.headings import is_title_case, split_paragraph

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_MD_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_SHORT_LINE = 40
_TITLE_WORDS = 10
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")


def text_blocks(text: str) -> list[Block]:
    """Blocks of a plain-text policy (already repaired)."""
    text = clean.strip_leaked_css(text)
    blocks: list[Block] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        for line in _logical_lines(paragraph):
            blocks.extend(split_paragraph(line))
    return blocks


def markdown_blocks(text: str) -> list[Block]:
    """Blocks of a Markdown policy: # headings, list items and bold lines are kept as such."""
    blocks: list[Block] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        lines = []
        for raw in paragraph.split("\n"):
            heading = _MD_HEADING.match(raw) or _MD_BOLD_LINE.match(raw)
            item = _MD_ITEM.match(raw)
            if heading or item:
                blocks.extend(_paragraph_blocks(" ".join(lines)))
                lines = []
            if heading:
                title = _inline(heading.group(heading.lastindex))
                if title:
                    blocks.append(Block(HEADING, title, len(heading.group(1)) if raw.lstrip().startswith("#") else 0))
            elif item:
                blocks.extend(Block(ITEM, b.text) if b.kind == PARAGRAPH and n == 0 else b
                              for n, b in enumerate(split_paragraph(_inline(item.group(1)))))
            else:
                lines.append(raw)
        blocks.extend(_paragraph_blocks(" ".join(lines)))
    return blocks


def _paragraph_blocks(text: str) -> list[Block]:
    text = _inline(text)
    return split_paragraph(text) if text else []


def _inline(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    return clean.squeeze_spaces(_MD_EMPHASIS.sub(r"\2", text))


def _logical_lines(paragraph: str) -> list[str]:
    """Lines that stand alone (a short line, a bullet, a heading-like line) stay apart; wrapped prose joins."""
    lines = [clean.squeeze_spaces(line) for line in paragraph.split("\n")]
    lines = [line for line in lines if line]
    joined: list[str] = []
    for line in lines:
        if joined and _continues(joined[-1], line):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def _continues(previous: str, line: str) -> bool:
    """Hard-wrapped prose: the previous line ends mid-sentence and this one does not open an item.

    A previous line in capitals, or a short or Title Case one before a capital, stands alone: a heading.
    """
    if previous[-1] in ".!?:;" or _MD_ITEM.match(line) or line[0] in rules.load("headings")["bullets"]:
        return False
    if previous.isupper() or (len(previous) < _SHORT_LINE and previous[-1] != ","):
        return False
    return not (line[0].isupper() and is_title_case(previous, _TITLE_WORDS))
