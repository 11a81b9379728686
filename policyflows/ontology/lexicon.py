"""The lexicon: the ontology's labels and synonyms, matched in policy text and resolved from a user's term.

    >>> from policyflows.ontology import Lexicon
    >>> lex = Lexicon.load()
    >>> [(m.text, m.label) for m in lex.data_mentions("your WIFI SSID, RSSI, device IP and BSSID")]
    [('WIFI SSID', 'Wi-Fi SSID'), ('RSSI', 'RSSI'), ('device IP', 'IP address'), ('BSSID', 'BSSID')]
    >>> [m.code for m in lex.jurisdiction_mentions("data centres in Beijing, United States and French")]
    ['CN-BJ', 'US', 'FR']

How matching works. Text is cut into word tokens; each token is normalised (lower case, accents
dropped, plural and possessive stripped, British spellings folded to American: centre/center,
-ise/-ize, -our/-or), and the lexicon looks up runs of normalised tokens in a table built from every
rdfs:label and skos:altLabel, longest run first, left to right, without overlaps. This is one dict
lookup per token for text that matches nothing, which is what makes a whole corpus take well
under a second; a regular-expression alternation over the ~8 000 place, category and organisation
names is far slower in Python's backtracking engine.

Two rules keep matches honest:
  - a label that is one word in capitals of up to four letters ("MAC", "IP", "SSID") must be in
    capitals in the text, and not inside a run of capitals (a heading like "CONTACT US");
    in a longer label case does not matter ("mac address");
  - named organisations and places are proper nouns: a capitalised label word must appear as
    written or in full capitals ("Turkey", not "turkey").
Tokens of a label may be separated in the text by spaces, hyphens, slashes or parentheses (not
commas or full stops); a label written with a hyphen also matches written solid ("Wi-Fi", "WiFi").
"""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, product
from pathlib import Path

from policyflows.errors import UnknownTermError
from policyflows.resources import ontology_dir

FORMAT = 3  # bump when the cached JSON layout or the normalisation changes

# Small words a purpose phrase may carry or drop: "to provide you with the motion detection alarm feature".
PURPOSE_FILLER = frozenset(
    "a an the our your their its his her you us we to for of with this that these those any all such "
    "certain some which may can will".split()
)

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_GAP = re.compile(r"[\s\-/–—()]*|\.")
_INITIAL_GAP = re.compile(r"\.\s")  # "P.R. China": after a one-letter initial only
_ABBREVIATION = re.compile(r"^[A-Z0-9]{1,4}$")
_SPELLING = (
    (re.compile(r"isation$"), "ization"), (re.compile(r"ising$"), "izing"), (re.compile(r"ised$"), "ized"),
    (re.compile(r"(?<=..)ise$"), "ize"), (re.compile(r"yse$"), "yze"), (re.compile(r"ysing$"), "yzing"),
    (re.compile(r"(?<=...)our(?=$|ite|al|able|ed|ing)"), "or"), (re.compile(r"(?<=..)tre$"), "ter"),
    (re.compile(r"programme$"), "program"), (re.compile(r"licence$"), "license"), (re.compile(r"ae"), "e"),
)


# ---------------------------------------------------------------------------------------------
# Public value types
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Concept:
    """A term of the ontology: its IRI and preferred English label."""

    iri: str
    label: str


@dataclass(frozen=True)
class Mention:
    """A stretch of text that names a concept. Offsets are into the text given to the matcher."""

    start: int
    end: int
    iri: str
    label: str
    text: str = ""
    kind: str | None = None          # recipients: the where-json kind code
    organisation: str | None = None  # recipients: the named organisation's IRI, when one is named
    code: str | None = None          # jurisdictions: ISO 3166 code ("CN-BJ", "US") or "EU"/"EEA"


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def _stem(word: str) -> str:
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "i"
    elif word.endswith(("sses", "shes", "ches", "xes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    elif word.endswith("ie"):
        word = word[:-1]
    return word


@lru_cache(maxsize=200_000)
def normalise(token: str) -> str:
    """The lookup form of one token: lower case, no accents, no plural or possessive, American spelling."""
    word = _fold(token).lower()
    if word.endswith("'s"):
        word = word[:-2]
    word = _stem(word.rstrip("'"))
    for pattern, replacement in _SPELLING:  # after the plural is gone: "organisations" → "organization"
        word = pattern.sub(replacement, word)
    return word


def _case_rule(token: str, proper: bool) -> str | None:
    """What the text must look like for this label token: 'upper', 'proper' or None (any case)."""
    if _ABBREVIATION.match(token) and any(c.isalpha() for c in token):
        return "upper"
    if proper and token[:1].isupper():
        return "proper"
    return None


def _surface_ok(rule: str | None, label_token: str, surface: str) -> bool:
    if rule is None:
        return True
    letters = [c for c in surface if c.isalpha()]
    all_caps = bool(letters) and all(c.isupper() for c in letters)
    if rule == "upper":
        return all_caps
    as_written = _fold(surface) == _fold(label_token)
    inflected = normalise(surface) == normalise(label_token) and surface[:1].isupper()  # "California's"
    return all_caps or as_written or inflected


# ---------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------

class _NormCache(dict):
    """token -> normal form, computed on first sight (policies reuse a small vocabulary)."""

    def __missing__(self, word: str) -> str:
        if len(self) > 500_000:
            self.clear()
        value = self[word] = normalise(word)
        return value


_NORMS = _NormCache()


# The token pattern as a splitter: [gap, token, gap, token, …, gap], all in one C-level pass.
_TOKEN_PARTS = re.compile(f"({_TOKEN.pattern})")


class _Tokens:
    """The word tokens of one text: their normal forms, and (computed when first needed) offsets."""

    __slots__ = ("words", "norms", "_parts", "_offsets")

    def __init__(self, text: str):
        self._parts = _TOKEN_PARTS.split(text)
        self.words = self._parts[1::2]
        self.norms = list(map(_NORMS.__getitem__, self.words))
        self._offsets = None

    def _offset(self, k: int) -> int:
        # running sums of the parts' lengths: offset 2i is where token i starts, 2i + 1 where it ends
        if self._offsets is None:
            self._offsets = list(accumulate(map(len, self._parts)))
        return self._offsets[k]

    def start(self, i: int) -> int:
        return self._offset(2 * i)

    def end(self, i: int) -> int:
        return self._offset(2 * i + 1)

    def text(self, i: int) -> str:
        return self.words[i]


@lru_cache(maxsize=16)
def _tokens(text: str) -> _Tokens:
    """Tokens of ``text``; the last few texts are kept, since each vocabulary scans the same sentence."""
    return _Tokens(text)


def _label_variants(label: str) -> list[list[str]]:
    """Token lists a label can appear as: a hyphenated word split ("wi", "fi") or solid ("wifi")."""
    pieces = []
    for word in label.split():
        parts = [p.group() for p in _TOKEN.finditer(word)]
        if not parts:
            continue
        if "-" in word and len(parts) > 1 and all(p.isalpha() for p in parts):
            pieces.append([parts, ["".join(parts)]])
        else:
            pieces.append([parts])
    return [[t for group in combo for t in group] for combo in product(*pieces)]


def _all_caps_word(word: str) -> bool:
    return len(word) >= 2 and word.isalpha() and word.isupper()


class _Matcher:
    """Longest-first, left-to-right, non-overlapping lookup of label token runs in text.

    Runs are indexed by their first token (one-token labels) and first two tokens (longer ones),
    so a token that starts no label costs one dict lookup.
    """

    def __init__(self, entries, skip=frozenset()):
        self.skip = skip
        self.table: dict[tuple[str, ...], list[tuple[str, tuple, tuple]]] = {}
        self.starts: set[str] = set()
        self.longer: dict[tuple[str, str], list[int]] = {}
        verbatim = []  # "contact you" without its filler is the bare verb "contact": match it as written
        for label, iri, proper in entries:
            for tokens in _label_variants(label):
                shown = tuple(t for t in tokens if normalise(t) not in skip)
                if not shown or (len(shown) == 1 and len(tokens) > 1):
                    verbatim.append((label, iri, proper))
                    continue
                key = tuple(normalise(t) for t in shown)
                if proper or len(shown) == 1:
                    rules = tuple(_case_rule(t, proper) for t in shown)
                else:  # "mac address" is as clear as "MAC address"; only a lone "mac" is ambiguous
                    rules = (None,) * len(shown)
                self.table.setdefault(key, []).append((iri, rules, shown))
                self.starts.add(key[0])
                if len(key) > 1:
                    self.longer.setdefault(key[:2], []).append(len(key))
        for pair, lengths in self.longer.items():
            self.longer[pair] = sorted(set(lengths), reverse=True)
        # Tokens that are a whole label by themselves. A token in ``starts`` but not here ("the",
        # "your") can only begin a longer label, so its next token decides without a lookup.
        self.singles: set[str] = {key[0] for key in self.table if len(key) == 1}
        self.verbatim = _Matcher(verbatim) if skip and verbatim else None

    def find(self, text: str):
        """Yield (start, end, iri) for every match; iri is None for a phrase that must match nothing."""
        if self.verbatim is None:
            yield from self._find(text)
            return
        taken_until = -1
        for start, end, iri in sorted([*self._find(text), *self.verbatim._find(text)], key=lambda m: (m[0], -m[1])):
            if start >= taken_until:
                taken_until = end
                yield start, end, iri

    def _find(self, text: str):
        tokens = _tokens(text)
        norms = tokens.norms
        starts = self.starts
        if starts.isdisjoint(norms):  # most sentences name nothing of a vocabulary: one C-level pass
            return
        if self.skip:
            content = [i for i, n in enumerate(norms) if n not in self.skip]
            words = [norms[i] for i in content]
        else:
            content, words = None, norms
        singles, longer, last_index = self.singles, self.longer, len(words) - 1
        position = 0  # tokens before it are taken by an earlier match
        for candidate in [i for i, word in enumerate(words) if word in starts]:
            if candidate < position:
                continue
            word = words[candidate]
            if word not in singles and (candidate == last_index or (word, words[candidate + 1]) not in longer):
                continue  # starts only longer labels, and not with the token that follows
            hit = self._match_at(text, tokens, content, words, candidate)
            if hit is None:
                continue
            position = candidate
            length, iri = hit
            if iri is not None:
                first = content[position] if content is not None else position
                last = content[position + length - 1] if content is not None else position + length - 1
                yield tokens.start(first), tokens.end(last), iri
            position += length

    def _match_at(self, text, tokens, content, words, position):
        lengths = self.longer.get(tuple(words[position:position + 2]), []) + [1]
        for length in lengths:
            if position + length > len(words):
                continue
            candidates = self.table.get(tuple(words[position:position + length]))
            if not candidates:
                continue
            indices = content[position:position + length] if content is not None else range(position, position + length)
            if not self._gaps_ok(text, tokens, indices[0], indices[-1]):
                continue
            for iri, rules, shown in candidates:
                if all(_surface_ok(r, lt, tokens.text(i)) for r, lt, i in zip(rules, shown, indices)):
                    if length == 1 and rules[0] == "upper" and self._inside_capitals(text, tokens, indices[0]):
                        continue
                    return length, iri
        return None

    @staticmethod
    def _gaps_ok(text, tokens, first, last) -> bool:
        for i in range(first, last):
            gap = text[tokens.end(i):tokens.start(i + 1)]
            if not (_GAP.fullmatch(gap) or (_INITIAL_GAP.fullmatch(gap) and len(tokens.text(i)) == 1)):
                return False
        return True

    @staticmethod
    def _inside_capitals(text, tokens, index) -> bool:
        """True when a lone abbreviation sits in a heading: a capitalised word right before it, or two after."""
        count = len(tokens.norms)

        def joined(a, b):
            return text[tokens.end(a):tokens.start(b)].isspace()
        if index > 0 and _all_caps_word(tokens.text(index - 1)) and joined(index - 1, index):
            return True
        return (index + 2 < count and _all_caps_word(tokens.text(index + 1)) and _all_caps_word(tokens.text(index + 2))
                and joined(index, index + 1) and joined(index + 1, index + 2))


# ---------------------------------------------------------------------------------------------
# The lexicon
# ---------------------------------------------------------------------------------------------

@dataclass
class Lexicon:
    """Every concept of the ontology with its labels, its place in the taxonomy and matchers over text.

    Build with :meth:`load` (cached on disk) rather than directly.
    """

    concepts: dict[str, dict] = field(repr=False)  # iri -> {"label", "vocab", "parents", "kind", "organisation", "code"}
    labels: dict[str, list[tuple[str, str, bool]]] = field(repr=False)  # vocab -> [(label, iri or "", proper noun?)]
    _matchers: dict = field(default_factory=dict, repr=False)
    _children: dict | None = field(default=None, repr=False)

    # -- loading -------------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: str | Path | None = None, cache: bool = True) -> "Lexicon":
        """The lexicon of the ontology in ``directory`` (default: the project's ontology/).

        The first load parses the Turtle (a second or two) and writes a JSON cache keyed by the
        files' SHA-256 in $POLICYFLOWS_CACHE, else $XDG_CACHE_HOME/policyflows, else ~/.cache/policyflows;
        later loads read that cache in milliseconds. Loads in one process share one Lexicon.
        """
        directory = Path(directory or ontology_dir()).resolve()
        return _load_cached(str(directory), cache)

    @classmethod
    def from_graph(cls, graph) -> "Lexicon":
        from policyflows.ontology.build import lexicon_data
        return cls(**lexicon_data(graph))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{vocab}={len(entries)}" for vocab, entries in self.labels.items())
        return f"<Lexicon {len(self.concepts)} concepts; labels: {sizes}>"

    def to_json(self) -> dict:
        return {"format": FORMAT, "concepts": self.concepts, "labels": self.labels}

    # -- matching ------------------------------------------------------------------------------

    def _matcher(self, vocab: str) -> _Matcher:
        if vocab not in self._matchers:
            skip = PURPOSE_FILLER if vocab == "purpose" else frozenset()
            entries = [(label, iri or None, proper) for label, iri, proper in self.labels[vocab]]
            self._matchers[vocab] = _Matcher(entries, skip)
        return self._matchers[vocab]

    def _mentions(self, vocab: str, text: str) -> list[Mention]:
        found = []
        for start, end, iri in self._matcher(vocab).find(text):
            concept = self.concepts[iri]
            found.append(Mention(start, end, iri, concept["label"], text[start:end], kind=concept.get("kind"),
                                 organisation=concept.get("organisation"), code=concept.get("code")))
        return found

    def data_mentions(self, text: str) -> list[Mention]:
        """Data categories named in ``text``, left to right, longest first, no overlaps."""
        recent = self._matchers.setdefault("_recent_data", {})
        if text not in recent:
            if len(recent) > 32:
                recent.clear()
            recent[text] = self._mentions("data", text)
        return list(recent[text])

    def recipient_mentions(self, text: str) -> list[Mention]:
        """Recipients named in ``text``: kinds, service-provider types and named organisations.

        A name that opens a data category ("Google account", "QQ number") qualifies the data and
        is not a recipient; one that ends it ("video stored in Micro SD") still is.
        """
        data = [(m.start, m.end) for m in self.data_mentions(text)]
        return [m for m in self._mentions("recipient", text)
                if not any(s == m.start and m.end < e for s, e in data)]

    def purpose_mentions(self, text: str) -> list[Mention]:
        """Purposes named in ``text``."""
        return self._mentions("purpose", text)

    def jurisdiction_mentions(self, text: str) -> list[Mention]:
        """Places named in ``text`` (countries, ISO 3166-2 regions, EU/EEA), with their ISO code."""
        return self._mentions("jurisdiction", text)

    def legal_basis_mentions(self, text: str) -> list[Mention]:
        """DPV legal bases named in ``text`` ("your prior explicit consent", "legitimate interests")."""
        return self._mentions("legal-basis", text)

    # -- the taxonomy --------------------------------------------------------------------------

    def label(self, iri: str) -> str:
        """The preferred English label of ``iri``; the IRI's last segment when the ontology has none."""
        concept = self.concepts.get(str(iri))
        return concept["label"] if concept else re.split(r"[#/]", str(iri))[-1]

    def concept(self, iri: str) -> Concept:
        return Concept(str(iri), self.label(iri))

    def broader(self, iri: str) -> set[str]:
        """Every ancestor of ``iri`` in the taxonomy (transitive, without ``iri`` itself)."""
        seen, todo = set(), list(self.concepts.get(str(iri), {}).get("parents", ()))
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(self.concepts.get(parent, {}).get("parents", ()))
        seen.discard(str(iri))
        return seen

    def narrower(self, iri: str) -> set[str]:
        """Every descendant of ``iri`` in the taxonomy (transitive, without ``iri`` itself)."""
        if self._children is None:
            children: dict[str, list[str]] = {}
            for child, concept in self.concepts.items():
                for parent in concept.get("parents", ()):
                    children.setdefault(parent, []).append(child)
            self._children = children
        seen, todo = set(), list(self._children.get(str(iri), ()))
        while todo:
            child = todo.pop()
            if child not in seen:
                seen.add(child)
                todo.extend(self._children.get(child, ()))
        seen.discard(str(iri))
        return seen

    def concepts_of(self, vocab: str) -> list[Concept]:
        return sorted(Concept(iri, c["label"]) for iri, c in self.concepts.items() if c["vocab"] == vocab)

    # -- resolving a user's term ---------------------------------------------------------------

    def resolve(self, term: str) -> list[Concept]:
        """The data categories a person means by ``term``.

        An exact label or synonym wins (any case, singular or plural); otherwise every category
        whose label contains all the words of ``term``, keeping only the broadest of them
        ("cloud" → cloud-cached video). A category's own narrower categories are included by
        the query, not here.

        :raises UnknownTermError: nothing matches; ``suggestions`` holds close labels.
        """
        cleaned = term.strip()
        if cleaned in self.concepts and self.concepts[cleaned]["vocab"] == "data":
            return [self.concept(cleaned)]
        words = tuple(normalise(t.group()) for t in _TOKEN.finditer(cleaned))
        if not words:
            raise UnknownTermError(term, [])
        index = self._data_index()
        exact = {iri for label_words, iri, _ in index if label_words == words}
        if exact:
            return self._ordered(exact)
        wanted = set(words)
        for preferred_only in (True, False):
            partial = {iri for label_words, iri, preferred in index if (preferred or not preferred_only) and wanted <= set(label_words)}
            if partial:
                broadest = {iri for iri in partial if not (self.broader(iri) & partial)}
                return self._ordered(broadest)
        raise UnknownTermError(term, self.suggest(cleaned))

    def suggest(self, term: str, n: int = 5) -> list[str]:
        """Labels close to ``term`` in spelling; failing that, the broad categories to start from."""
        names: dict[str, str] = {}
        for label, iri, _ in self.labels["data"]:
            if iri:
                names.setdefault(label.lower(), iri)
        suggestions: list[str] = []
        for cutoff in (0.75, 0.5):
            for name in difflib.get_close_matches(term.lower(), list(names), n=n * 2, cutoff=cutoff):
                preferred = self.label(names[name])
                if preferred not in suggestions:
                    suggestions.append(preferred)
            if suggestions:
                return suggestions[:n]
        roots = [iri for iri, c in self.concepts.items() if c["vocab"] == "data" and not c["parents"]]
        tops = [iri for iri, c in self.concepts.items() if c["vocab"] == "data" and set(c["parents"]) & set(roots)]
        return sorted(self.label(iri) for iri in tops)[:n * 2]

    def _data_index(self):
        if "_data_index" not in self._matchers:
            index = []
            for label, iri, _ in self.labels["data"]:
                if not iri:
                    continue  # an excluded phrase
                preferred = label == self.concepts[iri]["label"]
                for tokens in _label_variants(label):
                    index.append((tuple(normalise(t) for t in tokens), iri, preferred))
            self._matchers["_data_index"] = index
        return self._matchers["_data_index"]

    def _ordered(self, iris) -> list[Concept]:
        return sorted((self.concept(i) for i in iris), key=lambda c: (len(self.broader(c.iri)), c.label))


# ---------------------------------------------------------------------------------------------
# The on-disk cache
# ---------------------------------------------------------------------------------------------

def cache_dir() -> Path:
    if os.environ.get("POLICYFLOWS_CACHE"):
        return Path(os.environ["POLICYFLOWS_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "policyflows"


def ontology_digest(directory: Path) -> str:
    """SHA-256 over the names and bytes of every ontology/*.ttl file, and this module's FORMAT."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for path in sorted(Path(directory).glob("*.ttl")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for code in ("build.py", "lexicon.py"):  # how labels are read and normalised decides the cached content
        digest.update(Path(__file__).with_name(code).read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=8)
def _load_cached(directory: str, cache: bool) -> Lexicon:
    path = cache_dir() / f"lexicon-{ontology_digest(Path(directory))[:24]}.json"
    if cache and path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") == FORMAT:
                return Lexicon(concepts=data["concepts"], labels={k: [tuple(e) for e in v] for k, v in data["labels"].items()})
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt below
    from policyflows.ontology.graph import read_ontology
    lexicon = Lexicon.from_graph(read_ontology(Path(directory)))
    if cache:
        _write_cache(path, lexicon)
    return lexicon


def _write_cache(path: Path, lexicon: Lexicon) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(lexicon.to_json(), ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
        prune_cache(path.parent, "lexicon-*.json")
    except OSError:
        pass  # a read-only home only costs speed


def prune_cache(folder: Path, pattern: str, keep: int = 4) -> None:
    """Delete all but the ``keep`` newest cache files of one kind (older ontology versions)."""
    files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)
