"""PDF to text with pypdf; the text is then read like plain text (pages become paragraph breaks)."""
from __future__ import annotations

import io
import logging

from policyflows.errors import PolicyReadError


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
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise PolicyReadError(where, "the PDF holds no text layer (a scanned image?)")
    return text
