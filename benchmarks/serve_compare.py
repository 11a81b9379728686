"""Two or more `policyflows serve` builds beside the Oxigraph server on one store, in short
alternating rounds: the comparison that holds on a shared, noisy machine, where a change in
load between two serve_bench.py runs moves the ratio more than a change in the code does.

    .venv/bin/python benchmarks/serve_compare.py --store DIR --serve . --serve /tmp/old:2 \\
        [--rounds 6] [--seconds 4] [--clients 16]

Each --serve is a checkout (its `policyflows` package is the one served, started from that
folder) with an optional `:WORKERS`. Every server gets the light questions of serve_bench.py
from --clients keep-alive clients for --seconds per round, in an order reversed every round.
Printed: requests, failures, the median over all rounds and per round, and each build's ratio
to Oxigraph (overall, and the median of the per-round ratios).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve_bench as sb  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True, help="a built store folder")
    ap.add_argument("--serve", action="append", required=True, metavar="CHECKOUT[:WORKERS]")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--clients", type=int, default=16)
    args = ap.parse_args()
    params = {"iri": "pf:Video"}
    here = os.getcwd()
    servers = {}
    try:
        os.chdir("/")
        servers["oxigraph"] = (sb.start_oxigraph(args.store, None), sb.light_requests("oxigraph", "labels", params))
        for spec in args.serve:
            folder, _, workers = spec.partition(":")
            os.chdir(Path(here, folder).resolve())  # `python -m policyflows` imports from here first
            servers[spec] = (sb.start_policyflows(args.store, 10, int(workers) if workers else None),
                             sb.light_requests("policyflows", "labels", params))
        os.chdir(here)
        latencies = {name: [] for name in servers}
        failed = {name: 0 for name in servers}
        rounds = {name: [] for name in servers}
        for server, requests in servers.values():  # warm each one's caches
            sb.load(server, requests, args.clients, 1)
        load_before = os.getloadavg()
        order = list(servers)
        for r in range(args.rounds):
            for name in order if r % 2 == 0 else order[::-1]:
                server, requests = servers[name]
                samples = [s for v in sb.load(server, requests, args.clients, args.seconds).values() for s in v]
                latencies[name] += [latency for latency, _ in samples]
                failed[name] += sum(1 for _, ok in samples if not ok)
                rounds[name].append(statistics.median(latency for latency, _ in samples))
        print(f"store {args.store}, {args.clients} clients, {args.rounds} rounds of {args.seconds:g} s; "
              f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}\n")
        print("| server | requests | failed | median | per round | ratio to Oxigraph (per-round median) |")
        print("| --- | ---: | ---: | ---: | --- | --- |")
        ox_median = statistics.median(latencies["oxigraph"])
        for name in servers:
            median = statistics.median(latencies[name])
            ratio = "" if name == "oxigraph" else f"{median / ox_median:.2f}× ({statistics.median(a / b for a, b in zip(rounds[name], rounds['oxigraph'])):.2f}×)"
            print(f"| {name} | {len(latencies[name]):,} | {failed[name]} | {1000 * median:.2f} ms | "
                  + " ".join(f"{1000 * m:.1f}" for m in rounds[name]) + f" | {ratio} |")
    finally:
        for server, _ in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
