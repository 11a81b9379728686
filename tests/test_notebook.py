"""The notebooks run top to bottom and are committed without outputs: notebooks/explore.ipynb on
the seed policies, notebooks/corpus.ipynb on the 115 OPP-115 policies (it builds their store with
two jobs, about half a minute to a minute)."""
from __future__ import annotations

import json
import sys

import nbformat
import pytest

from conftest import CORPUS, HUALAI, POLICIES, REPO, SEVENTY_MAI

NOTEBOOK = REPO / "notebooks" / "explore.ipynb"
CORPUS_NOTEBOOK = REPO / "notebooks" / "corpus.ipynb"
OPP115 = CORPUS / "opp115"


@pytest.mark.parametrize("path", [NOTEBOOK, CORPUS_NOTEBOOK], ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
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


def _execute(path, tmp_path_factory, name: str, env: dict) -> dict:
    """Run a notebook in a kernel of this interpreter, from a folder that is not the notebooks
    folder (it must find its way from anywhere); its cells by tag."""
    from nbclient import NotebookClient

    monkeypatch = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp(name)
    kernel = _kernel(tmp, monkeypatch)
    for key, value in env.items():
        monkeypatch.setenv(key, str(value).replace("{tmp}", str(tmp)))
    nb = nbformat.read(path, as_version=4)
    elsewhere = tmp / "cwd"
    elsewhere.mkdir()
    try:
        NotebookClient(nb, kernel_name=kernel, timeout=600, resources={"metadata": {"path": str(elsewhere)}}).execute()
    finally:
        monkeypatch.undo()
    cells = {tag: cell for cell in nb.cells for tag in cell.metadata.get("tags", [])}
    cells["_store"] = tmp / "store"
    return cells


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    return _execute(NOTEBOOK, tmp_path_factory, "notebook",
                    {"POLICYFLOWS_NOTEBOOK_STORE": "{tmp}/store", "POLICYFLOWS_POLICIES": POLICIES})


@pytest.fixture(scope="module")
def executed_corpus(tmp_path_factory):
    return _execute(CORPUS_NOTEBOOK, tmp_path_factory, "corpus-notebook",
                    {"POLICYFLOWS_NOTEBOOK_STORE": "{tmp}/store", "POLICYFLOWS_CORPUS": OPP115,
                     "POLICYFLOWS_JOBS": 2})


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


# ---------------------------------------------------------------------------------------------
# the corpus notebook, checked against the store it built


@pytest.fixture(scope="module")
def corpus_store(executed_corpus):
    from policyflows.store import FlowStore

    with FlowStore.open(executed_corpus["_store"]) as store:
        yield store


def test_corpus_notebook_builds_opp115_in_parallel(executed_corpus, corpus_store):
    built = text_of(executed_corpus["build"])
    assert "built 115, unchanged 0, failed 0" in built and "with 2 jobs" in built
    assert len(corpus_store.policies()) == 115
    assert "115 policies" in text_of(executed_corpus["policies"])


def test_corpus_notebook_shows_the_corpus_view_inline(executed_corpus, corpus_store):
    shown = text_of(executed_corpus["corpus_view"])
    assert "<iframe srcdoc=" in shown and "Where does personal data flow? The corpus" in shown
    with_flows = corpus_store.cell_policies(None, "any", "")
    policies = set(with_flows["stated"]) | set(with_flows["inferred"]) | set(with_flows["ruled_out"])
    assert f"{len(policies)} policy pages beside it" in shown
    sheets = {p.stem for p in (executed_corpus["_store"] / "corpus-map-policies").glob("*.html")}
    assert sheets == policies


def test_corpus_notebook_follows_a_cell_to_its_sentences(executed_corpus):
    from policyflows.ingest import read

    shown = text_of(executed_corpus["cell"])
    # (the cell's prints may arrive as one stream output or several, so find the line, not its number)
    policy = next(line for line in shown.splitlines() if " stated flow" in line).split(":")[0]
    text = read(next(OPP115.glob(f"{policy}.*"))).text
    quoted = [line.strip() for line in shown.splitlines() if line.startswith("  [")]
    assert quoted
    for line in quoted:
        start, end, sentence = __import__("re").fullmatch(r"\[(\d+)–(\d+)\] (.*)", line).groups()
        assert text[int(start):int(end)] == sentence


def test_corpus_notebook_counts_the_recipients_of_location(executed_corpus, corpus_store):
    shown = text_of(executed_corpus["q_location"])
    flows = corpus_store.flows("location")
    third = {f["policy"] for f in flows if f["recipient"] and f["recipient"]["kind"] == "third-party"
             and f["modality"] != "will-not"}
    row = next(line for line in shown.splitlines() if line.startswith("third-party"))
    assert row.split()[1] == str(len(third))   # the policies column, recomputed from the flows


def test_corpus_notebook_lists_the_policies_that_rule_out_selling(executed_corpus, corpus_store):
    shown = text_of(executed_corpus["q_sell"])
    no_sale = {f["policy"] for f in corpus_store.flows() if f["action"] == "sell" and f["modality"] == "will-not"}
    assert f"{len(no_sale)} of 115 policies rule out selling some personal data" in shown
    assert "sentence" in shown and "policy" in shown
    assert "policies do both" in text_of(executed_corpus["q_sell_both"])
    assert "United States" in text_of(executed_corpus["q_places"])
