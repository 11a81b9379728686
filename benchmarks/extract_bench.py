"""Extraction throughput on the OPP-115 corpus, on one core.

    .venv/bin/python benchmarks/extract_bench.py [../shared/corpus/opp115] [--repeat 3]

Times are CPU seconds of this process (time.process_time), so a busy machine does not skew them.
Reads every policy first (reading is measured by benchmarks/read_bench.py), then times, per
policy: extraction (statements), flow derivation (inference) and writing the RDF graph. Prints
policies/s for extraction alone and for extraction + graph, and the process's peak memory.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", type=Path, default=HERE.parent.parent / "shared" / "corpus" / "opp115")
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best is reported (default 3)")
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the figure claims

    from policyflows.extract import Extractor
    from policyflows.graph import derive_flows, policy_triples
    from policyflows.ingest import read
    from policyflows.ontology import Lexicon

    files = sorted(p for p in args.corpus.iterdir() if p.suffix.lower() in {".html", ".htm"})
    if not files:
        print(f"no policies in {args.corpus}", file=sys.stderr)
        return 2
    t0 = time.process_time()
    lexicon = Lexicon.load()
    extractor = Extractor(lexicon)
    load_s = time.process_time() - t0
    docs = [read(p) for p in files]
    mb = sum(len(d.text.encode()) for d in docs) / 1e6

    extract_runs, total_runs = [], []
    counts = (0, 0, 0)
    for _ in range(args.repeat):
        t_extract = t_total = 0.0
        statements = flows = triples = 0
        for doc in docs:
            a = time.process_time()
            found = extractor.extract(doc)
            b = time.process_time()
            derived = derive_flows(doc.policy, found, lexicon)
            graph = policy_triples(doc, found, derived)
            c = time.process_time()
            t_extract += b - a
            t_total += c - a
            statements, flows, triples = statements + len(found), flows + len(derived), triples + len(graph)
        extract_runs.append(t_extract)
        total_runs.append(t_total)
        counts = (statements, flows, triples)

    n = len(docs)
    best_e, best_t = min(extract_runs), min(total_runs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"corpus: {n} policies, {mb:.1f} MB of cleaned text ({args.corpus})")
    print(f"lexicon and cues loaded in {load_s:.2f} s")
    print(f"extraction:            {n / best_e:7.1f} policies/s  ({best_e:.2f} s, median {statistics.median(extract_runs):.2f} s)")
    print(f"extraction+flows+RDF:  {n / best_t:7.1f} policies/s  ({best_t:.2f} s)")
    print(f"found: {counts[0]} statements, {counts[1]} flows, {counts[2]} triples")
    print(f"peak memory (RSS): {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
