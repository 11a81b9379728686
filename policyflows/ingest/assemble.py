"""Join blocks into the cleaned text, and record sections and sentences as offsets into it."""
from __future__ import annotations

from policyflows.ingest import sentences
from policyflows.ingest.blocks import HEADING, ITEM, Block
from policyflows.ingest.model import Section, Sentence

# An item after a lead-in ending in ":" joins the lead-in's sentence when it is this short,
# so an enumeration ("We collect: • name • e-mail address") stays one sentence.
_SHORT_ITEM = 120
# A lead-in this short is a label or a definition term ("Video stored in SD card:"): its item joins it whatever its length.
_SHORT_LEAD = 60


def assemble(blocks: list[Block]) -> tuple[str, list[Section], list[Sentence]]:
    """The text (one block a line, a blank line before headings and paragraphs), sections, sentences."""
    parts: list[str] = []
    length = 0
    headings: list[tuple[int, int, str]] = []
    collected = _Sentences()
    previous: Block | None = None
    for block in blocks:
        if parts:
            separator = "\n" if block.kind == ITEM and previous is not None and previous.kind != HEADING else "\n\n"
            parts.append(separator)
            length += len(separator)
        start = length
        parts.append(block.text)
        length += len(block.text)
        if block.kind == HEADING:
            headings.append((start, length, block.text))
            collected.close_list()
        else:
            collected.add(block, start, len(headings) - 1)
        previous = block
    text = "".join(parts)
    sections = [Section(title, start, headings[n + 1][0] - 2 if n + 1 < len(headings) else len(text))
                for n, (start, _end, title) in enumerate(headings)]
    return text, sections, [Sentence(s, e, None if h < 0 else h) for s, e, h in collected.spans]


class _Sentences:
    """Collects sentence spans block by block, joining short items to a lead-in ending in ":"."""

    def __init__(self):
        self.spans: list[tuple[int, int, int]] = []
        self._lead_length = 0
        self._list_open = False  # the last span is a lead-in (with any items joined to it so far)

    def close_list(self) -> None:
        self._list_open = False

    def add(self, block: Block, offset: int, heading: int) -> None:
        pieces = sentences.split(block.text)
        if not pieces:
            return
        if block.kind == ITEM and self._joins(pieces[0], heading):
            start, _end, _h = self.spans.pop()
            self.spans.append((start, offset + pieces[0][1], heading))
            pieces = pieces[1:]
            if not pieces:
                return  # the list stays open for the next item
        self.spans.extend((offset + s, offset + e, heading) for s, e in pieces)
        self._lead_length = pieces[-1][1] - pieces[-1][0]
        self._list_open = block.text[pieces[-1][1] - 1] == ":"

    def _joins(self, first: tuple[int, int], heading: int) -> bool:
        """An item stays in the lead-in's sentence when either is short: a label ("Video: …") or a list entry."""
        if not (self._list_open and self.spans and self.spans[-1][2] == heading):
            return False
        return self._lead_length <= _SHORT_LEAD or first[1] - first[0] <= _SHORT_ITEM
