"""One policy file through every stage: read → extract → flows → RDF (Contract 4)."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PolicyGraph:
    doc: object  # policyflows.ingest.Document
    statements: list
    flows: list
    spo: list  # the policy's named graph as plain triples (graph.rdf): IRIs as strings, literals as Lit
    iri: object  # the policy IRI (rdflib URIRef)
    _quads: list | None = field(default=None, repr=False)
    _triples: set | None = field(default=None, repr=False)
    _graph: object = field(default=None, repr=False)

    @property
    def quads(self) -> list:
        """The named graph as pyoxigraph quads (graph name: the policy IRI), made on first use."""
        if self._quads is None:
            from policyflows.graph.rdf import quads_of
            self._quads = quads_of(self.spo, str(self.iri))
        return self._quads

    @property
    def nquads(self) -> bytes:
        """The named graph as N-Quads text: what the store loads."""
        from policyflows.graph.rdf import nquads
        return nquads(self.spo, str(self.iri))

    @property
    def triples(self) -> set:
        """The named graph's content as a set of rdflib-term triples, made on first use."""
        if self._triples is None:
            from policyflows.graph.rdf import rdflib_triples
            self._triples = rdflib_triples(self.spo)
        return self._triples

    @property
    def graph(self):
        """The named graph's content as an rdflib Graph, built on first use (rdflib's store is slow to fill)."""
        if self._graph is None:
            from policyflows.graph import to_rdflib
            self._graph = to_rdflib(self.triples)
        return self._graph


# per thread: an Extractor holds the mentions of the document it is reading, and a Dask worker may run
# several build_policy calls at once in its threads
_EXTRACTORS = threading.local()


def _extractor(lexicon=None):
    """One Extractor per lexicon and thread, reused for every document: building one resolves terms and
    sets up the components (~3 ms, a few per cent of a corpus build); it keeps nothing of a document after it."""
    from policyflows.extract import Extractor

    if lexicon is None:
        from policyflows.ontology import Lexicon
        lexicon = Lexicon.load()
    held = getattr(_EXTRACTORS, "held", None)  # (lexicon, its Extractor with every component)
    if held is None or held[0] is not lexicon:
        held = _EXTRACTORS.held = (lexicon, Extractor(lexicon))
    return held[1]


def graph_for_document(doc, lexicon=None) -> PolicyGraph:
    from policyflows.graph import derive_flows
    from policyflows.graph.rdf import policy_spo
    from policyflows.vocab import policy_iri

    extractor = _extractor(lexicon)
    statements = extractor.extract(doc)
    flows = derive_flows(doc.policy, statements, extractor.lex)
    return PolicyGraph(doc, statements, flows, policy_spo(doc, statements, flows, extractor.lex),
                       policy_iri(doc.policy))


def graph_for_file(path: str | Path, policy_id: str | None = None, lexicon=None) -> PolicyGraph:
    """Read one policy file and build its graph; raises PolicyReadError for a bad file."""
    from policyflows.ingest import read

    doc = read(path, policy_id=policy_id) if policy_id else read(path)
    return graph_for_document(doc, lexicon)


# --- one policy, as a build job (in a worker process, or on a Dask worker) -------------------------

@dataclass
class PolicyBuild:
    """What building one file gives the store: its graph as N-Quads, and the row facts derived from
    that graph (policyflows/rows.py), or why it failed."""

    path: str
    policy: str | None = None
    graph: str | None = None
    sha256: str | None = None
    nquads: bytes = b""
    quads: int = 0
    entry: object = None  # cache.Entry: the row facts derived from the graph, encoded for the cache
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


# Young objects (net of those freed) before the collector's young pass. A policy allocates about
# 7,000 containers, nearly all freed by reference counting: at Python's default of 700 the young
# pass ran ten times a policy and found next to nothing (~2 % of a build's CPU).
_YOUNG_THRESHOLD = 10_000


def tune_collector() -> None:
    """For a process that only builds policies (store.py's build workers call it before their second
    policy): keep what the first one loaded and what lives as long as the process (the lexicon and its
    matchers, the rules, compiled patterns, the terms: some 70,000 objects) out of the garbage
    collector's full passes. Each full pass walked them all, about ten passes per hundred policies,
    ~4 % of a build's CPU. The first policy's own garbage is collected first. Neither gc.freeze() nor
    the threshold changes a result, only when and over what the collector runs; it is a setting of the
    whole process, so build_policy itself never makes it."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def build_policy(path: str | Path, terms=None, lexicon=None) -> PolicyBuild:
    """Read, extract, infer and write one policy file; never raises for a bad file.

    ``terms`` are the store's ontology terms (rows.OntologyTerms) the row facts are labelled with."""
    from policyflows.errors import PolicyflowsError

    out = PolicyBuild(str(path))
    try:
        pg = graph_for_file(path, lexicon=lexicon)
    except PolicyflowsError as exc:
        out.error = str(exc)
        return out
    except OSError as exc:
        out.error = exc.strerror or str(exc)
        return out
    except Exception as exc:  # a bug on one policy must not sink the rest of a corpus
        out.error = f"internal error: {type(exc).__name__}: {exc}"
        return out
    # THE place where a document's reading warnings reach the build (printed one line each)
    out.warnings = [str(w) for w in getattr(pg.doc, "warnings", []) or []]
    out.policy, out.graph, out.sha256 = pg.doc.policy, str(pg.iri), pg.doc.source.sha256
    try:
        out.nquads = pg.nquads
    except ValueError as exc:  # an IRI the graph cannot hold: this policy fails, the build goes on
        out.error = f"internal error: {exc}"
        return out
    out.quads = len(pg.spo)
    if terms is not None:
        from policyflows.cache import Entry
        from policyflows.rows import PolicyFacts

        facts = PolicyFacts.from_triples(out.graph, pg.spo, terms)
        out.entry = Entry.of(facts, terms) if facts is not None else None
    return out
