"""The store on a small real corpus (the seeds and the crawled IoT pages): the row model read from
the cache equals what SPARQL assembles from the graph (flows.rq) and what a DPV-only query finds
(where.rq); the corpus summary equals counts made from the rows; the cache is derived (rebuilt
when the store changed, never exported); parallel, Dask and pruning builds; words in evidence."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest

from policyflows.rows import flow_order, local_name
from policyflows.store import FlowStore

PF = "https://w3id.org/policyflows/ns#"
HUALAI_ID = "hualai-xiaofang-smart-camera"
POLICYFLOWS = [sys.executable, "-m", "policyflows"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, policies_dir, corpus_dir):
    """The seeds and the IoT pages in one folder (11 policies)."""
    folder = tmp_path_factory.mktemp("corpus") / "in"
    folder.mkdir()
    for src in list(policies_dir.glob("*.txt")) + list((corpus_dir / "iot").glob("*.html")):
        shutil.copyfile(src, folder / src.name)
    return folder


@pytest.fixture(scope="module")
def built(corpus):
    store = FlowStore.open(None)
    report = store.build([corpus], progress=False, jobs=1)
    assert len(report.built) == 11 and not report.failed
    return store


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory, corpus):
    path = tmp_path_factory.mktemp("disk") / "store"
    report = FlowStore.open(path, create=True).build([corpus], progress=False, jobs=2)
    assert len(report.built) == 11 and not report.failed
    return path


def sparql_flows(store: FlowStore, **params) -> list[dict]:
    """flows.rq's columns put into the where-json shape: the second, independent way to the rows."""
    out = []
    for row in store.query("flows", **params):
        recipient = jurisdiction = None
        if row["recipient"]:
            recipient = {"iri": row["recipient"], "label": row["recipientLabel"] or local_name(row["recipient"]),
                         "kind": row["kind"]}
        if row["jurisdiction"]:
            jurisdiction = {"iri": row["jurisdiction"], "code": row["code"],
                            "label": row["jurisdictionLabel"] or local_name(row["jurisdiction"])}
        out.append({
            "policy": row["policy"], "flow": row["flow"],
            "data": {"iri": row["data"], "label": row["dataLabel"] or local_name(row["data"])},
            "action": row["action"], "recipient": recipient, "jurisdiction": jurisdiction,
            "purposes": sorted(({"iri": p["iri"], "label": p["label"] or local_name(p["iri"])} for p in row["purposes"]),
                               key=lambda p: (p["label"], p["iri"])),
            "modality": row["modality"], "conditions": sorted(row["conditions"]), "retention": row["retention"],
            "stated": row["stated"], "via": sorted(row["via"]),
            "evidence": sorted(row["evidence"], key=lambda e: (e["start"], e["end"])),
        })
    return out


def canonical(flows: list[dict], drop=("legal_bases",)) -> list[str]:
    out = []
    for f in flows:
        f = {k: v for k, v in f.items() if k not in drop}
        f["evidence"] = [{k: v for k, v in e.items() if k != "words"} for e in f["evidence"]]
        out.append(json.dumps(f, sort_keys=True))
    return sorted(out)


@pytest.mark.parametrize("term", [None, "video", "MAC address", "phone number"])
def test_cached_rows_are_what_sparql_assembles_from_the_graph(built, term):
    cached = built.flows(term)
    assert cached
    assert canonical(cached) == canonical(sparql_flows(built, **({"category": term} if term else {})))


def test_a_dpv_only_query_finds_the_flows_where_answers(built):
    """queries/where.rq names no policyflows term: DPV and Web Annotation only."""
    text = (Path(__file__).parents[1] / "queries" / "where.rq").read_text()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert "policyflows" not in body and "pf:" not in body
    term = "personal information"
    rows = built.query("where", category=term)
    dpv = {(r["flow"], r["data"], r["recipient"], r["location"], r["retention"], tuple(sorted(r["purposes"])),
            tuple(sorted((e["start"], e["end"]) for e in r["evidence"]))) for r in rows}
    answer = {(f["flow"], f["data"]["iri"], (f["recipient"] or {}).get("iri"), (f["jurisdiction"] or {}).get("iri"),
               f["retention"], tuple(sorted(p["iri"] for p in f["purposes"])),
               tuple(sorted((e["start"], e["end"]) for e in f["evidence"]))) for f in built.flows(term)}
    assert len(answer) > 1000 and dpv == answer


def test_rows_come_in_the_answer_order_and_leave_overridden_flows_out(built):
    flows = built.flows()
    assert flows == sorted(flows, key=flow_order)
    overridden = {s["s"].value for s in built.store.query(
        "SELECT ?s WHERE { GRAPH ?g { ?s a <%sOverriddenFlow> } }" % PF)}
    assert overridden, "the seeds have will-not statements that override broader flows"
    assert not overridden & {f["flow"] for f in flows}
    page = built.flows(limit=7, offset=5)
    assert page == flows[5:12]


def test_the_json_text_is_the_answer(built):
    text = built.where_json("video")
    answer = json.loads(text)
    assert answer == built.where("video")
    assert text.count("\n") == len(answer["flows"]) + 1  # one flow per line, for grep and diff


def test_the_summary_counts_policies_as_the_rows_do(built):
    """Every cell recounted from the flows themselves: policies with a stated flow there, with only
    inferred ones, and with a will-not."""
    term = "personal information"
    answer = built.summary(term, ids=True)["summary"]
    flows = built.flows(term)
    assert answer["of"] == 11 and answer["policies"] == len({f["policy"] for f in flows if f["modality"] != "will-not"})

    def expected(key):
        cells: dict = {}
        for f in flows:
            value = key(f)
            if value is None:
                continue
            c = cells.setdefault(value, {"stated": set(), "positive": set(), "ruled_out": set()})
            if f["modality"] == "will-not":
                c["ruled_out"].add(f["policy"])
            else:
                c["positive"].add(f["policy"])
                if f["stated"]:
                    c["stated"].add(f["policy"])
        return {v: (len(c["positive"]), len(c["stated"]), len(c["positive"] - c["stated"]), len(c["ruled_out"]))
                for v, c in cells.items()}

    got = {c["value"]: (c["policies"], c["stated"], c["inferred"], c["ruled_out"]) for c in answer["by"]["kind"]}
    assert got == expected(lambda f: (f["recipient"] or {}).get("kind"))
    got = {c["value"]: (c["policies"], c["stated"], c["inferred"], c["ruled_out"]) for c in answer["by"]["place"]}
    assert got == expected(lambda f: (f["jurisdiction"] or {}).get("iri"))
    assert "US" in {c["code"] for c in answer["by"]["place"]}
    third = next(c for c in answer["by"]["kind"] if c["value"] == "third-party")
    assert sorted(third["ids"]["stated"] + third["ids"]["inferred"]) == sorted(
        {f["policy"] for f in flows if (f["recipient"] or {}).get("kind") == "third-party" and f["modality"] != "will-not"})
    # categories x kinds: each category counts its own flows and those beneath it
    video = next(c for c in answer["categories"] if c["label"] == "video")
    video_flows = built.flows("video")
    kinds = {c["value"]: c["policies"] for c in video["kind"]}
    assert kinds == {k: len({f["policy"] for f in video_flows if (f["recipient"] or {}).get("kind") == k
                             and f["modality"] != "will-not"}) for k in kinds}
    assert set(video["parents"]) <= {c["iri"] for c in answer["categories"]}


def test_the_summary_of_some_policies(built):
    one = built.summary("video", policies=[HUALAI_ID])["summary"]
    assert one["of"] == 1 and one["policies"] == 1
    assert {c["value"] for c in one["by"]["kind"]} == {
        f["recipient"]["kind"] for f in built.flows("video", policies=[HUALAI_ID])
        if f["recipient"] and f["modality"] != "will-not"}


def test_named_queries_answer_for_the_corpus(built):
    cells = built.summarize_query("recipients-of-data", {"category": "video"}).rows
    kinds = {r["value"]: r["policies"] for r in cells if r["dim"] == "kind"}
    assert kinds == {c["value"]: c["policies"] for c in built.summary("video")["summary"]["by"]["kind"]}
    per_category = built.summarize_query("data-for-recipient", {"kind": "third-party"}).rows
    assert per_category and all(r["dim"] == "kind" and r["value"] == "third-party" for r in per_category)
    assert len(built.summarize_query("policies", {}).rows) == 11


def test_the_cache_is_rebuilt_when_the_store_changed_behind_it(on_disk, tmp_path):
    path = tmp_path / "s"
    shutil.copytree(on_disk, path)
    before = FlowStore.open(path).where("video")
    (path / "policyflows-cache.sqlite").unlink()
    assert FlowStore.open(path).where("video") == before  # rebuilt from the graphs
    # a write by another tool: one flow more in a policy graph
    graph = f"https://w3id.org/policyflows/policy/{HUALAI_ID}"
    writer = ox.Store(str(path))
    writer.add(ox.Quad(ox.NamedNode(graph + "/flow/extra"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                       ox.NamedNode("https://w3id.org/dpv#PersonalDataHandling"), ox.NamedNode(graph)))
    for p, o in (("https://w3id.org/dpv#hasPersonalData", ox.NamedNode(PF + "CloudCachedVideo")),
                 ("https://w3id.org/dpv#hasProcessing", ox.NamedNode("https://w3id.org/dpv#Use")),
                 (PF + "modality", ox.NamedNode(PF + "May")),
                 (PF + "derivedFrom", ox.NamedNode(graph + "/statement/1"))):
        writer.add(ox.Quad(ox.NamedNode(graph + "/flow/extra"), ox.NamedNode(p), o, ox.NamedNode(graph)))
    writer.flush()
    del writer
    after = FlowStore.open(path).where("video")
    assert len(after["flows"]) == len(before["flows"]) + 1
    assert any(f["flow"].endswith("/flow/extra") and f["action"] == "use" for f in after["flows"])


def test_exports_hold_facts_only(on_disk):
    nquads = FlowStore.open(on_disk).export(format="nquads").decode()
    assert "answerJson" not in nquads and '"[{' not in nquads and '"{\\"' not in nquads
    assert "<https://w3id.org/dpv#PersonalDataHandling>" in nquads


def test_parallel_build_gives_the_same_store(built, on_disk):
    disk = FlowStore.open(on_disk)
    assert canonical(disk.flows()) == canonical(built.flows())
    assert [p["id"] for p in disk.policies()] == [p["id"] for p in built.policies()]


def test_a_build_on_a_dask_cluster(tmp_path, policies_dir, built):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        store = FlowStore.open(tmp_path / "s", create=True)
        report = store.build([policies_dir], progress=False, scheduler=cluster.scheduler_address)
    assert sorted(report.built) == ["70mai-dash-cam", HUALAI_ID] and not report.failed
    assert canonical(store.flows()) == canonical(built.flows(policies=["70mai-dash-cam", HUALAI_ID]))


def test_prune_removes_the_policies_whose_files_are_gone(tmp_path, corpus):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("70mai-dash-cam.txt", "hualai-xiaofang-smart-camera.txt", "wyze.html"):
        shutil.copyfile(corpus / name, folder / name)
    store = FlowStore.open(tmp_path / "s", create=True)
    store.build([folder], progress=False)
    (folder / "wyze.html").unlink()
    kept = store.build([folder], progress=False)
    assert kept.pruned == [] and "wyze" in store.policy_ids()
    result = subprocess.run(POLICYFLOWS + ["build", str(folder), "--store", str(tmp_path / "s"), "--prune"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "pruned 1" in result.stderr
    assert store.policy_ids() == ["70mai-dash-cam", HUALAI_ID]
    assert not [f for f in store.flows() if f["policy"] == "wyze"]


def test_where_prints_a_summary_across_more_than_a_handful_of_policies(on_disk):
    s = ["--store", str(on_disk)]
    table = subprocess.run(POLICYFLOWS + ["where", "personal information"] + s, capture_output=True, text=True).stdout
    assert "of 11 policies" in table and "recipient kind" in table and "--ids kind=third-party" in table
    assert max(map(len, table.splitlines())) <= 100
    assert "rule some of it out." in " ".join(table.split())  # long lines wrap, never cut
    summary = json.loads(subprocess.run(POLICYFLOWS + ["where", "video", "--format", "json"] + s,
                                        capture_output=True, text=True).stdout)
    assert summary["schema"] == 1 and "summary" in summary and "flows" not in summary
    ids = subprocess.run(POLICYFLOWS + ["where", "personal information", "--ids", "kind=third-party"] + s,
                         capture_output=True, text=True).stdout.splitlines()
    cell = FlowStore.open(on_disk).cell_policies("personal information", "kind", "third-party")
    assert sorted(ids) == sorted(f"{p}\t{how.replace('_', ' ')}" for how, found in cell.items() for p in found)
    assert len(cell["stated"]) + len(cell["inferred"]) > 1
    page = json.loads(subprocess.run(POLICYFLOWS + ["where", "video", "--rows", "--limit", "3", "--offset", "2",
                                                    "--format", "json"] + s, capture_output=True, text=True).stdout)
    assert page["flows"] == FlowStore.open(on_disk).flows("video")[2:5]
    lines = subprocess.run(POLICYFLOWS + ["where", "video", "--rows", "--format", "jsonl"] + s,
                           capture_output=True, text=True).stdout.splitlines()
    assert [json.loads(line) for line in lines] == FlowStore.open(on_disk).flows("video")


def test_evidence_lists_the_words_naming_the_flows_items(hualai_path):
    """Extraction's spans (document offsets of the words naming an item) reach the graph as text
    positions, one node per span (an RFC 5147 fragment IRI), and each evidence entry of the where
    answer as "words": the words of that sentence naming the flow's data, recipient, place or purposes."""
    from policyflows.extract import Extractor
    from policyflows.graph import derive_flows, policy_quads
    from policyflows.ingest import read
    from policyflows.rows import OntologyTerms, PolicyFacts

    doc = read(hualai_path)
    extractor = Extractor()
    statements = extractor.extract(doc)
    flows = derive_flows(doc.policy, statements, extractor.lex)
    quads = policy_quads(doc, statements, flows, extractor.lex)
    span_nodes = {q.subject.value for q in quads if q.predicate.value == PF + "names"}
    assert span_nodes and all("/text#char=" in node for node in span_nodes)
    offsets = {q.subject.value for q in quads if q.predicate.value.startswith("http://www.w3.org/ns/oa#")
               and q.predicate.value.endswith(("#start", "#end"))}
    assert not span_nodes & offsets, "a span's IRI is its selector: its offsets are not repeated"
    for node in span_nodes:  # the IRI names the span it is
        start, end = map(int, node.rsplit("#char=", 1)[1].split(","))
        assert 0 <= start < end <= len(doc.text)
    store = FlowStore.open(None)
    terms = OntologyTerms.of(store.store)
    facts = PolicyFacts.from_quads(str(quads[0].graph_name.value), quads, terms)
    rows = [facts.row(f, terms) for f in facts.flows]
    words = [(w, e, r) for r in rows for e in r["evidence"] for w in e["words"]]
    roles = {w["role"] for w, _, _ in words}
    assert {"data", "purpose"} <= roles <= {"data", "recipient", "purpose", "place"}
    for w, e, r in words:
        assert e["start"] <= w["start"] < w["end"] <= e["end"]
        assert doc.text[w["start"]:w["end"]] == w["text"]


def test_an_answer_for_one_policy_looks_at_the_store_once_and_is_made_once(on_disk, monkeypatch):
    """A server asked /where for one policy again joins the rows' kept text: it lists the store's
    files once per answer (the look cost more than the answer) and makes no row twice; the text
    is the answer a fresh store gives."""
    import policyflows.cache as cache_mod
    import policyflows.rows as rows_mod

    store = FlowStore.open(on_disk)
    policy = store.policy_ids()[0]
    first = store.where_json("personal information", policies=policy)
    looks, made = [], []
    real_stamp, real_row = cache_mod.store_stamp, cache_mod.flow_row
    monkeypatch.setattr(cache_mod, "store_stamp", lambda folder: looks.append(1) or real_stamp(folder))
    monkeypatch.setattr(cache_mod, "flow_row", lambda *a, **k: made.append(1) or real_row(*a, **k))
    again = store.where_json("personal information", policies=policy)
    assert again == first and json.loads(again)["flows"]
    assert len(looks) == 1 and not made
    monkeypatch.setattr(cache_mod, "flow_row", real_row)
    assert FlowStore.open(on_disk).where_json("personal information", policies=policy) == first
    assert rows_mod.flow_row is real_row
