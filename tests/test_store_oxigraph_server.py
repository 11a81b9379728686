"""Beyond one machine: the same store served by the real Oxigraph server, and `push` into a
writable Oxigraph server over the SPARQL 1.1 Graph Store Protocol."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from policyflows import queries
from policyflows.store import FlowStore

OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))
HUALAI_ID = "hualai-xiaofang-smart-camera"
SEVENTY_ID = "70mai-dash-cam"


@pytest.fixture(scope="module")
def built(tmp_path_factory, policies_dir):
    path = tmp_path_factory.mktemp("ox") / "store"
    FlowStore.open(path, create=True).build([policies_dir], progress=False)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*args) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, *args, "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            httpx.get(url + "/query", params={"query": "ASK {}"})
            return proc, url
        except httpx.ConnectError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode())
            time.sleep(0.1)
    proc.kill()
    raise TimeoutError("oxigraph did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=30)


def remote_rows(url: str, name: str, params: dict) -> list[dict]:
    """A named query run by the Oxigraph server: the parameters go in as a VALUES clause of RDF terms."""
    q = queries.get(name)
    text = queries.with_values(q, params)
    r = httpx.post(url + "/query", data={"query": text}, headers={"Accept": "application/sparql-results+json"},
                   timeout=300)  # a trailing VALUES is joined last: slower than a local substitution
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def test_oxigraph_serve_read_only_on_a_built_store(built, tmp_path):
    path = shutil.copytree(built, tmp_path / "s")
    local = FlowStore.open(path)
    expected = {(r["recipientLabel"], r["kind"]) for r in local.query("recipients-of-data", category="cloud video",
                                                                         policy=HUALAI_ID)}
    local.close()
    proc, url = start("serve-read-only", "--location", str(path))
    try:
        rows = remote_rows(url, "recipients-of-data", {"category": "cloud video", "policy": HUALAI_ID})
        assert {(r["recipientLabel"]["value"], r["kind"]["value"]) for r in rows} == expected
        assert expected >= {("Xiaomi", "third-party")} or any(k == "third-party" for _, k in expected)
        # the flows the server finds are the flows `policyflows where` answers with
        local_flows = FlowStore.open(path).flows("cloud video", policies=[HUALAI_ID])
        flows = remote_rows(url, "flows", {"category": "cloud video", "policy": HUALAI_ID})
        assert local_flows and {r["flow"]["value"] for r in flows} == {f["flow"] for f in local_flows}

    finally:
        stop(proc)


def test_push_into_a_writable_oxigraph_server(built, tmp_path):
    proc, url = start("serve", "--location", str(tmp_path / "remote"))
    try:
        store = FlowStore.open(built)
        written = store.push(url + "/store")
        assert written[-1] == "https://w3id.org/policyflows/ontology"
        assert sorted(written[:-1]) == ["https://w3id.org/policyflows/policy/" + p for p in (SEVENTY_ID, HUALAI_ID)]
        count = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        r = httpx.post(url + "/query", data={"query": count}, headers={"Accept": "application/sparql-results+json"})
        remote = {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}
        local = {g.value: len(list(store.store.quads_for_pattern(None, None, None, g)))
                 for g in store.store.named_graphs()}
        assert remote == local
        # pushing again replaces each graph (PUT), it does not add to it
        store.push(url + "/store", policies=[SEVENTY_ID])
        r = httpx.post(url + "/query", data={"query": count}, headers={"Accept": "application/sparql-results+json"})
        assert {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]} == local
        rows = remote_rows(url, "ruled-out", {"policy": SEVENTY_ID})
        assert any(r["action"]["value"] == "sell" for r in rows)
    finally:
        stop(proc)


def test_push_command_and_an_unreachable_endpoint(built, tmp_path):
    proc, url = start("serve", "--location", str(tmp_path / "remote"))
    try:
        result = subprocess.run([sys.executable, "-m", "policyflows", "push", "--endpoint", url + "/store",
                                 "--store", str(built), "--policy", HUALAI_ID], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "pushed 1 graphs" in result.stderr
    finally:
        stop(proc)
    down = subprocess.run([sys.executable, "-m", "policyflows", "push", "--endpoint", url + "/store",
                           "--store", str(built)], capture_output=True, text=True)
    assert down.returncode == 2 and down.stderr.startswith("Error: cannot reach")


def test_values_clause_uses_rdf_terms():
    text = queries.with_values(queries.get("ruled-out"), {"policy": 'a"b'})
    assert text.rstrip().endswith('VALUES (?policy) {\n  ("a\\"b")\n}')
    assert isinstance(ox.Literal('a"b'), ox.Literal)
