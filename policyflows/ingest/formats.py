"""Which format a file holds (by content as well as by name), and its bytes decoded to text.

Content decides where it speaks plainly (a PDF's magic bytes, HTML tags, Markdown headings and
lists), so an .txt file holding a saved web page is read as HTML.
"""
from __future__ import annotations

import re

from charset_normalizer import from_bytes

TEXT, MARKDOWN, HTML, PDF = "text", "markdown", "html", "pdf"
POLICY_SUFFIXES = {".txt": TEXT, ".text": TEXT, ".md": MARKDOWN, ".markdown": MARKDOWN,
                   ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".pdf": PDF}

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|h[1-6]|ul|table|section|article|br)\b",
                         re.IGNORECASE | re.DOTALL)
_HTML_TAGS = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|strong|b|span|a|table|td|tr|section)\b[^>]*>", re.IGNORECASE)
_MD_SIGNS = re.compile(r"^(?:#{1,6} \S|\s*[-*] \S|.*\]\(https?://)", re.MULTILINE)


class NotText(ValueError):
    """The bytes are not text in any encoding (a binary file)."""


def is_pdf(data: bytes) -> bool:
    return data.lstrip()[:5] == b"%PDF-"


def detect(text: str, suffix: str) -> str:
    """The format of decoded ``text``: HTML tags or Markdown signs decide, else the file's suffix."""
    by_name = POLICY_SUFFIXES.get(suffix.lower(), TEXT)
    tags = len(_HTML_TAGS.findall(text[:65536]))
    if _HTML_START.match(text[:4096]) or tags >= 3 or (by_name == HTML and tags):
        return HTML
    if by_name == MARKDOWN or len(_MD_SIGNS.findall(text[:20000])) >= 3:
        return MARKDOWN
    return TEXT


def decode(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM) when valid, else the charset detected.

    :raises NotText: when the bytes hold NUL bytes or decode to no plausible text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotText("binary content (NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise NotText("binary content (no text encoding fits)")
    # On a tie Windows-1252 wins: it is the web's default legacy encoding (WHATWG), and English
    # text with a few accents fits a dozen single-byte code pages equally well.
    tied = [m for m in matches if m.chaos <= best.chaos + 0.01 and m.coherence >= best.coherence - 0.01]
    preferred = next((m for m in tied if m.encoding == "cp1252"), best)
    return str(preferred)
