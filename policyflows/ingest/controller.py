"""The controller: the organisation that speaks as "we" in a policy, by its fullest (legal) name.

Two ways to find it, by general cues of ingest/metadata.yaml (never by naming a company):

1. a name before a parenthetical that defines "we"/"us" or a short name
   (`Acme Widgets, Inc. ("Acme", "we")`, "hereinafter referred to as"): the policy says it;
2. otherwise the name the policy's own phrasing points at, each cue a record with a weight:
   "owned and operated by Acme Widgets, Inc.", "Acme values your privacy", "We are Acme, Inc.",
   "© 2015 Acme Widgets, Inc.", the contact block's "write to us at: Acme Widgets, Inc.", the
   title "Acme Privacy Policy". Votes for the same name add up; a name the policy also writes
   with a legal suffix ("Acme" → "Acme Widgets, Inc.") is given in that form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from policyflows.ingest import rules

_PARENTHETICAL = re.compile(r"\(([^()]{1,200})\)")
_QUOTED = re.compile(r"[\"“‘'](.+?)[\"”’']")
# "Acme Ltd, and its affiliates (“Acme”, “we” …)": the group words stand between name and definition.
# "Acme, Inc., a Delaware corporation, its parent and its subsidiaries (…)": descriptions as well.
_GROUP_TAIL = re.compile(r"(?:,?\s+(?:(?:and|together\s+with|along\s+with)\s+)?(?:its|their|our)\s+(?:\w+\s+){0,2}?"
                         r"(?:parent|affiliates?|affiliated\s+companies|subsidiar(?:y|ies)|companies|group|entities)"
                         r"(?:\s+\w+){0,3}?|,\s*an?\s+(?:[\w-]+\s+){0,4}?(?:company|corporation|partnership))+$",
                         re.IGNORECASE)
# How far into the text a company named with only its short name ("Acme Inc. (“Acme”)") is taken
# to be the policy's own: policies introduce themselves first, and name others later.
_INTRODUCTION = 3000
_QUALIFIED = re.compile(r"\s+(?:members?|certified|seals?|programs?|networks?|participants?|partners?|"
                        r"products?|services?|sites?|websites?|technolog(?:y|ies)|users?|customers?|accounts?)\b")
_SENTENCE_START = re.compile(r"(?:[.!?]\s+|\n)(?=\S)")
_LEADING_WORDS = re.compile(r"^(?:collectively|together|hereinafter|jointly|individually|the)\b[,\s]*", re.IGNORECASE)
# A cue's name may not run across a line: the cleaned text puts each block on its own line.
_NAME_REACH = 120
# Later in the text a cue counts for less: the policy introduces itself at the top (and others later).
_EARLY = 4000
# Only the head and the tail are searched for cues: the middle of a long policy describes practices
# (and the third parties they involve), not who the policy belongs to.
_HEAD = 8000
_TAIL = 4000
_LATE_WEIGHT = 0.5
# A contact block's lines: the cue's own line, a label line, the blank lines between.
_CONTACT_LINES = 5
# Abbreviations that stand inside a name ("Acme Bros. Studios"): their full stop ends no sentence.
_NAME_ABBREVIATIONS = frozenset({"bros", "corp", "intl", "assn", "mfrs", "natl", "univ", "dept"})
# Fewer votes than this is no answer: one passing mention ("© Acme") does not make a controller.
_MIN_VOTES = 1.0


@dataclass(frozen=True)
class _Cue:
    """A phrase that points at the controller's name, which stands right after it or right before it."""

    id: str
    weight: int
    phrase: re.Pattern
    name_after: bool
    not_after: tuple = ()


@dataclass(frozen=True)
class _Rules:
    suffix_end: re.Pattern      # a legal suffix ending a name
    organisation_end: re.Pattern  # a legal suffix or an organisation word ("College") ending a name
    through_suffix: re.Pattern  # a name up to its legal suffix(es): what follows is not the name
    name_before: re.Pattern     # a name ending at the end of a string
    name_after: re.Pattern      # a name starting at the start of a string
    legal_suffix: re.Pattern    # a legal suffix after a name (", Inc.", " GmbH"): found first, the name then read back
    stoplist: frozenset
    selves: frozenset
    generic: re.Pattern
    cues: tuple
    title_cue: re.Pattern


@cache
def _rules() -> _Rules:
    data = rules.load("metadata")
    suffix = "(?:" + "|".join(data["legal_suffixes"]) + r")(?![\w])"
    token = r"(?:[A-Z0-9][\w&'’.\-]*|[a-z][\w\-]*\.(?:com|org|net|edu|gov|io|co)\b|\([A-Z][^()]{0,40}\)|&)"
    joint = r"(?:,?[ \t]+(?={suffix})|[ \t]+(?:(?:of|for|and|the|de|du|des|di)[ \t]+){{0,2}})".format(suffix=suffix)
    name = rf"(?:{token}{joint})*{token}"
    stoplist = frozenset(w.lower() for w in data["name_stoplist"])
    generic = re.compile(r"(?:^|\s)(?:" + "|".join(map(re.escape, data["generic_terms"])) + r")$", re.IGNORECASE)
    # The phrases are written in lower case and matched on the lower-cased text (IGNORECASE is slow).
    cues = tuple(_Cue(c["id"], int(c["weight"]), re.compile(c["phrase"]), c["name"] == "after",
                      tuple(c.get("not_after") or ()))
                 for c in data["controller_cues"])
    organisation = "(?:" + "|".join(map(re.escape, data["organisation_words"])) + r")$"
    return _Rules(suffix_end=re.compile(suffix + r"\.?$"), organisation_end=re.compile(f"(?:{suffix}\\.?|{organisation})$"),
                  through_suffix=re.compile(rf"^.*?\s{suffix}\.?(?:,?\s+{suffix}\.?)*"),
                  name_before=re.compile(rf"({name})\s*$"),
                  name_after=re.compile(rf"^(?:the[ \t]+)?({name})"),
                  legal_suffix=re.compile(rf",?[ \t]+{suffix}\.?(?:,?[ \t]+{suffix}\.?)*"),
                  stoplist=stoplist, selves=frozenset(data["self_references"]), generic=generic, cues=cues,
                  title_cue=re.compile(data["controller_title_cue"], re.IGNORECASE))


def find_controller(text: str, title: str | None = None) -> tuple[str | None, list[str]]:
    """The controller's name and the short names the policy uses for it (see the module's doc)."""
    name, aliases = _defined(text)
    if name is None:
        name = _pointed_at(text, title)
        aliases = []
    if name is None:
        return None, []
    return name, aliases or _short_names(name, text)


# --- 1. a name the policy defines ------------------------------------------------------------

def _defined(text: str) -> tuple[str | None, list[str]]:
    best: tuple[int, int, str, list[str]] | None = None
    for paren in _PARENTHETICAL.finditer(text):
        found = _candidate(text, paren)
        if found and (best is None or found[0] > best[0]):
            best = (found[0], paren.start(), found[1], found[2])
    if best is None:
        return None, []
    return best[2], best[3]


def _candidate(text: str, paren: re.Match) -> tuple[int, str, list[str]] | None:
    r = _rules()
    inner = paren.group(1)
    quoted = [q.strip(" ,;.") for q in _QUOTED.findall(inner)] or _bare_alias(inner)
    defines_self = any(q.lower() in r.selves for q in quoted)
    lowered = inner.lower()
    hereinafter = any(cue in lowered for cue in ("hereinafter", "referred to as", "collectively"))
    # 'Acme Labs, Inc. ("Acme") sells …' at the top of a policy introduces the company too.
    introduces = len(quoted) == 1 and paren.start() < _INTRODUCTION
    if not (defines_self or (hereinafter or introduces) and quoted):
        return None
    before = text[max(0, paren.start() - 160):paren.start()].rstrip().rstrip("[]").rstrip()
    before = _GROUP_TAIL.sub("", before.rsplit("\n", 1)[-1])  # a name does not cross a line
    match = r.name_before.search(before)
    name = _trim_name(match.group(1).split()) if match else ""
    if "collectively" in lowered or not (name and r.suffix_end.search(name)):
        # "Acme, Inc. and its operating entity Acme Pay, LLC (collectively …)", "Acme Media, Inc.,
        # including … and acme.com (collectively …)": the first legal name of the sentence leads.
        name = _first_legal_name(text, paren.start()) or name
    if not name or not (defines_self or r.organisation_end.search(name)):
        return None  # "(collectively, the “Sites”)" defines something else than a company
    score = 2 * bool(r.organisation_end.search(name)) + 2 * defines_self + hereinafter
    aliases = [q for q in quoted if q.lower() not in r.selves and len(q) <= 40 and q[:1].isalnum()
               and not r.generic.search(q)]
    return score, name, aliases


def _first_legal_name(text: str, end: int) -> str | None:
    """The first name with a legal suffix in the sentence that ends at ``end``."""
    start = max(0, end - 400)
    window = text[start:end]
    edges = list(_SENTENCE_START.finditer(window))
    sentence = window[edges[-1].end():] if edges else window
    return next((name for _at, name in _legal_names(sentence)), None)


def _bare_alias(inner: str) -> list[str]:
    """"Acme Motor Co., Inc. (Acme) is …", "(collectively, Acme)", "(ACME or we)": unquoted short names."""
    selves = _rules().selves
    found = []
    for piece in re.split(r",|\bor\b|\band\b", _LEADING_WORDS.sub("", inner.strip())):
        words = _LEADING_WORDS.sub("", piece.strip()).split()
        if len(words) == 1 and words[0].lower() in selves:
            found.append(words[0])
        elif 1 <= len(words) <= 4 and all(w[:1].isupper() or w[:1].isdigit() for w in words):
            found.append(" ".join(words))
    return found if any(f[:1].isupper() for f in found) or len(found) > 1 else []


def _trim_name(words: list[str]) -> str:
    """The name alone: not the sentence words before it ("… Privacy Policy The Motley Fool, LLC"), years
    or ©, nor what follows its legal suffix or a number (an address: "Acme, Inc. 12 Main Street")."""
    r = _rules()
    words = _before_number(words)
    through = r.through_suffix.match(" ".join(words))
    if through:
        words = through.group(0).split()
    # A stop word is a capitalised sentence word ("Privacy", "Our"); "of" inside a name is not one.
    last_stop = max((n for n, w in enumerate(words) if w[:1].isupper() and w.strip(",.:").lower() in r.stoplist
                     and not (n == 0 and w == "The" and len(words) > 1)), default=-1)
    words = words[last_stop + 1:]
    while words and (words[0].strip(",©").isdigit() or words[0] in ("&", "©", "to", "of", "for", "and", "by")
                     or (words[0] == "the" and len(words) > 1)):
        words = words[1:]
    while words and words[-1].lower() in ("and", "of", "for", "the", "&"):
        words = words[:-1]
    if not words or (len(words) == 1 and words[0] == "The"):
        return ""
    name = " ".join(words).rstrip(",:;")
    name = re.sub(r"\s+\([^()]*\)$", "", name)  # "Acme Center (ACM)": the short name is not part of it
    return re.sub(r"(?:'s|’s)$", "", name)


def _before_number(words: list[str]) -> list[str]:
    """Words up to an address number or a sentence's end ("Coordinator. No …"); a leading year stays."""
    for n, word in enumerate(words):
        if n and word.strip(",.").isdigit():
            return words[:n]
        stem = word[:-1]
        if (n + 1 < len(words) and word.endswith(".") and stem.isalpha() and len(stem) >= 4
                and stem.lower() not in _NAME_ABBREVIATIONS and not _rules().suffix_end.search(word)):
            return words[:n] + [stem]
    return words


# --- 2. a name the policy's phrasing points at -------------------------------------------------

def _pointed_at(text: str, title: str | None) -> str | None:
    r = _rules()
    votes: dict[str, float] = {}
    forms: dict[str, str] = {}
    acronyms = _acronyms(text)

    def vote(name: str, weight: float) -> None:
        key = _key(name)
        if key in acronyms:  # "AAAS" stands for "American Association for the Advancement of Science"
            name = acronyms[key]
            key = _key(name)
        if key:
            votes[key] = votes.get(key, 0.0) + weight
            forms.setdefault(key, name)

    lowered = text.lower()
    for cue in r.cues:
        for position, name in _cue_names(text, cue, lowered):
            vote(name, cue.weight * (1.0 if position < _EARLY else _LATE_WEIGHT))
    # A name written with its legal suffix is an organisation's: each time counts a little.
    for at, name in _legal_names(text, regions=True):
        vote(name, 0.5 if at < _EARLY else 0.3)
    if title:
        match = r.title_cue.search(title)
        if match:
            vote(_trim_name(match.group("name").split()), 1.5)
    if not votes:
        return None
    _merge_short_forms(votes, forms)
    key = max(votes, key=lambda k: (votes[k], len(k)))  # a tie goes to the fuller name
    if votes[key] < _MIN_VOTES:
        return None
    return _legal_form(forms[key], text)


def _in_regions(pattern: re.Pattern, text: str):
    """Matches in the head and the tail of the text: where a policy introduces itself and signs."""
    if len(text) <= _HEAD + _TAIL:
        yield from pattern.finditer(text)
        return
    yield from pattern.finditer(text, 0, _HEAD)
    yield from pattern.finditer(text, len(text) - _TAIL)


def _merge_short_forms(votes: dict[str, float], forms: dict[str, str]) -> None:
    """Votes for "Acme" go to "Acme Media, Inc." when the policy writes it so: one company, two forms."""
    r = _rules()
    for key in sorted(votes, key=len):
        longer = [k for k in votes if k.startswith(key + " ") and r.suffix_end.search(forms[k])]
        # "the Bank", "the Center": a policy's word for itself, standing for its full name.
        if not longer and " " not in key and r.organisation_end.search(forms[key].split()[-1]):
            longer = [k for k in votes if k != key and key in k.split()]
        if longer and not r.suffix_end.search(forms[key]):
            target = max(longer, key=lambda k: votes[k])
            votes[target] += votes.pop(key)


def _acronyms(text: str) -> dict[str, str]:
    """Short names the policy defines by their initials: "Acme Museum Center (AMC)" → {"amc": …}."""
    found: dict[str, str] = {}
    r = _rules()
    for paren in re.finditer(r"\((?:the\s+)?[“\"]?([A-Z]{2,7})[”\"]?(?:\s+or\s+\w+)?\)", text, re.IGNORECASE):
        acronym = paren.group(1)
        if not acronym.isupper():
            continue
        head = text[max(0, paren.start() - 160):paren.start()].rsplit("\n", 1)[-1].rstrip()
        match = r.name_before.search(re.sub(r"(?:'s|’s)$", "", head))
        if not match:
            continue
        words = match.group(1).split()
        capitals = [w for w in words if w[:1].isupper()]
        for n in range(len(capitals)):
            if "".join(w[0] for w in capitals[n:]).upper() == acronym.upper():
                start = words.index(capitals[n])
                found.setdefault(acronym.lower(), " ".join(words[start:]))
                break
    return found


def _cue_names(text: str, cue: _Cue, lowered: str | None = None):
    """(position, name) for every place the cue's phrase points at a name.

    ``lowered`` is ``text.lower()`` (given once for all cues); it must have the same offsets.
    """
    r = _rules()
    if lowered is None or len(lowered) != len(text):
        lowered = text.lower() if len(text.lower()) == len(text) else None
    phrase = cue.phrase if lowered is not None else re.compile(cue.phrase.pattern, re.IGNORECASE)
    searched = lowered if lowered is not None else text
    for match in _in_regions(phrase, searched):
        start = match.start()
        if start and searched[start].isalnum() and searched[start - 1].isalnum():
            continue  # the phrase starts inside a word ("unowned by", "pre-published")
        if cue.not_after and searched[max(0, start - 12):start].lower().endswith(cue.not_after):
            continue
        if cue.name_after:
            # In a contact block the name may stand on the line after a label ("Privacy Officer").
            for rest in text[match.end():match.end() + 2 * _NAME_REACH].split("\n")[:_CONTACT_LINES]:
                found = r.name_after.search(rest.strip())
                name = _trim_name(found.group(1).split()) if found else ""
                if name:
                    if not _third_party(rest.strip()[found.end(1):]):
                        yield match.end(), name
                    break
                if rest.strip() and not found:
                    break
            continue
        head = text[max(0, match.start() - _NAME_REACH):match.start()].rsplit("\n", 1)[-1].rstrip(" \t.,")
        edges = list(_SENTENCE_START.finditer(head))
        head = head[edges[-1].end():] if edges else head
        found = r.name_before.search(head)
        # The name opens its sentence ("Acme respects your privacy", not "… data with Acme respects"),
        # or follows a run-in heading in capitals ("OUR COMMITMENT Acme respects …").
        if found and _only_heading_before(head[:found.start()]):
            yield match.start(), _trim_name(found.group(1).split())


def _only_heading_before(prefix: str) -> bool:
    """Words before the name that are a run-in heading in capitals ("OUR COMMITMENT Acme respects …")."""
    return all(w.isupper() or not w[:1].isalpha() for w in prefix.split())


def _third_party(rest: str) -> bool:
    """A name said to be a third party's ("… provided by Acme, a third-party vendor"), or a name that
    only qualifies a noun ("ad networks operated by Acme members", "We are Acme certified")."""
    return bool(re.match(r"\s*(?:,\s*)?(?:as\s+)?(?:a|an|the)\s+third[\s-]part", rest, re.IGNORECASE)
                or _QUALIFIED.match(rest))


def _key(name: str) -> str:
    """Votes for "Acme", "Acme, Inc." and "ACME Inc" are one: the name without suffix, in lower case."""
    r = _rules()
    if not name or r.generic.search(name) or name.lower() in r.selves:
        return ""
    words = r.suffix_end.sub("", name).strip(" ,").split()
    if words and words[0].lower() == "the":
        words = words[1:]
    if not words or all(w.lower() in r.stoplist for w in words):
        return ""
    return " ".join(words).lower()


def _legal_form(name: str, text: str) -> str:
    """The name as the policy writes it with a legal suffix, when it does ("Acme" → "Acme, Inc.")."""
    r = _rules()
    if r.suffix_end.search(name):
        return name
    key = _key(name)
    return next((candidate for _at, candidate in _legal_names(text) if _key(candidate) == key), name)


def _legal_names(text: str, regions: bool = False):
    """(position, name) of every name written with a legal suffix: the suffix is found, then the name before it.

    Finding the suffix first is fast (a few hundred places); a name pattern tried at every position is not.
    """
    r = _rules()
    suffixes = _in_regions(r.legal_suffix, text) if regions else r.legal_suffix.finditer(text)
    for suffix in suffixes:
        if suffix.end() < len(text) and (text[suffix.end()].isalnum() or text[suffix.end()] in "&'’"):
            continue
        head = text[max(0, suffix.start() - _NAME_REACH):suffix.start()].rsplit("\n", 1)[-1]
        found = r.name_before.search(head)
        if not found or found.end(1) != len(head):
            continue
        name = _trim_name((found.group(1) + suffix.group(0)).split())
        if name and r.suffix_end.search(name) and _key(name):
            yield suffix.start() - (len(head) - found.start(1)), name


def _short_names(name: str, text: str) -> list[str]:
    """The name's first word when the policy uses it alone as a name, else the name without its suffix.

    A word used as a name alone ("provided by Acme") appears capitalised without the rest of the
    name and never in lower case; a common word ("New York Times" → "new") does not qualify.
    """
    r = _rules()
    words = r.suffix_end.sub("", name).strip(" ,").split()
    if words and words[0].lower() == "the" and len(words) > 1:
        words = words[1:]
    if not words:
        return []
    first = words[0]
    alone = re.findall(rf"(?<![\w-]){re.escape(first)}(?![\w-])(?!\s+{re.escape(words[1])})" if len(words) > 1
                       else rf"(?<![\w-]){re.escape(first)}(?![\w-])", text)
    lower = re.search(rf"(?<![\w-]){re.escape(first.lower())}(?![\w-])", text) if first.lower() != first else None
    if first[0].isalnum() and first.lower() not in r.stoplist and len(alone) >= 2 and not lower:
        return [first] if first != name else []
    short = " ".join(words)
    return [short] if short != name else []
