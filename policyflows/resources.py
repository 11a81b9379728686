"""Where the project's data folders are: ontology/, ingest/ and queries/.

They are top-level folders a reader opens. In a source checkout (or an editable install) they are
read in place; an installed wheel carries a copy under ``policyflows/_data``.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder ``name`` (``"ontology"``, ``"ingest"`` or ``"queries"``).

    :raises FileNotFoundError: when neither the checkout nor the package holds it.
    """
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"policyflows data folder {name!r} is missing: reinstall the package")


def ontology_dir() -> Path:
    return data_dir("ontology")


def ingest_dir() -> Path:
    return data_dir("ingest")


def queries_dir() -> Path:
    return data_dir("queries")
