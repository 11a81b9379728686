"""Corpus benchmark: build and ask a store of 1,000 or 10,000 policies, from the command line.

    .venv/bin/python benchmarks/corpus_bench.py [--sizes 1000 10000] [--work DIR]
        [--policyflows CMD] [--jobs N] [--out FILE] [--json FILE]

A corpus of N policies is made of copies of the 126 real policies in ../shared (policies/,
corpus/iot, corpus/opp115): copy k of ``name.ext`` is ``name--k.ext``, so every copy is a distinct
file and a distinct policy id. For each size it measures, as a user runs them (wall clock, each
command a fresh process):

* ``build`` into a new store: seconds, peak resident memory of the whole process tree (the build
  and its workers, sampled from /proc), store size on disk; then a rebuild with nothing changed;
* ``policies``, every named query with its defaults (required parameters filled from the corpus),
  ``where TERM`` (the corpus summary) and ``where TERM --policy ID``, ``export``;
* the endpoint: ``benchmarks/serve_bench.py --store DIR --clients 16`` when that script exists
  (it starts ``policyflows serve`` and ``oxigraph serve-read-only`` on the same store).

``--policyflows`` names the command to measure, so the same script measures the code before a
change (e.g. ``--policyflows /work/main/.venv/bin/policyflows``). It prints a Markdown table with
the machine's load and writes it to --out.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SOURCES = [SHARED / "policies", SHARED / "corpus" / "iot", SHARED / "corpus" / "opp115"]
SUFFIXES = {".txt", ".html", ".htm", ".md", ".pdf"}
TIMEOUT = 900
TERMS = ["personal information", "location", "email address"]


def real_files() -> list[Path]:
    return sorted(p for d in SOURCES for p in d.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def make_corpus(folder: Path, n: int) -> list[str]:
    """n distinct files (hard links where possible: same bytes, distinct names and policy ids)."""
    files = real_files()
    if folder.exists() and len(list(folder.iterdir())) == n:
        return sorted(p.stem for p in folder.iterdir())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ids = []
    for i in range(n):
        src = files[i % len(files)]
        dst = folder / f"{src.stem}--{i // len(files):04d}{src.suffix}"
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)
        ids.append(dst.stem)
    return sorted(ids)


# --- running a command and watching its memory --------------------------------------------------

def _tree_rss_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run(cmd: list[str], out=subprocess.DEVNULL, timeout: float = TIMEOUT) -> dict:
    """Run a command; wall seconds, peak RSS of its process tree (MB), exit status."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
    peak = [0]

    def watch():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        _, err = proc.communicate(timeout=timeout)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        status = "timeout"
    watcher.join()
    return {"seconds": time.perf_counter() - started, "peak_mb": peak[0] / 1024, "status": status,
            "stderr": err.decode("utf-8", "replace")[-400:]}


def timed(cmd: list[str], repeat: int = 3) -> dict:
    """Median of ``repeat`` runs (one when the first run is slow), output size of the last."""
    runs, size = [], 0
    for _ in range(repeat):
        out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"corpus-bench-{os.getpid()}.out"
        with open(out_path, "wb") as out:
            result = run(cmd, out=out)
        size = out_path.stat().st_size
        out_path.unlink()
        runs.append(result)
        if result["status"] != 0 or result["seconds"] > 10:
            break
    best = dict(runs[0])
    best["seconds"] = statistics.median(r["seconds"] for r in runs)
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["bytes"] = size
    return best


def du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


# --- one size -------------------------------------------------------------------------------------

def named_queries(pf: list[str]) -> list[tuple[str, list[str]]]:
    out = subprocess.run(pf + ["query", "--list", "--format", "json"], capture_output=True, text=True, check=True)
    return [(q["name"], [p["name"] for p in q["params"] if p.get("required")]) for q in json.loads(out.stdout)]


def measure(pf: list[str], size: int, work: Path, jobs: int | None) -> dict:
    corpus = work / f"corpus-{size}"
    ids = make_corpus(corpus, size)
    store = work / f"store-{size}"
    shutil.rmtree(store, ignore_errors=True)
    for stale in work.glob(f".store-{size}.*"):
        shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink()
    result: dict = {"size": size, "load": os.getloadavg()}
    build_cmd = pf + ["build", str(corpus), "--store", str(store), "-q"] + (["--jobs", str(jobs)] if jobs else [])
    result["build"] = run(build_cmd, timeout=3 * 3600)
    result["store_mb"] = du_mb(store)
    result["rebuild"] = run(build_cmd)
    s = ["--store", str(store)]
    result["policies"] = timed(pf + ["policies", "--format", "json"] + s)
    result["policies_table"] = timed(pf + ["policies"] + s)
    first, second = ids[0], ids[len(ids) // 2]
    fills = {"first": first, "second": second, "organisation": "pf:Google"}
    queries = {}
    for name, required in named_queries(pf):
        if "flow" in required:
            flow = _a_flow(pf, store, first)
            if not flow:
                continue
            fills["flow"] = flow
        params = [a for r in required for a in ("-p", f"{r}={fills[r]}")]
        queries[name] = timed(pf + ["query", name] + params + s)
    result["queries"] = queries
    result["where"] = {t: timed(pf + ["where", t] + s) for t in TERMS}
    result["where_policy"] = {t: timed(pf + ["where", t, "--policy", first, "--format", "json"] + s) for t in TERMS}
    export = work / f"export-{size}.nq"
    result["export"] = run(pf + ["export", "-o", str(export)] + s)
    result["export_mb"] = export.stat().st_size / 1e6 if export.exists() else None
    export.unlink(missing_ok=True)
    result["serve"] = serve_bench(store)
    result["load_after"] = os.getloadavg()
    return result


def _a_flow(pf: list[str], store: Path, policy: str) -> str | None:
    out = subprocess.run(pf + ["where", "personal information", "--policy", policy, "--format", "json",
                               "--store", str(store)], capture_output=True, text=True)
    try:
        flows = json.loads(out.stdout)["flows"]
    except (json.JSONDecodeError, KeyError):
        return None
    return flows[0].get("flow") if flows else None


def serve_bench(store: Path) -> dict:
    script = REPO / "benchmarks" / "serve_bench.py"
    if not script.exists():
        return {"note": "benchmarks/serve_bench.py is not on this branch yet: endpoint not measured"}
    res = subprocess.run([sys.executable, str(script), "--store", str(store), "--clients", "16"],
                         capture_output=True, text=True, timeout=TIMEOUT)
    return {"status": res.returncode, "table": res.stdout[-6000:], "stderr": res.stderr[-1000:]}


# --- the table ------------------------------------------------------------------------------------

def fmt_s(r: dict | None) -> str:
    if not r:
        return "–"
    if r.get("status") == "timeout":
        return f"> {TIMEOUT} s"
    text = f"{r['seconds']:.2f} s" if r["seconds"] < 100 else f"{r['seconds']:.0f} s"
    if r.get("status") not in (0, None):
        text += f" (exit {r['status']})"
    return text


def table(results: list[dict], label: str) -> str:
    sizes = [r["size"] for r in results]
    head = "| whole commands | " + " | ".join(f"{n:,} policies" for n in sizes) + " |"
    lines = [f"### {label}", "", head, "| --- |" + " ---: |" * len(sizes)]

    def row(name, cell):
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results) + " |")

    row("`build` (wall, peak RSS of all its processes)",
        lambda r: f"{fmt_s(r['build'])}, {r['build']['peak_mb']:.0f} MB")
    row("store on disk", lambda r: f"{r['store_mb']:.0f} MB")
    row("rebuild, nothing changed", lambda r: fmt_s(r["rebuild"]))
    row("`policies --format json` / table", lambda r: f"{fmt_s(r['policies'])} / {fmt_s(r['policies_table'])}")
    for name in sorted({q for r in results for q in r["queries"]}):
        row(f"`query {name}`", lambda r, n=name: fmt_s(r["queries"].get(n)))
    for t in TERMS:
        row(f"`where \"{t}\"`", lambda r, t=t: f"{fmt_s(r['where'][t])}, {r['where'][t]['peak_mb']:.0f} MB, "
                                              f"{r['where'][t]['bytes'] / 1e6:.1f} MB out")
        row(f"`where \"{t}\" --policy ID --format json`", lambda r, t=t: fmt_s(r["where_policy"][t]))
    row("`export` (N-Quads)", lambda r: f"{fmt_s(r['export'])}, {r['export_mb'] or 0:.0f} MB")
    row("load average before / after", lambda r: " ".join(f"{x:.1f}" for x in r["load"]) + " / "
        + " ".join(f"{x:.1f}" for x in r["load_after"]))
    out = "\n".join(lines)
    for r in results:
        serve = r.get("serve") or {}
        out += f"\n\nEndpoint at {r['size']:,} policies: " + (serve.get("note") or "\n\n" + serve.get("table", ""))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/policyflows-corpus-bench"))
    ap.add_argument("--policyflows", default=str(Path(sys.executable).with_name("policyflows")),
                    help="the command to measure (default: this environment's policyflows)")
    ap.add_argument("--jobs", type=int, default=None, help="passed to build --jobs (default: the command's own)")
    ap.add_argument("--label", default=None)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    pf = shlex.split(args.policyflows)
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.sizes:
        print(f"size {n} …", file=sys.stderr, flush=True)
        results.append(measure(pf, n, args.work, args.jobs))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    label = args.label or f"{args.policyflows} on {os.cpu_count()} cores"
    text = table(results, label)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
