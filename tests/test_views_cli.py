"""`policyflows map` on a store built from the seed policies."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from conftest import HUALAI, POLICIES, SEVENTY_MAI
from policyflows.cli import cli


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    from policyflows.store import FlowStore

    path = tmp_path_factory.mktemp("store")
    FlowStore.open(path, create=True).build([POLICIES], progress=False)
    return path


def nodes_of(html: str, hidden: bool = True) -> list[dict]:
    """The boxes of a page; ``hidden=False``: only those it opens on."""
    nodes = json.loads(re.search(r"var NODES = (.*?);\n", html).group(1))
    return [n for n in nodes if hidden or not n["hidden"]]


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
    data = lambda p: [n for n in nodes_of(p.read_text(encoding="utf-8")) if n["layer"] == "data" and not n.get("members")]
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


def test_map_of_everything_opens_on_groups_and_expand_opens_them(store_dir, tmp_path):
    grouped, expanded = tmp_path / "grouped.html", tmp_path / "expanded.html"
    for out, extra in ((grouped, []), (expanded, ["--expand"])):
        result = CliRunner().invoke(cli, ["map", "--store", str(store_dir), "-o", str(out), *extra])
        assert result.exit_code == 0, result.output
    shown = nodes_of(grouped.read_text(encoding="utf-8"), hidden=False)
    assert any(n.get("members") for n in shown)
    every = nodes_of(expanded.read_text(encoding="utf-8"), hidden=False)
    assert not any(n.get("members") for n in every) and len(every) > len(shown)


def test_map_compare_writes_one_page_of_two_policies(store_dir, tmp_path):
    out = tmp_path / "compare.html"
    result = CliRunner().invoke(cli, ["map", "--compare", SEVENTY_MAI.stem, HUALAI.stem, "--store", str(store_dir),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Both say:" in html and "2017-08-01" in html and "2019-09-23" in html
    says = {n["says"] for n in nodes_of(html)}
    assert says == {"both", "A", "B"}
    # one term that only one policy speaks of: everything is the other's
    out = tmp_path / "video.html"
    result = CliRunner().invoke(cli, ["map", "video", "--compare", SEVENTY_MAI.stem, HUALAI.stem,
                                      "--store", str(store_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert {n["says"] for n in nodes_of(out.read_text(encoding="utf-8"))} == {"B"}


def test_map_compare_refuses_bad_requests(store_dir, tmp_path):
    from policyflows.cli import main

    for args in (["--compare", SEVENTY_MAI.stem, "no-such-policy"],
                 ["--compare", SEVENTY_MAI.stem, HUALAI.stem, "--policy", HUALAI.stem],
                 ["--compare", HUALAI.stem, HUALAI.stem],
                 ["--compare", SEVENTY_MAI.stem, HUALAI.stem, "--format", "gexf"]):
        with pytest.raises(SystemExit) as exit_:
            main(["map", *args, "--store", str(store_dir), "-o", str(tmp_path / "x.html")])
        assert exit_.value.code == 2, args
        assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_map_exports_the_flow_graph(store_dir, tmp_path, monkeypatch, fmt):
    import networkx as nx

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["map", "video", "--format", fmt, "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"video-map.{fmt}"
    graph = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(tmp_path / f"video-map.{fmt}")
    labels = {a["label"] for _, a in graph.nodes(data=True)}
    assert "Beijing" in labels and any("video" in label for label in labels)
