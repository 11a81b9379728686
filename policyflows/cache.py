"""The speed cache beside the store: the row model's facts in SQLite, and the corpus summary.

Answering `where` from RDF means assembling, for every flow, its labels, recipient, places,
purposes and the sentences of the statements it follows from; on 10,000 policies a question
touches a million flows. The facts of each policy (policyflows/rows.py, derived from its graph
alone) are kept here instead, in ``policyflows-cache.sqlite`` inside the store folder:

* ``flows`` and what their rows need (sentences, parties, words), by policy, in the answer's order;
* ``reach``: for every data category and each category above it, which policies send it to which
  recipient kind, organisation, place, purpose … and how (stated, inferred, ruled out);
  ``counts`` adds those up per cell, so that a corpus summary reads a few hundred rows.

The cache is derived: it is never exported, ``build`` and ``load`` write it beside the graphs they
change, and a store whose files changed otherwise (the cache records their names and sizes) gets
its cache rebuilt from the graph on first use (``FlowStore.refresh_cache``).
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Iterable, Iterator

from policyflows.rows import FlowFacts, OntologyTerms, PolicyFacts, flow_row

FILE = "policyflows-cache.sqlite"
SCHEMA = 1

# summary dimensions: what a cell is about
DIMS = ("any", "action", "kind", "organisation", "place", "purpose", "retention", "disclosure")
DIM = {name: i for i, name in enumerate(DIMS)}
STATED, INFERRED, RULED_OUT = 1, 2, 4
_DISCLOSING = {"share", "transfer", "sell"}
_INSIDERS = {"first-party", "user"}

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS resolved (term TEXT PRIMARY KEY, matched TEXT);
CREATE TABLE IF NOT EXISTS terms (tid INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS policies (pid INTEGER PRIMARY KEY, policy TEXT UNIQUE NOT NULL, graph TEXT UNIQUE NOT NULL,
    sha256 TEXT, path TEXT, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sentences (pid INTEGER, sid TEXT, start INTEGER, "end" INTEGER, text TEXT, section TEXT,
    PRIMARY KEY (pid, sid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS parties (pid INTEGER, rid TEXT, label TEXT, kind TEXT, organisation TEXT,
    PRIMARY KEY (pid, rid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS statements (pid INTEGER, stid TEXT, sentences TEXT, words TEXT,
    PRIMARY KEY (pid, stid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS labels (pid INTEGER, iri TEXT, label TEXT, PRIMARY KEY (pid, iri)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS flows (pid INTEGER, n INTEGER, data INTEGER, flow TEXT, action TEXT, modality TEXT,
    party TEXT, place TEXT, stated INTEGER, retention TEXT, via TEXT, purposes TEXT, conditions TEXT, legal TEXT,
    statements TEXT, PRIMARY KEY (pid, n)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS flows_by_data ON flows (data, pid, n);
CREATE TABLE IF NOT EXISTS reach (cat INTEGER, dim INTEGER, value INTEGER, pid INTEGER, status INTEGER,
    PRIMARY KEY (cat, dim, value, pid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reach_by_policy ON reach (pid);
CREATE TABLE IF NOT EXISTS counts (cat INTEGER, dim INTEGER, value INTEGER, positive INTEGER, stated INTEGER,
    inferred INTEGER, ruled_out INTEGER, PRIMARY KEY (cat, dim, value)) WITHOUT ROWID;
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


def _rel(iri: str | None, graph: str) -> str | None:
    return iri[len(graph):] if iri and iri.startswith(graph) else iri


def _abs(iri: str | None, graph: str) -> str | None:
    return graph + iri if iri and iri.startswith("/") else iri


class Cache:
    """The cache of one store (a file, or in memory for an in-memory store)."""

    def __init__(self, path: Path | None):
        self.path = path
        # one connection, shared by the threads of a server (SQLite serialises them)
        self.db = sqlite3.connect(str(path) if path else ":memory:", isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=OFF" if path is None else "PRAGMA journal_mode=DELETE")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.executescript(_TABLES)
        self._terms: OntologyTerms | None = None
        self._tids: dict[str, int] = {}
        self._children: dict | None = None

    @classmethod
    def in_folder(cls, folder: Path) -> "Cache":
        return cls(Path(folder) / FILE)

    def close(self) -> None:
        self.db.close()

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

    # --- writing -------------------------------------------------------------------------------

    def begin(self) -> None:
        self.db.execute("BEGIN")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def tid(self, iri: str) -> int:
        found = self._tids.get(iri)
        if found is None:
            row = self.db.execute("SELECT tid FROM terms WHERE iri = ?", (iri,)).fetchone()
            found = row[0] if row else self.db.execute("INSERT INTO terms (iri) VALUES (?)", (iri,)).lastrowid
            self._tids[iri] = found
        return found

    def remove(self, graph: str) -> None:
        row = self.db.execute("SELECT pid FROM policies WHERE graph = ?", (graph,)).fetchone()
        if row:
            for table in ("policies", "sentences", "parties", "statements", "labels", "flows", "reach"):
                self.db.execute(f"DELETE FROM {table} WHERE pid = ?", row)

    def clear(self) -> None:
        for table in ("policies", "sentences", "parties", "statements", "labels", "flows", "reach", "counts"):
            self.db.execute(f"DELETE FROM {table}")

    def replace(self, facts: PolicyFacts, reach: dict | None = None) -> None:
        """Put one policy's facts in, in place of what was there for its graph."""
        g = facts.graph
        self.remove(g)
        record = facts.record
        pid = self.db.execute("INSERT INTO policies (policy, graph, sha256, path, record) VALUES (?, ?, ?, ?, ?)",
                              (facts.policy, g, record["source"]["sha256"], record["source"]["path"],
                               json.dumps(record, ensure_ascii=False))).lastrowid
        db = self.db
        db.executemany("INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?)",
                       [(pid, _rel(s, g), *v) for s, v in facts.sentences.items()])
        db.executemany("INSERT INTO parties VALUES (?, ?, ?, ?, ?)",
                       [(pid, _rel(r, g), *v) for r, v in facts.parties.items()])
        db.executemany("INSERT INTO statements VALUES (?, ?, ?, ?)",
                       [(pid, _rel(st, g), json.dumps([_rel(s, g) for s in sentences]),
                         json.dumps([[w[0], _rel(w[1], g), w[2], w[3], w[4]] for w in facts.words.get(st, ())],
                                    ensure_ascii=False) if st in facts.words else None)
                        for st, sentences in facts.evidence.items()])
        db.executemany("INSERT INTO labels VALUES (?, ?, ?)", [(pid, iri, label) for iri, label in facts.labels.items()])
        db.executemany("INSERT INTO flows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (pid, f.n, self.tid(f.data), _rel(f.flow, g), f.action, f.modality, _rel(f.party, g), f.place,
             int(f.stated), f.retention, json.dumps(f.via), json.dumps(f.purposes),
             json.dumps(f.conditions, ensure_ascii=False), json.dumps(f.legal),
             json.dumps([_rel(s, g) for s in f.statements])) for f in facts.flows])
        reach = reach if reach is not None else reach_of(facts, self.terms)
        tid = self.tid
        db.executemany("INSERT INTO reach VALUES (?, ?, ?, ?, ?)",
                       [(tid(cat), dim, tid(value), pid, bits) for (cat, dim, value), bits in reach.items()])

    def recount(self) -> None:
        """Add up the reach of every policy per cell (after a build changed some)."""
        self.db.execute("DELETE FROM counts")
        self.db.execute(f"""INSERT INTO counts
            SELECT cat, dim, value, SUM((status & 3) != 0), SUM((status & 1) != 0), SUM((status & 3) = 2),
                   SUM((status & 4) != 0) FROM reach GROUP BY cat, dim, value""")

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

    def _tids_of(self, iris: Iterable[str]) -> list[int]:
        iris = list(iris)
        out = []
        for i in range(0, len(iris), 500):
            chunk = iris[i:i + 500]
            out += [t for (t,) in self.db.execute(f"SELECT tid FROM terms WHERE iri IN ({','.join('?' * len(chunk))})",
                                                  chunk)]
        return out

    def _flow_filter(self, categories, policies) -> tuple[str, list]:
        where, args = [], []
        if categories is not None:
            data = self._tids_of(self.descendants(categories))
            where.append(f"f.data IN ({','.join(map(str, data)) or 'NULL'})")
        if policies:
            where.append(f"p.policy IN ({','.join('?' * len(policies))})")
            args += list(policies)
        return (" WHERE " + " AND ".join(where)) if where else "", args

    def count_flows(self, categories=None, policies=None) -> tuple[int, int]:
        """(flows, policies) that rows() would give."""
        where, args = self._flow_filter(categories, policies)
        return self.db.execute(f"SELECT COUNT(*), COUNT(DISTINCT f.pid) FROM flows f JOIN policies p USING (pid)"
                               f"{where}", args).fetchone()

    def rows(self, categories=None, policies=None, limit: int | None = None, offset: int = 0) -> Iterator[dict]:
        """where-json rows of the flows of these categories (and everything beneath; None: all data),
        in the answer's order; ``limit``/``offset`` page through them."""
        where, args = self._flow_filter(categories, policies)
        sql = (f"SELECT p.pid, p.policy, p.graph, f.n, t.iri, f.flow, f.action, f.modality, f.party, f.place, f.stated,"
               f" f.retention, f.via, f.purposes, f.conditions, f.legal, f.statements"
               f" FROM flows f JOIN policies p USING (pid) JOIN terms t ON t.tid = f.data{where}"
               f" ORDER BY p.policy, f.n")
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            args += [-1 if limit is None else limit, offset]
        terms, current, lookups = self.terms, None, None
        for (pid, policy, g, n, data, flow, action, modality, party, place, stated, retention, via, purposes,
             conditions, legal, statements) in self.db.execute(sql, args).fetchall():
            if pid != current:
                current, lookups = pid, self._policy_lookups(pid, g)
            sentences, parties, evidence, words, labels = lookups
            fact = FlowFacts(flow=_abs(flow, g), data=data, action=action, modality=modality, party=_abs(party, g),
                             place=place, stated=bool(stated), retention=retention, via=json.loads(via),
                             purposes=json.loads(purposes), conditions=json.loads(conditions), legal=json.loads(legal),
                             statements=[_abs(s, g) for s in json.loads(statements)], n=n)
            cited = {s for st in fact.statements for s in evidence.get(st, ())}
            cited = sorted((s for s in cited if s in sentences), key=lambda s: sentences[s][:3])
            yield flow_row(policy, fact, sentences, parties, terms, labels, cited, words)

    def _policy_lookups(self, pid: int, g: str):
        sentences = {_abs(s, g): (start, end, text, section) for s, start, end, text, section in
                     self.db.execute('SELECT sid, start, "end", text, section FROM sentences WHERE pid = ?', (pid,))}
        parties = {_abs(r, g): (label, kind, org) for r, label, kind, org in
                   self.db.execute("SELECT rid, label, kind, organisation FROM parties WHERE pid = ?", (pid,))}
        evidence, words = {}, {}
        for st, cited, found in self.db.execute("SELECT stid, sentences, words FROM statements WHERE pid = ?", (pid,)):
            evidence[_abs(st, g)] = [_abs(s, g) for s in json.loads(cited)]
            if found:
                words[_abs(st, g)] = [(w[0], _abs(w[1], g), w[2], w[3], w[4]) for w in json.loads(found)]
        labels = dict(self.db.execute("SELECT iri, label FROM labels WHERE pid = ?", (pid,)))
        return sentences, parties, evidence, words, labels

    # --- the corpus summary --------------------------------------------------------------------

    def cells(self, categories: list[str], dims: Iterable[str], policies=None, per_category: bool = False,
              value: str | None = None) -> list[dict]:
        """Counts of policies per (dimension, value) for these categories (the flows of each category
        are its own and those of every category beneath it). ``per_category`` keeps each category
        apart (and then ``categories`` are all those to report); ``value`` keeps one value."""
        dim_ids = [DIM[d] for d in dims]
        cats = self._tids_of(categories)
        if not cats or not dim_ids:
            return []
        cat_sql = ",".join(map(str, cats))
        dim_sql = ",".join(map(str, dim_ids))
        extra, args = "", []
        if value is not None:
            vt = self._tids_of([value])
            if not vt:
                return []
            extra = f" AND value = {vt[0]}"
        if (len(cats) == 1 or per_category) and not policies:
            sql = (f"SELECT cat, dim, value, positive, stated, inferred, ruled_out FROM counts"
                   f" WHERE cat IN ({cat_sql}) AND dim IN ({dim_sql}){extra}")
        else:
            pol = ""
            if policies:
                pol = f" AND r.pid IN (SELECT pid FROM policies WHERE policy IN ({','.join('?' * len(policies))}))"
                args = list(policies)
            pick, group = ("cat", "cat, ") if per_category else (f"{cats[0]} AS cat", "")
            sql = (f"SELECT cat, dim, value, SUM((s & 3) != 0), SUM((s & 1) != 0), SUM((s & 3) = 2), SUM((s & 4) != 0)"
                   f" FROM (SELECT {pick}, dim, value, pid, MAX(status & 1) | MAX(status & 2) | MAX(status & 4) AS s"
                   f" FROM reach r WHERE cat IN ({cat_sql}) AND dim IN ({dim_sql}){extra}{pol}"
                   f" GROUP BY {group}dim, value, pid) GROUP BY cat, dim, value")
        rows = self.db.execute(sql, args).fetchall()
        names = dict(self.db.execute(f"SELECT tid, iri FROM terms WHERE tid IN "
                                     f"({','.join(str(t) for r in rows for t in (r[0], r[2])) or 'NULL'})"))
        return [{"category": names.get(cat), "dim": DIMS[dim], "value": names.get(v), "policies": positive,
                 "stated": stated, "inferred": inferred, "ruled_out": ruled_out}
                for cat, dim, v, positive, stated, inferred, ruled_out in rows]

    def policies_with(self, categories: list[str], policies=None) -> int:
        """How many policies have any flow (or will-not) of these categories or beneath them."""
        cats = self._tids_of(categories)
        if not cats:
            return 0
        pol, args = "", []
        if policies:
            pol = f" AND pid IN (SELECT pid FROM policies WHERE policy IN ({','.join('?' * len(policies))}))"
            args = list(policies)
        return self.db.execute(f"SELECT COUNT(DISTINCT pid) FROM reach WHERE cat IN ({','.join(map(str, cats))})"
                               f" AND dim = 0{pol}", args).fetchone()[0]

    def cell_policies(self, categories: list[str], dim: str, value: str, policies=None) -> dict[str, list[str]]:
        """The policy ids of one cell: {"stated": […], "inferred": […], "ruled_out": […]}."""
        cats = self._tids_of(categories)
        vt = self._tids_of([value])
        out = {"stated": [], "inferred": [], "ruled_out": []}
        if not cats or not vt:
            return out
        args = [DIM[dim], vt[0]] + list(policies or [])
        pol = f" AND p.policy IN ({','.join('?' * len(policies))})" if policies else ""
        for policy, s in self.db.execute(
                f"SELECT p.policy, MAX(status & 1) | MAX(status & 2) | MAX(status & 4) FROM reach r JOIN policies p USING (pid)"
                f" WHERE cat IN ({','.join(map(str, cats))}) AND dim = ? AND value = ?{pol} GROUP BY p.policy"
                f" ORDER BY p.policy", args):
            if s & STATED:
                out["stated"].append(policy)
            elif s & INFERRED:
                out["inferred"].append(policy)
            if s & RULED_OUT:
                out["ruled_out"].append(policy)
        return out
