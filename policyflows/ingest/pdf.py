"""PDF to text with pypdf; the text is then read like plain text (pages become paragraph breaks)."""
from __future__ import annotations

import io
import logging
import re

from policyflows.errors import PolicyReadError


# A line that is only a page number ("3", "Page 3 of 10", "3/10") is the page's furniture.
_PAGE_NUMBER = re.compile(r"^[ \t]*(?:page[ \t]+)?\d{1,4}(?:[ \t]*(?:/|of)[ \t]*\d{1,4})?[ \t]*$", re.IGNORECASE | re.MULTILINE)
# A word broken at a line end: the line break goes, the hyphen stays ("third-\nparty" is a word).
_BROKEN_WORD = re.compile(r"(?<=[a-z])-\n(?=[a-z])")


def _tidy(page: str) -> str:
    return _BROKEN_WORD.sub("-", _PAGE_NUMBER.sub("", page)).strip()


def pdf_text(data: bytes, where) -> str:
    """The text of every page, pages separated by a blank line.

    :raises PolicyReadError: when the PDF is damaged, encrypted or holds no text layer (a scan).
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged-but-readable files warn per object
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PolicyReadError(where, "the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as exc:
        raise PolicyReadError(where, f"damaged PDF ({exc})") from None
    text = "\n\n".join(_tidy(p) for p in pages if p.strip())
    if not text.strip():
        raise PolicyReadError(where, "the PDF holds no text layer (a scanned image?)")
    return text
