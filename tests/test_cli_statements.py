"""`policyflows statements`: the spec's JSON, readable text, and one-line errors for bad input."""
from __future__ import annotations

import json
import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "policyflows", *args], capture_output=True, text=True, timeout=300)


def test_statements_json_follows_the_spec(hualai_path):
    res = run("statements", str(hualai_path), "--format", "json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["schema"] == 1 and out["policy"] == "hualai-xiaofang-smart-camera"
    keys = {"action", "modality", "actor", "data", "recipients", "purposes", "jurisdictions", "conditions",
            "retention", "section", "evidence"}
    for st in out["statements"]:
        assert keys <= set(st)
        assert st["action"] in {"collect", "use", "store", "share", "transfer", "sell", "retain", "delete"}
        assert st["modality"] in {"will", "may", "will-not"}
        assert st["data"] and all(d["iri"].startswith("http") for d in st["data"])
        assert {"text", "start", "end"} <= set(st["evidence"])
    saved = [s for s in out["statements"] if "will not be saved" in s["evidence"]["text"] and s["action"] == "store"]
    assert saved and saved[0]["modality"] == "will-not"


def test_statements_text_is_readable(seventymai_path):
    res = run("statements", str(seventymai_path), "--format", "text")
    assert res.returncode == 0, res.stderr
    assert "SELL [will-not]" in res.stdout
    assert "kept: P3M" in res.stdout


def test_missing_file_is_one_line_and_exit_2(tmp_path):
    res = run("statements", str(tmp_path / "nope.txt"))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope.txt" in lines[0]


def test_disable_switches_a_component_off_and_an_unknown_name_is_one_line(seventymai_path):
    full = json.loads(run("statements", str(seventymai_path)).stdout)["statements"]
    res = run("statements", str(seventymai_path), "--disable", "continuations,headings")
    assert res.returncode == 0, res.stderr
    assert not any(s["rule"] in {"continuations", "headings"} for s in json.loads(res.stdout)["statements"])
    assert any(s["rule"] == "continuations" for s in full)
    bad = run("statements", str(seventymai_path), "--disable", "nonsense")
    assert bad.returncode == 2
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "modality" in lines[0]


def test_json_items_name_their_words(hualai_path):
    from policyflows.ingest import read

    text = read(hualai_path).text
    out = json.loads(run("statements", str(hualai_path)).stdout)
    spans = [d for s in out["statements"] for d in s["data"] if d["spans"]]
    assert spans and all(text[d["start"]:d["end"]].strip() for d in spans)


def test_statements_made_by_the_model_say_so_and_disable_model_gives_the_rules(corpus_dir):
    policy = corpus_dir / "opp115" / "1028_redorbit.com.html"
    full = json.loads(run("statements", str(policy)).stdout)["statements"]
    res = run("statements", str(policy), "--disable", "model")
    assert res.returncode == 0, res.stderr
    rules = json.loads(res.stdout)["statements"]
    assert any(s["rule"].startswith("model:practice@") for s in full)
    assert not any((s["rule"] or "").startswith("model:") for s in rules)
    assert full != rules
