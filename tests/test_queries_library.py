"""The query library: every .rq has a header, every query runs, parameters are bound as RDF terms."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from policyflows import queries, vocab
from policyflows.queries import QueryParameterError, UnknownQueryError
from policyflows.store import FlowStore

FIXTURE = Path(__file__).with_name("test_store_fixture.trig")
PF = "https://w3id.org/policyflows/ns#"
FLOW_A5 = "https://w3id.org/policyflows/policy/hualai-xiaofang-smart-camera/flow/a5"

# parameters for the queries that need them, and a row each must return on the fixture
EXAMPLES = {
    "where": ({"category": "pf:Video"}, lambda rows: {r["data"] for r in rows} == {PF + "CloudCachedVideo", PF + "RealTimeVideo"}
              and all(r["evidence"] for r in rows)),
    "flows": ({"category": "pf:Video"}, lambda rows: {r["dataLabel"] for r in rows} == {"cloud-cached video", "real-time video"}),
    "policies": ({}, lambda rows: len(rows) == 2),
    "labels": ({"iri": "pf:CloudCachedVideo"}, lambda rows: "cloud-cached video" in {r["label"] for r in rows}),
    "recipients-of-data": ({"category": "pf:Video"},
                           lambda rows: {r["recipientLabel"] for r in rows} == {"Hualai", "Xiaomi"}),
    "data-for-recipient": ({"kind": "third-party"},
                           lambda rows: {(r["recipientLabel"], r["dataLabel"], r["organisation"]) for r in rows}
                           == {("Xiaomi", "cloud-cached video", PF + "Xiaomi"), ("third parties", "IP address", None)}),
    "data-for-organisation": ({"organisation": "pf:Xiaomi"},
                              lambda rows: [(r["dataLabel"], r["kind"]) for r in rows] == [("cloud-cached video", "third-party")]),
    "cross-border": ({"code": "us"}, lambda rows: [(r["policy"], r["data"]) for r in rows]
                     == [("hualai-xiaofang-smart-camera", ["cloud-cached video"])]),
    "third-party-sharing": ({}, lambda rows: {(r["policy"], r["recipientLabel"]) for r in rows}
                            == {("hualai-xiaofang-smart-camera", "Xiaomi"), ("70mai-dash-cam", "third parties")}),
    "retention": ({}, lambda rows: {(r["dataLabel"], r["retention"]) for r in rows}
                  == {("cloud-cached video", "P7D"), ("phone number", "P3M")}),
    "ruled-out": ({"policy": "hualai-xiaofang-smart-camera"},
                  lambda rows: {r["action"] for r in rows} == {"store", "share", "sell"}
                  and all("not" in r["sentence"] or "never" in r["sentence"] for r in rows)),
    "compare-policies": ({"first": "hualai-xiaofang-smart-camera", "second": "70mai-dash-cam"},
                         lambda rows: any(r["inFirst"] == ["will-not"] and r["inSecond"] == ["will-not"]
                                          and r["action"] == "sell" for r in rows)),
    "evidence": ({"flow": FLOW_A5}, lambda rows: {r["role"] for r in rows} == {"derived from", "overridden by"}),
}


@pytest.fixture(scope="module")
def store():
    s = FlowStore.open(None)
    s.load(FIXTURE)
    return s


def test_the_library_has_the_questions_users_ask():
    assert len(queries.library()) >= 8
    assert set(EXAMPLES) <= set(queries.library())


@pytest.mark.parametrize("name", sorted(queries.library()))
def test_every_query_is_documented(name):
    q = queries.get(name)
    assert q.title and len(q.description) > 40
    for p in q.params:
        assert p.description and p.type in queries.PARAM_TYPES
        # a parameter is a projected variable: that is how pyoxigraph substitutes it
        assert f"?{p.name}" in q.text.split("WHERE")[0]


@pytest.mark.parametrize("name", sorted(queries.library()))
def test_every_query_runs_and_answers(store, name):
    params, check = EXAMPLES[name]
    result = store.run_query(name, params)
    assert result.rows, f"{name} returned nothing"
    assert check(result.rows), result.rows


@pytest.mark.parametrize("name", sorted(queries.library()))
def test_every_query_runs_without_parameters_or_says_which_it_needs(store, name):
    q = queries.get(name)
    if any(p.required for p in q.params):
        with pytest.raises(QueryParameterError, match="needs --param"):
            store.run_query(name, {})
    else:
        store.run_query(name, {})


def test_list_columns_decode_to_lists(store):
    row = next(r for r in store.query("flows", category="pf:CloudCachedVideo") if r["code"] == "CN-BJ")
    assert row["purposes"] == [{"iri": PF + "MotionDetectionAlarm", "label": "motion-detection alarm"}]
    assert {e["start"] for e in row["evidence"]} == {3808, 19857}
    assert all(isinstance(e["start"], int) for e in row["evidence"])


def test_values_are_bound_as_terms_not_spliced_into_text(store):
    # a quote or brace in a value is just part of a string literal that matches nothing
    for evil in ['x" } } ; DROP ALL ; #', "hualai-xiaofang-smart-camera' || true"]:
        assert store.query("ruled-out", policy=evil) == []
    subs = queries.substitutions(queries.get("ruled-out"), {"policy": 'a"b'})
    assert subs == [{ox.Variable("policy"): ox.Literal('a"b')}]


def test_several_values_run_once_each_and_merge(store):
    both = store.query("ruled-out", policy=["hualai-xiaofang-smart-camera", "70mai-dash-cam"])
    assert {r["policy"] for r in both} == {"hualai-xiaofang-smart-camera", "70mai-dash-cam"}


def test_parameter_errors_name_the_fix(store):
    with pytest.raises(UnknownQueryError, match="query --list"):
        queries.get("no-such-query")
    with pytest.raises(QueryParameterError, match="has no parameter 'colour'"):
        store.query("where", colour="red")
    with pytest.raises(QueryParameterError, match="not a recipient kind"):
        store.query("data-for-recipient", kind="friends")
    with pytest.raises(QueryParameterError, match="not an IRI"):
        store.query("labels", iri="not an iri")


def test_header_parsing():
    q = queries.parse_query(
        "# title: T\n# description: first line\n#   second line\n"
        "# param a (policy, required): the a\n# param b (code, default US): the b\n# list xs: start:int text\n"
        "SELECT ?a ?b WHERE {}", "t")
    assert q.title == "T" and q.description == "first line second line"
    assert [(p.name, p.type, p.default, p.required) for p in q.params] == [("a", "policy", None, True), ("b", "code", "US", False)]
    assert queries.decode_list(q.lists["xs"], "1,a%20b%2Cc  2,d") == [{"start": 1, "text": "a b,c"}, {"start": 2, "text": "d"}]
    with pytest.raises(ValueError, match="title"):
        queries.parse_query("SELECT * {}", "bad")


def test_the_spelt_out_namespaces_match_vocab():
    # queries.py spells these out to keep rdflib off the `where` path; they must not drift
    assert queries.PREFIXES == vocab.PREFIXES
    assert set(queries.KINDS) == set(vocab.KINDS)
    from policyflows import store as store_module
    assert store_module.ONTOLOGY.value == str(vocab.ONTOLOGY_GRAPH)
    assert store_module.PF == str(vocab.PF)


def test_reading_the_store_does_not_import_rdflib():
    # rdflib takes ~0.15 s to import: the `where` path must not pay for it
    import subprocess
    import sys

    code = ("import sys, policyflows.store, policyflows.queries, policyflows.serve, policyflows.cli.store_cmd, "
            "policyflows.cli.query_cmd; print('rdflib' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_retention_names_the_controller_as_holder_of_a_statement_without_an_actor():
    """A statement's pf:actor is written only when it is not the policy's controller (graph/rdf.py):
    the retention query reads the default, so the holder is still the company. So is its
    dpv:hasDataController on a statement other than a use: st0 names none, so the controller holds
    it; st1 says it names no recipient (pf:namesNoRecipient), so only its actor does."""
    trig = """
    @prefix pf: <https://w3id.org/policyflows/ns#> . @prefix dpv: <https://w3id.org/dpv#> .
    @prefix oa: <http://www.w3.org/ns/oa#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix p: <https://w3id.org/policyflows/policy/example/> .
    <https://w3id.org/policyflows/policy/example> {
      <https://w3id.org/policyflows/policy/example> a pf:Policy ; pf:policyId "example" ; pf:controller p:us .
      p:us a pf:FirstParty ; rdfs:label "Example Inc." ; pf:kindCode "first-party" .
      p:them a pf:ThirdParty ; rdfs:label "Keeper" ; pf:kindCode "third-party" .
      p:s0 a oa:TextQuoteSelector ; oa:exact "We keep your phone number for 3 months." ; oa:start 0 ; oa:end 39 .
      p:P3M a dpv:StorageDuration ; dpv:hasDuration "P3M"^^xsd:duration .
      p:st0 a pf:Statement ; dpv:hasProcessing pf:Retain ; pf:modality pf:Will ; dpv:hasPersonalData pf:PhoneNumber ;
          dpv:hasStorageCondition p:P3M ; pf:evidence p:s0 .
      p:st1 a pf:Statement ; dpv:hasProcessing pf:Retain ; pf:modality pf:Will ; dpv:hasPersonalData pf:EmailAddress ;
          pf:actor p:them ; pf:namesNoRecipient true ; dpv:hasStorageCondition p:P3M ; pf:evidence p:s0 .
    }"""
    s = FlowStore.open(None)
    s.load(trig.encode(), format="trig")
    rows = {r["dataLabel"]: r["holders"] for r in s.run_query("retention", {}).rows}
    assert rows == {"phone number": ["Example Inc."], "email address": ["Keeper"]}
