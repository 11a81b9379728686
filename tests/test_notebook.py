"""notebooks/explore.ipynb runs top to bottom on the seed policies, and is committed without outputs."""
from __future__ import annotations

import json
import sys

import nbformat
import pytest

from conftest import HUALAI, POLICIES, REPO, SEVENTY_MAI

NOTEBOOK = REPO / "notebooks" / "explore.ipynb"


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:80]


def _kernel(tmp_path, monkeypatch) -> str:
    """A kernelspec for this very interpreter (the venv's), found before any other."""
    name = "policyflows-test"
    spec_dir = tmp_path / "jupyter" / "kernels" / name
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": name, "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return name


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from nbclient import NotebookClient

    monkeypatch = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("notebook")
    name = _kernel(tmp, monkeypatch)
    monkeypatch.setenv("POLICYFLOWS_NOTEBOOK_STORE", str(tmp / "store"))
    monkeypatch.setenv("POLICYFLOWS_POLICIES", str(POLICIES))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    elsewhere = tmp / "cwd"  # not the notebooks folder: the notebook must find its way from anywhere
    elsewhere.mkdir()
    NotebookClient(nb, kernel_name=name, timeout=600, resources={"metadata": {"path": str(elsewhere)}}).execute()
    monkeypatch.undo()
    return {tag: cell for cell in nb.cells for tag in cell.metadata.get("tags", [])}


def text_of(cell) -> str:
    """What a reader sees under a cell: printed text and the plain-text form of displayed values."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(output.data.get("text/plain", ""))
            parts.append(output.data.get("text/html", ""))
    return "\n".join(parts)


def test_notebook_builds_and_lists_the_policies(executed):
    shown = text_of(executed["policies"])
    assert HUALAI.stem in shown and SEVENTY_MAI.stem in shown
    assert "2019-09-23" in shown and "2017-08-01" in shown


def test_notebook_shows_named_queries_and_where(executed):
    assert "where" in text_of(executed["library"])
    where = text_of(executed["where"])
    assert "video" in where and "CN-BJ" in where
    assert "[" in text_of(executed["evidence"])  # the evidence printed with offsets, after the check passed


def test_notebook_networkx_analysis(executed):
    layers = text_of(executed["graph"])
    for layer in ("data", "recipient", "jurisdiction"):
        assert layer in layers
    recipients = text_of(executed["recipients"])
    assert "first-party" in recipients and "Xiaomi" in recipients
    assert "CN" in text_of(executed["cross_border"])


def test_notebook_map_is_inline_and_offline(executed):
    shown = text_of(executed["map"])
    assert "<iframe srcdoc=" in shown and "vis.Network" in shown
    assert "Where does video flow?" in shown


def test_notebook_sparql_and_comparison(executed):
    sparql = text_of(executed["sparql"])
    assert "first-party" in sparql and "stated_flows" in sparql
    compare = text_of(executed["compare"])
    assert f"only_{HUALAI.stem}" in compare and f"only_{SEVENTY_MAI.stem}" in compare
    detail = text_of(executed["compare_detail"])
    assert "== will_not" in detail


def test_notebook_draws_the_comparison_and_exports_the_graph(executed):
    picture = text_of(executed["compare_map"])
    assert "<iframe srcdoc=" in picture and "Both say:" in picture
    exported = text_of(executed["export"])
    assert "flows.graphml" in exported and "flows.gexf" in exported
    edges = text_of(executed["export_edges"])
    assert "stated" in edges and (HUALAI.stem in edges or SEVENTY_MAI.stem in edges)
