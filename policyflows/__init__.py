"""policyflows: privacy policies → an RDF knowledge graph of personal-data flows.

The public names, imported on first use so that ``import policyflows`` stays fast::

    from policyflows import read, FlowStore
    store = FlowStore.open("store", create=True)
    store.build(["../shared/policies"])
    store.where("video")["flows"]
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "read": "policyflows.ingest",
    "Document": "policyflows.ingest",
    "Lexicon": "policyflows.ontology",
    "extract": "policyflows.extract",
    "graph_for_file": "policyflows.pipeline",
    "FlowStore": "policyflows.store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'policyflows' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
