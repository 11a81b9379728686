"""How often `read` finds each metadata field, and how often it is right, against a hand-read gold table.

    .venv/bin/python benchmarks/metadata_check.py [--gold tests/data/metadata-gold.yaml] [--show-misses]
    .venv/bin/python benchmarks/metadata_check.py --format json      # the rates, for a test or a script

For each set of the gold table (the 60 annotated OPP-115 policies, the 9 IoT vendor pages, the
two seeds) and each field (controller, updated, title):

- stated:  policies whose gold answer is not null (the text says it);
- found:   of those, how many the tool gives any answer for;
- right:   of those, how many it gets right (the gold answer or one of its `*_also`);
- wrong:   answers given that are not right, including an answer where the gold is null;
- precision: right / all answers given.

Right means equal after normalising case, quotes, punctuation and spacing (and a leading "The"
of a controller): "The WP Company LLC" = "WP Company LLC". Dates must be the same ISO day.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

import yaml

from policyflows.ingest import read

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
GOLD = REPO / "tests" / "data" / "metadata-gold.yaml"
FIELDS = ("controller", "updated", "title")
# Where each set's files are, and their suffix.
SETS = {"opp115": (SHARED / "corpus" / "opp115", ".html"), "iot": (SHARED / "corpus" / "iot", ".html"),
        "seeds": (SHARED / "policies", ".txt")}


def normalise(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[’'`´]", "", text)
    text = re.sub(r"[^\w]+", " ", text).strip()
    if field == "controller":
        text = re.sub(r"^the ", "", text)
    return text


def is_right(found: str | None, gold: dict, field: str) -> bool:
    answers = [gold.get(field)] + list(gold.get(f"{field}_also") or [])
    if found is None:
        return False
    return normalise(found, field) in {normalise(a, field) for a in answers if a is not None}


def score(gold_table: dict) -> tuple[dict, list[str]]:
    """{set: {field: {stated, found, right, wrong, policies}}} and one line per miss."""
    results: dict = {}
    misses: list[str] = []
    for name, policies in gold_table.items():
        folder, suffix = SETS[name]
        counts = {f: dict(policies=len(policies), stated=0, found=0, right=0, wrong=0) for f in FIELDS}
        for pid, gold in policies.items():
            meta = read(folder / f"{pid}{suffix}").metadata
            for field in FIELDS:
                found = getattr(meta, field)
                c = counts[field]
                right = is_right(found, gold, field)
                if gold.get(field) is not None:
                    c["stated"] += 1
                    c["found"] += found is not None
                c["right"] += right
                if found is not None and not right:
                    c["wrong"] += 1
                if not right and (found is not None or gold.get(field) is not None):
                    misses.append(f"{name}/{pid} {field}: found {found!r}, gold {gold.get(field)!r}")
        results[name] = counts
    return results, misses


def table(results: dict) -> str:
    lines = ["| set | field | stated | found | right | wrong | precision |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, counts in results.items():
        for field in FIELDS:
            c = counts[field]
            given = c["right"] + c["wrong"]
            precision = f"{c['right'] / given:.0%}" if given else "-"
            lines.append(f"| {name} ({c['policies']}) | {field} | {c['stated']} | {_share(c['found'], c['stated'])} "
                         f"| {_share(c['right'], c['stated'])} | {c['wrong']} | {precision} |")
    return "\n".join(lines)


def _share(n: int, of: int) -> str:
    return f"{n} ({n / of:.0%})" if of else str(n)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--show-misses", action="store_true", help="List every wrong or missing answer.")
    args = parser.parse_args(argv)
    results, misses = score(yaml.safe_load(args.gold.read_text(encoding="utf-8")))
    if args.format == "json":
        print(json.dumps(results, indent=2))
    else:
        print(table(results))
    if args.show_misses:
        print("\n".join(["", "misses:"] + misses), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
