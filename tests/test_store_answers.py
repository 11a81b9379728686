"""The precomputed `where` rows (policyflows/answers.py): equal to what queries/flows.rq assembles in
SPARQL from the same graphs, on the real seed policies and on the fixture; redone when a graph or
the labels change; spliced into the JSON answer without changing it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from policyflows import answers
from policyflows.answers import local_name
from policyflows.store import FlowStore

FIXTURE = Path(__file__).with_name("test_store_fixture.trig")
PF = "https://w3id.org/policyflows/ns#"
HUALAI_ID = "hualai-xiaofang-smart-camera"
HUALAI_GRAPH = "https://w3id.org/policyflows/policy/" + HUALAI_ID


@pytest.fixture(scope="module")
def built(policies_dir):
    store = FlowStore.open(None)
    report = store.build([policies_dir], progress=False)
    assert len(report.built) == 2 and not report.failed
    return store


@pytest.fixture()
def fixture_store():
    store = FlowStore.open(None)
    store.load(FIXTURE)
    return store


def sparql_flows(store: FlowStore, **params) -> list[dict]:
    """flows.rq's columns put into the where-json shape: the second, independent way to the rows."""
    out = []
    for row in store.query("flows", **params):
        recipient = jurisdiction = None
        if row["recipient"]:
            recipient = {"iri": row["recipient"], "label": row["recipientLabel"] or local_name(row["recipient"]),
                         "kind": row["kind"]}
        if row["jurisdiction"]:
            jurisdiction = {"iri": row["jurisdiction"], "code": row["code"],
                            "label": row["jurisdictionLabel"] or local_name(row["jurisdiction"])}
        out.append({
            "policy": row["policy"], "flow": row["flow"],
            "data": {"iri": row["data"], "label": row["dataLabel"] or local_name(row["data"])},
            "action": row["action"], "recipient": recipient, "jurisdiction": jurisdiction,
            "purposes": sorted(({"iri": p["iri"], "label": p["label"] or local_name(p["iri"])} for p in row["purposes"]),
                               key=lambda p: (p["label"], p["iri"])),
            "modality": row["modality"], "conditions": sorted(row["conditions"]), "retention": row["retention"],
            "stated": row["stated"], "via": sorted(row["via"]),
            "evidence": sorted(row["evidence"], key=lambda e: (e["start"], e["end"])),
        })
    return out


def canonical(flows: list[dict]) -> list[str]:
    return sorted(json.dumps(f, sort_keys=True) for f in flows)


@pytest.mark.parametrize("term", [None, "video", "MAC address", "location", "phone number"])
def test_stored_rows_are_what_sparql_assembles_from_the_real_policies(built, term):
    stored = built.flows(term)
    params = {"category": term} if term else {}
    assert stored or term == "location"
    assert canonical(stored) == canonical(sparql_flows(built, **params))


def test_stored_rows_are_what_sparql_assembles_from_the_fixture(fixture_store):
    stored = fixture_store.flows()
    assert len(stored) >= 8
    assert canonical(stored) == canonical(sparql_flows(fixture_store))


def test_rows_come_in_the_answer_order_and_leave_overridden_flows_out(built):
    flows = built.flows()
    assert flows == sorted(flows, key=answers.flow_order)
    overridden = {s["s"].value for s in built.store.query(
        "SELECT ?s WHERE { GRAPH ?g { ?s <%soverriddenBy> ?o } }" % PF)}
    assert overridden, "the seeds have will-not statements that override broader flows"
    assert not overridden & {f["flow"] for f in flows}


def test_the_json_text_is_the_answer(built):
    text = built.where_json("video")
    answer = json.loads(text)
    assert answer == built.where("video")
    assert answer["flows"] == built.flows("video") and len(answer["flows"]) > 10
    assert text.count("\n") == len(answer["flows"]) + 1  # one flow per line, for grep and diff
    empty = json.loads(built.where_json("video", policies=["no-such-policy"]))
    assert empty["flows"] == [] and empty["matched"] == answer["matched"]


def test_loading_into_a_policy_graph_redoes_its_rows(fixture_store):
    before = fixture_store.flows(PF + "PhoneNumber", policies=[HUALAI_ID])
    extra = f"""
@prefix pf: <{PF}> .
<{HUALAI_GRAPH}/flow/extra> a pf:Flow ; pf:data pf:PhoneNumber ; pf:action pf:Collect ; pf:modality pf:Will ;
    pf:stated true ; pf:evidence <{HUALAI_GRAPH}/sentence/20> .
"""
    fixture_store.load(extra, format="turtle", graph=HUALAI_GRAPH)
    after = fixture_store.flows(PF + "PhoneNumber", policies=[HUALAI_ID])
    added = [f for f in after if f["flow"].endswith("/flow/extra")]
    assert len(after) == len(before) + 1 and added
    assert added[0]["action"] == "collect" and added[0]["modality"] == "will"
    assert added[0]["evidence"][0]["start"] == 3808


def test_new_labels_redo_every_policys_rows(fixture_store):
    store = fixture_store.store
    assert {f["data"]["label"] for f in fixture_store.flows(PF + "GeoLocation")} == {"geographical location"}
    # the label lives in the ontology graph: take it out and mark the ontology as changed
    ontology = ox.NamedNode("https://w3id.org/policyflows/ontology")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.remove(ox.Quad(ox.NamedNode(PF + "GeoLocation"), label, ox.Literal("geographical location", language="en"),
                         ontology))
    for q in list(store.quads_for_pattern(ontology, ox.NamedNode(PF + "sha256"), None, ontology)):
        store.remove(q)
    fixture_store.load(f"<{PF}GeoLocation> <{label.value}> \"whereabouts\"@en .", format="ntriples",
                       graph=ontology.value)
    # the stale ontology graph is reloaded from ontology/*.ttl (which has no pf:GeoLocation), the
    # new label is loaded into it, and every policy's rows follow
    assert {f["data"]["label"] for f in fixture_store.flows(PF + "GeoLocation")} == {"whereabouts"}
    assert canonical(fixture_store.flows()) == canonical(sparql_flows(fixture_store))


def test_rows_survive_export_and_load(built, tmp_path):
    dump = tmp_path / "all.nq"
    built.export(str(dump), "nquads")
    again = FlowStore.open(tmp_path / "s", create=True)
    again.load(dump, format="nquads")
    assert again.where("video") == built.where("video")


def test_the_command_line_prints_the_same_answer(built, tmp_path, policies_dir):
    path = tmp_path / "s"
    FlowStore.open(path, create=True).build([policies_dir], progress=False)
    out = subprocess.run([sys.executable, "-m", "policyflows", "where", "cloud video", "--store", str(path),
                          "--format", "json"], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == built.where("cloud video")
