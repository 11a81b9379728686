"""Extraction beyond the seeds: crawled vendor pages and OPP-115 policies, as they came."""
from __future__ import annotations

import pytest

from policyflows.extract import Extractor
from policyflows.graph import derive_flows
from policyflows.ingest import read
from policyflows.ontology import Lexicon


@pytest.fixture(scope="module")
def extractor():
    return Extractor(Lexicon.load())


@pytest.fixture(scope="module")
def iot(corpus_dir, extractor):
    out = {}
    for path in sorted((corpus_dir / "iot").glob("*.html")):
        doc = read(path)
        out[path.stem] = (doc, extractor.extract(doc))
    return out


def test_every_vendor_page_yields_cited_statements(iot):
    for name, (doc, statements) in iot.items():
        for st in statements:
            assert doc.text[st.evidence.start:st.evidence.end] == st.evidence.text, name
    assert sum(bool(s) for _, s in iot.values()) >= 8


def test_transfer_to_the_united_states(iot):
    _, statements = iot["foscam"]
    to_us = [s for s in statements if s.action in {"transfer", "store"} and any(j.code == "US" for j in s.jurisdictions)]
    assert to_us and all(s.modality != "will-not" for s in to_us)


def test_named_analytics_provider_receives_data(iot):
    _, statements = iot["eufy"]
    google = [s for s in statements if any("google" in p.label.lower() for p in [s.actor, *s.recipients])]
    assert google and all(s.modality != "will-not" for s in google)


@pytest.mark.parametrize("vendor", ["tuya", "wyze", "foscam", "danale"])
def test_we_do_not_sell(iot, vendor):
    _, statements = iot[vendor]
    sells = [s for s in statements if s.action == "sell"]
    assert sells and any(s.modality == "will-not" for s in sells)


def test_retention_in_days_for_recorded_video(iot):
    _, statements = iot["danale"]
    kept = [s for s in statements if s.retention and s.retention.endswith("D")]
    assert kept and any("video" in d.label for s in kept for d in s.data)


def test_opp115_policies_all_extract_with_exact_offsets(corpus_dir, extractor):
    lex = extractor.lex
    total_flows = 0
    for path in sorted((corpus_dir / "opp115").glob("*.html")):
        doc = read(path)
        statements = extractor.extract(doc)
        for st in statements:
            for ev in st.all_evidence:
                assert doc.text[ev.start:ev.end] == ev.text, path.name
        total_flows += len(derive_flows(doc.policy, statements, lex))
    assert total_flows > 1000
