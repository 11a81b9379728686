"""The bytes of a store's policy graphs, measured so that the same quads give the same bytes.

    .venv/bin/python benchmarks/graph_bytes.py --store S [--without PREDICATE_IRI ...] [--work DIR]

Two builds of the same policies differ by a few per cent on disk (how the build's bulk loads and
RocksDB's compactions fell), so a size compared across commits is measured this way: the store's
quads outside the ontology graph, sorted, loaded into a fresh store in one bulk load, compacted
(``Store.optimize()``), and ``du -sb`` of that folder. ``--without P`` (repeatable) measures the
same quads less those with predicate P: what leaving P out of the graph would save, before writing
the code to do it.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox

ONTOLOGY = "https://w3id.org/policyflows/ontology"


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def policy_quads(store: ox.Store, without: set[str]) -> list[ox.Quad]:
    quads = [q for q in store.quads_for_pattern(None, None, None, None)
             if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != ONTOLOGY
             and q.predicate.value not in without]
    quads.sort(key=lambda q: (q.graph_name.value, str(q.subject), q.predicate.value, str(q.object)))
    return quads


def compacted_bytes(quads: list[ox.Quad], work: Path) -> int:
    folder = Path(tempfile.mkdtemp(prefix="graph-bytes-", dir=work))
    try:
        fresh = ox.Store(str(folder))
        fresh.bulk_extend(quads)
        fresh.flush()
        fresh.optimize()
        del fresh
        return folder_bytes(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True, help="a built policyflows store folder")
    ap.add_argument("--without", action="append", default=[], metavar="IRI",
                    help="leave out the quads with this predicate (repeatable)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()), help="where the fresh store goes")
    args = ap.parse_args(argv)
    if not (args.store / "CURRENT").exists():
        print(f"Error: {args.store} is not a store folder", file=sys.stderr)
        return 2
    store = ox.Store.read_only(str(args.store))
    quads = policy_quads(store, set(args.without))
    graphs = len({q.graph_name for q in quads}) or 1
    size = compacted_bytes(quads, args.work)
    print(f"{len(quads):,} quads in {graphs} policy graphs ({len(quads) / graphs:,.1f} a graph): "
          f"{size:,} bytes compacted ({size / graphs / 1e3:,.1f} kB a graph, {size / max(len(quads), 1):.1f} a quad)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
