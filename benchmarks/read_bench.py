"""Read throughput of `policyflows.ingest.read` on the OPP-115 policies, on one core.

    .venv/bin/python benchmarks/read_bench.py [FOLDER] [--repeat N]

Prints policies/s and MB/s (input bytes) for the whole read, by wall clock and by CPU time of
this process (the fair one-core figure when other jobs share the machine), and the time spent
segmenting (headings + sentences) alone, so a slow stage shows. The first pass warms caches.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from policyflows.ingest import iter_policy_files, read
from policyflows.ingest.assemble import assemble
from policyflows.ingest.plaintext import text_blocks

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "opp115"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = list(iter_policy_files([args.folder]))
    size = sum(p.stat().st_size for p in files)
    docs = [read(p) for p in files]  # warm-up
    runs, cpu = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        for path in files:
            read(path)
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    best, best_cpu = min(runs), min(cpu)
    segment = _segment_time([d.text for d in docs])
    sentences = sum(len(d.sentences) for d in docs)
    print(f"{len(files)} policies, {size / 1e6:.2f} MB, {sentences} sentences, best of {args.repeat} runs")
    print(f"read:     {best:.2f} s wall = {len(files) / best:.1f} policies/s, {size / 1e6 / best:.2f} MB/s"
          f"  (median {statistics.median(runs):.2f} s)")
    print(f"          {best_cpu:.2f} s CPU  = {len(files) / best_cpu:.1f} policies/s, {size / 1e6 / best_cpu:.2f} MB/s")
    print(f"segment:  {segment * 1000 / len(files):.2f} ms CPU per policy (headings + sentences on the cleaned text)")


def _segment_time(texts: list[str]) -> float:
    start = time.process_time()
    for text in texts:
        assemble(text_blocks(text))
    return time.process_time() - start


if __name__ == "__main__":
    main()
