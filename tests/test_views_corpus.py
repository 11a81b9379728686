"""The corpus view (data categories × recipient kinds or places, policies per cell) on a store of
the 126 real policies of ../shared (the seeds, the IoT vendor pages, OPP-115), checked against the
store's own summary and, independently, against the flows themselves; the policy sheets; the CLI.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest
from click.testing import CliRunner

from conftest import CORPUS, POLICIES
from policyflows.cli import cli
from policyflows.views import corpus

REAL_SOURCES = [POLICIES, CORPUS / "iot", CORPUS / "opp115"]
ROOT = "https://w3id.org/policyflows/ns#PersonalInformation"
_BUILT: dict[str, object] = {}


def real_corpus_store(tmp_path_factory):
    """A store of the 126 real policies, built once per test session (two jobs, about half a
    minute) and shared by the modules that need a corpus (this one and test_map_browser)."""
    if "path" not in _BUILT:
        from policyflows.store import FlowStore

        path = tmp_path_factory.mktemp("corpus-store")
        with FlowStore.open(path, create=True) as store:
            report = store.build(REAL_SOURCES, progress=False, jobs=2)
        assert not report.failed, report.failed
        _BUILT["path"] = path
    return _BUILT["path"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from policyflows.store import FlowStore

    with FlowStore.open(real_corpus_store(tmp_path_factory)) as opened:
        yield opened


@pytest.fixture(scope="module")
def answer(store):
    return corpus.corpus_summary(store)


@pytest.fixture(scope="module")
def model(store, answer):
    return corpus.corpus_model(answer, store.policies(), sheets="x-policies")


def decoded(model, cell) -> dict[str, set[str]]:
    ids = [p["id"] for p in model["policies"]]
    return {state: {ids[i] for i in part} for state, part in zip(corpus.STATES, cell)}


def expected_cell(flows, keep) -> dict[str, set[str]]:
    """A cell computed from flows alone: a policy states it when one of its flows there is stated,
    only implies it when all of them are inferred, rules it out when one is a will-not."""
    how = defaultdict(set)
    for f in flows:
        if keep(f):
            how[f["policy"]].add("ruled_out" if f["modality"] == "will-not" else
                                 "stated" if f["stated"] else "inferred")
    return {"stated": {p for p, h in how.items() if "stated" in h},
            "inferred": {p for p, h in how.items() if "inferred" in h and "stated" not in h},
            "ruled_out": {p for p, h in how.items() if "ruled_out" in h}}


def kind_of(value):
    return lambda f: f["recipient"] is not None and f["recipient"]["kind"] == value


def test_every_cell_is_the_store_summary(store, model):
    rows = [r for r in model["rows"] if r["id"] != corpus.OTHER_ROW]
    assert len(rows) > 100   # the real corpus reaches well over a hundred categories
    for row in rows:
        assert decoded(model, row["ids"]) == {k: set(v) for k, v in store.cell_policies(row["id"], "any", "").items()}
        for column in model["columns"]["kind"]:
            cell = row["cells"]["kind"].get(column["value"], [[], [], []])
            wanted = store.cell_policies(row["id"], "kind", column["value"])
            assert decoded(model, cell) == {k: set(v) for k, v in wanted.items()}, (row["label"], column["value"])
    summary = store.summary()["summary"]
    assert model["counts"] == [summary[k] for k in ("policies", "stated", "inferred", "ruled_out")]
    assert model["of"] == len(store.policies()) == 126


def test_cells_agree_with_the_flows_themselves(store, model):
    """Independent of the summary: the cells of two categories, recomputed from their flows."""
    by_label = {r["label"]: r for r in model["rows"]}
    for label in ("location", "device information"):
        row = by_label[label]
        flows = store.flows(row["id"])
        assert decoded(model, row["ids"]) == expected_cell(flows, lambda f: True)
        for column in model["columns"]["kind"]:
            cell = row["cells"]["kind"].get(column["value"], [[], [], []])
            assert decoded(model, cell) == expected_cell(flows, kind_of(column["value"])), (label, column["value"])
        for place in (c for c in model["columns"]["place"] if "values" not in c):
            cell = row["cells"]["place"].get(place["value"], [[], [], []])
            here = lambda f: f["jurisdiction"] is not None and f["jurisdiction"]["iri"] == place["value"]  # noqa: E731
            assert decoded(model, cell) == expected_cell(flows, here), (label, place["label"])


def test_the_page_opens_on_the_top_level_categories(store, model, answer):
    root = next(c for c in answer["summary"]["categories"] if not c["parents"])
    assert root["label"] == "personal information"
    top = [model["rows"][i] for i in model["top"]]
    assert 10 <= len(top) <= corpus.TOP_ROWS
    children = {c["iri"] for c in answer["summary"]["categories"] if root["iri"] in c["parents"]}
    assert {r["id"] for r in top if r["id"] != corpus.OTHER_ROW} <= children
    # every category beneath the root is reachable by opening rows, and a row's children are
    # exactly the categories that name it as a parent
    by_iri = {r["id"]: i for i, r in enumerate(model["rows"])}
    for entry in answer["summary"]["categories"]:
        for parent in entry["parents"]:
            assert by_iri[entry["iri"]] in model["rows"][by_iri[parent]]["children"]
    assert model["total"]["label"] == "all personal data"
    kinds = [c["value"] for c in model["columns"]["kind"]]
    assert kinds[:1] == ["first-party"] and "third-party" in kinds and len(kinds) == len(set(kinds))


def test_more_top_level_categories_than_fit_fold_the_quietest(store, answer, monkeypatch):
    monkeypatch.setattr(corpus, "TOP_ROWS", 8)
    model = corpus.corpus_model(answer, store.policies())
    top = [model["rows"][i] for i in model["top"]]
    assert len(top) == 8 and top[-1]["id"] == corpus.OTHER_ROW
    folded = [model["rows"][i] for i in top[-1]["children"]]
    assert len(folded) >= 2
    size = lambda r: len(r["ids"][0]) + len(r["ids"][1])  # noqa: E731
    assert max(size(r) for r in folded) <= min(size(r) for r in top[:-1])
    flows = [f for r in folded for f in store.flows(r["id"])]
    assert decoded(model, top[-1]["ids"]) == expected_cell(flows, lambda f: True)
    third = top[-1]["cells"]["kind"]["third-party"]
    assert decoded(model, third) == expected_cell(flows, kind_of("third-party"))


def test_places_beyond_a_screenful_fold_into_one_column(store, answer, monkeypatch):
    monkeypatch.setattr(corpus, "PLACE_COLUMNS", 2)
    model = corpus.corpus_model(answer, store.policies())
    places = model["columns"]["place"]
    everywhere = answer["summary"]["by"]["place"]
    assert len(everywhere) >= 4
    assert [c["value"] for c in places[:2]] == [c["value"] for c in everywhere[:2]]   # the busiest
    other = places[-1]
    assert other["value"] == corpus.OTHER_PLACES and set(other["values"]) == {c["value"] for c in everywhere[2:]}
    for row in model["rows"][1:8]:   # not the root: its cells are every flow
        if row["id"] == corpus.OTHER_ROW:
            continue
        elsewhere = lambda f: f["jurisdiction"] is not None and f["jurisdiction"]["iri"] in other["values"]  # noqa: E731
        cell = row["cells"]["place"].get(corpus.OTHER_PLACES, [[], [], []])
        assert decoded(model, cell) == expected_cell(store.flows(row["id"]), elsewhere), row["label"]


def test_a_term_gives_its_own_corpus(store):
    answer = corpus.corpus_summary(store, "location")
    model = corpus.corpus_model(answer, store.policies())
    summary = store.summary("location")["summary"]
    assert model["counts"][0] == summary["policies"] > 10
    labels = {r["label"] for r in model["rows"]}
    assert "location" in labels and "personal information" not in labels
    assert model["total"]["label"] == "all of “location”"
    assert decoded(model, model["total"]["ids"]) == expected_cell(store.flows("location"), lambda f: True)


def test_a_sheet_holds_the_policy_flows_and_quotes_the_policy(store, model):
    from policyflows.ingest import read

    ancestors = corpus._ancestors(model)
    paths = {p.stem: p for d in REAL_SOURCES for p in d.iterdir()}
    for policy in ("70mai-dash-cam", "105_amazon.com", "wyze"):
        flows = store.flows(policies=[policy])
        sheet = corpus.sheet_model(next(r for r in store.policies() if r["id"] == policy), flows, ancestors)
        assert len(sheet["flows"]) == len(flows) > 20
        text = read(paths[policy]).text
        for start, end, sentence in sheet["sentences"]:
            assert text[start:end] == sentence
        for row in sheet["flows"]:
            for sentence, words in row[9]:
                start, end, _ = sheet["sentences"][sentence]
                assert all(start <= w[1] < w[2] <= end for w in words)
        # a flow's category knows every category above it on the page: a cell's row finds the flow
        for iri, _, above in sheet["data"]:
            if iri in ancestors:
                assert above == ancestors[iri] and (iri == ROOT or ROOT in above)
            else:   # data that is not personal information ("aggregated information"): in no row
                assert above == [] and iri not in {r["id"] for r in model["rows"]}


# ---------------------------------------------------------------------------------------------
# the command


def page_model(html: str) -> dict:
    return json.loads(re.search(r"var M = (.*?);\n", html).group(1))


def test_map_corpus_writes_the_page_and_a_sheet_per_policy(store, tmp_path_factory, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store_dir = str(real_corpus_store(tmp_path_factory))
    result = CliRunner().invoke(cli, ["map", "--corpus", "location", "--store", store_dir])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "location-corpus-map.html"
    model = page_model((tmp_path / "location-corpus-map.html").read_text(encoding="utf-8"))
    sheets = sorted(p.name for p in (tmp_path / "location-corpus-map-policies").iterdir())
    assert sheets == sorted(f"{p['id']}.html" for p in model["policies"])
    some = store.cell_policies("location", "any", "")   # a sheet for every policy in some cell, ruling out too
    assert len(sheets) == len(set(some["stated"]) | set(some["inferred"]) | set(some["ruled_out"])) > 10
    one = (tmp_path / "location-corpus-map-policies" / sheets[0]).read_text(encoding="utf-8")
    assert "../location-corpus-map.html" in one and "Content-Security-Policy" in one


def test_map_corpus_of_some_policies_with_their_maps(tmp_path_factory, tmp_path):
    store_dir = str(real_corpus_store(tmp_path_factory))
    chosen = ["70mai-dash-cam", "hualai-xiaofang-smart-camera", "105_amazon.com"]
    out = tmp_path / "three.html"
    args = ["map", "--corpus", "--store", store_dir, "-o", str(out), "--policy-maps"]
    result = CliRunner().invoke(cli, args + [a for p in chosen for a in ("--policy", p)])
    assert result.exit_code == 0, result.output
    model = page_model(out.read_text(encoding="utf-8"))
    assert model["of"] == 3 and sorted(p["id"] for p in model["policies"]) == sorted(chosen)
    folder = tmp_path / "three-policies"
    for policy in chosen:
        assert (folder / f"{policy}.html").is_file() and (folder / f"{policy}-map.html").is_file()
        assert f'"map":"{policy}-map.html"' in (folder / f"{policy}.html").read_text(encoding="utf-8")
        assert "vis.Network" in (folder / f"{policy}-map.html").read_text(encoding="utf-8")


def test_map_corpus_without_sheets_writes_the_table_alone(tmp_path_factory, tmp_path):
    out = tmp_path / "alone.html"
    result = CliRunner().invoke(cli, ["map", "--corpus", "video", "--no-sheets", "-o", str(out),
                                      "--store", str(real_corpus_store(tmp_path_factory))])
    assert result.exit_code == 0, result.output
    assert page_model(out.read_text(encoding="utf-8"))["sheets"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alone.html"]


@pytest.mark.parametrize("extra, message", [
    (["--no-sheets", "--policy-maps"], "leave out --no-sheets"),
    (["--compare", "a", "b"], "leave out --compare"),
    (["--format", "gexf"], "leave out --format"),
    (["--view", "geo"], "no geo view"),
    (["--expand"], "leave out --expand"),
])
def test_map_corpus_refuses_options_of_the_flow_map(tmp_path_factory, extra, message):
    result = CliRunner().invoke(cli, ["map", "--corpus", "--store", str(real_corpus_store(tmp_path_factory))] + extra)
    assert result.exit_code == 2 and message in result.output


def test_map_corpus_names_an_unknown_term_or_policy_in_one_line(tmp_path_factory):
    store_dir = str(real_corpus_store(tmp_path_factory))
    result = CliRunner().invoke(cli, ["map", "--corpus", "--store", store_dir, "--policy", "no-such-policy"])
    assert result.exit_code == 2 and "no policy no-such-policy" in result.output
    assert "(126 in all; `policyflows policies` lists them)" in result.output
    from policyflows.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["map", "--corpus", "xyzzyplugh", "--store", store_dir])
    assert stop.value.code == 2


def test_a_map_of_many_policies_says_how_to_get_the_corpus_view(tmp_path_factory, tmp_path):
    out = tmp_path / "video.html"
    result = CliRunner().invoke(cli, ["map", "video", "--store", str(real_corpus_store(tmp_path_factory)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    assert "policyflows map video --corpus" in result.stderr
    two = CliRunner().invoke(cli, ["map", "video", "--store", str(real_corpus_store(tmp_path_factory)), "-o", str(out),
                                   "--policy", "70mai-dash-cam", "--policy", "hualai-xiaofang-smart-camera"])
    assert two.exit_code == 0 and "--corpus" not in two.stderr


def many_copies(answer: dict, records: list[dict], copies: int) -> tuple[dict, list[dict]]:
    """The summary and policy records of ``copies`` copies of every policy under distinct ids
    (``ID--0003``): the shape of the benchmark corpus (benchmarks/corpus_bench.py makes its
    1,000 policies as copies of the real ones), without building it."""
    import copy

    twin = lambda ids: [f"{p}--{k:04d}" for k in range(copies) for p in ids]  # noqa: E731

    def grow(cell: dict) -> None:
        for key in ("policies", "stated", "inferred", "ruled_out"):
            if key in cell:
                cell[key] *= copies
        if "ids" in cell:
            cell["ids"] = {state: twin(ids) for state, ids in cell["ids"].items()}

    answer = copy.deepcopy(answer)
    summary = answer["summary"]
    summary["of"] *= copies
    grow(summary)
    for cells in summary["by"].values():
        for cell in cells:
            grow(cell)
    for entry in summary["categories"]:
        grow(entry)
        for cell in entry["kind"] + entry["place"]:
            grow(cell)
    return answer, [dict(r, id=f"{r['id']}--{k:04d}") for k in range(copies) for r in records]


def test_copies_of_the_corpus_make_the_same_picture_at_scale(store, answer):
    big, records = many_copies(answer, store.policies(), 8)
    model = corpus.corpus_model(big, records)
    small = corpus.corpus_model(answer, store.policies())
    assert model["of"] == 8 * small["of"] == 1008
    assert [r["label"] for r in model["rows"]] == [r["label"] for r in small["rows"]]
    assert [len(c) for c in model["rows"][3]["ids"]] == [8 * len(c) for c in small["rows"][3]["ids"]]
