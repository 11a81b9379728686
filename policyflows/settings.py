"""Defaults a user may override by environment: where the store lives."""
from __future__ import annotations

import os
from pathlib import Path


def default_store() -> Path:
    """$POLICYFLOWS_STORE, else $XDG_DATA_HOME/policyflows/store, else ~/.local/share/policyflows/store."""
    if os.environ.get("POLICYFLOWS_STORE"):
        return Path(os.environ["POLICYFLOWS_STORE"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "policyflows" / "store"


# `where TERM` lists the flows themselves when at most this many policies have any; past that it
# prints the corpus summary (--rows lists them anyway).
HANDFUL = 5
