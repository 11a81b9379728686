"""The cue file is data: every cue's example must be read as its action, and bad cues are refused."""
from __future__ import annotations

import copy

import pytest
import yaml

from policyflows.extract.cues import CueError, load_cues, parse_cues
from policyflows.resources import ingest_dir

RAW = yaml.safe_load((ingest_dir() / "extraction-cues.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("cue", load_cues().actions, ids=lambda c: c.id)
def test_every_action_cue_matches_its_example(cue):
    assert cue.regex.search(cue.example), f"{cue.id}: its example does not match its pattern"


@pytest.mark.parametrize("cue", load_cues().actions, ids=lambda c: c.id)
def test_every_action_cue_example_is_extracted_as_its_action(cue):
    from policyflows.extract import extract
    from policyflows.ingest import read_string

    doc = read_string(cue.example, policy_id="example")
    actions = {st.action for st in extract(doc)}
    assert cue.action in actions, f"{cue.id}: {cue.example!r} gave {actions or 'nothing'}"


def _broken(mutate):
    raw = copy.deepcopy(RAW)
    mutate(raw)
    return raw


@pytest.mark.parametrize("mutate, message", [
    (lambda r: r.pop("negation"), "missing negation"),
    (lambda r: r.update(schema=2), "schema: 1"),
    (lambda r: r["actions"][0].update(action="gobble"), "unknown action 'gobble'"),
    (lambda r: r["actions"][0].update(pattern="(unclosed"), "bad pattern"),
    (lambda r: r["actions"][0].pop("example"), "'example' must be a non-empty string"),
])
def test_malformed_cues_are_refused_with_a_message_naming_the_entry(mutate, message):
    with pytest.raises(CueError, match=message.replace("(", r"\(")):
        parse_cues(_broken(mutate))


def test_prefilter_admits_every_sentence_an_action_cue_matches(hualai_path, seventymai_path, corpus_dir):
    """The cheap first look must never hide a practice verb from the extractor."""
    from policyflows.ingest import read

    cues = load_cues()
    docs = [read(hualai_path), read(seventymai_path)] + [read(p) for p in sorted((corpus_dir / "iot").glob("*.html"))]
    checked = 0
    for doc in docs:
        for i in range(len(doc.sentences)):
            text = doc.sentence_text(i)
            starts = {c.start() for c in cues.candidates(text)}
            for m in cues.any_action.finditer(text):
                checked += 1
                assert m.start() in starts, f"{m.group(0)!r} in {text[:80]!r}"
    for cue in cues.actions:
        m = cue.regex.search(cue.example)
        assert m.start() in {c.start() for c in cues.candidates(cue.example)}, cue.id
    assert checked > 500
