"""The SPARQL 1.1 Protocol endpoint, asked over real HTTP (httpx) and by SPARQLWrapper, as an
outside tool would ask it."""
from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from SPARQLWrapper import CSV, JSON, POST, SPARQLWrapper, TURTLE, XML

from policyflows.serve import serve_in_thread
from policyflows.store import FlowStore

FIXTURE = Path(__file__).with_name("test_store_fixture.trig")
PF = "https://w3id.org/policyflows/ns#"
DPV = "https://w3id.org/dpv#"
# the fixture's flows in DPV terms: ten data handlings (its eleventh flow is overridden, typed apart)
COUNT_FLOWS = "PREFIX dpv: <%s> SELECT (COUNT(?f) AS ?n) WHERE { ?f a dpv:PersonalDataHandling }" % DPV
FLOWS = "10"
DATA_OF_FLOWS = ("PREFIX dpv: <%s> CONSTRUCT { ?f dpv:hasPersonalData ?d } "
                 "WHERE { ?f a dpv:PersonalDataHandling ; dpv:hasPersonalData ?d }" % DPV)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    store = FlowStore.open(tmp_path_factory.mktemp("serve") / "store", create=True)
    store.load(FIXTURE)
    server, thread = serve_in_thread(store, host="127.0.0.1", port=0, time_limit=2.0)
    host, port = server.server_address
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def test_get_query_as_sparql_json(endpoint):
    r = httpx.get(endpoint + "/sparql", params={"query": COUNT_FLOWS})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.json()["results"]["bindings"][0]["n"]["value"] == FLOWS


def test_post_form_and_post_sparql_query(endpoint):
    form = httpx.post(endpoint + "/sparql", data={"query": COUNT_FLOWS}, headers={"Accept": "text/csv"})
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(form.text))) == [["n"], [FLOWS]]
    direct = httpx.post(endpoint + "/sparql", content=COUNT_FLOWS.encode(),
                        headers={"Content-Type": "application/sparql-query",
                                 "Accept": "text/tab-separated-values"})
    assert direct.status_code == 200 and direct.text.split("\n")[1].startswith(FLOWS)


def test_xml_results_and_construct_as_turtle_or_ntriples(endpoint):
    xml = httpx.get(endpoint + "/sparql", params={"query": COUNT_FLOWS},
                    headers={"Accept": "application/sparql-results+xml"})
    assert xml.status_code == 200
    ElementTree.fromstring(xml.content)
    ttl = httpx.get(endpoint + "/sparql", params={"query": DATA_OF_FLOWS})
    assert ttl.status_code == 200 and ttl.headers["content-type"].startswith("text/turtle")
    nt = httpx.get(endpoint + "/sparql", params={"query": DATA_OF_FLOWS}, headers={"Accept": "application/n-triples"})
    assert nt.text.count(" .\n") == int(FLOWS)


def test_accept_with_q_values_and_not_acceptable(endpoint):
    r = httpx.get(endpoint + "/sparql", params={"query": COUNT_FLOWS},
                  headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml;q=0.9"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    bad = httpx.get(endpoint + "/sparql", params={"query": COUNT_FLOWS}, headers={"Accept": "image/png"})
    assert bad.status_code == 406


def test_updates_are_refused(endpoint):
    update = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"
    for r in (
        httpx.post(endpoint + "/sparql", data={"update": update}),
        httpx.post(endpoint + "/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
        httpx.get(endpoint + "/sparql", params={"query": update}),
        httpx.put(endpoint + "/sparql", content=b"<urn:a> <urn:b> <urn:c> ."),
    ):
        assert 400 <= r.status_code < 500, r.status_code
    assert httpx.get(endpoint + "/sparql", params={"query": "ASK { GRAPH <urn:g> { ?s ?p ?o } }"}).json()["boolean"] is False


def test_service_and_bad_syntax_are_400(endpoint):
    service = httpx.get(endpoint + "/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert service.status_code == 400 and "SERVICE" in service.json()["error"]
    syntax = httpx.get(endpoint + "/sparql", params={"query": "SELEKT nothing"})
    assert syntax.status_code == 400
    assert httpx.get(endpoint + "/sparql").status_code == 400


def test_a_slow_query_hits_the_time_limit(endpoint):
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g1 { ?a ?b ?c } GRAPH ?g2 { ?d ?e ?f } "
            "GRAPH ?g3 { ?h ?i ?j } GRAPH ?g4 { ?k ?l ?m } }")
    started = time.time()
    r = httpx.get(endpoint + "/sparql", params={"query": slow}, timeout=30)
    assert r.status_code == 503 and "time limit" in r.json()["error"]
    assert time.time() - started < 10
    # the endpoint goes on: the next query is answered, by the spare that replaced the stopped worker
    after = httpx.get(endpoint + "/sparql", params={"query": COUNT_FLOWS})
    assert after.status_code == 200 and after.json()["results"]["bindings"][0]["n"]["value"] == FLOWS
    assert httpx.get(endpoint + "/status").json()["replaced"] >= 1


def test_cors_preflight(endpoint):
    r = httpx.options(endpoint + "/sparql", headers={"Origin": "http://example.org",
                                                     "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204
    assert "POST" in r.headers["access-control-allow-methods"]


def test_where_and_named_queries_as_json(endpoint):
    answer = httpx.get(endpoint + "/where", params={"term": PF + "Video"}).json()
    assert answer["schema"] == 1 and {f["data"]["label"] for f in answer["flows"]} == {"cloud-cached video", "real-time video"}
    only = httpx.get(endpoint + "/where", params={"term": PF + "PersonalInformation", "policy": "70mai-dash-cam"}).json()
    assert {f["policy"] for f in only["flows"]} == {"70mai-dash-cam"}
    unknown = httpx.get(endpoint + "/where", params={"term": "vidoe"})
    assert unknown.status_code == 404 and "video" in unknown.json()["suggestions"]
    listing = httpx.get(endpoint + "/query").json()
    assert "where" in {q["name"] for q in listing}
    rows = httpx.get(endpoint + "/query/cross-border", params={"code": "US"}).json()
    assert [r["policy"] for r in rows["rows"]] == ["hualai-xiaofang-smart-camera"]
    assert httpx.get(endpoint + "/query/nope").status_code == 404
    assert httpx.get(endpoint + "/query/compare-policies").status_code == 400
    assert [p["id"] for p in httpx.get(endpoint + "/policies").json()] == ["70mai-dash-cam", "hualai-xiaofang-smart-camera"]


def test_sparqlwrapper_as_an_outside_client(endpoint):
    client = SPARQLWrapper(endpoint + "/sparql")
    client.setQuery(COUNT_FLOWS)
    client.setReturnFormat(JSON)
    assert client.query().convert()["results"]["bindings"][0]["n"]["value"] == FLOWS
    client.setMethod(POST)
    client.setReturnFormat(XML)
    assert client.query().convert().getElementsByTagName("literal")[0].firstChild.data == FLOWS
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().split() == ["n", FLOWS]
    client.setQuery(DATA_OF_FLOWS)
    client.setReturnFormat(TURTLE)
    graph = client.queryAndConvert()
    assert len(graph if not isinstance(graph, bytes) else graph.decode().split(" .\n")) >= int(FLOWS)


def test_an_in_memory_store_is_served_too():
    store = FlowStore.open(None)
    store.load(FIXTURE)
    server, _ = serve_in_thread(store, port=0)
    try:
        url = "http://127.0.0.1:%d/sparql" % server.server_address[1]
        assert httpx.get(url, params={"query": COUNT_FLOWS}).json()["results"]["bindings"][0]["n"]["value"] == FLOWS
        assert httpx.get(url.replace("/sparql", "/status")).json()["in_process"] is True
    finally:
        server.shutdown()
        server.server_close()


def test_serve_command_binds_localhost(tmp_path):
    store = FlowStore.open(tmp_path / "s", create=True)
    store.load(FIXTURE)
    del store
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "policyflows", "serve", "--store", str(tmp_path / "s"),
                             "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": COUNT_FLOWS})
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert r.json()["results"]["bindings"][0]["n"]["value"] == FLOWS
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert f"http://127.0.0.1:{port}/sparql" in proc.stderr.read()
