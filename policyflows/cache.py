"""The speed cache beside the store: the row model's facts in SQLite, and the corpus summary.

Answering `where` from RDF means assembling, for every flow, its labels, recipient, places,
purposes and the sentences of the statements it follows from; on 10,000 policies a question
touches a million flows. The facts of each policy (policyflows/rows.py, derived from its graph
alone) are kept here instead, in ``policyflows-cache.sqlite`` inside the store folder:

* ``policies``: one row per policy: its `policies` record, and its row facts as one compressed
  blob (:func:`encode_facts`: sentences, parties, statements, words and flows in the answer's
  order), made where the policy is built (a worker) and decoded only when its rows are asked for;
* ``pdata``: how many flows each policy has of each data category (counts and paging);
* ``cells``: for every data category and each category above it, per dimension (recipient kind,
  organisation, place, purpose, action, retention, disclosure) and value, how many policies send
  it there (stated, inferred only, ruled out) and which: three sorted lists of policy numbers
  (stated, inferred, ruled out), delta-encoded and compressed, so that a corpus summary reads a
  few hundred rows and a filtered one intersects lists.

The cache is derived: it is never exported, ``build`` and ``load`` write it beside the graphs they
change, and a store whose files changed otherwise (the cache records their names and sizes) gets
its cache rebuilt from the graph on first use (``FlowStore.refresh_cache``). Being derived and
private, its encoding is whatever is small and quick to read (``SCHEMA`` names it; another
schema is rebuilt).
"""
from __future__ import annotations

import json
import os
import sqlite3
import struct
import threading
import zlib
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import accumulate
from operator import sub
from pathlib import Path
from typing import Iterable, Iterator

from policyflows.rows import FlowFacts, OntologyTerms, PolicyFacts, flow_row

FILE = "policyflows-cache.sqlite"
SCHEMA = 2

# summary dimensions: what a cell is about
DIMS = ("any", "action", "kind", "organisation", "place", "purpose", "retention", "disclosure")
DIM = {name: i for i, name in enumerate(DIMS)}
STATED, INFERRED, RULED_OUT = 1, 2, 4
_DISCLOSING = {"share", "transfer", "sell"}
_INSIDERS = {"first-party", "user"}
DECODED = 128  # policies whose decoded facts a reader keeps (a server answering /where for one policy)

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS resolved (term TEXT PRIMARY KEY, matched TEXT);
CREATE TABLE IF NOT EXISTS terms (tid INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS policies (pid INTEGER PRIMARY KEY AUTOINCREMENT, policy TEXT UNIQUE NOT NULL, graph TEXT UNIQUE NOT NULL,
    sha256 TEXT, path TEXT, record TEXT NOT NULL, facts BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pdata (data INTEGER, pid INTEGER, n INTEGER, PRIMARY KEY (data, pid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cells (cat INTEGER, dim INTEGER, value INTEGER, positive INTEGER, stated INTEGER,
    inferred INTEGER, ruled_out INTEGER, ids BLOB NOT NULL, PRIMARY KEY (cat, dim, value)) WITHOUT ROWID;
"""


def store_stamp(folder: Path) -> str:
    """What the store's files are (names and sizes, not RocksDB's own log): any write changes it,
    reading does not."""
    entries = []
    for name in sorted(os.listdir(folder)):
        if name.startswith(("LOG", "LOCK", "policyflows-")):
            continue
        try:
            entries.append(f"{name}:{os.path.getsize(folder / name)}")
        except OSError:
            continue
    return " ".join(entries)


def reach_of(facts: PolicyFacts, terms: OntologyTerms) -> dict[tuple[str, int, str], int]:
    """Which cells one policy is in: (category, dimension, value) -> how (stated | inferred | ruled out).
    Each flow counts for its data category and every category above it."""
    by_data: dict[tuple[str, int, str], int] = {}

    def mark(data, dim, value, bit):
        key = (data, dim, value)
        by_data[key] = by_data.get(key, 0) | bit

    for f in facts.flows:
        bit = RULED_OUT if f.modality == "will-not" else (STATED if f.stated else INFERRED)
        kind = facts.parties.get(f.party, (None, None, None))[1] if f.party else None
        org = facts.parties.get(f.party, (None, None, None))[2] if f.party else None
        mark(f.data, DIM["any"], "", bit)
        mark(f.data, DIM["action"], f.action, bit)
        if kind:
            mark(f.data, DIM["kind"], kind, bit)
            if f.action in _DISCLOSING and kind not in _INSIDERS:
                mark(f.data, DIM["disclosure"], kind, bit)
        if org:
            mark(f.data, DIM["organisation"], org, bit)
        if f.place:
            mark(f.data, DIM["place"], f.place, bit)
        if f.retention:
            mark(f.data, DIM["retention"], f.retention, bit)
        for p in f.purposes:
            purpose = facts.broader.get(p) if p in facts.labels else p
            if purpose:
                mark(f.data, DIM["purpose"], purpose, bit)
    reach: dict[tuple[str, int, str], int] = {}
    for (data, dim, value), bits in by_data.items():
        for cat in (data, *terms.ancestors(data)):
            key = (cat, dim, value)
            reach[key] = reach.get(key, 0) | bits
    return reach


# --- one policy's facts as one blob -----------------------------------------------------------------

def encode_facts(facts: PolicyFacts) -> bytes:
    """The row facts of one policy as compressed JSON: IRIs once each in a table (those of the
    policy's own nodes relative to its graph), everything else by position in that table."""
    g = facts.graph
    iris: dict[str, int] = {}

    def ref(iri):
        if iri is None:
            return None
        found = iris.get(iri)
        if found is None:
            found = iris[iri] = len(iris)
        return found

    sentence_at = {s: i for i, s in enumerate(facts.sentences)}
    statement_at = {st: i for i, st in enumerate(facts.evidence)}
    body = {
        "s": [[ref(s), *v] for s, v in facts.sentences.items()],
        "p": [[ref(r), label, kind, ref(org)] for r, (label, kind, org) in facts.parties.items()],
        "st": [[ref(st), [sentence_at[s] for s in cited if s in sentence_at],
                [[role, ref(name), a, b, exact] for role, name, a, b, exact in facts.words.get(st, ())]]
               for st, cited in facts.evidence.items()],
        "l": [[ref(iri), label, ref(facts.broader.get(iri))] for iri, label in facts.labels.items()],
        "f": [[ref(f.flow), ref(f.data), f.action, f.modality, ref(f.party), ref(f.place), int(f.stated), f.retention,
               [ref(v) for v in f.via], [ref(p) for p in f.purposes], f.conditions, [ref(b) for b in f.legal],
               [statement_at[s] for s in f.statements if s in statement_at]] for f in facts.flows],
    }
    body["i"] = [iri[len(g):] if iri.startswith(g + "/") else iri for iri in iris]
    return zlib.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def decode_facts(blob: bytes, policy: str, graph: str, record: dict | None = None) -> PolicyFacts:
    """The PolicyFacts :func:`encode_facts` wrote (the record is kept apart, in its own column)."""
    body = json.loads(zlib.decompress(blob))
    iris = [graph + i if i.startswith("/") else i for i in body["i"]]

    def iri(n):
        return None if n is None else iris[n]

    sentences = {iris[s]: (start, end, text, section) for s, start, end, text, section in body["s"]}
    sentence_list = [iris[row[0]] for row in body["s"]]
    parties = {iris[r]: (label, kind, iri(org)) for r, label, kind, org in body["p"]}
    evidence, words, statement_list = {}, {}, []
    for st, cited, found in body["st"]:
        st = iris[st]
        statement_list.append(st)
        evidence[st] = [sentence_list[s] for s in cited]
        if found:
            words[st] = [(role, iris[name], a, b, exact) for role, name, a, b, exact in found]
    labels = {iris[i]: label for i, label, _ in body["l"]}
    broader = {iris[i]: iris[b] for i, _, b in body["l"] if b is not None}
    flows = [FlowFacts(flow=iri(fl), data=iris[d], action=action, modality=modality, party=iri(party),
                       place=iri(place), stated=bool(stated), retention=retention, via=[iris[v] for v in via],
                       purposes=[iris[p] for p in purposes], conditions=conditions, legal=[iris[b] for b in legal],
                       statements=[statement_list[s] for s in sts], n=n)
             for n, (fl, d, action, modality, party, place, stated, retention, via, purposes, conditions, legal, sts)
             in enumerate(body["f"])]
    return PolicyFacts(policy, graph, record or {}, sentences, parties, evidence, words, flows, labels, broader)


@dataclass
class Entry:
    """One policy as the cache keeps it, made where the policy is built (a worker process or a Dask
    worker) so that the process writing the cache only inserts it."""

    policy: str
    graph: str
    sha256: str | None
    path: str | None
    record: str  # the `policies --format json` record, as JSON text
    facts: bytes  # encode_facts
    data_counts: dict[str, int]  # data category -> how many of the policy's flows are of it
    reach: dict = field(default_factory=dict)  # reach_of

    @classmethod
    def of(cls, facts: PolicyFacts, terms: OntologyTerms) -> "Entry":
        counts: dict[str, int] = {}
        for f in facts.flows:
            counts[f.data] = counts.get(f.data, 0) + 1
        source = facts.record["source"]
        return cls(facts.policy, facts.graph, source["sha256"], source["path"],
                   json.dumps(facts.record, ensure_ascii=False), encode_facts(facts), counts, reach_of(facts, terms))


# --- the policy lists of a cell -----------------------------------------------------------------------

def _encode_ids(stated, inferred, ruled) -> bytes:
    """Three sorted lists of policy numbers, delta-encoded (small numbers compress well)."""
    parts = [sorted(x) for x in (stated, inferred, ruled)]
    deltas = array("I")
    for part in parts:
        if part:
            deltas.append(part[0])
            deltas.extend(map(sub, part[1:], part[:-1]))
    return zlib.compress(struct.pack("<3I", *map(len, parts)) + deltas.tobytes(), 6)


def _decode_ids(blob: bytes) -> tuple[array, array, array]:
    raw = zlib.decompress(blob)
    sizes = struct.unpack_from("<3I", raw)
    deltas = array("I")
    deltas.frombytes(raw[12:])
    out, at = [], 0
    for size in sizes:
        out.append(array("I", accumulate(deltas[at:at + size])))
        at += size
    return out[0], out[1], out[2]


def _counts(stated, inferred, ruled) -> tuple[int, int, int, int]:
    """(policies with a positive flow, stated, inferred only, ruled out) of a cell's lists."""
    stated = stated if isinstance(stated, (set, frozenset)) else set(stated)
    positive = len(stated.union(inferred))
    return positive, len(stated), positive - len(stated), len(set(ruled))


class _Cells:
    """Every cell's three policy lists, in memory while a build changes them. A replaced policy gets
    a new number (policy numbers are never reused), so the old one is dropped from every list when
    the cells are written, without working out which cells it was in."""

    def __init__(self):
        self.lists: dict[tuple[int, int, int], tuple[array, array, array]] = {}
        self.touched: set[tuple[int, int, int]] = set()
        self.removed: set[int] = set()

    def add(self, pid: int, reach: dict, tid) -> None:
        for (cat, dim, value), bits in reach.items():
            key = (tid(cat), dim, tid(value))
            lists = self.lists.get(key)
            if lists is None:
                lists = self.lists[key] = (array("I"), array("I"), array("I"))
            if bits & STATED:
                lists[0].append(pid)
            if bits & INFERRED:
                lists[1].append(pid)
            if bits & RULED_OUT:
                lists[2].append(pid)
            self.touched.add(key)

    def drop_removed(self) -> None:
        removed = self.removed
        if not removed:
            return
        for key, lists in self.lists.items():
            if any(not removed.isdisjoint(part) for part in lists):
                self.lists[key] = tuple(array("I", (p for p in part if p not in removed)) for part in lists)
                self.touched.add(key)
        removed.clear()


class Cache:
    """The cache of one store (a file, or in memory for an in-memory store)."""

    def __init__(self, path: Path | None):
        self.path = path
        # one connection, shared by the threads of a server (SQLite serialises them)
        self.db = sqlite3.connect(str(path) if path else ":memory:", isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=OFF" if path is None else "PRAGMA journal_mode=DELETE")
        self.db.execute("PRAGMA synchronous=OFF")
        if self._schema_differs():
            self._drop_all()
        self.db.executescript(_TABLES)
        self._terms: OntologyTerms | None = None
        self._tids: dict[str, int] | None = None
        self._iris: dict[int, str] | None = None
        self._children: dict | None = None
        self._cells: _Cells | None = None
        self._pids: dict[str, int] | None = None
        self._policy_of: dict[int, str] | None = None
        self._decoded: OrderedDict = OrderedDict()
        self._texts: dict[int, dict[int, str]] = {}  # pid -> flow number -> its row as JSON text
        self._lru_lock = threading.Lock()

    @classmethod
    def in_folder(cls, folder: Path) -> "Cache":
        return cls(Path(folder) / FILE)

    def close(self) -> None:
        self.db.close()

    def _schema_differs(self) -> bool:
        """A cache file of another schema: its tables are dropped (it is rebuilt from the graph)."""
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.Error:
            return False
        return row is not None and row[0] != str(SCHEMA)

    def _drop_all(self) -> None:
        names = [n for (n,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            self.db.execute(f'DROP TABLE IF EXISTS "{name}"')

    # --- what it was made from -----------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def fresh_for(self, folder: Path) -> bool:
        return self.meta("schema") == str(SCHEMA) and self.meta("stamp") == store_stamp(folder)

    @property
    def terms(self) -> OntologyTerms:
        if self._terms is None:
            raw = json.loads(self.meta("terms") or "{}")
            self._terms = OntologyTerms(raw.get("labels", {}), raw.get("codes", {}), raw.get("iso", {}),
                                        raw.get("parents", {}))
        return self._terms

    def set_terms(self, terms: OntologyTerms) -> None:
        self.set_meta("terms", json.dumps({"labels": terms.labels, "codes": terms.codes, "iso": terms.iso,
                                           "parents": terms.parents}, ensure_ascii=False))
        self.set_meta("schema", str(SCHEMA))
        self.db.execute("DELETE FROM resolved")
        self._terms, self._children = terms, None

    def resolved(self, term: str):
        """A user's term as the ontology resolved it before ([(iri, label)]), or None."""
        row = self.db.execute("SELECT matched FROM resolved WHERE term = ?", (term,)).fetchone()
        return [tuple(m) for m in json.loads(row[0])] if row else None

    def remember(self, term: str, matched) -> None:
        """Keep a resolution: the next `where` of the same term need not load the lexicon."""
        try:
            self.db.execute("INSERT OR REPLACE INTO resolved VALUES (?, ?)", (term, json.dumps(list(matched))))
        except sqlite3.Error:  # a store this user may only read: resolve again next time
            pass

    # --- term numbers ----------------------------------------------------------------------------

    def _load_terms(self) -> None:
        self._tids = dict(self.db.execute("SELECT iri, tid FROM terms"))
        self._iris = {tid: iri for iri, tid in self._tids.items()}

    def tid(self, iri: str) -> int:
        if self._tids is None:
            self._load_terms()
        found = self._tids.get(iri)
        if found is None:
            found = self.db.execute("INSERT INTO terms (iri) VALUES (?)", (iri,)).lastrowid
            self._tids[iri] = found
            self._iris[found] = iri
        return found

    def _tids_of(self, iris: Iterable[str]) -> list[int]:
        if self._tids is None:
            self._load_terms()
        return [self._tids[i] for i in iris if i in self._tids]

    def _iri(self, tid: int) -> str | None:
        if self._iris is None or tid not in self._iris:
            self._load_terms()
        return self._iris.get(tid)

    # --- writing -------------------------------------------------------------------------------

    def begin(self) -> None:
        self.db.execute("BEGIN")

    def commit(self) -> None:
        self._write_cells()
        self.db.execute("COMMIT")

    def _cell_lists(self) -> _Cells:
        """The cells' policy lists, read once before a build changes them."""
        if self._cells is None:
            cells = _Cells()
            for cat, dim, value, ids in self.db.execute("SELECT cat, dim, value, ids FROM cells"):
                cells.lists[(cat, dim, value)] = _decode_ids(ids)
            self._cells = cells
        return self._cells

    def remove(self, graph: str) -> None:
        row = self.db.execute("SELECT pid FROM policies WHERE graph = ?", (graph,)).fetchone()
        if row:
            self._cell_lists().removed.add(row[0])
            self.db.execute("DELETE FROM policies WHERE pid = ?", row)
            self.db.execute("DELETE FROM pdata WHERE pid = ?", row)
            self._forget()

    def clear(self) -> None:
        for table in ("policies", "pdata", "cells"):
            self.db.execute(f"DELETE FROM {table}")
        self._cells = _Cells()
        self._forget()

    def _forget(self) -> None:
        self._pids = self._policy_of = None
        self._decoded.clear()
        self._texts.clear()

    def replace(self, entry: "Entry | PolicyFacts") -> None:
        """Put one policy in, in place of what was there for its graph (or its policy id)."""
        if isinstance(entry, PolicyFacts):
            entry = Entry.of(entry, self.terms)
        cells = self._cell_lists()
        db = self.db
        for old in db.execute("SELECT pid FROM policies WHERE graph = ? OR policy = ?",
                              (entry.graph, entry.policy)).fetchall():
            cells.removed.add(old[0])
            db.execute("DELETE FROM policies WHERE pid = ?", old)
            db.execute("DELETE FROM pdata WHERE pid = ?", old)
        pid = db.execute("INSERT INTO policies (policy, graph, sha256, path, record, facts) VALUES (?, ?, ?, ?, ?, ?)",
                         (entry.policy, entry.graph, entry.sha256, entry.path, entry.record, entry.facts)).lastrowid
        db.executemany("INSERT INTO pdata VALUES (?, ?, ?)",
                       [(self.tid(data), pid, n) for data, n in entry.data_counts.items()])
        cells.add(pid, entry.reach, self.tid)
        self._forget()

    def recount(self) -> None:
        """Write the cells a build changed (done by :meth:`commit` too)."""
        self._write_cells()

    def _write_cells(self) -> None:
        cells = self._cells
        if cells is None:
            return
        cells.drop_removed()
        if not cells.touched:
            return
        rows, gone = [], []
        for key in cells.touched:
            lists = cells.lists.get(key)
            if lists is None or not any(lists):
                gone.append(key)
                cells.lists.pop(key, None)
                continue
            stated, inferred, ruled = lists
            rows.append((*key, *_counts(stated, inferred, ruled), _encode_ids(stated, inferred, ruled)))
        self.db.executemany("DELETE FROM cells WHERE cat = ? AND dim = ? AND value = ?", gone)
        self.db.executemany("INSERT OR REPLACE INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        cells.touched.clear()

    # --- reading -------------------------------------------------------------------------------

    def hashes(self) -> dict[str, str]:
        """Graph IRI -> sha256 of the file each policy was built from."""
        return dict(self.db.execute("SELECT graph, sha256 FROM policies"))

    def sources(self) -> list[tuple[str, str, str | None]]:
        return list(self.db.execute("SELECT policy, graph, path FROM policies ORDER BY policy"))

    def policy_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM policies").fetchone()[0]

    def policies(self, policies=None) -> list[dict]:
        """The `policies --format json` records, by policy id."""
        sql, args = "SELECT record FROM policies", []
        if policies:
            sql += f" WHERE policy IN ({','.join('?' * len(policies))})"
            args = list(policies)
        return [json.loads(r) for (r,) in self.db.execute(sql + " ORDER BY policy", args)]

    def policies_json(self) -> str:
        """The same records as a JSON array (one per line), without decoding them."""
        records = [r for (r,) in self.db.execute("SELECT record FROM policies ORDER BY policy")]
        return "[\n" + ",\n".join(records) + "\n]" if records else "[]"

    def descendants(self, categories: Iterable[str]) -> set[str]:
        """The categories and every category beneath them (rdfs:subClassOf*) in the store's ontology."""
        if self._children is None:
            children: dict[str, list[str]] = {}
            for child, parents in self.terms.parents.items():
                for p in parents:
                    children.setdefault(p, []).append(child)
            self._children = children
        found, todo = set(), list(categories)
        while todo:
            c = todo.pop()
            if c not in found:
                found.add(c)
                todo.extend(self._children.get(c, ()))
        return found

    def _policy_numbers(self) -> tuple[dict[str, int], dict[int, str]]:
        if self._pids is None:
            self._pids = dict(self.db.execute("SELECT policy, pid FROM policies"))
            self._policy_of = {pid: policy for policy, pid in self._pids.items()}
        return self._pids, self._policy_of

    def _pids_of(self, policies) -> set[int]:
        pids, _ = self._policy_numbers()
        return {pids[p] for p in policies if p in pids}

    def facts(self, pid: int) -> PolicyFacts:
        """One policy's decoded facts (the last few are kept: a server asked about one policy again)."""
        with self._lru_lock:  # a server's threads share the cache
            found = self._decoded.get(pid)
            if found is not None:
                self._decoded.move_to_end(pid)
                return found
        policy, graph, blob = self.db.execute("SELECT policy, graph, facts FROM policies WHERE pid = ?",
                                              (pid,)).fetchone()
        found = decode_facts(blob, policy, graph)
        with self._lru_lock:
            self._decoded[pid] = found
            while len(self._decoded) > DECODED:
                gone, _ = self._decoded.popitem(last=False)
                self._texts.pop(gone, None)
        return found

    def _counts_by_policy(self, data: set[str] | None, pids: set[int] | None) -> dict[int, int]:
        """pid -> how many of its flows are of these data categories (None: any)."""
        where, args = [], []
        if data is not None:
            where.append(f"data IN ({','.join(map(str, self._tids_of(data))) or 'NULL'})")
        if pids is not None:
            where.append(f"pid IN ({','.join(map(str, pids)) or 'NULL'})")
        sql = "SELECT pid, SUM(n) FROM pdata" + (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY pid"
        return dict(self.db.execute(sql, args))

    def count_flows(self, categories=None, policies=None) -> tuple[int, int]:
        """(flows, policies) that rows() would give."""
        data = self.descendants(categories) if categories is not None else None
        counts = self._counts_by_policy(data, self._pids_of(policies) if policies else None)
        return sum(counts.values()), sum(1 for n in counts.values() if n)

    def _page(self, categories, policies, limit: int | None, offset: int):
        """(pid, facts, flow) of the flows of these categories (and everything beneath; None: all
        data), in the answer's order; ``limit``/``offset`` page through them. Only the policies
        that have such flows are decoded, one at a time."""
        data = self.descendants(categories) if categories is not None else None
        counts = self._counts_by_policy(data, self._pids_of(policies) if policies else None)
        _, policy_of = self._policy_numbers()
        order = sorted((pid for pid, n in counts.items() if n), key=lambda pid: policy_of.get(pid, ""))
        skip = offset or 0
        left = limit
        for pid in order:
            if left is not None and left <= 0:
                return
            if skip >= counts[pid]:  # the whole policy lies before the page
                skip -= counts[pid]
                continue
            facts = self.facts(pid)
            for f in facts.flows:
                if data is not None and f.data not in data:
                    continue
                if skip:
                    skip -= 1
                    continue
                if left is not None:
                    if left <= 0:
                        return
                    left -= 1
                yield pid, facts, f

    def _row(self, facts: PolicyFacts, f: FlowFacts) -> dict:
        return flow_row(facts.policy, f, facts.sentences, facts.parties, self.terms, facts.labels,
                        facts.flow_sentences(f), facts.words)

    def rows(self, categories=None, policies=None, limit: int | None = None, offset: int = 0) -> Iterator[dict]:
        """where-json rows of the flows of these categories (and everything beneath; None: all data),
        in the answer's order; ``limit``/``offset`` page through them."""
        for _, facts, f in self._page(categories, policies, limit, offset):
            yield self._row(facts, f)

    def row_texts(self, categories=None, policies=None, limit: int | None = None, offset: int = 0) -> Iterator[str]:
        """The same rows as JSON text. The text of each row of a recently decoded policy is kept
        with its facts: a server asked about one policy again joins strings."""
        for pid, facts, f in self._page(categories, policies, limit, offset):
            texts = self._texts.get(pid)
            if texts is None:
                texts = self._texts[pid] = {}
            text = texts.get(f.n)
            if text is None:
                text = texts[f.n] = json.dumps(self._row(facts, f), ensure_ascii=False)
            yield text

    # --- the corpus summary --------------------------------------------------------------------

    def _cell_rows(self, cats: list[int], dim_ids: list[int], value: int | None, with_ids: bool):
        if not cats or not dim_ids:
            return []
        sql = (f"SELECT cat, dim, value, positive, stated, inferred, ruled_out{', ids' if with_ids else ''} FROM cells"
               f" WHERE cat IN ({','.join(map(str, cats))}) AND dim IN ({','.join(map(str, dim_ids))})")
        if value is not None:
            sql += f" AND value = {int(value)}"
        return self.db.execute(sql).fetchall()

    def cells(self, categories: list[str], dims: Iterable[str], policies=None, per_category: bool = False,
              value: str | None = None) -> list[dict]:
        """Counts of policies per (dimension, value) for these categories (the flows of each category
        are its own and those of every category beneath it). ``per_category`` keeps each category
        apart (and then ``categories`` are all those to report); ``value`` keeps one value."""
        dim_ids = [DIM[d] for d in dims]
        cats = self._tids_of(categories)
        value_tid = None
        if value is not None:
            found = self._tids_of([value])
            if not found:
                return []
            value_tid = found[0]
        if not cats or not dim_ids:
            return []
        out = []
        if (len(cats) == 1 or per_category) and not policies:
            for cat, dim, v, positive, stated, inferred, ruled in self._cell_rows(cats, dim_ids, value_tid, False):
                out.append((cat, dim, v, positive, stated, inferred, ruled))
        else:
            subset = self._pids_of(policies) if policies else None
            merged: dict[tuple, list[set]] = {}
            for cat, dim, v, *_, ids in self._cell_rows(cats, dim_ids, value_tid, True):
                key = (cat if per_category else cats[0], dim, v)
                lists = [set(x) for x in _decode_ids(ids)]
                if subset is not None:
                    lists = [x & subset for x in lists]
                have = merged.get(key)
                if have is None:
                    merged[key] = lists
                else:
                    for mine, more in zip(have, lists):
                        mine |= more
            for (cat, dim, v), (stated, inferred, ruled) in merged.items():
                positive, n_stated, n_inferred, n_ruled = _counts(stated, inferred, ruled)
                if positive or n_ruled:
                    out.append((cat, dim, v, positive, n_stated, n_inferred, n_ruled))
        return [{"category": self._iri(cat), "dim": DIMS[dim], "value": self._iri(v), "policies": positive,
                 "stated": stated, "inferred": inferred, "ruled_out": ruled_out}
                for cat, dim, v, positive, stated, inferred, ruled_out in out]

    def _union(self, categories: list[str], dim: str, value: str, policies) -> tuple[set, set, set]:
        cats = self._tids_of(categories)
        vt = self._tids_of([value])
        stated, inferred, ruled = set(), set(), set()
        if not cats or not vt:
            return stated, inferred, ruled
        for *_, ids in self._cell_rows(cats, [DIM[dim]], vt[0], True):
            s, i, r = _decode_ids(ids)
            stated.update(s)
            inferred.update(i)
            ruled.update(r)
        if policies:
            subset = self._pids_of(policies)
            stated, inferred, ruled = stated & subset, inferred & subset, ruled & subset
        return stated, inferred, ruled

    def policies_with(self, categories: list[str], policies=None) -> int:
        """How many policies have any flow (or will-not) of these categories or beneath them."""
        stated, inferred, ruled = self._union(categories, "any", "", policies)
        return len(stated | inferred | ruled)

    def cell_policies(self, categories: list[str], dim: str, value: str, policies=None) -> dict[str, list[str]]:
        """The policy ids of one cell: {"stated": […], "inferred": […], "ruled_out": […]}."""
        stated, inferred, ruled = self._union(categories, dim, value, policies)
        _, policy_of = self._policy_numbers()

        def ids(pids):
            return sorted(policy_of[p] for p in pids if p in policy_of)

        return {"stated": ids(stated), "inferred": ids(inferred - stated), "ruled_out": ids(ruled)}
