"""Read throughput of `policyflows.ingest.read` on the OPP-115 policies, on one core.

    .venv/bin/python benchmarks/read_bench.py [FOLDER] [--repeat N]

Prints policies/s and MB/s (input bytes) for the whole read, and the time spent segmenting
(headings + sentences) alone, so a slow stage shows. The first pass warms caches (rules, regexes).
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from policyflows.ingest import iter_policy_files, read
from policyflows.ingest.plaintext import text_blocks
from policyflows.ingest.assemble import assemble

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "opp115"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = list(iter_policy_files([args.folder]))
    size = sum(p.stat().st_size for p in files)
    docs = [read(p) for p in files]  # warm-up
    runs = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for path in files:
            read(path)
        runs.append(time.perf_counter() - start)
    best = min(runs)
    segment = _segment_time([d.text for d in docs])
    sentences = sum(len(d.sentences) for d in docs)
    print(f"{len(files)} policies, {size / 1e6:.2f} MB, {sentences} sentences, best of {args.repeat} runs")
    print(f"read:     {best:.2f} s  = {len(files) / best:.1f} policies/s, {size / 1e6 / best:.2f} MB/s"
          f"  (median {statistics.median(runs):.2f} s)")
    print(f"segment:  {segment * 1000 / len(files):.2f} ms per policy (headings + sentences on the cleaned text)")


def _segment_time(texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        assemble(text_blocks(text))
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
