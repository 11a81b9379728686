"""Where a store's bytes go: quads per kind of node and per property, RocksDB files, cache tables.

    .venv/bin/python benchmarks/store_bytes.py --store /tmp/policyflows-corpus-bench/store-1000 [--top 25]

A store on disk is Oxigraph's RocksDB (every quad of a named graph is written in six orders, so its
size follows the number of quads) and policyflows-cache.sqlite. This reads the store (read-only)
and prints, as Markdown:

* the quads by the kind of node they describe (a flow, a statement, a sentence, the words of a
  span, a party, …: from the instance IRIs of policyflows.vocab), and by property;
* the files: RocksDB tables by whether they are compressed, the cache by table (SQLite's dbstat).
"""
from __future__ import annotations

import argparse
import collections
import re
import sqlite3
import sys
from pathlib import Path

import pyoxigraph as ox

# the kind of a subject, by the instance IRI pattern of policyflows.vocab (first match wins)
KINDS = [("flow", "/flow/"), ("statement", "/statement/"), ("words", "/text#char="), ("sentence", "/sentence/"),
         ("party", "/party/"), ("storage", "/storage/"), ("stated purpose", "/purpose/")]
ONTOLOGY = "https://w3id.org/policyflows/ontology"


def kind_of(subject: str, graph: str) -> str:
    if graph == ONTOLOGY:
        return "ontology graph"
    for name, part in KINDS:
        if part in subject:
            return name
    return "policy"


def quads_report(store: ox.Store, top: int) -> list[str]:
    kinds, props, literal_bytes = collections.Counter(), collections.Counter(), collections.Counter()
    graphs = set()
    total = 0
    for q in store.quads_for_pattern(None, None, None, None):
        total += 1
        graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        graphs.add(graph)
        kinds[kind_of(q.subject.value, graph)] += 1
        props[q.predicate.value] += 1
        if isinstance(q.object, ox.Literal):
            literal_bytes[q.predicate.value] += len(q.object.value.encode("utf-8"))
    policies = len(graphs - {ONTOLOGY, ""}) or 1
    out = [f"{total:,} quads in {len(graphs):,} graphs ({total / policies:,.0f} per policy graph)", "",
           "| node kind | quads | share | per policy |", "| --- | ---: | ---: | ---: |"]
    out += [f"| {k} | {n:,} | {n / total:.1%} | {n / policies:,.1f} |" for k, n in kinds.most_common()]
    out += ["", "| property | quads | share | literal text |", "| --- | ---: | ---: | ---: |"]
    out += [f"| `{p}` | {n:,} | {n / total:.1%} | {literal_bytes[p] / 1e6:.1f} MB |" for p, n in props.most_common(top)]
    return out


def files_report(folder: Path) -> list[str]:
    by_kind = collections.Counter()
    for f in folder.iterdir():
        if not f.is_file():
            continue
        size = f.stat().st_size
        if f.suffix == ".sst":
            with open(f, "rb") as fh:
                fh.seek(max(0, size - 65536))
                tail = fh.read()
            found = re.findall(rb"(LZ4|Snappy|ZSTD|Zlib|NoCompression)", tail)
            by_kind["RocksDB table, " + (found[-1].decode() if found else "?")] += size
        elif f.name.startswith("policyflows-cache"):
            by_kind["cache (SQLite)"] += size
        else:
            by_kind["RocksDB other (log, manifest, options)"] += size
    total = sum(by_kind.values())
    out = ["", f"files: {total / 1e6:,.0f} MB", "", "| files | MB |", "| --- | ---: |"]
    out += [f"| {k} | {v / 1e6:,.1f} |" for k, v in by_kind.most_common()]
    cache = folder / "policyflows-cache.sqlite"
    if cache.exists():
        db = sqlite3.connect(f"file:{cache}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        except sqlite3.Error:
            rows = []
        db.close()
        if rows:
            out += ["", "| cache table or index | MB |", "| --- | ---: |"]
            out += [f"| {name} | {size / 1e6:,.1f} |" for name, size in rows]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="example: store_bytes.py --store /tmp/policyflows-corpus-bench/store-1000")
    ap.add_argument("--store", type=Path, required=True, help="a built policyflows store folder")
    ap.add_argument("--top", type=int, default=25, help="how many properties to list (default 25)")
    args = ap.parse_args(argv)
    if not (args.store / "CURRENT").exists():
        print(f"Error: {args.store} is not a store folder", file=sys.stderr)
        return 2
    store = ox.Store.read_only(str(args.store))
    print("\n".join(quads_report(store, args.top) + files_report(args.store)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
