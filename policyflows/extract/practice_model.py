"""The practice model: a small linear model, trained by the project, that keeps, drops and adds data items.

The rules of ingest/rules/ read what a sentence says; how far a data mention is the data of a
practice the way people who annotate policies read it is learnt from their annotations
(training/train_practice_model.py, from ../shared/eval). This module is what extraction runs:

- ``candidates(doc, statements)``: every (sentence, data category, practice) a reader could
  report — each data category the lexicon finds in a sentence, and each category of a positive
  statement the rules made there — for the two practices the annotations know: ``collect`` (the
  company collects, uses, stores or keeps it) and ``share`` (it goes to, or is collected by,
  another party). Each candidate carries its features: words a reader can inspect (see
  ``features``).
- ``PracticeModel``: the weights of ``ingest/models/practice.json`` (feature -> weight per
  practice, a threshold per practice, the training data's hash, the cross-validated scores);
  ``score(candidate)`` is the logistic of the summed weights. Plain Python: a dict lookup.
- ``apply(...)``: a rule-made data item whose score is under the threshold is dropped from its
  statement; a candidate the rules did not make and the model is sure of becomes a statement of
  its own (rule ``model:practice@<version>``), citing its sentence and the words of the data —
  never in a sentence that negates ("we do not collect" stays no collection), never changing a
  ruled-out (will-not) statement; recipients, purposes and places stay the rules'.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from policyflows.extract.model import Evidence, PartyRef, Statement, Term
from policyflows.resources import ingest_dir

PRACTICES = ("collect", "share")
COLLECT_ACTIONS = frozenset({"collect", "use", "store", "retain"})
SHARE_ACTIONS = frozenset({"share", "transfer", "sell"})
POSITIVE = frozenset({"will", "may"})
_WORD = re.compile(r"[a-z][a-z'’-]*[a-z]|[a-z]")
WINDOW = 3  # words either side of a mention that are its own features
_UNNAMED = "third parties"


def model_path() -> Path:
    return ingest_dir() / "models" / "practice.json"


def practice_of(st: Statement) -> str | None:
    """The annotations' practice a positive statement states: collect (by the company) or share."""
    if st.modality not in POSITIVE:
        return None
    if st.action in SHARE_ACTIONS:
        return "share"
    if st.action in COLLECT_ACTIONS:
        return "collect" if st.actor.kind == "first-party" else "share"
    return None


def changeable(st: Statement) -> bool:
    """The model keeps or drops the data of a statement unless it says where the data is kept or for how long:
    the annotations it learnt from do not judge places and periods."""
    return not st.jurisdictions and st.retention is None


@dataclass
class Candidate:
    """One (sentence, data category, practice) and what the model reads of it."""

    sentence: int
    iri: str
    practice: str
    shared: tuple  # the features of its sentence and paragraph (every candidate of the sentence has them)
    own: tuple  # its own: the category, the words beside it, the rules' statements that hold it
    spans: tuple = ()  # where the sentence names the category (document offsets); () for a category only inherited
    ruled: list[Statement] = field(default_factory=list)  # the rules' statements of this practice holding it, the model's to keep or drop
    fixed: bool = False  # a statement of this practice holding it that the model leaves alone (see changeable)
    addable: bool = False  # the model may state it where the rules did not

    @property
    def features(self) -> list[str]:
        return sorted(set(self.shared) | set(self.own))


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


# Where a negation stops reaching: a clause ends at these ("we collect your email but do not sell it").
_CLAUSE_END = re.compile(r"[;.!?]\s|;|\s+but\s+(?!not\s+limited\b)|,\s*(?:however|whereas|except|unless|and we|which)\b|:\s", re.I)


class _Reader:
    """What is read once per document: paragraphs (text between blank lines), and per sentence its words,
    verb classes, recipient kinds, data mentions and negated clauses."""

    def __init__(self, doc, finders, cues, verb_classes: dict[str, str]):
        self.doc, self.cues, self.verb_classes = doc, cues, verb_classes
        self.data_mentions, self.recipient_mentions = finders
        text = doc.text
        self.block_of: list[int] = []
        breaks = [m.end() for m in re.finditer(r"\n\s*\n", text)]
        b = 0
        for s in doc.sentences:
            while b < len(breaks) and breaks[b] <= s.start:
                b += 1
            self.block_of.append(b)
        self.members: dict[int, list[int]] = {}
        for k, blk in enumerate(self.block_of):
            self.members.setdefault(blk, []).append(k)
        self._sent: dict[int, dict] = {}
        self._block: dict[int, dict] = {}

    def text(self, i: int) -> str:
        s = self.doc.sentences[i]
        return self.doc.text[s.start:s.end]

    def mentions(self, i: int) -> list:
        return self.data_mentions(self.text(i))

    def sentence(self, i: int) -> dict:
        got = self._sent.get(i)
        if got is None:
            text = self.text(i)
            words = _words(text)
            classes = {self.verb_classes[w] for w in words if w in self.verb_classes}
            kinds = {m.kind for m in self.recipient_mentions(text)} if classes or "third" in words or "partner" in text.lower() \
                else set()
            negated = []  # (start, end) of the clauses a negation governs
            if self.cues.negation.search(text):
                cuts = [0] + [m.end() for m in _CLAUSE_END.finditer(text)] + [len(text)]
                negated = [(a, b) for a, b in zip(cuts, cuts[1:]) if self.cues.negation.search(text[a:b])]
            got = self._sent[i] = {"text": text, "words": words, "classes": classes, "kinds": kinds,
                                   "mentions": self.data_mentions(text), "negated": negated}
        return got

    def block(self, i: int) -> dict:
        """The paragraph around sentence ``i``: its verb classes and recipient kinds."""
        b = self.block_of[i]
        got = self._block.get(b)
        if got is None:
            members = self.members[b]
            classes, kinds = set(), set()
            for k in members:
                s = self.sentence(k)
                classes |= s["classes"]
                kinds |= s["kinds"]
            got = self._block[b] = {"classes": classes, "kinds": kinds, "size": len(members)}
        return got


@cache
def verb_classes() -> dict[str, str]:
    """word -> verb class, for the one-word forms of ingest/rules/verbs.yaml (the sentence's practice words)."""
    from policyflows.extract.rules import read_files
    classes = read_files()["verbs"]["classes"]
    out: dict[str, str] = {}
    for name, forms in classes.items():
        for form in forms:
            if " " not in form:
                out.setdefault(form, name)
    for word in ("sell", "sells", "sold", "selling", "rent", "rents", "rented", "renting", "trade", "trades", "traded"):
        out.setdefault(word, "sell")
    return out


def sentence_features(reader: _Reader, i: int, section_words, previous, context) -> tuple:
    """What every candidate of sentence ``i`` shares: its verb classes and recipient kinds, those of its
    paragraph and of the sentence before, its heading's words, what the rules found around it.

    Not the sentence's every word: measured by cross-validation, they add nothing the verb classes and
    recipient kinds do not say, and a word that names a company or a product would not carry to other policies.
    """
    s = reader.sentence(i)
    f = {f"vc={c}" for c in s["classes"]}
    f.update(f"rk={k}" for k in s["kinds"])
    blk = reader.block(i)
    f.update(f"pvc={c}" for c in blk["classes"] - s["classes"])
    f.update(f"prk={k}" for k in blk["kinds"] - s["kinds"])
    if blk["size"] == 1:
        f.add("paragraph=one-sentence")
    f.update(f"h={w}" for w in section_words)
    f.update(context)
    if previous is not None:
        f.update(f"prev-vc={c}" for c in previous["classes"])
    n = len(s["mentions"])
    f.add("nd=" + ("0" if n == 0 else "1" if n == 1 else "2" if n == 2 else "3-5" if n <= 5 else "6+"))
    if s["negated"]:
        f.add("negation")
    return tuple(sorted(f))


def mention_features(reader: _Reader, i: int, spans_in_sentence, category) -> set:
    """What a category's mention in sentence ``i`` says, whatever the practice: the category and its
    ancestors, the words beside its first mention, whether a negation governs its clause."""
    s = reader.sentence(i)
    f = set(category)
    text = s["text"]
    for start, end in spans_in_sentence[:1]:
        f.update(f"L={w}" for w in _words(text[max(0, start - 60):start])[-WINDOW:])
        f.update(f"R={w}" for w in _words(text[end:end + 60])[:WINDOW])
        if any(a <= start < b for a, b in s["negated"]):
            f.add("negated-clause")
    if not spans_in_sentence:
        f.add("inherited-category")
    return f


def own_features(mention: set, ruled, other_ruled) -> tuple:
    """A candidate's own features: its mention's, and the rules' statements of its practice that hold it."""
    f = set(mention)
    for st in ruled:
        f.update((f"rule={st.rule}", f"mod={st.modality}", f"act={st.action}"))
        if st.actor.kind != "first-party":
            f.add("actor=other")
        if st.inherited_from is not None:
            f.add("inherits")
    if not ruled:
        f.add("rule=none")
    if other_ruled:
        f.add("other-practice")
    return tuple(sorted(f))


def candidates(doc, statements: list[Statement], lex, cues, finders=None, only=None) -> list[Candidate]:
    """Every (sentence, category, practice) of a document, with the rules' statements that hold it.

    ``finders``: (data_mentions, recipient_mentions) to use instead of the lexicon's (the engine's, which
    remember what they found in the document); ``only``: the categories wanted (a model's), else all.
    """
    reader = _Reader(doc, finders or (lex.data_mentions, lex.recipient_mentions), cues, verb_classes())
    categories: dict[str, tuple] = {}
    by_sentence: dict[int, list[Statement]] = {}
    block_practices: dict[int, set] = {}
    section_practices: dict = {}
    for st in statements:
        by_sentence.setdefault(st.evidence.sentence, []).append(st)
        p = practice_of(st)
        if p is not None and st.evidence.sentence >= 0:
            block_practices.setdefault(reader.block_of[st.evidence.sentence], set()).add(p)
            section_practices.setdefault(doc.sentences[st.evidence.sentence].section, set()).add(p)
    out: list[Candidate] = []
    for i in range(len(doc.sentences)):
        made = by_sentence.get(i, [])
        if not made and not reader.mentions(i):
            continue
        s = reader.sentence(i)
        offset = doc.sentences[i].start
        spans: dict[str, list] = {}
        for m in s["mentions"]:
            spans.setdefault(m.iri, []).append((m.start, m.end))
        held: dict[tuple, list[Statement]] = {}
        ruled_out: set[str] = set()
        for st in made:
            p = practice_of(st)
            for d in st.data:
                if p is None:
                    if st.modality == "will-not":
                        ruled_out.add(d.iri)
                    continue
                held.setdefault((d.iri, p), []).append(st)
        iris = list(spans) + [iri for iri, _ in held if iri not in spans]
        section = doc.section_title(i)
        section_words = sorted(set(_words(section))) if section else []
        previous = reader.sentence(i - 1) if i and reader.block_of[i - 1] == reader.block_of[i] else None
        # what the rules found in the paragraph and the section around the sentence
        context = [f"p-rule={p}" for p in sorted(block_practices.get(reader.block_of[i], ()))]
        if doc.sentences[i].section is not None:
            context += [f"s-rule={p}" for p in sorted(section_practices.get(doc.sentences[i].section, ()))]
        shared = None
        for iri in iris:
            if only is not None and iri not in only:
                continue
            category = categories.get(iri)
            if category is None:
                category = categories[iri] = (f"cat={_local(iri)}", *(f"anc={_local(a)}" for a in lex.broader(iri)))
            if shared is None:
                shared = sentence_features(reader, i, section_words, previous, context)
            in_sentence = spans.get(iri, [])
            # a mention the rules made nothing of, outside any negated clause and not ruled out in the sentence
            free = bool(in_sentence) and iri not in ruled_out and \
                not any(a <= m_start < b for m_start, _ in in_sentence[:1] for a, b in s["negated"])
            mention = mention_features(reader, i, in_sentence, category)
            for p in PRACTICES:
                made_here = held.get((iri, p), [])
                other = held.get((iri, "share" if p == "collect" else "collect"), [])
                own = own_features(mention, made_here, other)
                ruled = [st for st in made_here if changeable(st)]
                out.append(Candidate(i, iri, p, shared, own, tuple((offset + a, offset + b) for a, b in in_sentence), ruled,
                                     fixed=len(ruled) < len(made_here), addable=free and not made_here))
    return out


@dataclass
class PracticeModel:
    """Weights per practice (feature -> weight), a bias and two thresholds per practice, read from JSON.

    ``threshold[practice]["keep"]``: a rule-made item scoring under it is dropped;
    ``threshold[practice]["add"]``: a mention the rules made nothing of, scoring at least this, is stated.
    """

    version: str
    weights: dict[str, dict[str, float]]
    bias: dict[str, float]
    threshold: dict[str, dict[str, float]]
    categories: frozenset  # the categories it was trained on: it decides only about these
    info: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> "PracticeModel":
        path = Path(path) if path is not None else model_path()
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls.from_json(raw)

    @classmethod
    def from_json(cls, raw: dict) -> "PracticeModel":
        return cls(version=raw["version"], weights={p: dict(raw["weights"][p]) for p in PRACTICES},
                   bias={p: float(raw["bias"][p]) for p in PRACTICES},
                   threshold={p: {"keep": float(t["keep"]), "add": float(t["add"])} for p, t in raw["threshold"].items()},
                   categories=frozenset(raw["categories"]), info={k: v for k, v in raw.items()
                                                                  if k not in ("weights", "bias", "threshold", "categories")})

    @property
    def rule(self) -> str:
        return f"model:practice@{self.version}"

    def score(self, c: Candidate, memo: dict | None = None) -> float:
        """The logistic of the bias and the weights of its features; ``memo`` keeps each sentence's shared part."""
        w = self.weights[c.practice]
        key = (id(c.shared), c.practice)
        part = memo.get(key) if memo is not None else None
        if part is None:
            part = sum(w.get(f, 0.0) for f in c.shared)
            if memo is not None:
                memo[key] = part
        z = self.bias[c.practice] + part + sum(w.get(f, 0.0) for f in c.own)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def keeps(self, c: Candidate, memo: dict | None = None) -> bool:
        """For a rule-made candidate: is it kept; for any other: is it stated."""
        return self.score(c, memo) >= self.threshold[c.practice]["keep" if c.ruled else "add"]


@cache
def load_model(path: str | None = None) -> PracticeModel | None:
    """The committed model, or None when the file is absent (extraction is then the rules alone)."""
    p = Path(path) if path else model_path()
    return PracticeModel.load(p) if p.exists() else None


def apply(doc, statements: list[Statement], found: list[Candidate], decide, first_party: PartyRef, lex, cues,
          rule: str) -> list[Statement]:
    """Drop the rule-made items ``decide`` refuses, add a statement per sentence and practice for those it accepts.

    ``decide(candidate) -> bool | None``: None leaves the candidate as the rules made it.
    """
    drop: dict[int, set[str]] = {}  # id(statement) -> categories to drop from it
    add: dict[tuple[int, str], list[Candidate]] = {}
    for c in found:
        verdict = decide(c)
        if verdict is None:
            continue
        if c.ruled and not verdict:
            for st in c.ruled:
                drop.setdefault(id(st), set()).add(c.iri)
        elif verdict and c.addable:
            add.setdefault((c.sentence, c.practice), []).append(c)
    out: list[Statement] = []
    for st in statements:
        gone = drop.get(id(st))
        if gone:
            kept = [d for d in st.data if d.iri not in gone]
            if not kept:
                continue
            st.data = kept
        out.append(st)
    for (i, practice), cs in sorted(add.items()):
        out.append(_stated(doc, i, practice, cs, first_party, lex, cues, rule))
    out.sort(key=lambda st: st.evidence.sentence)  # stable: the rules' order within a sentence
    return out


def _stated(doc, i: int, practice: str, cs: list[Candidate], first_party: PartyRef, lex, cues, rule: str) -> Statement:
    s = doc.sentences[i]
    text = doc.text[s.start:s.end]
    evidence = Evidence(text, s.start, s.end, i)
    data = [Term(c.iri, lex.label(c.iri), spans=c.spans) for c in cs]
    modality = "may" if cues.may.search(text) else "will"
    section = doc.section_title(i)
    if practice == "collect":
        return Statement(action="collect", modality=modality, actor=first_party, data=data, evidence=evidence,
                         recipients=[first_party], section=section, rule=rule)
    recipients = []
    for m in lex.recipient_mentions(text):
        if m.kind not in ("first-party", "user"):
            from policyflows.extract.components import GENERIC
            recipients.append(PartyRef(label=GENERIC.get(m.iri) or m.label, kind=m.kind,
                                       organisation=m.organisation, concept=m.iri,
                                       spans=((s.start + m.start, s.start + m.end),)))
    return Statement(action="share", modality=modality, actor=first_party, data=data, evidence=evidence,
                     recipients=recipients or [PartyRef(_UNNAMED, "third-party")], section=section, rule=rule)
