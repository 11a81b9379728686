"""Metadata against the hand-read gold table (tests/data/metadata-gold.yaml): rates held above floors.

The floors are the rates measured when the rules were written (benchmarks/metadata_check.py,
docs/metadata.md) less a small margin; a change that loses controllers, dates or titles fails.
"""
from __future__ import annotations

import importlib.util
import re

import pytest
import yaml

from conftest import REPO
from policyflows.ingest import rules
from policyflows.ingest.controller import find_controller

GOLD = REPO / "tests" / "data" / "metadata-gold.yaml"


def _checker():
    spec = importlib.util.spec_from_file_location("metadata_check", REPO / "benchmarks" / "metadata_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored():
    checker = _checker()
    results, misses = checker.score(yaml.safe_load(GOLD.read_text(encoding="utf-8")))
    return results, misses


# (set, field): (least share of the stated answers that must be right, least precision of all answers given)
FLOORS = {
    ("opp115", "controller"): (0.90, 0.90), ("opp115", "updated"): (0.95, 0.97), ("opp115", "title"): (0.95, 0.95),
    ("iot", "controller"): (0.88, 0.88), ("iot", "updated"): (1.0, 1.0), ("iot", "title"): (0.88, 0.88),
    ("seeds", "controller"): (1.0, 1.0), ("seeds", "updated"): (1.0, 1.0), ("seeds", "title"): (1.0, 1.0),
}


@pytest.mark.parametrize("which, field", sorted(FLOORS))
def test_metadata_rates_stay_above_their_floors(scored, which, field):
    results, misses = scored
    c = results[which][field]
    recall_floor, precision_floor = FLOORS[(which, field)]
    given = c["right"] + c["wrong"]
    mine = [m for m in misses if m.startswith(f"{which}/") and f" {field}:" in m]
    assert c["right"] >= recall_floor * c["stated"], mine
    assert given == 0 or c["right"] >= precision_floor * given, mine


def test_gold_table_covers_every_annotated_policy_and_names_real_files():
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    annotated = {p.stem for p in (REPO.parent / "shared" / "eval" / "opp115-annotations").glob("*.csv")}
    assert set(gold["opp115"]) == annotated
    assert set(gold["iot"]) == {p.stem for p in (REPO.parent / "shared" / "corpus" / "iot").glob("*.html")}
    for policies in gold.values():
        for pid, entry in policies.items():
            assert {"title", "controller", "updated", "evidence"} <= set(entry), pid
            assert entry["updated"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", entry["updated"]), pid


@pytest.mark.parametrize("cue", rules.load("metadata")["controller_cues"], ids=lambda c: c["id"])
def test_every_controller_cue_finds_the_company_of_its_example(cue):
    re.compile(cue["phrase"])
    assert cue["name"] in ("after", "before")
    name, _aliases = find_controller(cue["example"])
    assert name and name.startswith("Acme"), (cue["id"], name)


@pytest.mark.parametrize("text, controller", [
    # the first legal name of a "collectively" sentence, not the last one before the parenthesis
    ("Acme Pay Solutions, LLC and its operating entity Pay Works, LLC (collectively, “Acme”) protect your data.",
     "Acme Pay Solutions, LLC"),
    ("Acme Media, Inc., including Widget Daily and widget.com (collectively, “we” or “us”) run these sites.",
     "Acme Media, Inc."),
    # an organisation introduced by its initials, and votes for the initials
    ("Welcome. Acme Museum Center (AMC) respects your privacy. AMC does not sell data.", "Acme Museum Center"),
    # an address after the name is not part of it; a label line before it is not either
    ("Please write to us at:\nPrivacy Officer\nAcme Widgets, Inc.\n12 Main Street", "Acme Widgets, Inc."),
    # a third party described by a cue is no controller
    ("Our feeds are routed via FeedWire, which is owned by Bigco. We use cookies.", None),
])
def test_controller_rules_on_their_cases(text, controller):
    assert find_controller(text)[0] == controller
