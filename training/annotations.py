"""The annotated sets of ../shared/eval, read as ../shared/tools/score_types.py reads them.

One place for what the training script needs of the annotations: the scorer module itself (its
TYPE_MAP, APP_MAP, mapped(), taxonomy(), norm(), in_segment()), the OPP-115 policies with their
gold per paragraph, and the APP-350 paragraphs in the scorer's 40-paragraph files.
"""
from __future__ import annotations

import csv
import hashlib
import html
import importlib.util
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SCORER = SHARED / "tools" / "score_types.py"
OPP_CATEGORIES = {"First Party Collection/Use": "collect", "Third Party Sharing/Collection": "share"}
APP_FILE_PARAGRAPHS = 40  # the scorer gives the tool 40 APP-350 paragraphs to a file


def scorer():
    """../shared/tools/score_types.py as a module."""
    spec = importlib.util.spec_from_file_location("score_types", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Annotated:
    """One file the scorer scores: its paragraphs (normalised as the scorer does) and their gold."""

    dataset: str  # "opp115" | "app350"
    name: str
    path: Path
    paragraphs: list[str]  # normalised (score_types.norm)
    gold: list[set]  # OPP-115: {(practice, type)}; APP-350: {label}


def opp115(st, limit: int | None = None) -> list[Annotated]:
    """The annotated OPP-115 policies, gold per paragraph exactly as score_types.opp115 builds it."""
    labels = {t for _, t in st.TYPE_MAP}
    out = []
    for con in sorted((SHARED / "eval/opp115-annotations").glob("*.csv"))[:limit]:
        f = SHARED / "corpus/opp115" / f"{con.stem}.html"
        segs = [html.unescape(re.sub(r"<[^>]+>", " ", s)) for s in f.read_text(encoding="utf-8").split("|||")]
        gold: list[set] = [set() for _ in segs]
        with open(con, encoding="utf-8") as fh:
            for row in csv.reader(fh):
                seg, practice, attrs = int(row[4]), OPP_CATEGORIES.get(row[5]), json.loads(row[6])
                t = attrs.get("Personal Information Type", {}).get("value", "").replace("User Profile", "User profile")
                if practice and seg < len(segs) and attrs.get("Does/Does Not", {}).get("value") == "Does" and t in labels:
                    gold[seg].add((practice, t))
        out.append(Annotated("opp115", con.stem, f, [st.norm(s) for s in segs], gold))
    return out


def app350(st, folder: Path, limit: int | None = None) -> list[Annotated]:
    """The APP-350 paragraphs, written 40 to a file into ``folder`` as score_types.app350 writes them."""
    labels = {lab for _, lab in st.APP_MAP}
    with open(SHARED / "eval/app350/valid.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(x) for x in fh if x.strip()][:limit]
    out = []
    for start in range(0, len(rows), APP_FILE_PARAGRAPHS):
        chunk = rows[start:start + APP_FILE_PARAGRAPHS]
        path = Path(folder) / f"app350-valid-{start:05d}.txt"
        path.write_text("\n\n".join(r["text"] for r in chunk), encoding="utf-8")
        out.append(Annotated("app350", path.stem, path, [st.norm(r["text"]) for r in chunk],
                             [{lab for lab in r["label"] if lab in labels} for r in chunk]))
    return out


def sources_digest() -> str:
    """sha256 of the annotation files and the policies they annotate: what the model was trained from."""
    h = hashlib.sha256()
    files = sorted((SHARED / "eval/opp115-annotations").glob("*.csv")) + [SHARED / "eval/app350/valid.jsonl"]
    files += [SHARED / "corpus/opp115" / f"{f.stem}.html" for f in files if f.suffix == ".csv"]
    for f in sorted(files):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def temporary_folder():
    return tempfile.TemporaryDirectory(prefix="policyflows-train-")
