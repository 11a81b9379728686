"""The practice model (ingest/models/practice.json): it is what training/train_practice_model.py makes, and
what it changes in extraction stays within its bounds (cites sentence and words, never reads a negation
as a practice, leaves ruled-out statements and statements with places or periods alone)."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, REPO, SHARED
from policyflows.extract import Extractor
from policyflows.extract.practice_model import PracticeModel, load_model, model_path, practice_of
from policyflows.ingest import read
from policyflows.ontology import Lexicon

LEX = Lexicon.load()
MODEL_RULE = re.compile(r"^model:practice@\w+$")
ANNOTATED = sorted((SHARED / "eval" / "opp115-annotations").glob("*.csv"))


@pytest.fixture(scope="module")
def committed() -> dict:
    return json.loads(model_path().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def read_policies(hualai_path, seventymai_path):
    """The seeds, the IoT pages and 20 OPP-115 policies, read with and without the model."""
    paths = [hualai_path, seventymai_path, *sorted((CORPUS / "iot").glob("*.html")),
             *sorted((CORPUS / "opp115").glob("*.html"))[:20]]
    full, rules = Extractor(LEX), Extractor(LEX, disable=("model",))
    out = []
    for path in paths:
        doc = read(path)
        out.append((doc, full.extract(doc), rules.extract(doc)))
    return out


def test_the_committed_model_loads_with_two_practices_and_bounded_thresholds(committed):
    model = load_model()
    assert model is not None and MODEL_RULE.match(model.rule)
    assert set(model.weights) == {"collect", "share"} and all(len(w) > 500 for w in model.weights.values())
    for practice, t in model.threshold.items():
        assert 0.0 < t["keep"] <= 0.5 <= t["add"] < 1.0, (practice, t)  # it drops only what it finds unlikely
    assert committed["training"]["sources_sha256"] and committed["training"]["candidates"] > 5000
    assert all(iri.startswith("https://w3id.org/policyflows/ns#") for iri in model.categories)


def test_the_committed_model_is_what_the_training_script_makes_today(tmp_path, committed):
    """Retrains from the pipeline of this checkout and the annotations: a rule, lexicon or data change that
    was not followed by `training/train_practice_model.py` shows here (about 30 s)."""
    if not ANNOTATED:
        pytest.skip("../shared/eval is not beside the checkout")
    sys.path.insert(0, str(REPO / "training"))
    try:
        import train_practice_model as train
    finally:
        sys.path.pop(0)
    out = tmp_path / "practice.json"
    assert train.main(["--no-cv", "--out", str(out)]) == 0
    made = json.loads(out.read_text(encoding="utf-8"))
    hint = "the model is stale: run .venv/bin/python training/train_practice_model.py --transfer"
    assert made["training"] == committed["training"], hint
    assert made["threshold"] == committed["threshold"] and made["categories"] == committed["categories"], hint
    for practice in ("collect", "share"):
        a, b = made["weights"][practice], committed["weights"][practice]
        assert len(set(a) ^ set(b)) <= 0.002 * len(b), hint  # features at the 5e-4 cut may differ in the last bit
        assert all(abs(a[f] - b[f]) <= 2e-3 for f in set(a) & set(b)), hint


def test_its_scores_were_cross_validated_by_policy_and_beat_the_rules(committed):
    """The figures the training script wrote: 5 folds by policy / 40-paragraph file, each fold read by a model
    trained without it. Floors a little under what was measured (docs/extraction.md)."""
    cv, rules = committed["scores"]["cv"], committed["scores"]["rules_only"]
    assert cv["collect"][2] >= 0.692 and cv["collect"][0] >= 0.725  # measured P .726 R .676 F1 .700 (rules .666)
    # app350 precision was .751 before an earlier stop's rules, which gave 2.1 points of recall for 1.2 of it
    assert cv["app350"][2] >= 0.635 and cv["app350"][0] >= 0.75  # measured P .752 R .554 F1 .638 (rules .571)
    assert cv["share"][2] >= 0.595 and cv["share"][0] >= 0.745  # measured P .748 R .499 F1 .599 (rules .604)
    assert cv["share"][0] >= rules["share"][0]  # sharing: more precise than the rules, about as complete
    assert cv["collect"][2] > rules["collect"][2] and cv["app350"][2] > rules["app350"][2]


def test_what_the_model_states_cites_its_sentence_and_the_words_of_the_data(read_policies):
    made = 0
    for doc, statements, _ in read_policies:
        for st in statements:
            if not (st.rule or "").startswith("model:"):
                continue
            made += 1
            assert MODEL_RULE.match(st.rule) and st.modality in ("will", "may")
            s = doc.sentences[st.evidence.sentence]
            assert (st.evidence.start, st.evidence.end) == (s.start, s.end) and st.evidence.text == doc.text[s.start:s.end]
            found = {(s.start + m.start, s.start + m.end, m.iri) for m in LEX.data_mentions(st.evidence.text)}
            for d in st.data:
                assert d.spans and all((a, b, d.iri) in found for a, b in d.spans), (doc.policy, d.label, st.evidence.text)
            if st.action == "share":
                assert st.recipients and all(r.kind not in ("first-party", "user") for r in st.recipients)
    assert made > 20


def test_no_negation_becomes_a_practice_and_ruled_out_statements_stay(read_policies):
    negation = re.compile(r"\b(?:not(?!\s+limited\s+to\b)|never|no|n't|neither|nor)\b", re.I)  # "is not limited to" negates nothing
    for doc, statements, rules in read_policies:
        will_not = lambda sts: sorted((s.evidence.start, s.action, tuple(d.iri for d in s.data)) for s in sts
                                      if s.modality == "will-not")
        assert will_not(statements) == will_not(rules), doc.policy
        for st in statements:
            if (st.rule or "").startswith("model:"):
                for d in st.data:
                    start = d.spans[0][0] - st.evidence.start
                    clause = re.split(r"[;.!?]\s|\s+but\s+|:\s", st.evidence.text[:start])[-1]
                    assert not negation.search(clause), (doc.policy, d.label, st.evidence.text)


def test_statements_with_places_or_periods_are_the_rules_own(read_policies):
    for doc, statements, rules in read_policies:
        kept = {(s.evidence.start, s.action, s.modality, tuple(d.iri for d in s.data)) for s in statements}
        for s in rules:
            if s.jurisdictions or s.retention:
                assert (s.evidence.start, s.action, s.modality, tuple(d.iri for d in s.data)) in kept, doc.policy


def test_the_model_keeps_drops_and_adds_on_website_policies(read_policies):
    """It changes what the rules read, both ways, and only the data of statements the annotations judge."""
    dropped = added = 0
    for doc, statements, rules in read_policies[-20:]:
        ours = {(s.evidence.start, s.action, s.modality, s.actor.label, d.iri) for s in statements for d in s.data}
        theirs = {(s.evidence.start, s.action, s.modality, s.actor.label, d.iri) for s in rules for d in s.data}
        dropped += len(theirs - ours)
        added += len(ours - theirs)
        for s in rules:
            if practice_of(s) is None:  # deletions and ruled-out statements are never the model's to change
                assert any(t.evidence.start == s.evidence.start and t.action == s.action and t.data == s.data
                           for t in statements), (doc.policy, s.action, s.evidence.text)
    assert dropped > 20 and added > 20, (dropped, added)


def test_disabling_the_model_gives_the_rules_alone(hualai_path):
    doc = read(hualai_path)
    off = Extractor(LEX, disable=("model",)).extract(doc)
    bare = Extractor(LEX, practice_model=PracticeModel(version="none", weights={"collect": {}, "share": {}},
                                                       bias={"collect": 0.0, "share": 0.0}, threshold={},
                                                       categories=frozenset())).extract(doc)
    assert [s.to_json() for s in off] == [s.to_json() for s in bare]
    assert not any((s.rule or "").startswith("model:") for s in off)
