"""Reading the two seed policies: cleaning, headings, metadata and sentence offsets."""
from __future__ import annotations

import re

import pytest
import yaml

from conftest import GOLD, HUALAI, SEVENTY_MAI
from policyflows.ingest import read

CSS_TRACES = re.compile(r"[{}]|!important|display\s*:|padding-top|@media|min-height")
MOJIBAKE = re.compile(r"[âÂ]|Ã.|â€|\u00a0|\ufffd")


@pytest.fixture(scope="module")
def seventymai():
    return read(SEVENTY_MAI)


@pytest.fixture(scope="module")
def hualai():
    return read(HUALAI)


@pytest.fixture(scope="module")
def gold():
    return yaml.safe_load(GOLD.read_text(encoding="utf-8"))["policies"]


def test_70mai_text_has_no_css_and_no_mojibake(seventymai):
    assert not CSS_TRACES.search(seventymai.text), CSS_TRACES.search(seventymai.text)
    assert not MOJIBAKE.search(seventymai.text), MOJIBAKE.search(seventymai.text)
    assert "70mai’s liability" in seventymai.text  # the apostrophe mojibake repaired, not deleted


@pytest.mark.parametrize("which, headings", [
    ("hualai", ["OUR COMMITMENT TO YOU", "HOW THE PERSONAL INFORMATION IS USED", "DIRECT MARKETING",
                "WITH WHOM WE SHARE YOUR INFORMATION", "SHARING WITH OTHERS", "INFORMATION NOT REQUIRING CONSENT",
                "RETENTION POLICY", "WITHDRAWAL OF CONSENT",
                "TRANSFER OF PERSONAL INFORMATION OUTSIDE OF YOUR JURISDICTION", "CONTACT US"]),
    ("seventymai", ["1. General Provisions", "9. Applicable Law and Dispute Resolution", "OUR COMMITMENT TO YOU",
                    "WHO DO WE SHARE YOUR INFORMATION WITH?", "TYPES OF INFORMATION COLLECTED", "DIRECT MARKETING",
                    "RETENTION POLICY", "APPLICABLE LAW", "SINGLE SIGN-ON", "CONTACT US",
                    "70mai’s SECURITY MEASURES"]),
])
def test_seed_sections_are_the_real_headings(which, headings, request):
    doc = request.getfixturevalue(which)
    titles = [s.title for s in doc.sections]
    assert len(titles) >= 8
    missing = [h for h in headings if h not in titles]
    assert not missing, f"missing headings {missing} in {titles}"


def test_run_in_heading_is_cut_from_its_sentence(hualai):
    index = next(i for i, s in enumerate(hualai.sentences) if hualai.sentence_text(i).startswith("We do not sell"))
    assert hualai.section_title(index) == "WITH WHOM WE SHARE YOUR INFORMATION"
    assert "WITH WHOM" not in hualai.sentence_text(index)


@pytest.mark.parametrize("which", ["hualai", "seventymai"])
def test_metadata_matches_gold(which, gold, request):
    doc = request.getfixturevalue(which)
    expected = gold[doc.policy]
    assert expected["controller"].lower() in (doc.metadata.controller or "").lower()
    assert expected["controller"].lower() in [a.lower() for a in doc.metadata.controller_aliases]
    assert doc.metadata.updated == expected["updated"]
    assert expected["contact"] in doc.metadata.contacts
    assert len(doc.metadata.contacts) == len({c.lower() for c in doc.metadata.contacts})


def test_70mai_prefers_the_privacy_policy_date_and_law(seventymai):
    assert seventymai.metadata.controller == "70mai Technology (Shanghai) Co., Ltd."
    pytest.importorskip("policyflows.ontology")
    assert seventymai.metadata.governing_law == ["SG"]


@pytest.mark.parametrize("which", ["hualai", "seventymai"])
def test_every_sentence_offset_slices_its_text(which, request):
    doc = request.getfixturevalue(which)
    assert doc.sentences
    previous_end = 0
    for i, s in enumerate(doc.sentences):
        piece = doc.text[s.start:s.end]
        assert piece and piece == piece.strip() and piece == doc.sentence_text(i)
        assert s.start >= previous_end
        previous_end = s.end
        if s.section is not None:
            section = doc.sections[s.section]
            assert section.start <= s.start and s.end <= section.end, (piece, section)
    for a, b in zip(doc.sections, doc.sections[1:]):
        assert a.start < a.end <= b.start
        assert doc.text[a.start:a.start + len(a.title)] == a.title


def test_enumerations_and_definitions_stay_whole(hualai):
    texts = [hualai.sentence_text(i) for i in range(len(hualai.sentences))]
    enumeration = next(t for t in texts if "device status (On/Off)" in t)
    assert enumeration.startswith("For example, your device's hardware") and enumeration.endswith("device version.")
    definition = next(t for t in texts if "Cloud cached video:" in t)
    assert definition.startswith("Cloud cached video: when") and definition.endswith("when motion detect.")


def test_clause_numbers_open_sentences_and_notices_are_not_sentences(seventymai):
    texts = [seventymai.sentence_text(i) for i in range(len(seventymai.sentences))]
    assert any(t.startswith("4.2.3.1. ") for t in texts)
    assert any(t.startswith("4.1.2. Perform reverse engineering") for t in texts)
    assert not any(t.strip("[]") == "Important Notice" for t in texts)
    assert "Important Notice" in [s.title for s in seventymai.sections]


def test_abbreviations_do_not_end_sentences(hualai):
    texts = [hualai.sentence_text(i) for i in range(len(hualai.sentences))]
    assert any("(e.g. General Data Protection Regulation in Europe Union)" in t for t in texts)
    assert not any(t.endswith(("e.g.", "i.e.", "Co.")) for t in texts)
