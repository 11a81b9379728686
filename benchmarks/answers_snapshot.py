"""Every answer a store gives, written to files, so that a change to the graph can be proved to change none.

    .venv/bin/python benchmarks/answers_snapshot.py --store S --out DIR
    diff -r DIR-before DIR-after

Runs the commands a user runs (a fresh ``policyflows`` process each) and writes each answer to its
own file: ``where`` for a few terms (json, table, rows, a page of jsonl, two policies, a summary
cell), every named query's summary, ``--ids`` and ``--rows`` (the per-term ones also for video,
email and location), ``evidence`` of every flow of one policy's personal information, ``policies``
(json and table), and a digest of every row of ``FlowStore.iter_flows()`` (from the cache, and from
the graphs with the cache rebuilt into a copy). Files that differ are answers that changed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "policyflows"]
TERMS = ["email", "location", "personal information", "video", "phone number", "cloud video"]
PER_TERM_QUERIES = ["flows", "recipients-of-data", "cross-border", "retention"]


def run(args: list[str], store: Path) -> str:
    done = subprocess.run(CLI + args + ["--store", str(store)], capture_output=True, text=True, cwd=REPO)
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


def query_names() -> list[str]:
    return sorted(p.stem for p in (REPO / "queries").glob("*.rq"))


def rows_digest(store_dir: Path) -> str:
    from policyflows.store import FlowStore

    store = FlowStore.open(store_dir)
    digest, n = hashlib.sha256(), 0
    for row in store.iter_flows():
        digest.update(json.dumps(row, sort_keys=True).encode())
        n += 1
    return f"{n} rows {digest.hexdigest()}\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    out, store = args.out, args.store
    out.mkdir(parents=True, exist_ok=True)

    def save(name: str, text: str) -> None:
        (out / (name.replace(" ", "_").replace("/", "_") + ".txt")).write_text(text)

    save("policies-json", run(["policies", "--format", "json"], store))
    save("policies-table", run(["policies", "--format", "table"], store))
    ids = [p["id"] for p in json.loads(run(["policies", "--format", "json"], store).split("\n", 1)[1])]
    two = [ids[0], ids[len(ids) // 2]]
    for term in TERMS:
        save(f"where-{term}-json", run(["where", term, "--format", "json"], store))
        save(f"where-{term}-table", run(["where", term, "--format", "table"], store))
        save(f"where-{term}-rows", run(["where", term, "--rows", "--format", "json"], store))
        save(f"where-{term}-page", run(["where", term, "--rows", "--format", "jsonl", "--limit", "50", "--offset", "10"], store))
        save(f"where-{term}-ids", run(["where", term, "--ids", "kind=third-party", "--format", "json"], store))
        for pid in two:
            save(f"where-{term}-policy-{pid}", run(["where", term, "--policy", pid, "--format", "json"], store))
    params = {"compare-policies": ["-p", f"first={two[0]}", "-p", f"second={two[1]}"],
              "data-for-organisation": ["-p", "organisation=pf:Xiaomi"]}
    for name in query_names():
        if name == "evidence":
            continue
        extra = params.get(name, [])
        save(f"query-{name}", run(["query", name, *extra, "--format", "json"], store))
        save(f"query-{name}-ids", run(["query", name, *extra, "--ids", "--format", "json"], store))
        save(f"query-{name}-rows", run(["query", name, *extra, "--rows", "--format", "json"], store))
        if name in PER_TERM_QUERIES:
            for term in ("video", "email", "location"):
                save(f"query-{name}-{term}-rows",
                     run(["query", name, "-p", f"category={term}", "--rows", "--format", "json"], store))
    save("query-data-for-organisation-google-rows",
         run(["query", "data-for-organisation", "-p", "organisation=pf:Google", "--rows", "--format", "json"], store))
    rows = json.loads(run(["where", "personal information", "--policy", two[0], "--format", "json"], store).split("\n", 1)[1])
    flows = sorted({f["flow"] for f in rows["flows"]})
    save("query-evidence", "".join(run(["query", "evidence", "-p", f"flow={f}", "--format", "json"], store) for f in flows))
    save("iter-flows", rows_digest(store))
    with tempfile.TemporaryDirectory() as tmp:  # the rows again, with the cache rebuilt from the graphs
        copy = Path(tmp) / "store"
        shutil.copytree(store, copy)
        for f in copy.glob("policyflows-cache*"):
            f.unlink()
        save("iter-flows-rebuilt-cache", rows_digest(copy))
    print(f"{len(list(out.iterdir()))} answers in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
