"""read(): a policy file (or string) to a Document. The one entry point the other stages use."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from policyflows.errors import PolicyReadError
from policyflows.ingest import clean, formats, metadata
from policyflows.ingest.assemble import assemble
from policyflows.ingest.blocks import HEADING, Block
from policyflows.ingest.language import warnings_for
from policyflows.ingest.model import Document, Source
from policyflows.ingest.plaintext import markdown_blocks, text_blocks

# Fewer letters than this is no policy text (a file of numbers, rules or a lone word).
_MIN_LETTERS = 20
_LETTER = re.compile(r"[^\W\d_]")


def read(path, policy_id: str | None = None) -> Document:
    """Read a policy file (.txt, .md, .html/.htm, .pdf; the content decides) into a Document.

    :raises PolicyReadError: when the file is missing, unreadable, binary, empty or holds no text.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PolicyReadError(path, "no such file") from None
    except IsADirectoryError:
        raise PolicyReadError(path, "is a folder, not a file (give one policy file)") from None
    except OSError as exc:
        raise PolicyReadError(path, f"cannot be read ({exc.strerror or exc})") from None
    return read_bytes(data, policy_id or path.stem, path=path, suffix=path.suffix)


def read_string(text: str, policy_id: str = "policy", format: str | None = None) -> Document:
    """Read policy text held in memory; ``format`` ("text", "markdown", "html") is detected when None."""
    return read_bytes(text.encode("utf-8"), policy_id, format=format)


def read_bytes(data: bytes, policy_id: str, path: Path | None = None, suffix: str = "",
               format: str | None = None) -> Document:
    """Read a policy from its bytes (the file's, or a string's); ``path`` only names it in errors."""
    where = path if path is not None else policy_id
    if not data.strip():
        raise PolicyReadError(where, "the file is empty")
    kind, title, blocks = _blocks(data, format, suffix, where)
    blocks = [b for b in blocks if b.text]
    if not any(b.kind != HEADING for b in blocks) or _letters(blocks) < _MIN_LETTERS:
        raise PolicyReadError(where, "holds no readable text")
    text, sections, sentences = assemble(blocks)
    source = Source(str(path) if path is not None else None, hashlib.sha256(data).hexdigest(), kind)
    language, warnings = warnings_for(text)
    return Document(policy=policy_id, source=source, metadata=metadata.extract(text, title, sections),
                    text=text, sections=sections, sentences=sentences, language=language, warnings=warnings)


def _letters(blocks: list[Block]) -> int:
    """Letters in the blocks, counted only up to the minimum (a policy has thousands)."""
    count = 0
    for block in blocks:
        for _letter in _LETTER.finditer(block.text):
            count += 1
            if count >= _MIN_LETTERS:
                return count
    return count


def _blocks(data: bytes, format: str | None, suffix: str, where) -> tuple[str, str | None, list[Block]]:
    """The format, the page title (when the format has one) and the blocks of the document."""
    if format == formats.PDF or (format is None and formats.is_pdf(data)):
        from policyflows.ingest.pdf import pdf_text
        return formats.PDF, None, text_blocks(clean.repair(pdf_text(data, where)))
    try:
        text = clean.repair(formats.decode(data))
    except formats.NotText as exc:
        raise PolicyReadError(where, str(exc)) from None
    kind = format or formats.detect(text, suffix)
    if kind == formats.HTML:
        from policyflows.ingest.html import html_blocks
        return (kind, *html_blocks(text))
    if kind == formats.MARKDOWN:
        return kind, None, markdown_blocks(text)
    return kind, None, text_blocks(text)


def iter_policy_files(paths: Iterable) -> Iterator[Path]:
    """The policy files in ``paths``: files as given, folders expanded (sorted, policy-like suffixes).

    A folder's hidden files and its README/LICENSE/CHANGELOG notes are not policies and are skipped;
    a file named explicitly is always yielded (``read`` then says what is wrong with it).
    """
    for given in paths:
        given = Path(given)
        if given.is_dir():
            yield from sorted(p for p in given.rglob("*") if _is_policy_file(p, given))
        else:
            yield given


# A corpus folder's own notes ("README-OPP115.txt") describe the policies; they are not one.
_NOT_POLICIES = ("readme", "license", "licence", "changelog")


def _is_policy_file(path: Path, folder: Path) -> bool:
    if not path.is_file() or path.suffix.lower() not in formats.POLICY_SUFFIXES:
        return False
    if any(part.startswith(".") for part in path.relative_to(folder).parts):
        return False
    return not path.name.lower().startswith(_NOT_POLICIES)
