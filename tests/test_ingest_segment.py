"""The splitter and heading rules on single sentences taken from real policies (edge cases by name)."""
from __future__ import annotations

import pytest

from policyflows.ingest import read_string
from policyflows.ingest.blocks import HEADING
from policyflows.ingest.headings import split_paragraph
from policyflows.ingest.sentences import split


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split(text)]


@pytest.mark.parametrize("text", [
    "We may collect data (e.g. your IP address, i.e. the number of your device) when you visit.",
    "Acme Technology Co., Ltd. (“Acme”) and its affiliates collect data.",
    "Our offices are in the U.S. and in Europe, at No. 5 High Street.",
    "Version 2.5 of the app reads 3.14 MB of logs.",
    "Write to privacy@example.com or visit https://www.example.com/Privacy.html?lang=En for more.",
])
def test_no_false_ends(text):
    assert _sentences(text) == [text]


@pytest.mark.parametrize("text, expected", [
    ("We collect your name. We use it to reply.", ["We collect your name.", "We use it to reply."]),
    ("We keep logs for 7 days, etc. We delete them after.", ["We keep logs for 7 days, etc.", "We delete them after."]),
    ("It is provided by Acme Inc. We are not liable.", ["It is provided by Acme Inc.", "We are not liable."]),
    ("The User shall not commit the following acts: 4.1.1. Delete any copyright information; 4.1.2. Perform reverse engineering.",
     ["The User shall not commit the following acts:", "4.1.1. Delete any copyright information;", "4.1.2. Perform reverse engineering."]),
    ("1.1. This Agreement binds you. 1.2. The Software is licensed.", ["1.1. This Agreement binds you.", "1.2. The Software is licensed."]),
    ("stated in this Privacy Policy.We may use your data.", ["stated in this Privacy Policy.", "We may use your data."]),
    ("Is it sold? No. Never!", ["Is it sold?", "No. Never!"]),
    ("We collect: 1). Contact information. 2). Device data.", ["We collect: 1). Contact information.", "2). Device data."]),
    ("Our servers are in the U.S. We also use the U.S. Postal Service.",
     ["Our servers are in the U.S.", "We also use the U.S. Postal Service."]),
])
def test_splits(text, expected):
    assert _sentences(text) == expected


@pytest.mark.parametrize("text, heading", [
    ("WITH WHOM WE SHARE YOUR INFORMATION We do not sell any personal information.", "WITH WHOM WE SHARE YOUR INFORMATION"),
    ("Done. DIRECT MARKETING We may use your name.", "DIRECT MARKETING"),
    ("WHAT DO WE USE IT? TYPES OF DATA COLLECTED In order to help.", "WHAT DO WE USE IT?"),
    ("Done. Acme’s SECURITY MEASURES We protect data.", "Acme’s SECURITY MEASURES"),
    ("SECURITY SAFEGUARDS Acme’s SECURITY MEASURES We protect data.", "Acme’s SECURITY MEASURES"),
    ("Done. 5. Governing Law 5.1. The laws of Singapore apply.", "5. Governing Law"),
])
def test_run_in_headings(text, heading):
    blocks = split_paragraph(text)
    assert heading in [b.text for b in blocks if b.kind == HEADING]
    assert all(heading not in b.text for b in blocks if b.kind != HEADING)


@pytest.mark.parametrize("text", [
    "GDPR applies to residents of the EU.",
    "IP addresses are collected by our servers.",
    "We use your IP ADDRESS to locate you.",
    "YOUR PRIVACY IS IMPORTANT TO US. PLEASE READ THIS POLICY CAREFULLY.",
    "THE SOFTWARE IS PROVIDED AS IS, WITHOUT WARRANTY OF ANY KIND. You use it at your own risk.",
])
def test_not_headings(text):
    assert all(b.kind != HEADING for b in split_paragraph(text))


def test_bullets_after_a_lead_in_stay_in_its_sentence():
    doc = read_string("INFORMATION WE COLLECT We collect: • your name • your e-mail address • your phone number. "
                      "We do not sell it.", "t")
    texts = [doc.sentence_text(i) for i in range(len(doc.sentences))]
    assert texts == ["We collect:\nyour name\nyour e-mail address\nyour phone number.", "We do not sell it."]
    assert doc.section_title(0) == "INFORMATION WE COLLECT"


def test_leaked_css_is_removed_but_text_around_it_stays():
    doc = read_string("Acme Privacy Policy .recentcomments a{display:inline !important;padding:0 !important;} "
                      "@media screen and (min-width: 46.25em) { .site-header { padding-top: 21px; } } "
                      "We collect your name.", "t")
    assert "{" not in doc.text and "padding" not in doc.text
    assert doc.sentence_text(len(doc.sentences) - 1) == "We collect your name."
