"""Extraction: a read Document → the data-practice statements its sentences state."""
from policyflows.extract.extractor import Extractor, extract
from policyflows.extract.model import Evidence, PartyRef, Statement, Term

__all__ = ["Extractor", "extract", "Statement", "Term", "PartyRef", "Evidence"]
