"""`policyflows ontology check`: counts, DPV links, consistency, exit status."""
from __future__ import annotations

import json

from click.testing import CliRunner

from policyflows.cli.ontology_cmd import ontology


def test_check_without_reasoning_prints_counts_as_json():
    result = CliRunner().invoke(ontology, ["check", "--no-reason", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    counts = report["counts"]
    assert counts["data categories"] >= 150
    assert counts["purposes"] >= 30 and counts["named organisations"] >= 30
    assert counts["countries"] == 249 and counts["regions (ISO 3166-2)"] > 4000
    assert counts["DPV links"] > 100 and counts["SHACL shapes"] >= 6
    assert report["dangling_dpv_iris"] == []
    assert "consistent" not in report


def test_check_runs_hermit_and_prints_a_table():
    result = CliRunner().invoke(ontology, ["check"])
    assert result.exit_code == 0, result.output
    assert "| data categories" in result.output
    assert "consistent" in result.output and "INCONSISTENT" not in result.output


def test_check_exits_1_on_a_dangling_dpv_iri(monkeypatch):
    import policyflows.ontology.check as check_module
    monkeypatch.setattr(check_module, "dangling_dpv_iris", lambda dpv_dir=None: ["https://w3id.org/dpv/pd#Flurbo"])
    result = CliRunner().invoke(ontology, ["check", "--no-reason"])
    assert result.exit_code == 1
    assert "pd#Flurbo" in result.output


def test_validate_exits_0_on_a_conforming_graph_and_1_on_a_broken_one(tmp_path):
    from test_ontology_shapes import GOOD, broken

    good = tmp_path / "good.ttl"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.ttl"
    broken(remove="p:f2 pf:derivedFrom p:st1 .").serialize(bad, format="turtle")
    result = CliRunner().invoke(ontology, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(ontology, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert "derivedFrom" in result.output and "f2" in result.output
