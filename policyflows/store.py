"""The store: pyoxigraph on disk, one named graph per policy, the ontology in its own named graph,
and beside them the cache of the row model (policyflows/cache.py).

    from policyflows.store import FlowStore
    store = FlowStore.open("store", create=True)
    store.build(["../shared/policies"])          # --jobs N processes, or a Dask cluster
    store.where("video")["flows"]
    store.summary("video")                       # the corpus view: how many policies send it where

Why pyoxigraph and not rdflib here: measured at 2M triples it loads 9x faster in a third of the
memory and answers subclass/group-by queries 23-29x faster.

A build never edits the store others read. It checkpoints the store (RocksDB hard links, so it is
cheap), changes the copy, and swaps the copy in by renaming; a build that fails or is interrupted
leaves the previous store as it was. Readers open the store read-only, so `where`, `serve` and a
running `oxigraph serve-read-only` can all read while a build runs. The policies are read and
extracted in parallel (worker processes, or Dask workers), each giving its graph as N-Quads and
its row facts; the store bulk-loads the N-Quads in large batches.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
import functools
from pathlib import Path

import pyoxigraph as ox

from policyflows import queries as qlib
from policyflows.cache import DIMS, FILE as CACHE_FILE, Cache, store_stamp
from policyflows.errors import PolicyflowsError, StoreNotFoundError
from policyflows.resources import data_dir, ontology_dir
from policyflows.rows import OntologyTerms, PolicyFacts, local_name

# The same IRIs as policyflows.vocab, spelt out so that reading the store never imports rdflib.
PF = "https://w3id.org/policyflows/ns#"
POLICY_BASE = "https://w3id.org/policyflows/policy/"
ONTOLOGY = ox.NamedNode("https://w3id.org/policyflows/ontology")
SHA256 = ox.NamedNode(PF + "sha256")
POLICY_ID = ox.NamedNode(PF + "policyId")
DEFAULT_CATEGORY = PF + "PersonalInformation"
# N-Quads bulk-loaded at once: few, large RocksDB files instead of one set per policy. Each load's
# tables overlap the store's keys and RocksDB merges them in its own threads (at 10k: ~300 s of CPU,
# more than the build's main thread). 256 MB batches measured 686 s against 750 s for the 10k build
# at a similar load, with the same compaction CPU and twice the peak memory (1.98 GB): kept at 64 MB.
BATCH_BYTES = 64 << 20
# After a build that loaded this much N-Quads, the store is compacted (Store.optimize). Bulk-loaded
# tables are written uncompressed and stay so; RocksDB compresses (LZ4) only the levels below its
# base level, which a store has once it holds a few GB. At 10k policies (3.2 GB of N-Quads) the
# compaction took 70 s and shrank the store from 5.0 to 3.3 GB; at 1k (0.3 GB) it has no such
# level and compaction only rewrites the tables (it grew a 1k store by 16 %), so small builds skip it.
COMPACT_AFTER_BYTES = 1 << 30

EXPORT_FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "ntriples": ox.RdfFormat.N_TRIPLES,
}


class StoreLockedError(PolicyflowsError):
    """Another process (an Oxigraph server, or another build) holds the store's write lock."""

    def __init__(self, path):
        self.path = str(path)
        super().__init__(
            f"the store at {self.path} is locked by another process (a running `oxigraph serve` or "
            f"another `policyflows build`): stop it, or serve it with `oxigraph serve-read-only`, then build again")


class NotAStoreError(PolicyflowsError):
    def __init__(self, path, reason: str):
        super().__init__(f"{path} is not a policyflows store ({reason}); give --store an empty or new folder")


@dataclass
class BuildReport:
    """What one build did: policies built, files skipped as unchanged, files that failed (path, reason),
    policies pruned (their files are gone), and the reading warnings (path, warning)."""

    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    loaded_bytes: int = 0  # N-Quads bulk-loaded
    compacted: bool = False  # the store was compacted after the load (COMPACT_AFTER_BYTES)


class FlowStore:
    """The policies' graphs in a pyoxigraph store, the cache of their rows, and the answers asked of them."""

    def __init__(self, store: ox.Store | None, path: Path | None):
        self._store = store
        self.path = path
        self._cache: Cache | None = None
        self._pinned = threading.local()
        if path is None:  # in memory: the cache too, kept up to date by every change
            self._cache = Cache(None)
            _rebuild_cache(self._store, self._cache)

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path=None, create: bool = False) -> "FlowStore":
        """Open the store at ``path`` read-only (``None``: a new in-memory store). Nothing is read
        until asked: answers come from the cache, SPARQL opens the store.

        :raises StoreNotFoundError: when nothing is there and ``create`` is false.
        :raises StoreLockedError: when creating a store another process holds.
        """
        if path is None:
            store = ox.Store()
            _refresh_ontology(store, force=True)
            return cls(store, None)
        path = Path(path).expanduser()
        _recover_interrupted_swap(path)
        if not _is_store(path):
            if not create:
                raise StoreNotFoundError(path)
            _create(path)
        return cls(None, path)

    @property
    def store(self) -> ox.Store:
        """The pyoxigraph store itself (read-only on disk), for anything this class does not wrap."""
        if self._store is None:
            self._store = _open_read_only(self.path)
        return self._store

    def close(self) -> None:
        """Let go of the store's files (pyoxigraph closes a store when its last reference goes)."""
        self._store = None
        if self._cache is not None and self.path is not None:
            self._cache.close()
            self._cache = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __len__(self) -> int:
        return len(self.store)

    # --- the cache ----------------------------------------------------------------------------

    @property
    def cache(self) -> Cache:
        """The cache of row facts, rebuilt from the graph when the store changed behind its back
        (looked at once per answer: see :meth:`_one_look`)."""
        if self._cache is not None and getattr(self._pinned, "depth", 0):
            return self._cache
        if self._cache is None or (self.path is not None and not self._cache.fresh_for(self.path)):
            self._cache = self._fresh_cache()
        return self._cache

    @contextmanager
    def _one_look(self):
        """One answer looks at the store's files once (a look lists and sizes every file: on a
        server answering one policy it cost more than the answer)."""
        self.cache
        local = self._pinned
        local.depth = getattr(local, "depth", 0) + 1
        try:
            yield
        finally:
            local.depth -= 1

    def _fresh_cache(self) -> Cache:
        cache_path = self.path / CACHE_FILE
        if cache_path.exists():
            cache = Cache(cache_path)
            if cache.fresh_for(self.path):
                return cache
            cache.close()
        return self.refresh_cache()

    def refresh_cache(self) -> Cache:
        """Rebuild the cache from the graphs (automatic when it is missing or stale)."""
        if self.path is None:
            _rebuild_cache(self.store, self._cache)
            return self._cache
        import fcntl

        stamp = store_stamp(self.path)
        try:
            with open(self.path / "policyflows-cache.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                final = self.path / CACHE_FILE
                if final.exists():  # another reader may have just rebuilt it
                    cache = Cache(final)
                    if cache.fresh_for(self.path):
                        return cache
                    cache.close()
                tmp = self.path / f"{CACHE_FILE}.{os.getpid()}"
                tmp.unlink(missing_ok=True)
                cache = Cache(tmp)
                for attempt in range(5):
                    try:
                        _rebuild_cache(self.store, cache)
                        break
                    except RuntimeError:  # a writer removed a file under the read-only view: look again
                        if attempt == 4:
                            raise
                        self._store = None
                        time.sleep(0.2)
                cache.set_meta("stamp", stamp)
                cache.close()
                os.replace(tmp, final)
                return Cache(final)
        except PermissionError:  # a store this user may not write: keep the rebuilt cache in memory
            cache = Cache(None)
            _rebuild_cache(self.store, cache)
            cache.set_meta("stamp", stamp)
            return cache

    # --- building -----------------------------------------------------------------------------

    def build(self, paths, progress: bool = True, force: bool = False, jobs: int | None = None,
              scheduler: str | None = None, prune: bool = False) -> BuildReport:
        """Read, extract and load policy files (files or folders) into the store.

        Files whose sha256 matches the stored policy's are skipped, unless ``force`` or the ontology,
        the reading rules or the code changed since the last build. A rebuilt policy's graph is
        replaced. Bad files are reported in ``BuildReport.failed`` and the rest are built.
        ``jobs`` worker processes (default: the machine's cores) read and extract; ``scheduler``
        (a Dask scheduler address, e.g. ``tcp://host:8786``) runs them on a Dask cluster instead.
        ``prune`` removes the policies whose source files are gone.
        """
        from policyflows.ingest import iter_policy_files

        started = time.perf_counter()
        report = BuildReport()
        files = [Path(os.path.abspath(p)) for p in iter_policy_files(paths)]
        cache = self.cache
        stale = cache.meta("fingerprint") != rules_fingerprint()
        stored = {} if (force or stale) else cache.hashes()
        todo = []
        for path in files:
            try:
                digest = _sha256(path)
            except OSError as exc:
                report.failed.append((str(path), exc.strerror or str(exc)))
                continue
            if stored.get(POLICY_BASE + _slug(path.stem)) == digest:
                report.skipped.append(path.stem)
            else:
                todo.append(path)
        done = {p.stem for p in files}
        gone = [(policy, graph) for policy, graph, source in cache.sources()
                if prune and policy not in done and source and not Path(source).exists()]
        if todo or gone or stale:
            replaced = {POLICY_BASE + _slug(p.stem) for p in todo} | {g for _, g in gone}
            stored_graphs = {g for _, g, _ in cache.sources()}
            keep = None
            if len(replaced & stored_graphs) > max(20, len(stored_graphs) // 2):
                keep = sorted(stored_graphs - replaced)
            self._change(lambda work, cache, terms, stale: _build_into(work, cache, terms, stale, todo, gone, report,
                                                                       progress, len(files), jobs, scheduler),
                         rebuild=stale, keep=keep)
        # reported in the order of the files, whichever worker finished first
        order = {str(p): i for i, p in enumerate(files)}
        report.failed.sort(key=lambda f: order.get(f[0], len(order)))
        stems = {p.stem: i for i, p in enumerate(files)}
        report.built.sort(key=lambda b: stems.get(b, len(stems)))
        report.seconds = time.perf_counter() - started
        return report

    def load(self, data, format: str = "trig", graph=None) -> None:
        """Load RDF as it is (a path, bytes or text), e.g. what :meth:`export` wrote, or a fixture.

        ``format`` is nquads, trig, turtle, jsonld or ntriples; triples go to ``graph`` if given.
        The cache is then rebuilt from every policy graph (which graphs the input touched is not
        known without parsing it twice).
        """
        fmt = _export_format(format)
        to_graph = ox.NamedNode(str(graph)) if graph else None

        def load_into(store: ox.Store, cache: Cache, terms, stale):
            if isinstance(data, Path) or (isinstance(data, str) and "\n" not in data and Path(data).exists()):
                store.bulk_load(path=str(data), format=fmt, to_graph=to_graph)
                size = Path(data).stat().st_size
            else:
                store.bulk_load(input=data, format=fmt, to_graph=to_graph)
                size = len(data) if isinstance(data, (bytes, str)) else 0
            _compact_after(store, size, progress=False)  # a large export loaded, as after a large build
            if _ontology_changed(store):  # the input touched the ontology graph
                _refresh_ontology(store, force=True)
            _rebuild_cache(store, cache, OntologyTerms.of(store), transaction=False)  # labels the input brought
            return None

        self._change(load_into)

    def _change(self, fn, rebuild: bool = False, keep: list[str] | None = None):
        """Apply ``fn(store, cache, terms, stale)`` safely: on disk, to a checkpoint of the store and a copy of
        its cache, swapped in only when nothing went wrong (an exception, Ctrl-C). When the ontology
        or the rules changed (or ``rebuild``), the ontology graph is reloaded first. ``keep``: start
        from a new store holding only these policy graphs (cheaper than removing most graphs one by one)."""
        if self.path is None:
            stale = _ontology_changed(self._store) or rebuild
            if stale:
                _refresh_ontology(self._store, force=True)
            terms = OntologyTerms.of(self._store)
            self._cache.begin()
            if stale:
                self._cache.set_terms(terms)
            result = fn(self._store, self._cache, terms, stale)
            self._cache.set_meta("fingerprint", rules_fingerprint())
            self._cache.commit()
            return result
        with _build_lock(self.path):
            work_dir = _sibling(self.path, "building")
            _remove(work_dir)
            live_cache = self._cache if self._cache is not None else None
            self._cache = None
            if live_cache is not None:
                live_cache.close()
            # before the store is opened for writing (which changes its files, and so the stamp)
            cache_fresh = (self.path / CACHE_FILE).exists() and Cache.in_folder(self.path).fresh_for(self.path)
            writer = _open_writable(self.path)  # fails while an Oxigraph server holds the store
            try:
                if keep is None:
                    writer.backup(str(work_dir))
                else:  # most graphs are replaced: a new store, with only the graphs kept copied in
                    fresh = ox.Store(str(work_dir))
                    for graph in keep:
                        fresh.bulk_load(input=ox.serialize(writer.quads_for_pattern(None, None, None, ox.NamedNode(graph)),
                                                           format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
                    fresh.flush()
                    del fresh
            finally:
                # closed before any rename: RocksDB tidies its folder *by path* when it closes
                del writer
            if cache_fresh:
                shutil.copyfile(self.path / CACHE_FILE, work_dir / CACHE_FILE)
            work = cache = None
            try:
                work = ox.Store(str(work_dir))
                stale = _ontology_changed(work) or rebuild
                if stale:
                    _refresh_ontology(work, force=True)
                terms = OntologyTerms.of(work)
                cache = Cache.in_folder(work_dir)
                cache.begin()
                if stale or not cache_fresh:
                    cache.set_terms(terms)
                if not cache_fresh:
                    _rebuild_cache(work, cache, terms, transaction=False)
                result = fn(work, cache, terms, stale)
                cache.set_meta("fingerprint", rules_fingerprint())
                cache.commit()
                work.flush()
                work = None
                cache.set_meta("stamp", store_stamp(work_dir))
                cache.close()
                cache = None
                self._store = None
                _swap_in(work_dir, self.path)
            except BaseException as exc:
                # The traceback keeps fn's frames, and with them the checkpoint store, alive; RocksDB
                # still writes into its folder while it closes, so it must close before the folder goes.
                traceback.clear_frames(exc.__traceback__)
                raise
            finally:
                work = None
                if cache is not None:
                    cache.close()
                _remove(work_dir)
        return result

    # --- asking -------------------------------------------------------------------------------

    def query(self, name: str, **params) -> list[dict]:
        """Rows of the named query ``queries/NAME.rq`` with its parameters bound (SPARQL on the store)."""
        return self.run_query(name, params).rows

    def run_query(self, name: str, params: dict | None = None, limit: int | None = None,
                  offset: int = 0) -> qlib.Result:
        """The rows of a named query (SPARQL on the store); ``limit``/``offset`` page through them."""
        return qlib.run(self.store, qlib.get(name), params, limit=limit, offset=offset)

    def summarize_query(self, name: str, params: dict | None = None, ids: bool = False) -> qlib.Result:
        """The corpus answer of a named query (its ``# summary:`` header): how many policies are in each
        cell, from the cache. Queries without a summary give their rows."""
        q = qlib.get(name)
        if not q.summary:
            return self.run_query(name, params)
        return _summarize(self, q, params or {}, ids)

    def sparql(self, text: str):
        """Run any read-only SPARQL query: SELECT -> Result, ASK -> bool, CONSTRUCT/DESCRIBE -> [Triple].

        The default graph is the union of every graph; GRAPH ?g still reaches each policy's own.
        """
        results = self.raw_sparql(text)
        if isinstance(results, ox.QueryBoolean):
            return bool(results)
        if isinstance(results, ox.QuerySolutions):
            names = [v.value for v in results.variables]
            return qlib.Result(names, [qlib.decode_row(None, names, s) for s in results])
        return list(results)

    def raw_sparql(self, text: str):
        """pyoxigraph's own result object, for serialising to the SPARQL result formats."""
        check_read_only(text)
        try:
            # the default graph is the union of all graphs, as with `oxigraph serve --union-default-graph`:
            # a question about flows need not name the policy graph they are in
            return self.store.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise PolicyflowsError(f"SPARQL syntax error: {exc}") from None

    def policies(self, policies=None) -> list[dict]:
        """The policies in the store, as ``policies --format json`` (where-json.md)."""
        return self.cache.policies(_as_list(policies) or None)

    def policy_ids(self) -> list[str]:
        return [p["id"] for p in self.policies()]

    def matched(self, term) -> list[dict]:
        """The categories a user's term names: [{"iri", "label"}]."""
        cache = self.cache
        found = cache.resolved(term)
        if found is None:
            found = qlib.resolve_category(term)
            cache.remember(term, found)
        return [{"iri": iri, "label": label or cache.terms.label(iri)} for iri, label in found]

    def flows(self, term=None, policies=None, limit: int | None = None, offset: int = 0) -> list[dict]:
        """Flows of a data term (and every category beneath it) as where-json.md rows.

        ``term=None`` means all data. Flows a will-not statement overrides are left out.
        :raises UnknownTermError: when the term names no data category.
        """
        return list(self.iter_flows(term, policies, limit, offset))

    def iter_flows(self, term=None, policies=None, limit: int | None = None, offset: int = 0):
        """The same rows one at a time (a large answer is never held whole)."""
        categories = [m["iri"] for m in self.matched(term)] if term else None
        return self.cache.rows(categories, _as_list(policies) or None, limit, offset)

    def where(self, term: str, policies=None, limit: int | None = None, offset: int = 0) -> dict:
        """The full answer of ``policyflows where TERM --rows --format json``."""
        with self._one_look():
            return {"schema": 1, "term": term, "matched": self.matched(term),
                    "flows": self.flows(term, policies, limit, offset)}

    def where_json(self, term: str, policies=None, limit: int | None = None, offset: int = 0) -> str:
        """The answer of :meth:`where` as JSON text, one flow per line."""
        with self._one_look():
            matched = self.matched(term)
            head = json.dumps({"schema": 1, "term": term, "matched": matched}, ensure_ascii=False)[:-1]
            categories = [m["iri"] for m in matched] if term else None
            lines = list(self.cache.row_texts(categories, _as_list(policies) or None, limit, offset))
        if not lines:
            return head + ', "flows": []}'
        return head + ', "flows": [\n' + ",\n".join(lines) + "\n]}"

    def policies_with(self, term=None, policies=None) -> int:
        """How many policies have flows of a term's data (positive or ruled out)."""
        categories = [m["iri"] for m in self.matched(term)] if term else [DEFAULT_CATEGORY]
        return self.cache.policies_with(categories, _as_list(policies) or None)

    def count(self, term=None, policies=None) -> tuple[int, int]:
        """(flows, policies) of a term's answer."""
        categories = [m["iri"] for m in self.matched(term)] if term else None
        return self.cache.count_flows(categories, _as_list(policies) or None)

    def summary(self, term=None, policies=None, ids: bool = False, dims=("kind", "organisation", "place",
                "purpose", "action")) -> dict:
        """The corpus answer: how many policies have flows of a term's data, and per recipient kind,
        named organisation, place, purpose and action how many send it there (stated, inferred only,
        ruled out); and for each category beneath the term, the same per kind and per place (the
        categories × kinds and categories × places of a corpus view). ``ids`` adds the policy ids
        of each cell. ``term=None`` means all personal data. See where-json.md ("summary")."""
        with self._one_look():
            matched = self.matched(term) if term else [{"iri": DEFAULT_CATEGORY,
                                                        "label": self.cache.terms.label(DEFAULT_CATEGORY)}]
            return {"schema": 1, "term": term, "matched": matched,
                    "summary": _summary(self.cache, [m["iri"] for m in matched], _as_list(policies) or None, ids, dims)}

    def cell_policies(self, term, dim: str, value: str, policies=None) -> dict[str, list[str]]:
        """The policy ids of one summary cell: {"stated", "inferred", "ruled_out"}."""
        categories = [m["iri"] for m in self.matched(term)] if term else [DEFAULT_CATEGORY]
        return self.cache.cell_policies(categories, dim, value, _as_list(policies) or None)

    def _policy_graphs(self) -> dict[str, ox.NamedNode]:
        return {policy: ox.NamedNode(graph) for policy, graph, _ in self.cache.sources()}

    # --- beyond one machine -------------------------------------------------------------------

    def graph_names(self, policies=None, ontology: bool = True) -> list[ox.NamedNode]:
        """The named graphs to export or push: the chosen policies' (default all), then the ontology."""
        graphs = self._policy_graphs()
        wanted = [str(p) for p in _as_list(policies)] if policies else sorted(graphs)
        missing = [p for p in wanted if p not in graphs]
        if missing:
            raise PolicyflowsError(f"no policy {', '.join(missing)} in the store; `policyflows policies` lists them")
        names = [graphs[p] for p in wanted]
        names.sort(key=lambda g: g.value)
        if ontology and not policies:
            names.append(ONTOLOGY)
        return names

    def export(self, output=None, format: str = "nquads", policies=None):
        """Write the store (or some policies) as N-Quads, TriG, Turtle or JSON-LD: the facts only (the
        cache is not exported). Turtle has no named graphs, so it holds the union of the chosen
        graphs. ``output`` is a path or binary file; ``None`` returns bytes.
        """
        fmt = _export_format(format)
        store = self.store
        if not policies and fmt.supports_datasets and fmt != ox.RdfFormat.JSON_LD:
            # the whole store, written by Oxigraph itself (a Python loop over millions of quads is slow)
            return store.dump(str(output) if isinstance(output, Path) else output, fmt, prefixes=_prefixes())
        quads = (q for g in self.graph_names(policies) for q in store.quads_for_pattern(None, None, None, g))
        if not fmt.supports_datasets:
            quads = (q.triple for q in quads)
        return ox.serialize(quads, output, fmt, prefixes=_prefixes())

    def push(self, endpoint: str, policies=None, timeout: float = 60.0) -> list[str]:
        """PUT each policy's named graph (and the ontology's) into a SPARQL 1.1 Graph Store Protocol server.

        ``endpoint`` is the server's graph-store URL (Oxigraph: ``http://host:7878/store``).
        Returns the graph IRIs written. :raises PolicyflowsError: when the server refuses one.
        """
        import urllib.error
        import urllib.parse
        import urllib.request

        written = []
        for graph in self.graph_names(policies):
            body = ox.serialize((q.triple for q in self.store.quads_for_pattern(None, None, None, graph)),
                                format=ox.RdfFormat.N_TRIPLES)
            sep = "&" if "?" in endpoint else "?"
            url = f"{endpoint}{sep}{urllib.parse.urlencode({'graph': graph.value})}"
            request = urllib.request.Request(url, data=body, method="PUT",
                                             headers={"Content-Type": "application/n-triples"})
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    response.read()
            except urllib.error.HTTPError as exc:
                raise PolicyflowsError(f"{endpoint} refused graph {graph.value}: HTTP {exc.code} "
                                       f"{exc.read()[:200].decode('utf-8', 'replace')}") from None
            except urllib.error.URLError as exc:
                raise PolicyflowsError(f"cannot reach {endpoint}: {exc.reason}") from None
            written.append(graph.value)
        return written


# --- the corpus summary -------------------------------------------------------------------------

def _cell(cache: Cache, c: dict) -> dict:
    terms, value, dim = cache.terms, c["value"], c["dim"]
    cell = {"value": value, "label": value}
    if dim in ("organisation", "place", "purpose"):
        cell["label"] = terms.label(value)
    if dim == "place":
        cell["code"] = terms.iso.get(value)
    cell.update({k: c[k] for k in ("policies", "stated", "inferred", "ruled_out")})
    return cell


def _order(cell: dict):
    return (-cell["policies"], -cell["ruled_out"], cell["label"].lower())


def _summary(cache: Cache, categories: list[str], policies, ids: bool, dims) -> dict:
    total = len(policies) if policies else cache.policy_count()
    found = cache.cells(categories, ("any",) + tuple(dims), policies)
    anyone = next((c for c in found if c["dim"] == "any"), None)
    by = {d: sorted((_cell(cache, c) for c in found if c["dim"] == d), key=_order) for d in dims}
    # the categories beneath (and of) the term, each with its own cells per kind and place
    reached = {c["category"] for c in cache.cells(sorted(cache.descendants(categories)), ("any",), policies,
                                                  per_category=True)}
    per_cat = cache.cells(sorted(reached), ("any", "kind", "place"), policies, per_category=True)
    cats: dict[str, dict] = {}
    for c in per_cat:
        entry = cats.setdefault(c["category"], {"iri": c["category"], "label": cache.terms.label(c["category"]),
                                                "parents": [p for p in cache.terms.parents.get(c["category"], [])
                                                            if p in reached],
                                                "kind": [], "place": []})
        if c["dim"] == "any":
            entry.update({k: c[k] for k in ("policies", "stated", "inferred", "ruled_out")})
        else:
            entry[c["dim"]].append(_cell(cache, c))
    for entry in cats.values():
        entry["kind"].sort(key=_order)
        entry["place"].sort(key=_order)
    out = {
        "of": total,
        "policies": anyone["policies"] if anyone else 0,
        "stated": anyone["stated"] if anyone else 0,
        "inferred": anyone["inferred"] if anyone else 0,
        "ruled_out": anyone["ruled_out"] if anyone else 0,
        "by": by,
        "categories": sorted(cats.values(), key=lambda e: (-e.get("policies", 0), e["label"].lower())),
    }
    if ids:
        for d, cells in by.items():
            for cell in cells:
                cell["ids"] = cache.cell_policies(categories, d, cell["value"], policies)
        for entry in out["categories"]:
            for d in ("kind", "place"):
                for cell in entry[d]:
                    cell["ids"] = cache.cell_policies([entry["iri"]], d, cell["value"], policies)
    return out


SUMMARY_COLUMNS = ["dim", "value", "label", "policies", "stated", "inferred", "ruledOut"]


def _summarize(store: FlowStore, q: qlib.NamedQuery, params: dict, ids: bool) -> qlib.Result:
    """A named query's summary header, run on the cache (see queries.py, "summary")."""
    cache = store.cache
    names = {p.name for p in q.params}
    for name in params:
        q.param(name)
    category = params.get("category") or (q.param("category").default if "category" in names else None)
    categories = [iri for iri, _ in qlib.resolve_category(str(category))] if category else [DEFAULT_CATEGORY]
    if isinstance(category, list):
        categories = [iri for c in category for iri, _ in qlib.resolve_category(str(c))]
    policies = _as_list(params.get("policy")) or None
    if q.summary == ("policies",):
        rows = cache.policies(policies)
        return qlib.Result(["policy", "title", "controller", "updated", "jurisdictions", "statements", "flows",
                            "stated"],
                           [{"policy": r["id"], "title": r["title"], "controller": r["controller"],
                             "updated": r["updated"], "jurisdictions": r["jurisdictions"],
                             "statements": r["counts"]["statements"], "flows": r["counts"]["flows"],
                             "stated": r["counts"]["stated"]} for r in rows])
    per_category = "categories" in q.summary
    rows = []
    for item in q.summary:
        if item == "categories":
            continue
        dim, _, pname = item.partition("=")
        if dim not in DIMS:
            raise qlib.QueryParameterError(f"{q.name}.rq: summary dimension {dim!r} is not one of {', '.join(DIMS)}")
        value = None
        if pname:
            raw = params.get(pname, q.param(pname).default)
            if raw is None and per_category:
                raise qlib.QueryParameterError(f"query {q.name!r} needs --param {pname}=…")
            if raw is not None:
                value = _cell_value(cache, dim, q.param(pname), raw)
        if per_category:
            cats = sorted(cache.descendants(categories))
            found = cache.cells(cats, (dim,), policies, per_category=True, value=value)
        else:
            found = cache.cells(categories, (dim,), policies, value=value)
        for c in found:
            cell = _cell(cache, c)
            row = {"dim": dim, "value": cell["value"], "label": cell["label"], "policies": cell["policies"],
                   "stated": cell["stated"], "inferred": cell["inferred"], "ruledOut": cell["ruled_out"]}
            if per_category:
                row = {"category": c["category"], "categoryLabel": cache.terms.label(c["category"]), **row}
            if ids:
                row["policyIds"] = cache.cell_policies([c["category"]] if per_category else categories, dim,
                                                       cell["value"], policies)
            rows.append(row)
    rows.sort(key=lambda r: (DIMS.index(r["dim"]), -r["policies"], -r["ruledOut"], r.get("categoryLabel", ""),
                             str(r["label"]).lower()))
    columns = (["category", "categoryLabel"] if per_category else []) + SUMMARY_COLUMNS + (["policyIds"] if ids else [])
    return qlib.Result(columns, rows)


def _cell_value(cache: Cache, dim: str, param: qlib.Param, raw) -> str:
    """A parameter's value as the value of a summary cell (a kind code, an organisation IRI, a place IRI …)."""
    if isinstance(raw, (list, tuple)):
        raw = raw[0]
    text = raw.value if isinstance(raw, (ox.NamedNode, ox.Literal)) else str(raw)
    if dim == "place":
        code = text.upper()
        for iri, iso in cache.terms.iso.items():
            if iso == code:
                return iri
        raise qlib.QueryParameterError(f"no place has the ISO code {text!r}")
    if param.type == "iri":
        return qlib.expand_iri(text)
    qlib.term_values(param, text)  # checks a kind is one of the nine
    return text


# --- building, swapping and locking -------------------------------------------------------------

def _rebuild_cache(store: ox.Store, cache: Cache, terms: OntologyTerms | None = None, transaction: bool = True) -> None:
    """The cache made anew from every policy graph of the store."""
    terms = terms or OntologyTerms.of(store)
    if transaction:
        cache.begin()
    cache.clear()
    cache.set_terms(terms)
    for graph in policy_graphs(store):
        facts = PolicyFacts.from_quads(graph.value, store.quads_for_pattern(None, None, None, graph), terms)
        if facts is not None:
            cache.replace(facts)
    cache.recount()
    if transaction:
        cache.set_meta("fingerprint", _stored_fingerprint(store) or "")
        cache.commit()


def policy_graphs(store: ox.Store) -> list[ox.NamedNode]:
    return sorted({q.graph_name for q in store.quads_for_pattern(None, POLICY_ID, None)
                   if isinstance(q.graph_name, ox.NamedNode) and q.graph_name == q.subject},
                  key=lambda g: g.value)


def _results(todo: list[Path], terms: OntologyTerms, jobs: int | None, scheduler: str | None):
    """(path, PolicyBuild) for each file as it is done: here, in worker processes, or on a Dask cluster."""
    from policyflows.pipeline import build_policy

    if scheduler:
        from dask.distributed import Client, as_completed

        with Client(scheduler) as client:
            shared = client.scatter(terms, broadcast=True)
            futures = client.map(build_policy, [str(p) for p in todo], terms=shared, pure=False)
            for future in as_completed(futures):
                yield future.result()
                future.release()
        return
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    if jobs == 1:
        from policyflows.ontology import Lexicon

        lexicon = Lexicon.load()
        for path in todo:
            yield build_policy(path, terms, lexicon)
        return
    import multiprocessing

    from policyflows.ontology import Lexicon

    Lexicon.load()  # loaded once, shared with the forked workers
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ctx.Pool(jobs, initializer=_worker_init, initargs=(terms,)) as pool:
        yield from pool.imap_unordered(_worker_build, [str(p) for p in todo], chunksize=2)


_WORKER_TERMS: OntologyTerms | None = None


def _worker_init(terms: OntologyTerms) -> None:
    import signal

    global _WORKER_TERMS
    _WORKER_TERMS = terms
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle: it ends the pool


_WORKER_BUILT = 0  # policies this worker process has built


def _worker_build(path: str):
    from policyflows.pipeline import build_policy, tune_collector

    global _WORKER_BUILT
    _WORKER_BUILT += 1
    if _WORKER_BUILT == 2:  # after the first policy has loaded the lexicon: a build worker does nothing else
        tune_collector()
    return build_policy(path, _WORKER_TERMS)


def _build_into(store: ox.Store, cache: Cache, terms: OntologyTerms, stale: bool, todo: list[Path], gone,
                report: BuildReport,
                progress: bool, total: int, jobs: int | None, scheduler: str | None) -> BuildReport:
    from tqdm import tqdm

    for policy, graph in gone:
        store.remove_graph(ox.NamedNode(graph))
        cache.remove(graph)
        report.pruned.append(policy)
    batch: list[bytes] = []
    size = 0
    loaded: set[str] = set()
    loaded_bytes = 0

    def flush():
        nonlocal batch, size, loaded_bytes
        if batch:
            loaded_bytes += size
            parts, batch, size = batch, [], 0
            store.bulk_load(input=_Chunks(parts), format=ox.RdfFormat.N_QUADS)

    bar = tqdm(total=total, initial=total - len(todo), desc="build", unit="policy", file=sys.stderr,
               disable=not progress or not todo, dynamic_ncols=True, smoothing=0.05)
    try:
        for result in _results(todo, terms, jobs, scheduler):
            bar.update(1)
            bar.set_postfix_str(Path(result.path).name[:40], refresh=False)
            if result.error is not None:
                report.failed.append((result.path, result.error))
                continue
            report.warnings += [(result.path, w) for w in result.warnings]
            graph = ox.NamedNode(result.graph)
            if result.graph in loaded:  # two files of one policy id: the later one wins
                flush()
            if store.contains_named_graph(graph):
                store.remove_graph(graph)
            loaded.add(result.graph)
            batch.append(result.nquads)
            size += len(result.nquads)
            if result.entry is not None:
                cache.replace(result.entry)
            else:
                cache.remove(result.graph)
            report.built.append(result.policy)
            if size >= BATCH_BYTES:
                flush()
        flush()
    finally:
        bar.close()
    report.compacted = _compact_after(store, loaded_bytes, progress)
    report.loaded_bytes = loaded_bytes
    if stale:  # new labels or rules: the rows of the policies this build did not touch are redone
        for graph in policy_graphs(store):
            if graph.value not in loaded:
                facts = PolicyFacts.from_quads(graph.value, store.quads_for_pattern(None, None, None, graph), terms)
                if facts is not None:
                    cache.replace(facts)
    if report.built or report.pruned or stale:
        cache.recount()
    return report


def _compact_after(store: ox.Store, loaded_bytes: int, progress: bool) -> bool:
    """Compact the store after a bulk load of ``loaded_bytes`` when that is large (COMPACT_AFTER_BYTES):
    what `build` and `load` both do. True when it compacted."""
    if loaded_bytes < COMPACT_AFTER_BYTES:
        return False
    if progress:
        print(f"compacting the store ({loaded_bytes / 2**30:.1f} GB loaded) …", file=sys.stderr)
    store.optimize()
    return True


class _Chunks(io.RawIOBase):
    """A list of byte strings read as one stream (what bulk_load reads), each let go once read."""

    def __init__(self, parts: list[bytes]):
        self._parts = parts
        self._parts.reverse()
        self._head = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._head and self._parts:
            self._head = memoryview(self._parts.pop())
        n = min(len(buffer), len(self._head))
        buffer[:n] = self._head[:n]
        self._head = self._head[n:]
        return n


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


@functools.cache
def rules_fingerprint() -> str:
    """A hash of what decides a policy's graph besides its file: ontology, ingest rules, package code.

    When it changes, a build rebuilds unchanged files too, and reloads the ontology graph.
    """
    from policyflows import __version__

    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    folders = [ontology_dir()]
    try:
        folders.append(data_dir("ingest"))
    except FileNotFoundError:
        pass
    files = [f for d in folders for f in sorted(d.rglob("*")) if f.is_file()]
    files += sorted(f for f in package.rglob("*.py") if "cli" not in f.relative_to(package).parts)
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


def _stored_fingerprint(store: ox.Store) -> str | None:
    stored = [q.object.value for q in store.quads_for_pattern(ONTOLOGY, SHA256, None, ONTOLOGY)]
    return stored[0] if len(stored) == 1 else None


def _ontology_changed(store: ox.Store) -> bool:
    return _stored_fingerprint(store) != rules_fingerprint()


def _refresh_ontology(store: ox.Store, force: bool = False) -> None:
    """(Re)load every ontology/*.ttl into the ontology graph, stamped with the rules fingerprint."""
    if not force and not _ontology_changed(store):
        return
    if store.contains_named_graph(ONTOLOGY):
        store.remove_graph(ONTOLOGY)
    for ttl in sorted(ontology_dir().glob("*.ttl")):
        store.bulk_load(path=str(ttl), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY)
    store.add(ox.Quad(ONTOLOGY, SHA256, ox.Literal(rules_fingerprint()), ONTOLOGY))


@contextmanager
def _build_lock(path: Path):
    """One build at a time per store: an flock on a file beside the store folder."""
    import fcntl

    lock_path = _sibling(path, "lock")
    with open(lock_path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreLockedError(path) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _is_store(path: Path) -> bool:
    return path.is_dir() and (path / "CURRENT").exists()


def _create(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise NotAStoreError(path, "the folder exists and holds other files")
    path.parent.mkdir(parents=True, exist_ok=True)
    store = _open_writable(path)
    _refresh_ontology(store, force=True)
    store.flush()
    del store


def _open_writable(path: Path) -> ox.Store:
    try:
        return ox.Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreLockedError(path) from None
        raise NotAStoreError(path, str(exc)) from None


def _open_read_only(path: Path) -> ox.Store:
    # A writer working on the store (a writable `oxigraph serve` compacting it) can delete a file
    # between the moment RocksDB lists the files and the moment it opens them: try again.
    for attempt in range(20):
        try:
            return ox.Store.read_only(str(path))
        except OSError as exc:
            raise NotAStoreError(path, str(exc)) from None
        except RuntimeError as exc:
            if attempt == 19 or "No such file" not in str(exc):
                raise NotAStoreError(path, str(exc).splitlines()[0]) from None
            time.sleep(0.1)


def _sibling(path: Path, role: str) -> Path:
    return path.with_name(f".{path.name}.{role}")


def _swap_in(new: Path, path: Path) -> None:
    """Put ``new`` where ``path`` is. The old store is renamed aside first; if the process dies
    between the two renames, the next open puts it back (_recover_interrupted_swap)."""
    previous = _sibling(path, "previous")
    _remove(previous)
    os.rename(path, previous)
    os.rename(new, path)
    _remove(previous)


def _recover_interrupted_swap(path: Path) -> None:
    previous = _sibling(path, "previous")
    if not path.exists() and _is_store(previous):
        os.rename(previous, path)


def _remove(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)


# --- small helpers ------------------------------------------------------------------------------

def check_read_only(text: str) -> None:
    """Refuse SERVICE: a query must not make the store reach out to the network.

    Updates need no check: pyoxigraph's query() parses queries only, so an update is a syntax error.
    """
    if "service" not in text.lower():  # most queries: no need to look past strings, IRIs and comments
        return
    if "service" in _strip_literals(text).lower().split():
        raise PolicyflowsError("SERVICE is not allowed: this endpoint does not query other endpoints")


_LITERALS = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_IRIS = re.compile(r"<[^<>\s]*>")
_COMMENTS = re.compile(r"#[^\n]*")
_BRACKETS = re.compile(r"[{}()]")


def _strip_literals(text: str) -> str:
    text = _LITERALS.sub(" ", text)
    text = _IRIS.sub(" ", text)
    text = _COMMENTS.sub(" ", text)
    return _BRACKETS.sub(" ", text)


def _export_format(name: str) -> ox.RdfFormat:
    try:
        return EXPORT_FORMATS[name]
    except KeyError:
        raise PolicyflowsError(f"unknown export format {name!r}: use one of {', '.join(EXPORT_FORMATS)}") from None


def _prefixes() -> dict[str, str]:
    return dict(qlib.PREFIXES)


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (str, ox.Literal)):
        return [value]
    return list(value)


