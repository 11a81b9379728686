"""`policyflows map` on a store built from the seed policies."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from conftest import POLICIES, SEVENTY_MAI
from policyflows.cli import cli


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    from policyflows.store import FlowStore

    path = tmp_path_factory.mktemp("store")
    FlowStore.open(path, create=True).build([POLICIES], progress=False)
    return path


def nodes_of(html: str) -> list[dict]:
    return json.loads(re.search(r"var nodes = new vis\.DataSet\((.*?)\);\n", html).group(1))


def test_map_term_writes_the_default_file_and_prints_its_path(store_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["map", "video", "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "video-map.html"
    html = (tmp_path / "video-map.html").read_text(encoding="utf-8")
    labels = [n["label"] for n in nodes_of(html)]
    assert any("video" in label.lower() for label in labels)
    assert "Beijing (CN-BJ)" in labels


def test_map_everything_of_one_policy(store_dir, tmp_path):
    out = tmp_path / "seventy.html"
    result = CliRunner().invoke(cli, ["map", "--policy", SEVENTY_MAI.stem, "--store", str(store_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "updated 2017-08-01" in html and "2019-09-23" not in html
    assert {n["layer"] for n in nodes_of(html)} == {"data", "recipient", "jurisdiction"}
    assert "France (FR)" in [n["label"] for n in nodes_of(html)]


def test_map_geo_view_and_aggregation(store_dir, tmp_path):
    out = tmp_path / "geo.html"
    result = CliRunner().invoke(cli, ["map", "--store", str(store_dir), "--view", "geo", "--top", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    recipients = [n for n in nodes_of(out.read_text(encoding="utf-8")) if n["layer"] == "recipient"]
    assert 1 <= len(recipients) <= 3
    out = tmp_path / "collapsed.html"
    result = CliRunner().invoke(cli, ["map", "--store", str(store_dir), "--collapse", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    full = tmp_path / "full.html"
    CliRunner().invoke(cli, ["map", "--store", str(store_dir), "-o", str(full)])
    data = lambda p: [n for n in nodes_of(p.read_text(encoding="utf-8")) if n["layer"] == "data"]
    assert len(data(out)) < len(data(full))


def test_map_rejects_an_unknown_policy_and_term(store_dir, tmp_path):
    from policyflows.cli import main

    result = CliRunner().invoke(cli, ["map", "--policy", "no-such-policy", "--store", str(store_dir)])
    assert result.exit_code == 2 and "no-such-policy" in result.output
    with pytest.raises(SystemExit) as exit_:
        main(["map", "zebra stripes", "--store", str(store_dir), "-o", str(tmp_path / "x.html")])
    assert exit_.value.code == 2
    assert not (tmp_path / "x.html").exists()


def test_map_without_a_store_says_how_to_build_one(tmp_path, capsys):
    from policyflows.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["map", "video", "--store", str(tmp_path / "nothing-here")])
    assert exit_.value.code == 2
    assert "policyflows build" in capsys.readouterr().err


def test_map_help_has_an_example():
    result = CliRunner().invoke(cli, ["map", "--help"])
    assert result.exit_code == 0 and "policyflows map video" in result.output
