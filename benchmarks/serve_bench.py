"""Endpoint benchmark: `policyflows serve` beside `oxigraph serve-read-only` on the same store.

    .venv/bin/python benchmarks/serve_bench.py --store DIR [--clients 16] [--seconds 20]
        [--timeout-s 10] [--workers N] [--rounds 2] [--json OUT]

Both servers are started on DIR (a built store; `policyflows build … --store DIR`), the Oxigraph
server as `oxigraph serve-read-only --location DIR --union-default-graph --cors`, and for the
runaway again with `--timeout-s N` (with it, it keeps a thread per query for the whole limit, and
under the load below it ran out of threads and died). Then, in the same run:

* load: --clients threads each send light queries back to back (a closed loop, keep-alive
  connections) for --seconds per server, split into --rounds alternating rounds so that a change
  in the shared machine's load falls on both servers. The light queries, each asked of both in
  its own form: a `SELECT … LIMIT 10`, an `ASK` and a named query (policyflows: /query/NAME;
  Oxigraph: the same query with its parameters as a VALUES clause). Reported: requests,
  failures (anything but a 200, or no answer), throughput, median and p95 latency, per query
  too, and the ratio of the medians.
* where: policyflows' /where?term=email&policy=ID (one policy of the store) under the same
  number of clients for half the seconds; Oxigraph is asked where.rq with VALUES once, alone
  (its remote form is no light query there).
* runaway: the threads each server holds after 2 s of the light load; then a cross product of
  three GRAPH patterns (it would count ~quads³ rows) sent to each server, with a light query and a look at the server's CPU every 0.5 s beside it; reported: how
  and when the server answered it, until when the server burnt CPU on it, whether it still did
  3 s after the answer, the light queries' latency meanwhile, and a light query afterwards.

It prints Markdown tables; --json OUT writes every number. The load is bounded in time and
count, goes to 127.0.0.1 only, and both servers are stopped at the end.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PF = "https://w3id.org/policyflows/ns#"
LIGHT_SPARQL = {
    "select-limit-10": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10",
    "ask": "ASK { ?s a ?type . ?type ?p ?o }",
}
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g1 { ?a ?b ?c } GRAPH ?g2 { ?d ?e ?f } "
           "GRAPH ?g3 { ?h ?i ?j } }")
SPARQL_JSON = "application/sparql-results+json"
WHERE_TERM = "email"
REMOTE_WHERE_WAIT = 60  # seconds Oxigraph is given for the where question of one policy
MAX_REQUESTS_PER_CLIENT = 200_000  # a bound on the loop besides the clock
# An idle server answering a light query every 0.5 s uses ~0.01 of a core; one computing a query
# uses a core, or what is left of one on a loaded machine (0.3 at a load average of 10 here).
BUSY_CORES = 0.1


# --- the servers ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, argv: list[str], port: int, probe: str):
        self.name, self.port, self.probe = name, port, probe
        self.log = tempfile.TemporaryFile()  # read only when the server dies; a pipe left unread could fill
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 300
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.death())
            try:
                status, _ = request(port, "GET", probe, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"{name} did not answer within 300 s")

    def death(self) -> str | None:
        """Why the server is gone (its exit status and the end of its standard error), or None."""
        if self.proc.poll() is None:
            return None
        self.log.seek(0)
        tail = self.log.read().decode("utf-8", "replace")[-1500:]
        return f"{self.name} exited with status {self.proc.returncode}: {tail}"

    def cpu_by_process(self) -> dict[int, float]:
        """User + system CPU seconds of the server and of every process beneath it (policyflows' workers)."""
        return {pid: _proc_cpu(pid) for pid in _descendants(self.proc.pid)}

    def cores_busy(self, before: dict[int, float], after: dict[int, float], seconds: float,
                   among: set[int] | None = None) -> float:
        """Cores the server kept busy between two cpu_by_process samples, counting only the
        processes ``among`` (default: all); a process gone in between counts for nothing."""
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items()
                   if among is None or pid in among) / seconds

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def start_policyflows(store: str, timeout_s: float, workers: int | None) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "policyflows", "serve", "--store", store, "--port", str(port),
            "--timeout", str(timeout_s)]
    if workers:
        argv += ["--workers", str(workers)]
    return Server("policyflows", argv, port, "/sparql?" + urlencode({"query": "ASK {}"}))


def start_oxigraph(store: str, timeout_s: float | None) -> Server:
    """The Oxigraph server; with a time limit only for the runaway: with --timeout-s it starts a
    thread per query that lives the whole limit, so under this load (a thousand and more queries
    a second, times the limit) it runs out of threads and dies (measured with oxigraph 0.5)."""
    port = free_port()
    binary = Path(sys.executable).with_name("oxigraph")
    argv = [str(binary if binary.exists() else "oxigraph"), "serve-read-only", "--location", store,
            "--union-default-graph", "--cors", "--bind", f"127.0.0.1:{port}"]
    if timeout_s is not None:
        argv += ["--timeout-s", str(int(max(1, timeout_s)))]
    return Server("oxigraph", argv, port, "/query?" + urlencode({"query": "ASK {}"}))


# --- the requests ---------------------------------------------------------------------------------

def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 60, conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def light_requests(server: str, named: str, named_params: dict) -> dict[str, tuple]:
    """name -> (method, path, body, headers) for one server: the same questions in each one's form.
    Oxigraph gets the named query as the project runs it on a remote server: its parameters as a
    VALUES clause (queries.with_values)."""
    from policyflows import queries

    if server == "oxigraph":
        out = {name: ("GET", "/query?" + urlencode({"query": text}), None, {"Accept": SPARQL_JSON})
               for name, text in LIGHT_SPARQL.items()}
        out["named:" + named] = ("POST", "/query", urlencode(
            {"query": queries.with_values(queries.get(named), named_params)}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": SPARQL_JSON})
        return out
    out = {name: ("GET", "/sparql?" + urlencode({"query": text}), None, {"Accept": SPARQL_JSON})
           for name, text in LIGHT_SPARQL.items()}
    out["named:" + named] = ("GET", f"/query/{named}?" + urlencode(named_params), None, {})
    return out


def where_request(policy: str | None) -> tuple:
    """policyflows' /where for one policy. It is not in the shared load: its remote form is no light
    query for Oxigraph (a trailing VALUES cannot bind the category before the subClassOf* closure
    is computed), so Oxigraph is asked it alone (remote_where) and policyflows under load."""
    return ("GET", "/where?" + urlencode({"term": WHERE_TERM, **({"policy": policy} if policy else {})}), None, {})


def remote_where(policy: str | None) -> tuple:
    """The `where` question for one policy as the Oxigraph server can be asked it: where.rq (DPV
    terms only) with the categories and the policy's graph in its trailing VALUES."""
    import re

    from policyflows import queries
    from policyflows.vocab import policy_iri

    text = queries.with_values(queries.get("where"), {"category": WHERE_TERM})
    if policy:
        graph = f"<{policy_iri(policy)}>"
        text = re.sub(r"VALUES \(\?category\) \{(.*?)\}",
                      lambda m: "VALUES (?category ?graph) {" + re.sub(r"\((<[^>]+>)\)", r"(\1 " + graph + ")",
                                                                     m.group(1)) + "}",
                      text, flags=re.S)
    return ("POST", "/query", urlencode({"query": text}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": SPARQL_JSON})


def a_policy_id(port: int, path: str) -> str | None:
    """One policy id of the store, asked of the server itself (so no policy is named here)."""
    text = "PREFIX pf: <%s> SELECT ?id WHERE { ?p pf:policyId ?id } LIMIT 1" % PF
    status, body = request(port, "GET", path + "?" + urlencode({"query": text}), headers={"Accept": SPARQL_JSON})
    if status != 200:
        return None
    rows = json.loads(body)["results"]["bindings"]
    return rows[0]["id"]["value"] if rows else None


def count_quads(port: int) -> int:
    status, body = request(port, "GET", "/query?" + urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}),
                           headers={"Accept": SPARQL_JSON}, timeout=300)
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) if status == 200 else -1


def load(server: Server, requests: dict[str, tuple], clients: int, seconds: float) -> dict[str, list]:
    """Closed-loop load: each client sends the light requests in turn, starting at its own offset."""
    names = list(requests)
    results: dict[str, list] = {name: [] for name in names}  # name -> [(latency, ok)]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        mine = []
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.perf_counter() >= deadline:
                break
            name = names[(offset + i) % len(names)]
            method, path, body, headers = requests[name]
            t0 = time.perf_counter()
            try:
                status, payload = request(server.port, method, path, body, headers, conn=conn)
                ok = status == 200 and bool(payload)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            mine.append((name, time.perf_counter() - t0, ok))
        conn.close()
        with lock:
            for name, latency, ok in mine:
                results[name].append((latency, ok))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def peak_threads(server: Server, requests: dict[str, tuple], clients: int, seconds: float) -> int:
    """The most threads the server's processes held during a short load: how the server's time
    limit is kept shows here (the Oxigraph server with --timeout-s keeps one per query for the limit)."""
    worker = threading.Thread(target=load, args=(server, requests, clients, seconds))
    worker.start()
    peak = 0
    while worker.is_alive():
        peak = max(peak, sum(_threads(pid) for pid in _descendants(server.proc.pid)))
        time.sleep(0.1)
    worker.join()
    return peak


def _threads(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("Threads:"))
    except (OSError, StopIteration, ValueError):
        return 0


def summarise(samples: dict[str, list], seconds: float) -> dict:
    every = [s for rows in samples.values() for s in rows]
    latencies = sorted(lat for lat, _ in every)

    def pct(values, p):
        return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")

    return {
        "requests": len(every),
        "failed": sum(1 for _, ok in every if not ok),
        "throughput_per_s": len(every) / seconds if seconds else 0.0,
        "median_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": 1000 * pct(latencies, 0.95),
        "per_query_median_ms": {name: 1000 * statistics.median([lat for lat, _ in rows]) if rows else float("nan")
                                for name, rows in samples.items()},
        "per_query_failed": {name: sum(1 for _, ok in rows if not ok) for name, rows in samples.items()},
    }


def runaway(server: Server, path: str, wait_s: float, light: tuple) -> dict:
    """Send the cross product; beside it, a light query and a look at the server's CPU every 0.5 s;
    then whether the server still computes, and whether it answers a light query."""
    outcome: dict = {}
    done = threading.Event()

    def send():
        t0 = time.perf_counter()
        try:
            status, body = request(server.port, "POST", path, urlencode({"query": RUNAWAY}).encode(),
                                   {"Content-Type": "application/x-www-form-urlencoded", "Accept": SPARQL_JSON},
                                   timeout=wait_s)
            outcome.update(status=status, answer=body.decode("utf-8", "replace")[:200])
        except (OSError, http.client.HTTPException) as exc:
            outcome.update(status=None, answer=f"no answer within {wait_s:g} s ({type(exc).__name__})")
        outcome["seconds"] = time.perf_counter() - t0
        done.set()

    method, lpath, body, headers = light
    during, busy_timeline = [], []  # (seconds since the runaway was sent, cores busy in the last 0.5 s)
    start = time.perf_counter()
    cpu, cpu_at = server.cpu_by_process(), start
    # only the processes there before the runaway: a spare started to replace a stopped worker
    # spends a second or two of CPU opening the store, which is not the runaway computing
    present = set(cpu)
    sender = threading.Thread(target=send)
    sender.start()
    while not done.wait(0.5):
        t0 = time.perf_counter()
        try:
            status, _ = request(server.port, method, lpath, body, headers, timeout=wait_s)
            during.append((time.perf_counter() - t0, status == 200))
        except (OSError, http.client.HTTPException):
            during.append((time.perf_counter() - t0, False))
        now_cpu, now = server.cpu_by_process(), time.perf_counter()
        busy_timeline.append((now - start, server.cores_busy(cpu, now_cpu, now - cpu_at, present)))
        cpu, cpu_at = now_cpu, now
    sender.join()
    cpu, cpu_at = server.cpu_by_process(), time.perf_counter()
    time.sleep(3)
    busy_after = server.cores_busy(cpu, server.cpu_by_process(), time.perf_counter() - cpu_at, present)
    t1 = time.perf_counter()
    try:
        status, _ = request(server.port, method, lpath, body, headers, timeout=30)
        after = {"status": status, "ms": 1000 * (time.perf_counter() - t1)}
    except (OSError, http.client.HTTPException) as exc:
        after = {"status": None, "ms": None, "error": type(exc).__name__}
    computing = [t for t, busy in busy_timeline if busy >= BUSY_CORES]
    return {
        **outcome,
        "stopped": busy_after < BUSY_CORES,
        "cores_busy_after": busy_after,
        "computed_until_s": max(computing) if computing else None,
        "busy_timeline": busy_timeline,
        "during_light": {"requests": len(during), "failed": sum(1 for _, ok in during if not ok),
                         "median_ms": 1000 * statistics.median([d for d, _ in during]) if during else None},
        "after_light": after,
    }


# --- the report -----------------------------------------------------------------------------------

def markdown(report: dict) -> str:
    shared = report["load"]
    names = list(next(iter(shared.values()))["per_query_median_ms"])
    lines = [f"store `{report['store']}` ({report['quads']:,} quads), {report['clients']} clients, "
             f"{report['seconds']:g} s per server in {report['rounds']} alternating rounds, time limit "
             f"{report['timeout_s']:g} s; load average before: {report['load_average_before']}, "
             f"after: {report['load_average_after']}", "",
             "The same light questions to both servers:", "",
             "| server | requests | failed | req/s | median | p95 | " + " | ".join(names) + " |",
             "| --- | ---: | ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in names) + " |"]
    for server, s in shared.items():
        lines.append(f"| {server} | {s['requests']:,} | {s['failed']} | {s['throughput_per_s']:.0f} | "
                     f"{s['median_ms']:.1f} ms | {s['p95_ms']:.1f} ms | "
                     + " | ".join(f"{s['per_query_median_ms'][n]:.1f} ms" for n in names) + " |")
    lines += ["", f"median latency ratio policyflows / oxigraph: {report['median_ratio']:.2f}x", ""]
    w = report["where_load"]
    lines += [f"`/where?term={WHERE_TERM}&policy=…` under the same load, policyflows alone: {w['requests']:,} requests, "
              f"{w['failed']} failed, {w['throughput_per_s']:.0f}/s, median {w['median_ms']:.1f} ms, "
              f"p95 {w['p95_ms']:.1f} ms; the same question asked alone of Oxigraph (where.rq with VALUES): "
              + (f"{report['remote_where_ms']:.0f} ms." if report["remote_where_ms"] != float("inf")
               else f"not answered in {REMOTE_WHERE_WAIT} s."), "",
              "The runaway query (`" + RUNAWAY + "`):", "",
              "| server | threads after 2 s of load | answered | after | CPU burnt until | still computing 3 s later | "
              "light queries meanwhile (median, failed) | light query afterwards |",
              "| --- | ---: | --- | ---: | ---: | --- | --- | --- |"]
    for server, r in report["runaway"].items():
        answer = f"{r['status']}: {r['answer'][:90]}" if r["status"] else r["answer"]
        during = r["during_light"]
        during_text = (f"{during['median_ms']:.0f} ms, {during['failed']}/{during['requests']} failed"
                       if during["requests"] else "—")
        after = r["after_light"]
        after_text = f"{after['status']} in {after['ms']:.0f} ms" if after["status"] else f"no ({after.get('error')})"
        until = f"{r['computed_until_s']:.1f} s" if r["computed_until_s"] is not None else "—"
        lines.append(f"| {server} | {r['threads_after_2s_load']:,} | {answer.replace('|', '/')} | {r['seconds']:.1f} s | {until} | "
                     f"{'no' if r['stopped'] else 'yes'} ({r['cores_busy_after']:.2f} cores) | "
                     f"{during_text} | {after_text} |")
    return "\n".join(lines)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="example: .venv/bin/python benchmarks/serve_bench.py --store /tmp/opp115 "
                                            "--clients 16 --seconds 20 --json serve.json")
    parser.add_argument("--store", required=True, help="a built policyflows store folder")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=20.0, help="load seconds per server (default 20)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds the seconds are split into")
    parser.add_argument("--timeout-s", type=float, default=10.0, help="both servers' time limit (default 10)")
    parser.add_argument("--runaway-wait", type=float, default=None,
                        help="seconds to wait for the runaway's answer (default: 3x the limit + 30)")
    parser.add_argument("--workers", type=int, default=None, help="policyflows serve --workers (default: its own)")
    parser.add_argument("--named", default="labels", help="the named query of the load (default labels)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="its parameters (default for labels: iri=pf:Video)")
    parser.add_argument("--json", dest="json_out", help="write every number to this file")
    args = parser.parse_args(argv)
    store = Path(args.store).expanduser()
    if not (store / "CURRENT").exists():
        print(f"Error: {store} is not a built store (policyflows build … --store {store})", file=sys.stderr)
        return 2
    if args.clients < 1 or args.seconds <= 0 or args.rounds < 1 or args.timeout_s <= 0:
        print("Error: --clients, --seconds, --rounds and --timeout-s must be positive", file=sys.stderr)
        return 2
    if any("=" not in p for p in args.param):
        print("Error: --param wants NAME=VALUE", file=sys.stderr)
        return 2
    named_params = dict(p.split("=", 1) for p in args.param) or ({"iri": "pf:Video"} if args.named == "labels" else {})
    wait_s = args.runaway_wait or 3 * args.timeout_s + 30

    report = {"store": str(store), "clients": args.clients, "seconds": args.seconds, "rounds": args.rounds,
              "timeout_s": args.timeout_s, "workers": args.workers, "machine": {
                  "cores": os.cpu_count(), "python": platform.python_version()},
              "load_average_before": load_average()}
    servers = {"oxigraph": start_oxigraph(str(store), None),
               "policyflows": start_policyflows(str(store), args.timeout_s, args.workers)}
    paths = {"oxigraph": "/query", "policyflows": "/sparql"}
    try:
        policy = a_policy_id(servers["oxigraph"].port, "/query")
        report["where_policy"] = policy
        report["quads"] = count_quads(servers["oxigraph"].port)
        requests = {name: light_requests(name, args.named, named_params) for name in servers}
        where = {"where": where_request(policy)}
        for name, server in servers.items():  # every request answers before the clock starts
            for label, (method, path, body, headers) in {**requests[name], **(where if name == "policyflows" else {})}.items():
                status, payload = request(server.port, method, path, body, headers)
                if status != 200:
                    raise RuntimeError(f"{name} {label}: {status} {payload[:300]!r}")
        samples: dict[str, dict[str, list]] = {name: {} for name in servers}
        per_round = args.seconds / args.rounds
        for _ in range(args.rounds):
            for name, server in servers.items():
                for label, rows in load(server, requests[name], args.clients, per_round).items():
                    samples[name].setdefault(label, []).extend(rows)
                if server.death():
                    raise RuntimeError(server.death())
        report["load"] = {name: summarise(s, args.seconds) for name, s in samples.items()}
        report["median_ratio"] = report["load"]["policyflows"]["median_ms"] / report["load"]["oxigraph"]["median_ms"]
        where_seconds = max(1.0, args.seconds / 2)
        report["where_load"] = summarise(load(servers["policyflows"], where, args.clients, where_seconds),
                                         where_seconds)
        # last of the load: a question Oxigraph cannot finish keeps computing until it is stopped below
        where_times = []
        for _ in range(3):
            t0 = time.perf_counter()
            try:
                status, _ = request(servers["oxigraph"].port, *remote_where(policy), timeout=REMOTE_WHERE_WAIT)
            except (OSError, http.client.HTTPException):  # not answered in time: reported as "> … s"
                status = None
            where_times.append(1000 * (time.perf_counter() - t0) if status == 200 else float("inf"))
            if status != 200:
                break
        report["remote_where_ms"] = statistics.median(where_times)
        report["runaway_query"] = RUNAWAY
        report["runaway"] = {}
        servers.pop("oxigraph").stop()
        servers = {"oxigraph": start_oxigraph(str(store), args.timeout_s), **servers}
        for name in list(servers):
            light = requests[name]["select-limit-10"]
            threads = peak_threads(servers[name], requests[name], args.clients, 2.0)
            report["runaway"][name] = {"threads_after_2s_load": threads,
                                       **runaway(servers[name], paths[name], wait_s, light)}
            servers.pop(name).stop()  # a runaway the server did not stop goes with it
    finally:
        for server in servers.values():
            server.stop()
    report["load_average_after"] = load_average()
    print(markdown(report))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
