"""Provenance to the word: every data, recipient, purpose and place item names its words by offsets."""
from __future__ import annotations

import re

import pytest

from policyflows.extract import Extractor
from policyflows.ingest import read
from policyflows.ontology import Lexicon

LEX = Lexicon.load()
CHILD_WORDS = re.compile(r"\b(?:minors?|child|children|kids|under)\b", re.I)


@pytest.fixture(scope="module")
def read_policies(hualai_path, seventymai_path, corpus_dir):
    paths = [hualai_path, seventymai_path, *sorted((corpus_dir / "iot").glob("*.html")),
             *sorted((corpus_dir / "opp115").glob("*.html"))[:12]]
    extractor = Extractor(LEX)
    return [(doc, extractor.extract(doc)) for doc in map(read, paths)]


def _read_in_sentence(doc, item, start: int, end: int) -> bool:
    """A word the lexicon reads as data only in a list ("device" in "IP address, device and browser type")
    names the item where its sentence reads it so."""
    for s in doc.sentences:
        if s.start <= start < s.end:
            return any((s.start + m.start, s.start + m.end) == (start, end) and m.iri == item.iri
                       for m in LEX.data_mentions(doc.text[s.start:s.end]))
    return False


def _names(kind: str, item, words: str) -> bool:
    """Do these words name the item? Lexicon items: the lexicon reads the words as it (or as a broader
    category the item narrows, as "the video" under a "Cloud cached video:" item); purposes in the
    policy's own words: the words are the purpose's label."""
    norm = " ".join(words.split()).lower()
    if kind == "purposes" and "/purpose/" in item.iri:
        return norm == item.label.lower()
    if kind == "recipients":
        found = LEX.recipient_mentions(words)
        return any(m.iri == item.concept or m.label.lower() == item.label.lower() for m in found) \
            or item.kind in {"authority", "user", "public"}  # "required by law", "on the SD card", "made public": the words that imply them
    finder = {"data": LEX.data_mentions, "purposes": LEX.purpose_mentions,
              "jurisdictions": LEX.jurisdiction_mentions}[kind]
    if any(m.iri == item.iri or m.iri in LEX.broader(item.iri) for m in finder(words)):
        return True
    return kind == "data" and item.label == "children's data" and bool(CHILD_WORDS.search(words))


def test_every_item_points_at_the_words_that_name_it(read_policies):
    checked = 0
    for doc, statements in read_policies:
        for st in statements:
            for kind in ("data", "recipients", "purposes", "jurisdictions"):
                for item in getattr(st, kind):
                    for start, end in item.spans:
                        assert 0 <= start < end <= len(doc.text)
                        assert _names(kind, item, doc.text[start:end]) or \
                            (kind == "data" and _read_in_sentence(doc, item, start, end)), \
                            (doc.policy, kind, item.label, doc.text[start:end])
                        checked += 1
                    assert list(item.spans) == sorted(item.spans), "first occurrence first"
    assert checked > 2000


def test_only_implied_items_lack_words(read_policies):
    """No words name the company as a holder, 'third parties' for a disclosure to no one named, or
    personal information in general for a policy-wide statement; everything else has spans."""
    for doc, statements in read_policies:
        for st in statements:
            for kind in ("data", "purposes", "jurisdictions"):
                for item in getattr(st, kind):
                    assert item.spans or (kind == "data" and st.policy_wide), (doc.policy, kind, item.label, st.evidence.text)
            for r in st.recipients:
                assert r.spans or r.kind == "first-party" or (r.kind == "third-party" and r.concept is None), \
                    (doc.policy, r.label, st.evidence.text)


def test_two_mentions_of_one_category_are_one_item_with_both_spans():
    from policyflows.ingest import read_string

    doc = read_string("We may share your email address with partners and share your email address with advertisers.",
                      policy_id="x")
    shares = [s for s in Extractor(LEX).extract(doc) if s.action == "share"]
    assert len(shares) == 1
    emails = [d for d in shares[0].data if d.label == "email address"]
    assert len(emails) == 1 and len(emails[0].spans) == 2
    assert all(doc.text[s:e] == "email address" for s, e in emails[0].spans)


def test_json_items_carry_start_end_and_spans(read_policies):
    doc, statements = read_policies[0]
    for st in statements:
        out = st.to_json()
        for kind in ("data", "recipients", "purposes", "jurisdictions"):
            for item in out[kind]:
                assert {"start", "end", "spans"} <= set(item)
                if item["spans"]:
                    assert [item["start"], item["end"]] == item["spans"][0]
                    assert doc.text[item["start"]:item["end"]].strip()
