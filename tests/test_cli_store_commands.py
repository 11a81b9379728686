"""`policyflows build / where / policies / query / sparql / export` from the command line, as a user
runs them: exit codes, the where-json shape, the tables for people."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

HUALAI_ID = "hualai-xiaofang-smart-camera"
SEVENTY_ID = "70mai-dash-cam"
FIXTURE = Path(__file__).with_name("test_store_fixture.trig")


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "policyflows", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture(scope="module")
def store(tmp_path_factory, policies_dir):
    path = tmp_path_factory.mktemp("cli") / "store"
    result = run("build", policies_dir, "--store", path)
    assert result.returncode == 0, result.stderr
    assert "built 2, unchanged 0, failed 0" in result.stderr
    return path


def test_build_again_skips_unchanged_files(store, policies_dir):
    result = run("build", policies_dir, "--store", store)
    assert result.returncode == 0 and "built 0, unchanged 2, failed 0" in result.stderr


def test_build_reports_a_bad_file_on_one_line_and_exits_1(tmp_path, hualai_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run("build", empty, hualai_path, "--store", tmp_path / "s", "-q")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "empty.txt" in errors[0]
    assert json.loads(run("policies", "--store", tmp_path / "s", "--format", "json").stdout)[0]["id"] == HUALAI_ID


def test_where_json_follows_the_spec(store):
    result = run("where", "MAC address", "--policy", HUALAI_ID, "--store", store, "--format", "json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["schema"] == 1 and answer["term"] == "MAC address"
    assert answer["matched"] and all(set(m) == {"iri", "label"} for m in answer["matched"])
    assert answer["flows"]
    for f in answer["flows"]:
        assert f["policy"] == HUALAI_ID
        assert f["action"] in {"collect", "use", "store", "share", "transfer", "sell", "retain", "delete"}
        assert f["modality"] in {"will", "may", "will-not"}
        assert f["recipient"] is None or f["recipient"]["kind"] in {
            "first-party", "affiliate", "service-provider", "third-party", "advertiser", "authority", "acquirer",
            "public", "user"}
        assert isinstance(f["stated"], bool) and isinstance(f["via"], list) and f["evidence"]
        assert f["stated"] or f["via"], "an inferred flow names the broader category"
    keys = [(f["data"]["iri"], f["action"], (f["recipient"] or {}).get("iri"), (f["jurisdiction"] or {}).get("iri"),
             f["modality"]) for f in answer["flows"]]
    assert len(keys) == len(set(keys)), "one row per (data, action, recipient, jurisdiction)"


def test_where_repeatable_policy_option(store):
    one = json.loads(run("where", "personal information", "--policy", SEVENTY_ID, "--store", store,
                         "--format", "json").stdout)
    both = json.loads(run("where", "personal information", "--policy", SEVENTY_ID, "--policy", HUALAI_ID,
                          "--store", store, "--format", "json").stdout)
    assert {f["policy"] for f in one["flows"]} == {SEVENTY_ID}
    assert {f["policy"] for f in both["flows"]} == {SEVENTY_ID, HUALAI_ID}


def test_where_exit_codes(store, tmp_path):
    nothing = run("where", "video", "--policy", "no-such-policy", "--store", store, "--format", "json")
    assert nothing.returncode == 0 and json.loads(nothing.stdout)["flows"] == []
    unknown = run("where", "vidoe", "--store", store, "--format", "json")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert unknown.stderr.count("\n") == 1 and "video" in unknown.stderr
    missing = run("where", "video", "--store", tmp_path / "none", "--format", "json")
    assert missing.returncode == 2 and missing.stderr.startswith("Error: no store at")
    assert missing.stderr.count("\n") == 1


def test_where_table_is_readable(store):
    result = run("where", "cloud video", "--store", store, "--policy", HUALAI_ID)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 100
    text = result.stdout
    assert "Hualai (first-party)" in text and "(CN-BJ)" in text and "7 days (P7D)" in text
    assert "\u201cCloud cached video" in text


def test_where_table_quotes_every_evidence_sentence_whole(store):
    answer = json.loads(run("where", "personal information", "--store", store, "--format", "json").stdout)
    table = run("where", "personal information", "--store", store).stdout
    assert max(map(len, table.splitlines())) <= 100
    # a wrapped quote, its line breaks undone, holds the sentence verbatim
    unwrapped = " ".join(line.strip() for line in table.splitlines())
    sentences = {e["text"] for f in answer["flows"] for e in f["evidence"]}
    assert len(sentences) > 50
    assert all(" ".join(s.split()) in unwrapped for s in sentences)


def test_where_table_quotes_a_sentence_once_per_line_of_merged_places(store):
    # Six flows (one per data centre) merge into one line with six places; they cite the same
    # sentence, each with the words of its own place, and the line quotes that sentence once.
    table = run("where", "cloud video", "--store", store, "--policy", HUALAI_ID).stdout
    blocks = re.split(r"\n  [-x] ", table)
    merged = [b for b in blocks if "(CN-BJ)" in b and "(US)" in b]
    assert merged
    for block in blocks:
        offsets = re.findall(r"\[(\d+-\d+)\]", block)
        assert len(offsets) == len(set(offsets)), block


def test_policies_json_and_table(store):
    records = json.loads(run("policies", "--store", store, "--format", "json").stdout)
    assert [r["id"] for r in records] == [SEVENTY_ID, HUALAI_ID]
    for r in records:
        assert set(r) >= {"id", "title", "controller", "updated", "contacts", "jurisdictions", "source", "counts"}
        assert set(r["counts"]) == {"statements", "flows", "stated", "inferred"}
        assert r["counts"]["flows"] == r["counts"]["stated"] + r["counts"]["inferred"]
    assert set(records[1]["jurisdictions"]) >= {"CN-BJ", "US", "SG", "IN", "RU", "DE"}
    table = run("policies", "--store", store).stdout
    assert HUALAI_ID in table and "statements" in table


def test_query_list_and_formats(store):
    listing = run("query", "--list")
    assert listing.returncode == 0 and "cross-border:" in listing.stdout and "--param code=" in listing.stdout
    described = json.loads(run("query", "--list", "--format", "json").stdout)
    assert len(described) >= 8
    rows = list(csv.DictReader(io.StringIO(run("query", "cross-border", "-p", "code=DE", "--rows", "--store", store,
                                               "--format", "csv").stdout)))
    assert [r["policy"] for r in rows] == [HUALAI_ID]
    # without --rows: the corpus answer, one row per cell, with the policies in it
    cells = json.loads(run("query", "cross-border", "-p", "code=DE", "--ids", "--store", store, "--format", "json").stdout)
    assert [(c["dim"], c["label"], c["policies"], c["policyIds"]["inferred"] + c["policyIds"]["stated"])
            for c in cells] == [("place", "Germany", 1, [HUALAI_ID])]
    table = run("query", "ruled-out", "--store", store).stdout
    assert "sell" in table and "rows)" in table
    rows = json.loads(run("query", "retention", "-p", "category=phone number", "--rows", "--store", store,
                          "--format", "json").stdout)
    assert any(r["retention"] == "P3M" for r in rows)
    cells = json.loads(run("query", "retention", "-p", "category=phone number", "--store", store,
                           "--format", "json").stdout)
    assert {"P3M"} <= {c["value"] for c in cells if c["dim"] == "retention" and c["policies"]}


def test_query_errors(store):
    unknown = run("query", "nope", "--store", store)
    assert unknown.returncode == 2 and "query --list" in unknown.stderr
    needs = run("query", "compare-policies", "--store", store)
    assert needs.returncode == 2 and "needs --param first" in needs.stderr


def test_sparql_text_file_and_refusals(store, tmp_path):
    select = run("sparql", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--store", store,
                 "--format", "json")
    assert json.loads(select.stdout) == [{"n": 3}]
    q = tmp_path / "q.rq"
    q.write_text("PREFIX pf: <https://w3id.org/policyflows/ns#>\nASK { ?f pf:overriddenBy ?s }")
    assert run("sparql", "--file", q, "--store", store).stdout.strip() in {"yes", "no"}
    construct = run("sparql", "CONSTRUCT { ?p a ?t } WHERE { ?p a ?t } LIMIT 2", "--store", store, "--format", "ntriples")
    assert construct.stdout.count(" .\n") == 2
    update = run("sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "--store", store)
    assert update.returncode == 2 and "syntax" in update.stderr
    service = run("sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "--store", store)
    assert service.returncode == 2 and "SERVICE" in service.stderr


def test_export_formats(store, tmp_path):
    out = tmp_path / "one.trig"
    assert run("export", "--store", store, "--format", "trig", "--policy", SEVENTY_ID, "-o", out).returncode == 0
    from policyflows.store import FlowStore

    copy = FlowStore.open(None)
    copy.load(out, format="trig")
    assert copy.policy_ids() == [SEVENTY_ID]
    nquads = run("export", "--store", store).stdout
    assert "<https://w3id.org/policyflows/ontology> .\n" in nquads
    jsonld = json.loads(run("export", "--store", store, "--format", "jsonld", "--policy", HUALAI_ID).stdout)
    assert jsonld


def test_default_store_comes_from_the_environment(store, tmp_path):
    import os

    env = {**os.environ, "POLICYFLOWS_STORE": str(store)}
    assert json.loads(run("policies", "--format", "json", env=env).stdout)[0]["id"] == SEVENTY_ID
