"""Single sentences phrased as policies phrase them: each rule's effect, one at a time.

The seed and corpus tests check whole real policies; these pin down one rule each, so a change to
the cues that breaks one shows which.
"""
from __future__ import annotations

import pytest

from policyflows.extract import Extractor, extract
from policyflows.ingest import read_string

RULES = Extractor(disable=("model",))  # the rules alone: what each test pins down is a rule's reading


def statements(text):
    return extract(read_string(text, policy_id="example"))


@pytest.mark.parametrize("text, action, modality, data, recipient_kind, places, retention", [
    ("We store your personal information on servers located in Singapore and the United States.",
     "store", "will", "personal information", "first-party", {"SG", "US"}, None),
    ("Your personal data will be retained for 30 days after you delete your account.",
     "retain", "will", "personal information", "first-party", set(), "P30D"),
    ("We do not share your video recordings with any third party.",
     "share", "will-not", "video", "third-party", set(), None),
    ("The recorded video clips are uploaded to Amazon Web Services (AWS) servers in Germany.",
     "store", "will", "video", "service-provider", {"DE"}, None),
    ("Cleaning maps are stored on our servers for up to 180 days.",
     "store", "will", "cleaning map", "first-party", set(), "P180D"),
    ("Your location data will not be sold to advertisers.",
     "sell", "will-not", "location", "advertiser", set(), None),
    ("We will share your personal information with law enforcement agencies if required by law.",
     "share", "will", "personal information", "authority", set(), None),
    ("Audio is processed locally on the device and is never uploaded to the cloud.",
     "store", "will-not", "audio", "first-party", set(), None),
])
def test_one_sentence_one_practice(text, action, modality, data, recipient_kind, places, retention):
    found = [s for s in statements(text) if s.action == action]
    assert found, [(s.action, s.modality) for s in statements(text)]
    st = found[0]
    assert st.modality == modality
    assert data in {d.label for d in st.data}
    assert recipient_kind in {r.kind for r in st.recipients}
    assert {j.code for j in st.jurisdictions} == places
    assert st.retention == retention


def test_a_host_named_after_our_is_the_company_itself():
    st = [s for s in statements("We may transfer to and store your personal information at our overseas facilities.")
          if s.action == "store"][0]
    assert [r.kind for r in st.recipients] == ["first-party"]


@pytest.mark.parametrize("text", [
    "We may share anonymized information and statistics in aggregate form with advertisers.",
    "In this policy, personal information means information that can be used to identify you.",
    "You can delete the videos through the app.",
    "We do not link the information we store to any personal information you submit.",
    "We sell children's products for purchase by adults.",
])
def test_sentences_that_state_no_practice_on_personal_data(text):
    positive = [s for s in statements(text) if s.modality != "will-not"]
    assert positive == [], [(s.action, [d.label for d in s.data]) for s in positive]


def test_they_points_back_at_a_party_named_in_a_sentence_that_states_no_practice():
    """"Advertisers serve ads on our site. They receive your IP address": the advertisers receive it,
    though the first sentence states no practice; with no party named before, "they" is nobody we can place."""
    named = RULES.extract(read_string(
        "Third-party advertisers serve ads on our website. They automatically receive your IP address "
        "when this happens.", policy_id="example"))
    ip = [s for s in named if any(d.label == "IP address" for d in s.data)]
    assert ip and {s.actor.kind for s in ip} == {"advertiser"}
    unnamed = RULES.extract(read_string(
        "Our website shows advertisements. They automatically receive your IP address when this happens.",
        policy_id="example"))
    assert not [s for s in unnamed if s.actor.kind == "first-party" and any(d.label == "IP address" for d in s.data)]


def test_a_relative_clause_after_a_party_is_that_partys_practice():
    """"companies that collect …": "that" after a plural noun opens a relative clause (it is no determiner,
    as in "that collection"), and its verb is the companies' practice even after "work with"."""
    found = RULES.extract(read_string(
        "We work with analytics companies that collect usage data and your IP address on our behalf.",
        policy_id="example"))
    assert {(s.action, s.actor.kind) for s in found} == {("collect", "service-provider")}
    assert {d.label for s in found for d in s.data} >= {"IP address"}
