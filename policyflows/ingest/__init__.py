"""Read a privacy policy file into clean, sectioned, offset-addressed text (Contract 1).

    >>> from policyflows.ingest import read
    >>> doc = read("privacy-policy.html")                                  # doctest: +SKIP
    >>> doc.sentence_text(0), doc.section_title(0)                        # doctest: +SKIP
"""
from policyflows.ingest.model import Document, Metadata, Section, Sentence, Source
from policyflows.ingest.reader import iter_policy_files, read, read_string

__all__ = ["Document", "Metadata", "Section", "Sentence", "Source", "iter_policy_files", "read", "read_string"]
