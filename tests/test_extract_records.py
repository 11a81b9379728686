"""The reading rules are records (ingest/rules/*.yaml): every example is read as its record says,
the sentences a not-practice rule guards yield no practice, and malformed records are refused."""
from __future__ import annotations

import copy

import pytest

from policyflows.extract import Extractor
from policyflows.extract.components import NAMES
from policyflows.extract.cues import load_cues, parse_cues
from policyflows.extract.rules import RuleError, read_files
from policyflows.ingest import read_string

RAW = read_files()
CUES = load_cues()
# The records are the rules: their examples are read by the rules alone (the practice model, trained on
# annotations, is tested in tests/test_extract_model.py).
EXTRACTOR = Extractor(disable=("model",))


def statements(text, extractor=EXTRACTOR):
    return extractor.extract(read_string(text, policy_id="example"))


def _examples(kind):
    return list(_iter_examples(kind))


def _iter_examples(kind):
    for rec in RAW[kind]["records"]:
        for ex in rec.get("examples", ()):
            yield pytest.param(rec, ex, id=f"{rec['id']}: {(ex if isinstance(ex, str) else ex['text'])[:40]}")


def _positive(found):
    return [s for s in found if s.modality != "will-not"]


def _matches(st, yields) -> bool:
    checks = {
        "action": lambda v: st.action == v,
        "modality": lambda v: st.modality == v,
        "data": lambda v: v in {d.label for d in st.data},
        "not_data": lambda v: v not in {d.label for d in st.data},
        "recipient": lambda v: v in {r.kind for r in st.recipients},
        "purpose": lambda v: any(v in p.label for p in st.purposes),
        "no_purpose": lambda v: not st.purposes,
        "condition": lambda v: any(v in c.lower() for c in st.conditions),
        "retention": lambda v: st.retention == v,
        "place": lambda v: v in {j.code for j in st.jurisdictions},
        "inherited": lambda v: bool(getattr(st, "inherited_from", None)),
    }
    return all(checks[k](v) for k, v in yields.items())


@pytest.mark.parametrize("rec, example", _examples("practices"))
def test_every_practice_record_example_is_read_as_its_action(rec, example):
    text = example if isinstance(example, str) else example["text"]
    found = statements(text)
    assert rec["action"] in {s.action for s in found}, f"{rec['id']}: {text!r} gave {[(s.action, s.modality) for s in found]}"
    if isinstance(example, dict) and "yields" in example:
        assert any(_matches(s, example["yields"]) for s in found)


@pytest.mark.parametrize("rec", [r for r in RAW["practices"]["records"] if r.get("not_on")], ids=lambda r: r["id"])
def test_practice_records_do_not_fire_where_they_must_not(rec):
    for text in rec["not_on"]:
        assert rec["action"] not in {s.action for s in _positive(statements(text))}, (rec["id"], text)


@pytest.mark.parametrize("rec, example", _examples("context"))
def test_every_context_record_example_yields_what_it_says(rec, example):
    text = example if isinstance(example, str) else example["text"]
    if isinstance(example, dict) and "yields" in example:
        found = statements(text)
        assert any(_matches(s, example["yields"]) for s in found), \
            f"{rec['id']}: {text!r} gave {[(s.action, s.modality, [d.label for d in s.data], s.conditions, [p.label for p in s.purposes]) for s in found]}"
    else:  # a bare example: the record's pattern matches it
        pattern = getattr(CUES, {"purpose-lead-in": "purpose_lead_in", "continuation": "continuation",
                                 "reference": "reference", "prefilter": "prefilter"}.get(rec["id"], ""), None)
        by_action = dict(CUES.headings if rec["component"] == "headings" else CUES.section_actions)
        pattern = pattern or by_action.get(rec.get("action"))
        assert pattern is not None and pattern.search(text.lower() if rec["id"] == "prefilter" else text), rec["id"]


@pytest.mark.parametrize("rec", RAW["not-practice"]["records"], ids=lambda r: r["id"])
def test_not_practice_records_keep_their_sentences_from_being_practices(rec):
    for text in rec["no_practice"]:
        found = _positive(statements(text))
        assert found == [], (rec["id"], text, [(s.action, [d.label for d in s.data]) for s in found])
    for text in rec.get("still_practice", ()):
        assert _positive(statements(text)), (rec["id"], "no practice read in", text)


@pytest.mark.parametrize("rec", RAW["not-practice"]["records"], ids=lambda r: r["id"])
def test_not_practice_records_are_what_keeps_them_out(rec):
    """With the record's component off, at least one of its guarded sentences reads as a practice."""
    off = Extractor(disable=[rec["component"], "model"])
    assert any(_positive(statements(text, off)) for text in rec["no_practice"]), rec["id"]


def _broken(kind, mutate):
    raw = copy.deepcopy(RAW)
    mutate(raw[kind])
    return raw


def _rec(raw, rid):
    return next(r for r in raw["records"] if r["id"] == rid)


@pytest.mark.parametrize("kind, mutate, message", [
    ("practices", lambda r: _rec(r, "collect").update(action="gobble"), r"record 'collect': action: 'gobble' is not one of"),
    ("practices", lambda r: _rec(r, "collect").pop("examples"), r"record 'collect': 'examples' is missing"),
    ("practices", lambda r: _rec(r, "collect").update(examples=[]), r"record 'collect': examples: \[\] should be non-empty"),
    ("practices", lambda r: _rec(r, "collect").update(phrases=["(unclosed"]), r"record 'collect': phrases\[0\]: bad pattern"),
    ("practices", lambda r: _rec(r, "collect").update(verbs=["gobble"]), r"record 'collect': unknown verb class 'gobble'"),
    ("practices", lambda r: [_rec(r, "sell").pop("phrases")], r"record 'sell'"),  # neither verbs nor phrases
    ("practices", lambda r: _rec(r, "use").update(id="collect"), r"record 'collect': id already used"),
    ("practices", lambda r: _rec(r, "use").update(colour="red"), r"record 'use': unknown field \('colour' was unexpected\)"),
    ("practices", lambda r: r.update(schema=2), r"practices.yaml: schema: 1 was expected"),
    ("context", lambda r: _rec(r, "negation").update(pattern="(unclosed"), r"record 'negation': pattern: bad pattern"),
    ("context", lambda r: _rec(r, "negation").update(window_words=0), r"record 'negation': window_words: 0 is less than"),
    ("context", lambda r: _rec(r, "may").update(examples=[{"text": "We may share it.", "yields": {"modality": "perhaps"}}]),
     r"record 'may': examples.0"),
    ("context", lambda r: r["records"].remove(_rec(r, "negation")), r"missing: 'negation'"),
    ("not-practice", lambda r: _rec(r, "kept-safe").update(pattern="Private"), r"record 'kept-safe': a after pattern is written in lower case"),
    ("not-practice", lambda r: _rec(r, "right-to").pop("no_practice"), r"record 'right-to': 'no_practice' is missing"),
    ("verbs", lambda r: r["classes"].update(collect=["Collect!"]), r"verbs.yaml: class 'collect'"),
])
def test_malformed_records_are_refused_naming_the_record_and_the_reason(kind, mutate, message):
    with pytest.raises(RuleError, match=message):
        parse_cues(_broken(kind, mutate))


def test_prefilter_admits_every_sentence_an_action_rule_matches(hualai_path, seventymai_path, corpus_dir):
    """The cheap first look must never hide a practice verb from the extractor."""
    from policyflows.ingest import read

    docs = [read(hualai_path), read(seventymai_path)] + [read(p) for p in sorted((corpus_dir / "iot").glob("*.html"))]
    checked = 0
    for doc in docs:
        for i in range(len(doc.sentences)):
            text = doc.sentence_text(i)
            starts = {c.start() for c in CUES.candidates(text)}
            for m in CUES.any_action.finditer(text):
                checked += 1
                assert m.start() in starts, f"{m.group(0)!r} in {text[:80]!r}"
    for cue in CUES.actions:
        for ex in cue.examples:
            text = ex if isinstance(ex, str) else ex["text"]
            m = cue.regex.search(text)
            assert m and m.start() in {c.start() for c in CUES.candidates(text)}, cue.id
    assert checked > 500


def test_every_component_can_be_switched_off_and_changes_something(hualai_path, seventymai_path):
    from policyflows.ingest import read

    docs = [read(hualai_path), read(seventymai_path)]
    full = Extractor()
    base = [[s.to_json() for s in full.extract(d)] for d in docs]
    unchanged = []
    for name in NAMES:
        off = Extractor(disable=[name])
        if [[s.to_json() for s in off.extract(d)] for d in docs] == base:
            unchanged.append(name)
    # the seeds do not exercise every component; those that change nothing here must be few
    assert len(unchanged) <= len(NAMES) // 3, unchanged


def test_every_record_names_a_component_that_exists():
    for kind in ("context", "not-practice"):
        for rec in RAW[kind]["records"]:
            assert rec["component"] in (*NAMES, "engine"), (kind, rec["id"], rec["component"])


def test_an_unknown_component_is_refused_with_the_names():
    from policyflows.extract.extractor import UnknownComponentError

    with pytest.raises(UnknownComponentError, match="modality"):
        Extractor(disable=["modalityy"])
