"""The endpoint under load, and its time limit, over real HTTP on a store built from the real policies:
long-lived query workers answer many clients at once, a runaway query is stopped at the limit and its
worker replaced, and the endpoint goes on answering."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from SPARQLWrapper import CSV, JSON, SPARQLWrapper

from policyflows.serve import serve_in_thread
from policyflows.store import FlowStore

LIMIT = 3.0
WORKERS = 2
SPARES = 1
# every quad of the store three times over: far more work than any time limit allows
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g1 { ?a ?b ?c } GRAPH ?g2 { ?d ?e ?f } "
           "GRAPH ?g3 { ?h ?i ?j } }")
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
SPARQL_JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def built(tmp_path_factory, policies_dir):
    path = tmp_path_factory.mktemp("pool") / "store"
    FlowStore.open(path, create=True).build([policies_dir], progress=False)
    return path


@pytest.fixture(scope="module")
def expected(built):
    """The answers, asked of the store directly, that the endpoint must give."""
    store = FlowStore.open(built)
    policies = store.policies()
    ids = [p["id"] for p in policies]
    labels = store.run_query("labels", {"iri": "pf:Video"})
    out = {
        "ids": ids,
        "policies": json.loads(json.dumps(policies)),
        "where": {pid: json.loads(store.where_json("personal information", [pid])) for pid in ids},
        "labels": json.loads(json.dumps({"query": "labels", "columns": labels.columns, "rows": labels.rows})),
        "per_graph": {g.value: len(list(store.store.quads_for_pattern(None, None, None, g)))
                      for g in store.store.named_graphs()},
    }
    store.close()
    assert all(out["where"][pid]["flows"] for pid in ids) and out["labels"]["rows"]
    return out


@pytest.fixture(scope="module")
def server(built):
    srv, _ = serve_in_thread(FlowStore.open(built), port=0, time_limit=LIMIT, workers=WORKERS, spares=SPARES)
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def url(server):
    return "http://127.0.0.1:%d" % server.server_address[1]


def per_graph(response: httpx.Response) -> dict[str, int]:
    return {b["g"]["value"]: int(b["n"]["value"]) for b in response.json()["results"]["bindings"]}


def status(url: str) -> dict:
    return httpx.get(url + "/status").json()


def wait_for_full_pool(url: str, timeout: float = 120) -> dict:
    """The pool after a replacement: every worker and spare started again."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = status(url)
        if s["spares_ready"] == SPARES and len(s["pids"]) == WORKERS + SPARES:
            return s
        time.sleep(0.2)
    raise AssertionError(f"the pool did not refill: {status(url)}")


def all_gone(pids, timeout: float = 60) -> bool:
    """Whether every one of ``pids`` has exited (a stopped worker first answers what it has in hand)."""
    deadline = time.time() + timeout
    while not all(gone(pid) for pid in pids):
        if time.time() > deadline:
            return False
        time.sleep(0.1)
    return True


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie holds no store and burns nothing
    except (FileNotFoundError, ProcessLookupError):  # reaped before or while /proc was read
        return True


def test_sixteen_clients_at_once_get_the_right_answers_from_long_lived_workers(url, expected):
    before = status(url)
    ids = expected["ids"]

    def client(i: int) -> list[str]:
        wrong = []
        with httpx.Client(base_url=url, timeout=60) as http:
            for j in range(8):
                pid = ids[(i + j) % len(ids)]
                kind = (i + j) % 4
                if kind == 0:
                    r = http.get("/sparql", params={"query": PER_GRAPH}, headers=SPARQL_JSON)
                    ok = r.status_code == 200 and per_graph(r) == expected["per_graph"]
                elif kind == 1:
                    r = http.get("/where", params={"term": "personal information", "policy": pid})
                    ok = r.status_code == 200 and r.json() == expected["where"][pid]
                elif kind == 2:
                    r = http.get("/query/labels", params={"iri": "pf:Video"})
                    ok = r.status_code == 200 and r.json() == expected["labels"]
                else:
                    r = http.post("/sparql", data={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}, headers=SPARQL_JSON)
                    ok = r.status_code == 200 and r.json()["boolean"] is True
                if not ok:
                    wrong.append(f"client {i} request {j}: {r.status_code} {r.text[:200]}")
        return wrong

    with ThreadPoolExecutor(16) as clients:
        wrong = [w for ws in clients.map(client, range(16)) for w in ws]
    assert wrong == []
    after = status(url)
    # the gain over a process per query, kept: 128 answers, and not one process started for them
    assert after["started"] == before["started"] and after["pids"] == before["pids"]
    assert after["replaced"] == before["replaced"]
    assert httpx.get(url + "/policies").json() == expected["policies"]


def test_a_runaway_query_is_stopped_at_the_limit_and_the_endpoint_answers_beside_and_after_it(url, expected):
    before = wait_for_full_pool(url)
    outcome = {}

    def runaway():
        started = time.monotonic()
        outcome["response"] = httpx.post(url + "/sparql", data={"query": RUNAWAY}, timeout=LIMIT + 60)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    beside = [httpx.get(url + "/sparql", params={"query": PER_GRAPH}, headers=SPARQL_JSON, timeout=60)
              for _ in range(3)]
    thread.join()
    r = outcome["response"]
    assert r.status_code == 503
    assert r.json()["error"] == f"the query ran past the time limit of {LIMIT:g} s and was stopped"
    assert r.headers["access-control-allow-origin"] == "*" and r.headers["retry-after"]
    assert LIMIT - 0.5 <= outcome["seconds"] < LIMIT + 20
    # the other worker answered while the runaway ran
    assert all(b.status_code == 200 and per_graph(b) == expected["per_graph"] for b in beside)
    # right after: answered, by the spare that took the killed worker's place
    after = httpx.get(url + "/sparql", params={"query": PER_GRAPH}, headers=SPARQL_JSON, timeout=60)
    assert after.status_code == 200 and per_graph(after) == expected["per_graph"]
    now = status(url)
    assert now["replaced"] == before["replaced"] + 1
    killed = set(before["pids"]) - set(now["pids"])
    assert len(killed) == 1
    refilled = wait_for_full_pool(url)
    assert all_gone(killed)
    assert killed.isdisjoint(refilled["pids"])


def test_several_runaways_at_once_are_all_stopped_and_the_pool_recovers(url, expected):
    before = wait_for_full_pool(url)
    runaways = WORKERS + SPARES  # enough to stop every worker, and the spare once it serves
    with ThreadPoolExecutor(runaways) as clients:
        answers = list(clients.map(lambda _: httpx.post(url + "/sparql", data={"query": RUNAWAY}, timeout=LIMIT + 60),
                                   range(runaways)))
    assert [a.status_code for a in answers] == [503] * runaways
    for pid in expected["ids"]:  # answered by a spare, or by a worker started when the spares ran out
        r = httpx.get(url + "/where", params={"term": "personal information", "policy": pid}, timeout=LIMIT + 120)
        assert r.status_code == 200 and r.json() == expected["where"][pid]
    after = wait_for_full_pool(url)
    # a worker answers several connections, so two runaways may have shared one
    assert before["replaced"] + 1 <= after["replaced"] <= before["replaced"] + runaways
    stopped = set(before["pids"]) - set(after["pids"])
    assert stopped and all_gone(stopped)


def test_a_worker_killed_from_outside_is_replaced_without_a_failed_request(url, expected):
    before = wait_for_full_pool(url)
    for pid in before["pids"]:  # every worker and the spare, while idle (an OOM killer, an operator)
        os.kill(pid, signal.SIGKILL)
    assert all_gone(before["pids"])
    for _ in range(4):  # each answered by a worker started in their place
        r = httpx.get(url + "/query/labels", params={"iri": "pf:Video"}, timeout=120)
        assert r.status_code == 200 and r.json() == expected["labels"], r.text
    after = wait_for_full_pool(url)
    assert set(after["pids"]).isdisjoint(before["pids"])


def test_read_only_refusals_negotiation_and_cors_on_every_answer(url):
    update = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"
    answers = {
        403: [httpx.post(url + "/sparql", data={"update": update}),
              httpx.post(url + "/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
              httpx.get(url + "/sparql", params={"query": update})],
        405: [httpx.put(url + "/sparql", content=b"<urn:a> <urn:b> <urn:c> ."), httpx.delete(url + "/sparql")],
        400: [httpx.get(url + "/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}),
              httpx.get(url + "/sparql", params={"query": "SELEKT nothing"})],
        406: [httpx.get(url + "/sparql", params={"query": PER_GRAPH}, headers={"Accept": "image/png"})],
        404: [httpx.get(url + "/where", params={"term": "vidoe"}), httpx.get(url + "/query/nope")],
    }
    for code, responses in answers.items():
        for r in responses:
            assert r.status_code == code, (code, r.text)
            assert r.headers["access-control-allow-origin"] == "*"
            assert r.json()["error"]
    assert "SERVICE" in answers[400][0].json()["error"]
    assert "video" in answers[404][0].json()["suggestions"]
    assert httpx.get(url + "/sparql", params={"query": "ASK { GRAPH <urn:g> { ?s ?p ?o } }"},
                     headers=SPARQL_JSON).json()["boolean"] is False
    csv = httpx.get(url + "/sparql", params={"query": PER_GRAPH}, headers={"Accept": "text/csv;q=0.9, */*;q=0.1"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.splitlines()[0] == "g,n"
    tsv = httpx.get(url + "/sparql", params={"query": PER_GRAPH}, headers={"Accept": "text/tab-separated-values"})
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    xml = httpx.get(url + "/sparql", params={"query": PER_GRAPH}, headers={"Accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml") and b"<sparql" in xml.content
    ttl = httpx.get(url + "/sparql", params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"})
    assert ttl.status_code == 200 and ttl.headers["content-type"].startswith("text/turtle")
    preflight = httpx.options(url + "/where", headers={"Origin": "http://example.org",
                                                       "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"


def test_sparqlwrapper_as_an_outside_client(url, expected):
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(PER_GRAPH)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert {b["g"]["value"]: int(b["n"]["value"]) for b in rows} == expected["per_graph"]
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines()[0] == "g,n"


def _raw_exchange(url: str, chunks: list[bytes], answers: int, pause: float = 0.0) -> list[tuple[int, dict, bytes]]:
    """Send ``chunks`` on one connection (``pause`` s apart), read ``answers`` HTTP answers back."""
    host, port = url.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        for chunk in chunks:
            sock.sendall(chunk)
            time.sleep(pause)
        reader = sock.makefile("rb")
        out = []
        while len(out) < answers:
            status_line = reader.readline()
            if not status_line:
                break
            headers = {}
            for line in iter(reader.readline, b"\r\n"):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            code = int(status_line.split()[1])
            body = reader.read(int(headers.get("content-length", 0)))
            if code != 100:
                out.append((code, headers, body))
        return out


def test_requests_are_framed_on_a_raw_connection_however_they_arrive(url, expected):
    """What a client may send on one keep-alive connection: requests pipelined in one write, a request
    cut in pieces mid-line, bare LF line ends, blank lines between requests, a POST that waits for
    100 Continue; and the three it may not: a chunked body, headers past 64 KiB, a body past 1 MiB."""
    labels = b"GET /query/labels?iri=pf%3AVideo HTTP/1.1\r\nHost: x\r\n\r\n"
    ask = "ASK { GRAPH ?g { ?s ?p ?o } }".encode()
    form = b"query=" + ask.replace(b" ", b"+").replace(b"{", b"%7B").replace(b"}", b"%7D").replace(b"?", b"%3F")
    post = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Accept: application/sparql-results+json\r\nContent-Length: %d\r\n\r\n" % len(form)) + form
    bare = labels.replace(b"\r\n", b"\n")
    pipelined = _raw_exchange(url, [labels + b"\r\n" + post + bare], 3)
    assert [code for code, _, _ in pipelined] == [200, 200, 200]
    assert json.loads(pipelined[0][2]) == expected["labels"] == json.loads(pipelined[2][2])
    assert json.loads(pipelined[1][2])["boolean"] is True

    pieces = [post[i:i + 7] for i in range(0, len(post), 7)]  # 7-byte writes: lines and the body cut anywhere
    assert [(c, json.loads(b)["boolean"]) for c, _, b in _raw_exchange(url, pieces, 1, pause=0.001)] == [(200, True)]

    head, _, body = post.partition(b"\r\n\r\n")
    continued = _raw_exchange(url, [head + b"\r\nExpect: 100-continue\r\n\r\n", body], 1, pause=0.2)
    assert continued[0][0] == 200 and json.loads(continued[0][2])["boolean"] is True

    chunked = b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    huge_head = b"GET /policies HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * (70 << 10) + b"\r\n\r\n"
    huge_body = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (2 << 20)
    for request, code in ((chunked, 411), (huge_head, 431), (huge_body, 413)):
        answered = _raw_exchange(url, [request], 1)
        assert [c for c, _, _ in answered] == [code], request[:60]
        assert answered[0][1]["access-control-allow-origin"] == "*" and json.loads(answered[0][2])["error"]


# --- the command ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_stops_a_runaway_and_takes_its_workers_with_it_on_sigterm(built, expected):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "policyflows", "serve", "--store", str(built), "--port", str(port),
                             "--timeout", "2", "--workers", "2"], stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                pids = status(url)["pids"]
                break
            except httpx.ConnectError:
                assert proc.poll() is None and time.time() < deadline, "serve did not start"
                time.sleep(0.2)
        assert len(pids) == 3  # two workers and a spare
        r = httpx.get(url + "/sparql", params={"query": RUNAWAY}, timeout=60)
        assert r.status_code == 503 and "time limit of 2 s" in r.json()["error"]
        after = httpx.get(url + "/where", params={"term": "personal information", "policy": expected["ids"][0]}, timeout=60)
        assert after.status_code == 200 and after.json() == expected["where"][expected["ids"][0]]
        pids = set(pids) | set(status(url)["pids"])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert "2 query workers" in proc.stderr.read()
    assert all_gone(pids, timeout=30)


def test_serve_command_errors_are_one_line_and_exit_2(built, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = subprocess.run([sys.executable, "-m", "policyflows", "serve", "--store", str(built), "--port", str(port),
                               "--workers", "1"], capture_output=True, text=True, timeout=120)
    assert busy.returncode == 2 and busy.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}")
    assert len(busy.stderr.strip().splitlines()) == 1
    for bad in (["--workers", "0"], ["--timeout", "0"]):
        r = subprocess.run([sys.executable, "-m", "policyflows", "serve", "--store", str(built), *bad],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and bad[0] in r.stderr
    missing = subprocess.run([sys.executable, "-m", "policyflows", "serve", "--store", str(tmp_path / "none")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and missing.stderr.startswith("Error:")
