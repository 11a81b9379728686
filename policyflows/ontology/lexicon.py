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

LISTED, LIST_ONLY = 1, 2  # how a label that is also an ordinary word must stand (see _Compounds)

FORMAT = 4  # bump when the cached JSON layout or the normalisation changes

# Small words a purpose phrase may carry or drop: "to provide you with the motion detection alarm feature".
PURPOSE_FILLER = frozenset(
    "a an the our your their its his her you us we to for of with this that these those any all such "
    "certain some which may can will".split()
)

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_GAP = re.compile(r"[\s\-/–—()\"“”]*|\.")  # 'Internet Protocol ("IP") address'
_INITIAL_GAP = re.compile(r"\.\s")  # "P.R. China": after a one-letter initial only
_PLURAL_POSSESSIVE_GAP = re.compile(r"['’]\s+")  # "users' behavior": after a word ending in s only
_OPENERS = frozenset({"your", "the", "their", "our", "a", "an", "my", "his", "her", "its"})  # words a label may start with
_ABBREVIATION = re.compile(r"^[A-Z0-9]{1,4}$")
_ABBREVIATION_PLURAL = re.compile(r"^[A-Z][A-Z0-9]{1,4}s$")
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
    if _ABBREVIATION_PLURAL.match(token):  # "IDs", "IPs", "URLs": the plural of an abbreviation
        return _fold(token[:-1]).lower()
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


def _number_rule(token: str) -> str | None:
    """'plural' for a label word written in the plural: "contacts" must not match "contact"."""
    return "plural" if normalise(token) != _fold(token).lower() and token.lower().endswith("s") else None


def _plural_possessive(gap: str, word: str) -> bool:
    """The apostrophe of a plural possessive and a space: "users' behavior", "customers’ addresses"."""
    return word[-1:] in ("s", "S") and _PLURAL_POSSESSIVE_GAP.fullmatch(gap) is not None


def _surface_ok(rule: str | None, label_token: str, surface: str) -> bool:
    if rule is None:
        return True
    if rule == "plural":
        return surface.lower().endswith("s")
    letters = [c for c in surface if c.isalpha()]
    all_caps = bool(letters) and all(c.isupper() for c in letters)
    if rule == "upper":
        return all_caps or bool(_ABBREVIATION_PLURAL.match(surface))
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
    so a token that starts no label costs one dict lookup. With ``compound`` (the data
    vocabulary) three readings of noun phrases are added, see :class:`_Compounds`.
    """

    def __init__(self, entries, skip=frozenset(), compound=False, umbrella=frozenset()):
        self.skip = skip
        self.table: dict[tuple[str, ...], list[tuple[str, tuple, tuple, bool]]] = {}
        self.starts: set[str] = set()
        self.longer: dict[tuple[str, str], list[int]] = {}
        verbatim = []  # "contact you" without its filler is the bare verb "contact": match it as written
        for label, iri, proper, *flags in entries:
            listed = flags[0] if flags else 0  # 0, LISTED or LIST_ONLY
            for tokens in _label_variants(label):
                shown = tuple(t for t in tokens if normalise(t) not in skip)
                if not shown or (len(shown) == 1 and len(tokens) > 1):
                    verbatim.append((label, iri, proper))
                    continue
                key = tuple(normalise(t) for t in shown)
                if listed:
                    rules = tuple(_case_rule(t, proper) or _number_rule(t) for t in shown)
                elif proper or len(shown) == 1:
                    rules = tuple(_case_rule(t, proper) for t in shown)
                else:  # "mac address" is as clear as "MAC address"; only a lone "mac" is ambiguous
                    rules = (None,) * len(shown)
                self.table.setdefault(key, []).append((iri, rules, shown, listed))
                self.starts.add(key[0])
                if len(key) > 1:
                    self.longer.setdefault(key[:2], []).append(len(key))
        for pair, lengths in self.longer.items():
            self.longer[pair] = sorted(set(lengths), reverse=True)
        # Tokens that are a whole label by themselves. A token in ``starts`` but not here ("the",
        # "your") can only begin a longer label, so its next token decides without a lookup.
        self.singles: set[str] = {key[0] for key in self.table if len(key) == 1}
        self.verbatim = _Matcher(verbatim) if skip and verbatim else None
        self.compounds = _Compounds(self, umbrella) if compound else None
        if self.compounds:
            self.starts |= _Compounds.HEADS

    def find(self, text: str):
        """Yield (start, end, iri) for every match; iri is None for a phrase that must match nothing."""
        tokens = _tokens(text)
        if self.verbatim is None:
            spans = self._find(text)
        else:
            spans, taken_until = [], -1
            for span in sorted([*self._find(text), *self.verbatim._find(text)], key=lambda m: (m[0], -m[1])):
                if span[0] >= taken_until:
                    taken_until = span[1] + 1
                    spans.append(span)
        if self.compounds is not None:
            spans = self.compounds.read(text, tokens, list(spans))
        for first, last, iri, _ in spans:
            yield tokens.start(first), tokens.end(last), iri

    def _find(self, text: str):
        """Yield (first token, last token, iri, listed) for every plain match, left to right."""
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
        heads = _Compounds.HEADS if self.compounds is not None else ()
        links = _Compounds.LINKS
        position = 0  # tokens before it are taken by an earlier match
        for candidate in [i for i, word in enumerate(words) if word in starts]:
            if candidate < position:
                continue
            word = words[candidate]
            # "information about your browser": a head noun and a linking word may start an inverted phrase
            inverting = word in heads and candidate < last_index and words[candidate + 1] in links
            if word not in singles and (candidate == last_index or (word, words[candidate + 1]) not in longer):
                if not inverting:
                    continue  # starts only longer labels, and not with the token that follows
                hit = None
            else:
                hit = self._match_at(text, tokens, content, words, candidate)
            if inverting:
                inverted = self.compounds.inverted(text, tokens, candidate)
                if inverted and (hit is None or inverted[0] > hit[0]):
                    hit = inverted
            if hit is None:
                continue
            if word in _OPENERS and candidate < last_index and words[candidate + 1] in starts:
                # "your email" must not take the first word of "your email address", nor "your
                # address" that of "your address book": a longer label one word on goes first
                inner = self._match_at(text, tokens, content, words, candidate + 1)
                if inner is not None and inner[0] >= hit[0]:
                    continue
            position = candidate
            length, iri, listed = hit
            if iri is not None:
                first = content[position] if content is not None else position
                last = content[position + length - 1] if content is not None else position + length - 1
                yield first, last, iri, listed
            position += length
            if self.compounds is not None and content is None and word in heads:
                # "information about you and your computer, mobile or other device": the device's information too
                second = self.compounds.after_you(text, tokens, candidate, position)
                if second is not None:
                    first, length, iri = second
                    yield first, first + length - 1, iri, 0
                    position = first + length

    def _match_at(self, text, tokens, content, words, position):
        """(length, iri, listed) of the longest label starting at ``position``, or None."""
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
            for iri, rules, shown, listed in candidates:
                if all(_surface_ok(r, lt, tokens.text(i)) for r, lt, i in zip(rules, shown, indices)):
                    if length == 1 and rules[0] == "upper" and self._inside_capitals(text, tokens, indices[0]):
                        continue
                    return length, iri, listed
        return None

    def lookup(self, text, tokens, key, indices):
        """The IRI of a category named by ``key`` at token ``indices`` (case rules kept), or None."""
        for iri, rules, shown, listed in self.table.get(key, ()):
            if iri is not None and not listed and all(
                    _surface_ok(r, lt, tokens.text(i)) for r, lt, i in zip(rules, shown, indices)):
                return iri
        return None

    @staticmethod
    def _gaps_ok(text, tokens, first, last) -> bool:
        for i in range(first, last):
            gap = text[tokens.end(i):tokens.start(i + 1)]
            if not (_GAP.fullmatch(gap) or (_INITIAL_GAP.fullmatch(gap) and len(tokens.text(i)) == 1)
                    or _plural_possessive(gap, tokens.text(i))):
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


class _Compounds:
    """Readings of noun phrases that name a category without spelling out one of its labels.

    - Inverted: "information about your browser" is "browser information", "details of your
      order" is "order details": a head noun (information, data, details), a linking word and
      optionally a determiner, then the words that make a label with that head (or with
      "information"), when those words are no label of their own.
    - Elided: "postal and email addresses" names a postal address too, "browser type and version"
      a browser version: a word joined by "and", "or", "/" or a list comma to a matched label takes
      the label's shared words, when the result is a label.
    - Listed: a label marked pf:listedLabel ("address", "email") names its category only in a
      list of other categories ("name, address and phone number") or after a possessive ("your
      address"); elsewhere it is another word ("to address your concerns", "by email"). One
      marked pf:listOnlyLabel ("device") counts in a list only: "your device" is the thing itself.
    """

    HEADS = frozenset({"information", "data", "detail", "info"})
    # "information from your device" and "information on your computer" say where, not what: no links.
    # "of" only before a determiner: "details of your order", not "information of interest".
    LINKS = {"about": 1, "regarding": 1, "concerning": 1, "of": 1,
             "relating": 2, "related": 2, "pertaining": 2, "associated": 2}  # the last take "to"/"with"
    DETERMINERS = frozenset({"your", "the", "their", "a", "an", "any", "his", "her", "user", "users"})
    JOINS = frozenset({"and", "or", "nor"})
    LIST_WORDS = frozenset({"and", "or", "nor", "your", "their", "his", "her", "the", "as", "well", "other", "also"})
    POSSESSIVES = frozenset({"your", "their", "his", "her", "my", "user", "customer", "member"})  # normal forms: "user's"
    _LIST_GAP = re.compile(r"[\s,;/&()]*")

    def __init__(self, matcher: "_Matcher", umbrella=frozenset()):
        self.matcher = matcher
        self.umbrella = umbrella  # "information about you and your computer" is no list of categories

    def inverted(self, text, tokens, position):
        """(length, iri, 0) for "information about your browser" starting at ``position``, or None."""
        words, matcher = tokens.norms, self.matcher
        j = position + 1
        span = self.LINKS.get(words[j]) if j < len(words) else None
        if span is None:
            return None
        j += span
        if span == 2 and words[j - 1] not in ("to", "with"):
            return None
        if j < len(words) and words[j] in self.DETERMINERS:
            j += 1
        elif words[position + 1] == "of":
            return None
        return self._modifier_at(text, tokens, position, j)

    def after_you(self, text, tokens, position, end):
        """(first, length, iri) of the second object of "information about you and your computer" (the head at
        ``position``, the first object ending before ``end``): the head reaches across "you and", so "your
        computer" reads as "information about your computer" while "information about you" stays itself."""
        words = tokens.norms
        if not (end + 1 < len(words) and words[end - 1] == "you" and words[end] == "and"
                and words[end + 1] in self.DETERMINERS and words[position] in self.HEADS
                and self.LINKS.get(words[position + 1]) == 1 and end - 1 == position + 2):
            return None
        found = self._modifier_at(text, tokens, position, end + 2)
        if found is None:
            return None
        length, iri, _ = found
        return end + 1, position + length - (end + 1), iri

    def _modifier_at(self, text, tokens, position, j):
        """(length from ``position``, iri, 0) when the words at ``j`` make a label with the head at ``position``."""
        words, matcher = tokens.norms, self.matcher
        if j >= len(words):
            return None
        if words[j] in matcher.starts:
            plain = matcher._match_at(text, tokens, None, words, j)
            if plain is not None and plain[2] != LIST_ONLY:
                return None  # the words name a category themselves: the plain scan finds it there
            # a word that names a category in a list only ("browser") takes its sense here: "information about your browser"
        for length in (3, 2, 1):
            modifier = tuple(words[j:j + length])
            if len(modifier) < length:
                continue
            for head in dict.fromkeys((words[position], "information")):
                key = modifier + (head,)
                if key in matcher.table and matcher._gaps_ok(text, tokens, position, j + length - 1):
                    iri = matcher.lookup(text, tokens, key, [*range(j, j + length), position])
                    if iri is not None:
                        return j + length - position, iri, 0
        return None

    def read(self, text, tokens, spans):
        """The plain matches ``spans`` with elided ones added and listed ones that stand alone removed."""
        if not spans:
            return spans
        spans = self._elided(text, tokens, spans)
        if any(span[3] for span in spans):
            spans = self._listed(text, tokens, spans)
        return spans

    def _joined(self, text, tokens, left, right, joins) -> bool:
        """Between tokens ``left`` and ``right`` lies only the joint of a list: ``joins`` words and list
        punctuation, with at least one of "and"/"or" or a comma, semicolon, slash or ampersand."""
        between = tokens.norms[left + 1:right]
        if not all(w in joins for w in between):
            return False
        gaps = [text[tokens.end(i):tokens.start(i + 1)] for i in range(left, right)]
        if not all(self._LIST_GAP.fullmatch(gap) for gap in gaps):
            return False
        return bool(self.JOINS.intersection(between)) or any(c in gap for gap in gaps for c in ",;/&")

    def _elided(self, text, tokens, spans):
        words, joins, table = tokens.norms, self.JOINS, self.matcher.table
        count, taken, added, slash = len(words), None, [], "/" in text
        for first, last, iri, listed in spans:
            if first == last or listed:
                continue  # the cheap tests first: most matches stand in no list
            backwards = first >= 2 and (words[first - 1] in joins
                                        or (slash and text.find("/", tokens.end(first - 1), tokens.start(first)) >= 0))
            forwards = last + 2 < count and words[last + 1] in joins
            if not (backwards or forwards):
                continue
            key = tuple(words[first:last + 1])
            if key not in table:
                continue  # an inverted match shares no words to elide
            if taken is None:
                taken = {i for f, l, *_ in spans for i in range(f, l + 1)}
            # backwards: "postal and email address", "contact, billing and shipping information"
            right, joined = first, False
            while backwards and (right >= 2 or (joined and right >= 1)):
                modifier = right - 2 if words[right - 1] in joins else right - 1
                if modifier < 0 or modifier in taken:
                    break
                if modifier > 0 and text[tokens.end(modifier - 1):tokens.start(modifier)] == "-":
                    break  # "non-personal and personal information": the modifier is a hyphenated word
                if modifier == right - 1 and not (joined or "/" in text[tokens.end(modifier):tokens.start(right)]):
                    break  # a bare comma continues a list that "and"/"or" began, it does not begin one
                if not self._joined(text, tokens, modifier, right, joins):
                    break
                found = None
                for cut in range(1, len(key)):
                    found = self.matcher.lookup(text, tokens, (words[modifier],) + key[cut:], [modifier, *range(first + cut, last + 1)])
                    if found:
                        break
                if not found:
                    break
                added.append((modifier, modifier, found, 0))
                taken.add(modifier)
                right, joined = modifier, True
            # forwards: "browser type and version"
            after = last + 2
            if forwards and after not in taken and self._joined(text, tokens, last, after, joins):
                for cut in range(len(key) - 1, 0, -1):
                    found = self.matcher.lookup(text, tokens, key[:cut] + (words[after],), [*range(first, first + cut), after])
                    if found:
                        added.append((after, after, found, 0))
                        taken.add(after)
                        break
        return sorted(spans + added) if added else spans

    def _listed(self, text, tokens, spans):
        words = tokens.norms

        def qualified(span):  # "the address of a website" is the website's
            return span[1] + 1 < len(words) and words[span[1] + 1] == "of"

        def possessed(span):  # "your address"; not "your device", which is the thing itself (list only)
            first = span[0]
            if span[3] == LIST_ONLY or first == 0 or words[first - 1] not in self.POSSESSIVES:
                return False
            gap = text[tokens.end(first - 1):tokens.start(first)]
            return gap.isspace() or _plural_possessive(gap, tokens.text(first - 1))

        accepted = [not span[3] or (not qualified(span) and possessed(span)) for span in spans]
        changed = True
        while changed:  # "name, address, email": a listed label may lean on one accepted before it
            changed = False
            for i, (first, last, _, _) in enumerate(spans):
                if accepted[i] or qualified(spans[i]):
                    continue
                for j in (i - 1, i + 1):
                    if 0 <= j < len(spans) and accepted[j] and spans[j][2] not in self.umbrella:
                        left, right = (spans[j][1], first) if j < i else (last, spans[j][0])
                        if self._joined(text, tokens, left, right, self.LIST_WORDS):
                            accepted[i] = changed = True
                            break
        return [span for span, ok in zip(spans, accepted) if ok]


# ---------------------------------------------------------------------------------------------
# The lexicon
# ---------------------------------------------------------------------------------------------

@dataclass
class Lexicon:
    """Every concept of the ontology with its labels, its place in the taxonomy and matchers over text.

    Build with :meth:`load` (cached on disk) rather than directly.
    """

    concepts: dict[str, dict] = field(repr=False)  # iri -> {"label", "vocab", "parents", "kind", "organisation", "code"}
    labels: dict[str, list[tuple]] = field(repr=False)  # vocab -> [(label, iri or "", proper noun?[, LISTED/LIST_ONLY/0])]
    _matchers: dict = field(default_factory=dict, repr=False)
    _children: dict | None = field(default=None, repr=False)
    _resolved: dict = field(default_factory=dict, repr=False)  # term -> its concepts, or the error it raised

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
            entries = [(label, iri or None, *flags) for label, iri, *flags in self.labels[vocab]]
            roots = frozenset(iri for iri, c in self.concepts.items() if c["vocab"] == "data" and not c["parents"])
            self._matchers[vocab] = _Matcher(entries, skip, compound=vocab == "data", umbrella=roots)
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
        # each call scans every label; an extractor resolves the same few terms for every document
        got = self._resolved.get(term)
        if got is None:
            try:
                got = tuple(self._resolve(term))
            except UnknownTermError as exc:
                got = exc
            if len(self._resolved) > 4096:
                self._resolved.clear()
            self._resolved[term] = got
        if isinstance(got, UnknownTermError):
            raise UnknownTermError(got.term, list(got.suggestions))
        return list(got)

    def _resolve(self, term: str) -> list[Concept]:
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
        for label, iri, *_ in self.labels["data"]:
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
            for label, iri, *_ in self.labels["data"]:
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
