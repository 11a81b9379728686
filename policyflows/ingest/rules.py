"""The reading rules, kept as YAML data in the top-level ingest/ folder so a reader can open them."""
from __future__ import annotations

from functools import cache

import yaml

from policyflows.resources import ingest_dir


@cache
def load(name: str) -> dict:
    """The rules in ``ingest/<name>.yaml`` (cached: they do not change while running)."""
    path = ingest_dir() / f"{name}.yaml"
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of rule names to values")
    return data
