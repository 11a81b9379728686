"""Store benchmark: the named queries on 1x, 10x and 100x the real graphs, pyoxigraph against rdflib.

    .venv/bin/python benchmarks/store_bench.py [--policies ../shared/policies] [--sizes 1 10 100]
        [--rdflib-timeout 60] [--out FILE]

The real graphs are what the pipeline builds from the seed policies; an N x corpus holds N copies of
each under new policy ids (and so new policy IRIs), plus the ontology graph. For each size it
measures, each engine in a fresh child process (so peak memory is that engine's alone):

* load: pyoxigraph ``bulk_load`` of the N-Quads into an on-disk store, against rdflib
  ``Dataset.parse`` into memory; seconds and peak resident memory;
* every named query of queries/ with its example parameters: median of 3 runs, pyoxigraph on the
  store just built, rdflib on its Dataset (rdflib does not know LATERAL, so where.rq and flows.rq
  are given to it with LATERAL { … } unwrapped, which means the same here);
* ``policyflows where video --store <store> --format json`` (and ``--format table``) from the
  command line (median of 5).

It prints a Markdown table and writes it to --out.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_TERM = "video"
RUNS = 3


def example_params(ids: list[str]) -> dict[str, dict]:
    """Parameters for the queries that need them; policies are taken from the corpus, not named here."""
    first, second = ids[0], ids[-1]
    return {
        "where": {"category": EXAMPLE_TERM},
        "flows": {"category": EXAMPLE_TERM},
        "recipients-of-data": {"category": EXAMPLE_TERM},
        "cross-border": {},
        "retention": {},
        "compare-policies": {"first": first, "second": second},
        "evidence": {"flow": None},  # filled with a real flow IRI
        "data-for-organisation": {"organisation": None},  # filled with a named organisation found
        "labels": {"iri": "pf:Video"},
    }


# --- building the corpora -----------------------------------------------------------------------

def real_nquads(policies: Path) -> tuple[str, list[str]]:
    """The seed policies' graphs as N-Quads (one named graph each, with the answer rows the store
    precomputes), and their ids."""
    from policyflows.store import FlowStore

    store = FlowStore.open(None)
    report = store.build([policies], progress=False)
    ids = sorted(report.built)
    return store.export(format="nquads", policies=ids).decode(), ids


def ontology_nquads() -> str:
    import pyoxigraph as ox

    from policyflows.store import FlowStore

    store = FlowStore.open(None)
    return store.export(format="nquads").decode()


def replicate(real: str, ids: list[str], n: int) -> tuple[str, list[str]]:
    """n copies of the real graphs; copy k of policy P is policy "P-k" (new IRIs, new policyId)."""
    if n == 1:
        return real, ids
    pattern = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    copies, new_ids = [], []
    for k in range(n):
        copies.append(pattern.sub(lambda m: f"{m.group(0)}-{k}", real))
        new_ids += [f"{i}-{k}" for i in ids]
    return "".join(copies), new_ids


# --- child processes: one engine, one size --------------------------------------------------------

def peak_mb() -> float:
    """Peak resident memory of this process. VmHWM, not ru_maxrss: ru_maxrss survives exec, so a
    child would report its parent's peak when that is higher."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_oxigraph(nquads: Path, store_dir: Path, params: dict) -> dict:
    import pyoxigraph as ox

    from policyflows import queries

    started = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.optimize()
    load = time.perf_counter() - started
    size = len(store)
    times = {}
    for name, q in queries.library().items():
        runs, rows = [], []
        try:
            for _ in range(RUNS):
                t = time.perf_counter()
                rows = queries.run(store, q, params.get(name)).rows
                runs.append(time.perf_counter() - t)
        except queries.QueryParameterError:
            runs = []  # the corpus has nothing to bind it to
        times[name] = {"seconds": statistics.median(runs) if runs else None, "rows": len(rows)}
    return {"load": load, "peak_mb": peak_mb(), "quads": size, "queries": times}


class Timeout(Exception):
    pass


def without_lateral(text: str) -> str:
    """LATERAL { X } -> X: rdflib does not parse LATERAL; for single OPTIONAL lookups it means the same."""
    while (i := text.find("LATERAL {")) >= 0:
        depth, j = 0, i + len("LATERAL ")
        for j in range(i + len("LATERAL "), len(text)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                break
        text = text[:i] + text[i + len("LATERAL {"):j] + text[j + 1:]
    return text


def child_rdflib(nquads: Path, params: dict, timeout: int) -> dict:
    from rdflib import Dataset, Literal, URIRef, Variable

    from policyflows import queries

    started = time.perf_counter()
    ds = Dataset(default_union=False)
    ds.parse(str(nquads), format="nquads")
    load = time.perf_counter() - started
    size = len(ds)

    def on_alarm(*_):
        raise Timeout

    signal.signal(signal.SIGALRM, on_alarm)
    times = {}
    for name, q in queries.library().items():
        try:
            subs = queries.substitutions(q, params.get(name))
        except queries.QueryParameterError:
            times[name] = {"seconds": None, "rows": 0}
            continue
        text = without_lateral(q.text)
        runs, rows = [], None
        for _ in range(RUNS):
            t = time.perf_counter()
            signal.alarm(timeout)
            try:
                rows = 0
                for sub in subs or [{}]:
                    bindings = {Variable(k.value): (URIRef(v.value) if v.__class__.__name__ == "NamedNode"
                                                    else Literal(v.value)) for k, v in sub.items()}
                    rows += len(list(ds.query(text, initBindings=bindings)))
            except Timeout:
                runs = [None]
                break
            finally:
                signal.alarm(0)
            runs.append(time.perf_counter() - t)
        times[name] = {"seconds": None if runs == [None] else statistics.median(runs), "rows": rows}
    return {"load": load, "peak_mb": peak_mb(), "quads": size, "queries": times}


def run_child(kind: str, *args) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, *map(str, args)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{kind} child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def cli_where_seconds(store_dir: Path, fmt: str, runs: int = 5) -> tuple[float, int]:
    exe = Path(sys.executable).with_name("policyflows")
    times, size = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run([str(exe), "where", EXAMPLE_TERM, "--store", str(store_dir), "--format", fmt],
                             capture_output=True)
        times.append(time.perf_counter() - t)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.decode())
        size = len(json.loads(out.stdout)["flows"]) if fmt == "json" else len(out.stdout)
    return statistics.median(times), size


# --- the report ---------------------------------------------------------------------------------

def fmt_s(seconds) -> str:
    if seconds is None:
        return "timeout"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio(slow, fast) -> str:
    if fast is None or fast == 0:
        return "-"
    if slow is None:
        return "> timeout"
    return f"{slow / fast:.0f}x" if slow / fast >= 10 else f"{slow / fast:.1f}x"


def report(results: dict, timeout: int) -> str:
    lines = ["| size | quads | engine | load | peak memory |", "| --- | ---: | --- | ---: | ---: |"]
    for n, r in results.items():
        for engine in ("pyoxigraph", "rdflib"):
            e = r[engine]
            lines.append(f"| {n}x | {e['quads']:,} | {engine} | {fmt_s(e['load'])} | {e['peak_mb']:.0f} MB |")
    lines += ["", "| query | " + " | ".join(f"{n}x pyoxigraph | {n}x rdflib | ratio" for n in results) + " |",
              "| --- | " + " | ".join("---: | ---: | ---:" for _ in results) + " |"]
    names = list(next(iter(results.values()))["pyoxigraph"]["queries"])
    for name in names:
        cells = []
        for r in results.values():
            ox_s = r["pyoxigraph"]["queries"][name]["seconds"]
            rd_s = r["rdflib"]["queries"][name]["seconds"]
            cells += [fmt_s(ox_s), fmt_s(rd_s), ratio(rd_s, ox_s)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", f"rdflib queries stop at {timeout} s (\"timeout\").", "",
              "| size | `policyflows where video --format json` (command line, median of 5) | flows "
              "| `--format table` | table size |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for n, r in results.items():
        lines.append(f"| {n}x | {fmt_s(r['cli_where'])} | {r['cli_flows']:,} | {fmt_s(r['cli_table'])} "
                     f"| {r['cli_table_bytes'] / 1e6:.1f} MB |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--policies", type=Path, default=REPO.parent / "shared" / "policies")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--rdflib-timeout", type=int, default=60)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        kind, *rest = args.child
        params = json.loads(Path(rest[-1]).read_text())
        if kind == "oxigraph":
            print(json.dumps(child_oxigraph(Path(rest[0]), Path(rest[1]), params)))
        else:
            print(json.dumps(child_rdflib(Path(rest[0]), params, int(rest[1]))))
        return 0

    real, ids = real_nquads(args.policies)
    ontology = ontology_nquads()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in args.sizes:
            data, copy_ids = replicate(real, ids, n)
            nquads = tmp / f"corpus-{n}.nq"
            nquads.write_text(ontology + data, encoding="utf-8")
            params = fill_params(example_params(copy_ids), data)
            params_file = tmp / f"params-{n}.json"
            params_file.write_text(json.dumps(params))
            store_dir = tmp / f"store-{n}"
            print(f"{n}x: pyoxigraph …", file=sys.stderr, flush=True)
            ox_result = run_child("oxigraph", nquads, store_dir, params_file)
            print(f"{n}x: rdflib …", file=sys.stderr, flush=True)
            rd_result = run_child("rdflib", nquads, args.rdflib_timeout, params_file)
            cli, flows = cli_where_seconds(store_dir, "json")
            table, table_bytes = cli_where_seconds(store_dir, "table")
            results[n] = {"pyoxigraph": ox_result, "rdflib": rd_result, "cli_where": cli, "cli_flows": flows,
                          "cli_table": table, "cli_table_bytes": table_bytes}
            print(report(results, args.rdflib_timeout), file=sys.stderr, flush=True)
    table = report(results, args.rdflib_timeout)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


def fill_params(params: dict, data: str) -> dict:
    """Pick a real flow IRI and a real named organisation out of the corpus for the queries that need one."""
    flow = re.search(r"<(https://w3id\.org/policyflows/policy/[^>]+/flow/[^>]+)>", data)
    org = re.search(r"<https://w3id\.org/policyflows/ns#organisation> <([^>]+)>", data)
    params["evidence"] = {"flow": flow.group(1)} if flow else {}
    params["data-for-organisation"] = {"organisation": org.group(1)} if org else {}
    return {k: {pk: pv for pk, pv in v.items() if pv is not None} for k, v in params.items()}


if __name__ == "__main__":
    sys.exit(main())
