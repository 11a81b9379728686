"""The lexicon's ceiling on the annotated sets: the data types it can name at all, per paragraph.

    .venv/bin/python benchmarks/lexicon_ceiling.py [opp115|app350|all] [--half A|B|all]
                     [--misses K] [--wrong K] [--json OUT] [--speed]

No extraction rule can report a data type in a paragraph where the lexicon names no category of
that type. This script measures that bound with the scorer's own mapping (TYPE_MAP, APP_MAP,
mapped() and taxonomy() of ../shared/tools/score_types.py): for every paragraph, the types of all
data mentions the lexicon finds

  (a) anywhere in the paragraph, and
  (b) only in paragraphs with a practice word (collect, use, share, disclose, third party, …;
      the naive baseline of issue 9),

scored per type against the annotations: OPP-115 "collect" and "share" gold as score_types.py
builds it, APP-350 labels. For recipients and purposes, the share of the OPP-115 highlights of a
"Third Party Entity" or a "Purpose" (each distinct highlight of a policy once) in which the lexicon
finds a recipient or a purpose. It also lists, per type, the gold paragraphs where the lexicon finds no
mention of that type at all (misses no rule can fix) with the annotators' highlighted words
(OPP-115: the "Personal Information Type" selectedText), and the mention texts behind types
predicted where no annotation has them (candidate false positives).

Halves, against fitting: the 60 annotated OPP-115 policies sorted by numeric id alternate between
half A (1st, 3rd, …: where phrases are discovered) and half B (2nd, 4th, …: where the gain is
checked); APP-350 paragraphs are in document order, its half A is the first half of the file.

--speed times Lexicon.data_mentions over every sentence of the 115 OPP-115 policies and the two
seed policies (CPU time, best of 5), the figure of the README's lexicon table.

Run it from any directory: the ontology read is the one of the installed policyflows (run it with
/work/main/.venv/bin/python for the original code's numbers).
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import html
import importlib.util
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
OPP_CATEGORIES = {"First Party Collection/Use": "collect", "Third Party Sharing/Collection": "share"}

# The practice words of the naive baseline (issue 9): a paragraph holding one may state a practice.
COLLECT_WORDS = re.compile(
    r"\b(collect\w*|use[sd]?|using|obtain\w*|receiv\w*|gather\w*|record\w*|log(?:s|ged|ging)?|process\w*|"
    r"stor(?:e|es|ed|ing)|retain\w*|access\w*|provide[sd]?|submit\w*|track\w*|keep|kept)\b", re.I)
SHARE_WORDS = re.compile(
    r"\b(shar(?:e|es|ed|ing)|disclos\w*|transfer\w*|sell\w*|sold|rent\w*|third[- ]part\w*|partner\w*|"
    r"affiliat\w*|advertis\w*|service providers?|vendors?|provide[sd]? (?:it |them |this )?to)\b", re.I)


def score_types_module(shared: Path = SHARED):
    """../shared/tools/score_types.py, imported (its TYPE_MAP, APP_MAP, mapped(), taxonomy())."""
    spec = importlib.util.spec_from_file_location("score_types", shared / "tools" / "score_types.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def _cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def scorer_taxonomy(st, ontology: Path) -> dict:
    """score_types.taxonomy() reads ontology/**/*.ttl from the working directory: run it beside ``ontology``."""
    with _cwd(ontology.parent):
        return st.taxonomy()


# ---------------------------------------------------------------------------------------------
# The annotated paragraphs
# ---------------------------------------------------------------------------------------------

@dataclass
class Paragraph:
    source: str                       # policy id (OPP-115) or row number (APP-350)
    text: str
    gold: dict[str, set[str]]         # group ("collect", "share" or "labels") -> gold types
    highlights: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (group, type) -> selected texts


def _policy_number(path: Path) -> int:
    return int(path.stem.split("_", 1)[0])


def opp115_paragraphs(st, half: str = "all", shared: Path = SHARED, limit: int | None = None) -> list[Paragraph]:
    """The paragraphs of the annotated OPP-115 policies, with collect/share gold exactly as score_types builds it."""
    types = {t for _, t in st.TYPE_MAP}
    files = sorted((shared / "eval" / "opp115-annotations").glob("*.csv"), key=_policy_number)
    files = [f for i, f in enumerate(files) if half == "all" or (i % 2 == 0) == (half == "A")][:limit]
    paragraphs = []
    for annotations in files:
        page = shared / "corpus" / "opp115" / f"{annotations.stem}.html"
        segments = [html.unescape(re.sub(r"<[^>]+>", " ", s)) for s in page.read_text(encoding="utf-8").split("|||")]
        found = [Paragraph(annotations.stem, s, {"collect": set(), "share": set()}) for s in segments]
        with open(annotations, encoding="utf-8") as handle:
            for row in csv.reader(handle):
                index, group, attributes = int(row[4]), OPP_CATEGORIES.get(row[5]), json.loads(row[6])
                info = attributes.get("Personal Information Type", {})
                kind = info.get("value", "").replace("User Profile", "User profile")
                if (group and index < len(found) and kind in types
                        and attributes.get("Does/Does Not", {}).get("value") == "Does"):
                    found[index].gold[group].add(kind)
                    selected = info.get("selectedText") or ""
                    if selected and selected != "null":
                        found[index].highlights.setdefault((group, kind), []).append(selected)
        paragraphs.extend(found)
    return paragraphs


def app350_paragraphs(st, half: str = "all", shared: Path = SHARED, limit: int | None = None) -> list[Paragraph]:
    labels = {lab for _, lab in st.APP_MAP}
    with open(shared / "eval" / "app350" / "valid.jsonl", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    middle = len(rows) // 2
    numbered = list(enumerate(rows))
    if half == "A":
        numbered = numbered[:middle]
    elif half == "B":
        numbered = numbered[middle:]
    return [Paragraph(f"row {i}", r["text"], {"labels": {lab for lab in r["label"] if lab in labels}})
            for i, r in numbered[:limit]]


# ---------------------------------------------------------------------------------------------
# The ceiling
# ---------------------------------------------------------------------------------------------

@dataclass
class Counts:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)

    def add(self, predicted: set, gold: set) -> None:
        for t in predicted & gold:
            self.tp[t] += 1
        for t in predicted - gold:
            self.fp[t] += 1
        for t in gold - predicted:
            self.fn[t] += 1

    def prf(self, key=None) -> tuple[float, float, float, int]:
        if key is None:
            tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        else:
            tp, fp, fn = self.tp[key], self.fp[key], self.fn[key]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0), tp + fn


@dataclass
class Ceiling:
    corpus: str
    half: str
    paragraphs: int
    anywhere: dict[str, Counts]        # group -> counts, (a)
    with_practice: dict[str, Counts]   # group -> counts, (b)
    unnamed: dict[tuple[str, str], list[tuple[str, list[str], str]]]  # (group, type) -> [(source, highlights, text)]
    wrong: dict[str, Counter]          # type -> Counter of mention texts predicted where no gold has the type

    def summary(self) -> dict:
        out = {}
        for mode, table in (("anywhere", self.anywhere), ("with_practice", self.with_practice)):
            for group, counts in table.items():
                p, r, f1, n = counts.prf()
                per_type = {t: dict(zip(("p", "r", "f1", "n"), counts.prf(t)))
                            for t in set(counts.tp) | set(counts.fp) | set(counts.fn)}
                out.setdefault(mode, {})[group] = {"p": p, "r": r, "f1": f1, "n": n, "per_type": per_type}
        return {"corpus": self.corpus, "half": self.half, "paragraphs": self.paragraphs, **out}


def _practice_words(group: str):
    return {"collect": (COLLECT_WORDS,), "share": (SHARE_WORDS,), "labels": (COLLECT_WORDS, SHARE_WORDS)}[group]


def ceiling(corpus: str, half: str = "all", lexicon=None, st=None, parents=None, limit: int | None = None) -> Ceiling:
    """The lexicon's ceiling on one annotated set (``"opp115"`` or ``"app350"``), one half or all of it."""
    from policyflows.ontology import Lexicon
    from policyflows.resources import ontology_dir

    st = st or score_types_module()
    lexicon = lexicon or Lexicon.load()
    parents = parents if parents is not None else scorer_taxonomy(st, ontology_dir())
    table = st.TYPE_MAP if corpus == "opp115" else st.APP_MAP
    paragraphs = (opp115_paragraphs if corpus == "opp115" else app350_paragraphs)(st, half, limit=limit)
    groups = ("collect", "share") if corpus == "opp115" else ("labels",)
    anywhere = {g: Counts() for g in groups}
    with_practice = {g: Counts() for g in groups}
    unnamed: dict = defaultdict(list)
    wrong: dict = defaultdict(Counter)
    for paragraph in paragraphs:
        by_type: dict[str, list[str]] = defaultdict(list)
        for mention in lexicon.data_mentions(paragraph.text):
            kind = st.mapped(mention.iri, parents, table)
            if kind:
                by_type[kind].append(mention.text)
        predicted = set(by_type)
        every_gold = set().union(*paragraph.gold.values())
        for kind in predicted - every_gold:
            wrong[kind].update(text.lower() for text in by_type[kind])
        for group in groups:
            gold = paragraph.gold[group]
            anywhere[group].add(predicted, gold)
            practice = any(words.search(paragraph.text) for words in _practice_words(group))
            with_practice[group].add(predicted if practice else set(), gold)
            for kind in gold - predicted:
                unnamed[(group, kind)].append((paragraph.source, paragraph.highlights.get((group, kind), []), paragraph.text))
    return Ceiling(corpus, half, len(paragraphs), anywhere, with_practice, dict(unnamed), dict(wrong))


# Recipients and purposes: OPP-115 annotates the words that name them ("Third Party Entity" and
# "Purpose" of the practice annotations); the lexicon can report one only where it names something there.
PARTY_ATTRIBUTES = {"recipient": "Third Party Entity", "purpose": "Purpose"}
UNANNOTATED = {"Unspecified", "Other", ""}


@dataclass
class Highlights:
    vocabulary: str
    found: Counter = field(default_factory=Counter)    # annotated value -> highlights with a mention
    total: Counter = field(default_factory=Counter)    # annotated value -> highlights
    unnamed: Counter = field(default_factory=Counter)  # highlighted words where the lexicon names nothing

    def recall(self, value=None) -> float:
        found = self.found[value] if value else sum(self.found.values())
        total = self.total[value] if value else sum(self.total.values())
        return found / total if total else 0.0


def party_ceiling(half: str = "all", lexicon=None, shared: Path = SHARED) -> dict[str, Highlights]:
    """Of the OPP-115 highlights of recipients and purposes, how many hold a recipient (purpose) mention."""
    from policyflows.ontology import Lexicon

    lexicon = lexicon or Lexicon.load()
    finders = {"recipient": lexicon.recipient_mentions, "purpose": lexicon.purpose_mentions}
    result = {vocabulary: Highlights(vocabulary) for vocabulary in PARTY_ATTRIBUTES}
    files = sorted((shared / "eval" / "opp115-annotations").glob("*.csv"), key=_policy_number)
    for i, annotations in enumerate(files):
        if half != "all" and (i % 2 == 0) != (half == "A"):
            continue
        seen = set()  # consolidated annotations repeat a highlight: count each once per policy
        with open(annotations, encoding="utf-8") as handle:
            for row in csv.reader(handle):
                if row[5] not in OPP_CATEGORIES:
                    continue
                attributes = json.loads(row[6])
                for vocabulary, attribute in PARTY_ATTRIBUTES.items():
                    info = attributes.get(attribute, {})
                    value, words = info.get("value", ""), html.unescape(info.get("selectedText") or "")
                    if value in UNANNOTATED or words in ("", "null", "Not selected") or (vocabulary, words) in seen:
                        continue
                    seen.add((vocabulary, words))
                    tally = result[vocabulary]
                    tally.total[value] += 1
                    if finders[vocabulary](words):
                        tally.found[value] += 1
                    else:
                        tally.unnamed[" ".join(words.lower().split())[:120]] += 1
    return result


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------

def _line(name: str, prf) -> str:
    p, r, f1, n = prf
    return f"{name:36} P {p:6.1%}  R {r:6.1%}  F1 {f1:6.1%}  (gold {n})"


def report(result: Ceiling, misses: int, wrong: int) -> str:
    lines = [f"{result.corpus} half {result.half}: {result.paragraphs} paragraphs"]
    for mode, title in (("anywhere", "(a) every mention"), ("with_practice", "(b) in paragraphs with a practice word")):
        lines.append(f"  {title}")
        for group, counts in getattr(result, mode).items():
            lines.append("    " + _line(group, counts.prf()))
            if mode == "anywhere":
                for kind in sorted(set(counts.tp) | set(counts.fn) | set(counts.fp), key=lambda k: -counts.prf(k)[3]):
                    lines.append("        " + _line(kind, counts.prf(kind)))
    if misses:
        lines.append("  gold paragraphs where the lexicon names no category of the type (no rule can find these)")
        for (group, kind), cases in sorted(result.unnamed.items(), key=lambda kv: -len(kv[1])):
            words = Counter(" ".join(h.lower().split()) for _, highlights, _ in cases for h in highlights)
            shown = "; ".join(f"{w!r}×{c}" if c > 1 else repr(w) for w, c in words.most_common(misses))
            if not shown:
                shown = " | ".join(" ".join(text.split())[:160] for _, _, text in cases[:max(1, misses // 4)])
            lines.append(f"    {group:7} {kind:34} {len(cases):4}  {shown}")
    if wrong:
        lines.append("  mention texts behind types no annotation of the paragraph has (candidate false positives)")
        for kind, texts in sorted(result.wrong.items(), key=lambda kv: -sum(kv[1].values())):
            shown = "; ".join(f"{w!r}×{c}" for w, c in texts.most_common(wrong))
            lines.append(f"    {kind:34} {sum(texts.values()):5}  {shown}")
    return "\n".join(lines)


def party_report(result: dict[str, Highlights], half: str, misses: int) -> str:
    lines = [f"opp115 half {half}: recipients and purposes highlighted by the annotators, with a mention of the lexicon"]
    for vocabulary, tally in result.items():
        lines.append(f"  {vocabulary + 's':36} {tally.recall():6.1%}  (highlights {sum(tally.total.values())})")
        for value, total in tally.total.most_common():
            lines.append(f"      {value:32} {tally.recall(value):6.1%}  ({total})")
        if misses:
            shown = "; ".join(repr(w) for w, _ in tally.unnamed.most_common(misses))
            lines.append(f"      unnamed: {shown}")
    return "\n".join(lines)


def speed(repeat: int = 5) -> str:
    """CPU time of data_mentions over every sentence of OPP-115 and the seeds (the README's figure)."""
    from policyflows.ingest import iter_policy_files, read
    from policyflows.ontology import Lexicon

    lexicon = Lexicon.load()
    files = list(iter_policy_files([SHARED / "corpus" / "opp115", SHARED / "policies"]))
    sentences = [doc.sentence_text(i) for doc in map(read, files) for i in range(len(doc.sentences))]
    runs = []
    for _ in range(repeat):
        lexicon._matchers.pop("_recent_data", None)  # no memo of the previous run's sentences
        start = time.process_time()
        found = sum(len(lexicon.data_mentions(s)) for s in sentences)
        runs.append(time.process_time() - start)
    chars = sum(map(len, sentences))
    return (f"data_mentions: {len(files)} policies, {len(sentences)} sentences, {chars / 1e6:.1f} M chars, "
            f"{found} mentions: best {min(runs):.3f} s CPU, runs {' '.join(f'{r:.3f}' for r in runs)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", choices=["opp115", "app350", "all"], default="all")
    ap.add_argument("--half", choices=["A", "B", "all"], default="all",
                    help="A: where phrases are discovered; B: where the gain is checked (default: all)")
    ap.add_argument("--misses", type=int, default=0, metavar="K", help="show the K most frequent unnamed highlights per type")
    ap.add_argument("--wrong", type=int, default=0, metavar="K", help="show the K most frequent mention texts of unannotated types")
    ap.add_argument("--json", type=Path, help="write the scores as JSON")
    ap.add_argument("--speed", action="store_true", help="also time data_mentions over OPP-115 and the seeds")
    args = ap.parse_args(argv)

    from policyflows.resources import ontology_dir
    st = score_types_module()
    parents = scorer_taxonomy(st, ontology_dir())
    results = []
    for corpus in (("opp115", "app350") if args.corpus == "all" else (args.corpus,)):
        result = ceiling(corpus, args.half, st=st, parents=parents)
        results.append(result.summary())
        print(report(result, args.misses, args.wrong))
        if corpus == "opp115":
            parties = party_ceiling(args.half)
            results[-1]["parties"] = {v: {"recall": t.recall(), "highlights": sum(t.total.values()),
                                          "per_value": {k: t.recall(k) for k in t.total}} for v, t in parties.items()}
            print(party_report(parties, args.half, args.misses))
    if args.speed:
        print(speed())
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
