"""Blocks: the layout of a policy before it is joined into one text (headings, paragraphs, items)."""
from __future__ import annotations

from dataclasses import dataclass

HEADING = "heading"
PARAGRAPH = "paragraph"
ITEM = "item"


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph or a list item, its text already on one line."""

    kind: str
    text: str
    level: int = 0  # heading depth (1 for h1); 0 when unknown
