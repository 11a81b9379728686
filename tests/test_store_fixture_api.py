"""FlowStore on a small store in the shape of ontology/core.ttl whose sentences are real sentences
of the seed policies (tests/test_store_fixture.trig): the where-json shape, subcategories,
overrides, evidence, policies, SPARQL, export."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyflows.errors import PolicyflowsError
from policyflows.store import FlowStore

FIXTURE = Path(__file__).with_name("test_store_fixture.trig")
PF = "https://w3id.org/policyflows/ns#"
DPV = "https://w3id.org/dpv#"
HUALAI_ID = "hualai-xiaofang-smart-camera"
SEVENTY_ID = "70mai-dash-cam"


@pytest.fixture(scope="module")
def store():
    s = FlowStore.open(None)
    s.load(FIXTURE)
    return s


@pytest.fixture(scope="module")
def raw_texts(hualai_path, seventymai_path):
    return {HUALAI_ID: hualai_path.read_text(encoding="utf-8"), SEVENTY_ID: seventymai_path.read_text(encoding="utf-8")}


def test_where_answer_has_the_spec_fields(store):
    answer = store.where(PF + "Video")
    assert set(answer) == {"schema", "term", "matched", "flows"}
    assert answer["schema"] == 1 and answer["term"] == PF + "Video"
    assert [m["iri"] for m in answer["matched"]] == [PF + "Video"]
    for flow in answer["flows"]:
        assert {"policy", "data", "action", "recipient", "jurisdiction", "purposes", "modality", "conditions",
                "retention", "stated", "via", "evidence"} <= set(flow)
        assert all(set(e) == {"text", "start", "end", "words"} for e in flow["evidence"])
        assert set(flow["data"]) == {"iri", "label"}
        assert flow["recipient"] is None or set(flow["recipient"]) == {"iri", "label", "kind"}
        assert flow["jurisdiction"] is None or set(flow["jurisdiction"]) == {"iri", "label", "code"}
    json.dumps(answer)


def test_a_category_includes_everything_beneath_it(store):
    data = {f["data"]["label"] for f in store.flows(PF + "Video")}
    assert data == {"cloud-cached video", "real-time video"}
    assert {f["data"]["label"] for f in store.flows(PF + "CloudCachedVideo")} == {"cloud-cached video"}


def test_one_row_per_data_action_recipient_jurisdiction(store):
    stored = [f for f in store.flows(PF + "CloudCachedVideo") if f["action"] == "store"]
    assert sorted(f["jurisdiction"]["code"] for f in stored) == ["CN-BJ", "US"]
    beijing = next(f for f in stored if f["jurisdiction"]["code"] == "CN-BJ")
    assert beijing["jurisdiction"]["label"] == "Beijing"
    assert beijing["recipient"] == {"iri": "https://w3id.org/policyflows/policy/hualai-xiaofang-smart-camera/party/first-party/hualai",
                                    "label": "Hualai", "kind": "first-party"}
    assert beijing["retention"] == "P7D"
    assert beijing["purposes"] == [{"iri": PF + "MotionDetectionAlarm", "label": "motion-detection alarm"}]
    assert beijing["conditions"] == ["home surveillance is enabled"]
    assert beijing["stated"] is False and beijing["via"] == ["personal information"]


def test_evidence_is_verbatim_and_sorted_by_offset(store, raw_texts):
    flows = store.flows()
    assert flows
    for flow in flows:
        starts = [e["start"] for e in flow["evidence"]]
        assert starts == sorted(starts)
        for ev in flow["evidence"]:
            assert raw_texts[flow["policy"]][ev["start"]:ev["end"]] == ev["text"]
    shared = next(f for f in flows if f["data"]["label"] == "cloud-cached video" and f["action"] == "share")
    assert [e["start"] for e in shared["evidence"]] == [3808, 9583]  # stored in the other order


def test_overridden_flows_are_left_out_but_will_not_stays(store):
    location = store.flows(PF + "GeoLocation")
    assert [(f["action"], f["modality"]) for f in location] == [("share", "will-not")]
    assert "overridden" not in json.dumps(location)


def test_will_not_rows_are_kept_with_their_sentence(store):
    realtime = store.flows(PF + "RealTimeVideo")
    assert [(f["action"], f["modality"], f["stated"]) for f in realtime] == [("store", "will-not", True)]
    assert "will not be saved on the server" in realtime[0]["evidence"][0]["text"]


def test_policy_filter_is_repeatable(store):
    everything = store.flows()
    assert {f["policy"] for f in everything} == {HUALAI_ID, SEVENTY_ID}
    assert {f["policy"] for f in store.flows(policies=[SEVENTY_ID])} == {SEVENTY_ID}
    assert len(store.flows(policies=[SEVENTY_ID, HUALAI_ID])) == len(everything)
    assert store.flows(policies=["no-such-policy"]) == []


def test_a_category_with_nothing_flowing_gives_no_flows(store):
    assert store.where(PF + "MotionDetectionAlarm")["flows"] == []


def test_policies_records(store):
    records = {p["id"]: p for p in store.policies()}
    assert set(records) == {HUALAI_ID, SEVENTY_ID}
    h = records[HUALAI_ID]
    assert h["controller"] == "Hualai" and h["updated"] == "2019-09-23"
    assert h["contacts"] == ["service@hualaikeji.com"]
    assert h["source"] == {"path": "../shared/policies/hualai-xiaofang-smart-camera.txt", "sha256": "0000"}
    # six flows that answer (the overridden one is not counted): three stated, three inferred
    assert h["counts"] == {"statements": 6, "flows": 6, "stated": 3, "inferred": 3}
    assert set(h["jurisdictions"]) == {"CN-BJ", "US"}
    assert records[SEVENTY_ID]["jurisdictions"] == ["SG"]


def test_sparql_select_ask_construct_over_the_union_of_graphs(store):
    result = store.sparql("PREFIX dpv: <%s> SELECT (COUNT(?f) AS ?n) WHERE { ?f a dpv:PersonalDataHandling }" % DPV)
    assert result.columns == ["n"] and result.rows == [{"n": 10}]
    assert store.sparql("PREFIX pf: <%s> ASK { ?f a pf:OverriddenFlow ; pf:overriddenBy ?s }" % PF) is True
    triples = store.sparql("PREFIX dpv: <%s> CONSTRUCT { ?f dpv:hasPersonalData ?d } "
                           "WHERE { ?f a dpv:PersonalDataHandling ; dpv:hasPersonalData ?d }" % DPV)
    assert len(triples) == 10


def test_sparql_refuses_updates_and_service(store):
    with pytest.raises(PolicyflowsError, match="syntax"):
        store.sparql("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(PolicyflowsError, match="SERVICE"):
        store.sparql("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    with pytest.raises(PolicyflowsError, match="SERVICE"):  # keywords are case-blind
        store.sparql("select * where { Service <http://example.org/sparql> { ?s ?p ?o } }")
    # the word inside a string, an IRI or a comment is not the keyword
    assert store.sparql('SELECT ?x WHERE { BIND("service" AS ?x) } # a SERVICE-free query').rows == [{"x": "service"}]
    assert store.sparql("ASK { ?s <urn:service> ?o }") is False


def test_sparql_rows_are_plain_python_values(store):
    row = store.sparql('SELECT ?i ?b ?d ?f ?s ?l ?iri ?none WHERE { BIND(3 AS ?i) BIND(false AS ?b) '
                       'BIND(2.5 AS ?d) BIND("1e3"^^<http://www.w3.org/2001/XMLSchema#double> AS ?f) '
                       'BIND("7" AS ?s) BIND("video"@en AS ?l) BIND(<urn:x> AS ?iri) }').rows[0]
    assert row == {"i": 3, "b": False, "d": 2.5, "f": 1000.0, "s": "7", "l": "video", "iri": "urn:x", "none": None}
    assert type(row["i"]) is int and type(row["b"]) is bool and type(row["s"]) is str


def test_export_round_trips(store):
    for fmt in ("nquads", "trig", "jsonld"):
        copy = FlowStore.open(None)
        copy.load(store.export(format=fmt, policies=[HUALAI_ID]), format=fmt)
        assert copy.policy_ids() == [HUALAI_ID]
    turtle = store.export(format="turtle", policies=[SEVENTY_ID]).decode()
    assert "70mai Privacy Policy" in turtle and "Hualai" not in turtle
    with pytest.raises(PolicyflowsError, match="no policy"):
        store.export(format="nquads", policies=["nope"])


def test_export_whole_store_includes_the_ontology(store):
    nquads = store.export(format="nquads").decode()
    assert "<https://w3id.org/policyflows/ontology> ." in nquads
