"""HTML to blocks: headings (h1–h6, short bold-only lines), paragraphs and list items.

Two routes to the policy body of a crawled page, and the better one wins:

- trafilatura, a main-content extractor, whose XML keeps headings, lists and bold;
- our own walk: page furniture removed first (script/style/nav/footer elements, elements whose
  id, class or role names navigation, menus or cookie banners), then the main content
  (``<main>``, ``<article>`` or role=main when it holds most of the text) in document order.

trafilatura's blocks are used when they keep the prose paragraphs our walk finds (it drops
menus our markers miss); otherwise our walk's. A fragment without <html>/<body> (OPP-115) is
content already and is walked as it is.
"""
from __future__ import annotations

import re
from functools import cache

import lxml.html
from lxml import etree

from policyflows.ingest import clean, rules
from policyflows.ingest.blocks import HEADING, ITEM, PARAGRAPH, Block
from policyflows.ingest.headings import is_title_case, split_paragraph

_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th",
               "thead", "tbody", "tfoot", "caption", "blockquote", "pre", "address", "figure", "figcaption", "hr",
               "header", "footer", "form", "fieldset", "legend", "details", "summary", "center", "body", "html"}
_BOLD_TAGS = {"b", "strong"}
_FULL_PAGE = re.compile(r"<(?:html|body|head)\b", re.IGNORECASE)
_POLICY_WORDS = re.compile(r"\b(?:privacy|policy|notice|statement|data protection)\b", re.IGNORECASE)
_TITLE_PARTS = re.compile(r"\s+[|–—·:-]\s+")
_MARKER_SPLIT = re.compile(r"[\s_-]+")
# opp115 marks the paragraphs of its annotated policies with |||.
_PARAGRAPH_MARK = "|||"
_SHORT_HEADING = 150
_TITLE_LINE_WORDS = 8
_NOT_TITLE = re.compile(r"[\d,@|/©®™]")
# An element holding more than this share of the page's text is the content, whatever its class says.
_CONTENT_SHARE = 0.4
# trafilatura's extraction is used when it keeps this share of the prose paragraphs our own walk finds:
# it removes furniture our markers miss, but on some pages it drops half the policy.
_KEEP_SHARE = 0.9
_PROSE_WORDS = 12
_PROBE = 80
_WORDS_ONLY = re.compile(r"\W+")
# How far into the blocks the policy's own heading is looked for, to drop menu entries before it.
_MENU_SCAN = 60
_TRAFILATURA_TAGS = {"list": "ul", "item": "li", "lb": "br", "row": "tr", "cell": "td", "quote": "blockquote",
                     "doc": "div", "main": "div", "comments": "div"}
_MAIN_SHARE = 0.5


@cache
def _boilerplate() -> tuple[frozenset, frozenset, frozenset]:
    data = rules.load("boilerplate")
    return (frozenset(data["html_drop_tags"]), frozenset(data["html_boilerplate_markers"]),
            frozenset(data["html_boilerplate_roles"]))


def html_blocks(markup: str) -> tuple[str | None, list[Block]]:
    """The page title and the content blocks of an HTML page."""
    markup = markup.replace(_PARAGRAPH_MARK, "<hr>")
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return None, []
    title = _title(root)
    description = _description(root)
    # A fragment (no <html>/<body>, as OPP-115 ships its policies) is content already: no page to strip.
    full_page = bool(_FULL_PAGE.search(markup[:20000]))
    extracted = _trafilatura_blocks(markup) if full_page else []
    _drop_furniture(root)
    walker = _Walker()
    walker.walk(_main_content(root))
    blocks = walker.finish()
    # (not when it ran a small page together into one paragraph: its headings, items and rows would be lost)
    if extracted and _covers(extracted, blocks) and not (len(extracted) == 1 < len(blocks) - 1):
        blocks = extracted  # the content extractor dropped more furniture and kept the body
    if full_page:
        blocks = _drop_leading_links(blocks)
    if not any(b.kind != HEADING for b in blocks) and description:
        # A page whose body is loaded by script holds only its summary: that is all there is to read.
        blocks.append(Block(PARAGRAPH, description))
    return title, blocks


def _drop_leading_links(blocks: list[Block]) -> list[Block]:
    """Menu entries left before the policy's own heading: short, unpunctuated, three or more in a row."""
    first = next((n for n, b in enumerate(blocks[:_MENU_SCAN]) if b.kind == HEADING and _POLICY_WORDS.search(b.text)), None)
    if first is None:
        return blocks
    kept: list[Block] = []
    run: list[Block] = []
    for block in blocks[:first] + [Block(PARAGRAPH, ".")]:  # the sentinel closes the last run
        if _is_menu_entry(block.text):
            run.append(block)
            continue
        if len(run) < 3:
            kept.extend(run)
        run = []
        kept.append(block)
    return kept[:-1] + blocks[first:]


def _is_menu_entry(text: str) -> bool:
    return len(text.split()) <= 4 and text[-1] not in ".!?:;,"


def _covers(extracted: list[Block], walked: list[Block]) -> bool:
    """Whether trafilatura kept (nearly) every prose paragraph our own walk found."""
    kept = _WORDS_ONLY.sub(" ", " ".join(b.text for b in extracted).lower())
    prose = [_WORDS_ONLY.sub(" ", b.text.lower()).strip() for b in walked
             if b.kind != HEADING and len(b.text.split()) >= _PROSE_WORDS]
    if not prose:
        return True
    return sum(p[:_PROBE] in kept for p in prose) >= _KEEP_SHARE * len(prose)


def _trafilatura_blocks(markup: str) -> list[Block]:
    """Blocks of the main content as trafilatura finds it (its XML keeps headings, lists and bold)."""
    import trafilatura

    xml = trafilatura.extract(markup, output_format="xml", include_formatting=True, include_tables=True,
                              include_links=False, include_comments=False, favor_recall=True)
    if not xml:
        return []
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(recover=True))
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = _TRAFILATURA_TAGS.get(element.tag, element.tag)
            if element.tag == "hi" and element.get("rend") == "#b":
                element.tag = "b"
            if element.tag == "head":
                rend = element.get("rend") or "h2"
                element.tag = rend if rend in _HEADING_TAGS else "h2"
    walker = _Walker()
    walker.walk(root)
    return walker.finish()


def _description(root) -> str | None:
    for path in ("//meta[@name='description']/@content", "//meta[@property='og:description']/@content"):
        for value in root.xpath(path):
            text = clean.squeeze_spaces(value)
            if text:
                return text
    return None


def _title(root) -> str | None:
    """The first <h1> that names a policy, else the <title> part that does ("Privacy Policy | Acme")."""
    words = _POLICY_WORDS
    headings = [clean.squeeze_spaces(e.text_content()) for e in root.xpath("//h1")]
    for text in headings:
        if words.search(text):
            return text
    titles = [clean.squeeze_spaces(e.text_content()) for e in root.xpath("//title")]
    for text in titles:
        parts = [p.strip() for p in _TITLE_PARTS.split(text) if p.strip()]
        named = [p for p in parts if words.search(p)]
        if named or parts:
            return (named or parts)[0]
    return next((text for text in headings if text), None)


def _drop_furniture(root) -> None:
    drop_tags, markers, roles = _boilerplate()
    for element in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _remove(element)
    total = max(1, len(root.text_content()))
    for element in [e for e in root.iter() if isinstance(e.tag, str) and e.tag.lower() in drop_tags]:
        if not _wraps_content(element, total):
            _remove(element)
    total = max(1, len(root.text_content()))
    for element in [e for e in root.iter() if isinstance(e.tag, str) and _is_marked(e, markers, roles)]:
        if element.getparent() is not None and len(element.text_content()) < _CONTENT_SHARE * total \
                and not element.xpath(".//h1"):
            _remove(element)


def _wraps_content(element, total: int) -> bool:
    """A <header>/<footer>/<nav>/<form> that wraps the policy itself (some sites do) is kept."""
    if element.tag.lower() not in ("header", "footer", "nav", "aside", "form"):
        return False
    return len(element.text_content()) > _CONTENT_SHARE * total


def _is_marked(element, markers: frozenset, roles: frozenset) -> bool:
    if element.tag.lower() in ("html", "body", "main", "article"):
        return False
    if element.get("role", "").lower() in roles or element.get("aria-modal") == "true":
        return True
    names = " ".join(element.get(a, "") for a in ("id", "class", "aria-label")).lower()
    return bool(names) and any(token in markers for token in _MARKER_SPLIT.split(names))


def _remove(element) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _main_content(root):
    """<main>, <article> or role=main when it holds most of the page's text; else <body>."""
    body = root.find("body")
    body = body if body is not None else root
    total = max(1, len(body.text_content()))
    for path in ("//main", "//*[@role='main']", "//article"):
        for element in root.xpath(path):
            if len(element.text_content()) >= _MAIN_SHARE * total:
                return element
    return body


class _Walker:
    """Walks elements in document order, cutting the text into blocks at block-level tags.

    A <br> only ends a line: lines of one block that run on (the next begins in lower case and
    the previous has no end punctuation) are joined again, the rest become blocks of their own.
    """

    def __init__(self):
        self.blocks: list[Block] = []
        self._lines: list[list] = [["", 0]]  # [text, characters in bold] per line of the open block
        self._kind = PARAGRAPH
        self._level = 0
        self._in_bold = 0

    def walk(self, element) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag == "br":
            self._lines.append(["", 0])
            return
        if tag == "tr" and self._row(element):
            return
        opens = self._open(tag)
        if tag in _BOLD_TAGS:
            self._in_bold += 1
        self._text(element.text)
        for child in element:
            if isinstance(child.tag, str):
                self.walk(child)
            self._text(child.tail)
        if tag in _BOLD_TAGS:
            self._in_bold -= 1
        if opens:
            self._flush()

    def _row(self, element) -> bool:
        """A table row as one item: "Registering an account: e-mail, phone number; to create your account".

        A row pairs a feature or a kind of data with what is used and why; read cell by cell, the data
        would stand apart from its feature and its purpose. A row of header cells (<th>) names the columns
        and is no heading of what follows. Rows with nested tables or lists are walked as before.
        """
        cells = [c for c in element if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        if not cells or any(c.xpath(".//table|.//ul|.//ol|.//tr") for c in cells):
            return False
        texts = [clean.squeeze_spaces(" ".join(c.itertext())).strip() for c in cells]
        texts = [t for t in texts if t]
        self._flush()
        if not texts or all(c.tag.lower() == "th" or c.get("role") == "head" for c in cells):  # trafilatura: role="head"
            return True
        line = texts[0] if len(texts) == 1 else texts[0].rstrip(":") + ": " + "; ".join(t.rstrip(";") for t in texts[1:])
        self.blocks.append(Block(ITEM, line))
        return True

    def _open(self, tag: str) -> bool:
        if tag in _HEADING_TAGS:
            self._flush()
            self._kind, self._level = HEADING, int(tag[1])
            return True
        if tag == "li":
            self._flush()
            self._kind = ITEM
            return True
        if tag in _BLOCK_TAGS:
            self._flush()
            return True
        return False

    def _text(self, text: str | None) -> None:
        if text:
            line = self._lines[-1]
            line[0] += text
            if self._in_bold:
                line[1] += len(text.replace(" ", "").replace("\n", ""))

    def _flush(self) -> None:
        kind, level, lines = self._kind, self._level, self._lines
        self._lines, self._kind, self._level = [["", 0]], PARAGRAPH, 0
        lines = _join_run_on([(clean.squeeze_spaces(text), bold) for text, bold in lines])
        if kind == HEADING:
            title = " ".join(text for text, _bold in lines)
            if title:
                self.blocks.append(Block(HEADING, title, level))
            return
        for n, (text, bold) in enumerate(lines):
            self._add(text, bold, kind if n == 0 else PARAGRAPH)

    def _add(self, text: str, bold: int, kind: str) -> None:
        if (bold >= 0.9 * len(text.replace(" ", "")) and _heading_like(text)) or (kind == PARAGRAPH and _title_line(text)):
            self.blocks.append(Block(HEADING, text))
            return
        for n, block in enumerate(split_paragraph(text, promote_titles=False)):
            if kind == ITEM and n == 0 and block.kind == PARAGRAPH:
                block = Block(ITEM, block.text)
            self.blocks.append(block)

    def finish(self) -> list[Block]:
        self._flush()
        return self.blocks


def _join_run_on(lines: list[tuple[str, int]]) -> list[tuple[str, int]]:
    joined: list[tuple[str, int]] = []
    for text, bold in lines:
        if not text:
            continue
        if joined and joined[-1][0][-1] not in ".!?:;" and not text[0].isupper():
            previous, previous_bold = joined.pop()
            joined.append((f"{previous} {text}", previous_bold + bold))
        else:
            joined.append((text, bold))
    return joined


def _title_line(text: str) -> bool:
    """A line of its own in Title Case ("Use of Cookies"): a heading set in plain type.

    Stricter than in plain text: no digits, commas or "@", which mark address lines and labels.
    """
    return (len(text.split()) <= _TITLE_LINE_WORDS and not _NOT_TITLE.search(text) and text[-1] not in ".:;!"
            and is_title_case(text, _TITLE_LINE_WORDS))


def _heading_like(text: str) -> bool:
    return len(text) <= _SHORT_HEADING and text[-1] not in ".,;"
