"""What language a text reads as, and whether it reads as a privacy policy (rules: ingest/languages.yaml).

    >>> detect_language("Wir erheben Ihre Daten nur, wenn Sie uns dafür die Einwilligung geben ...")  # doctest: +SKIP
    'de'

A small detector of our own, not a library's model: letters of their own script (Hangul, Kana,
Han, Cyrillic, Greek, Arabic …) decide first; Latin-script text goes to the language whose
function words ("der die und", "le la et les") make up most of its words. It answers None when
unsure (too few words, no language far enough ahead). Both checks read only the first
``sample_characters`` of the text.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from policyflows.ingest import rules

_WORD = re.compile(r"[^\W\d_]+")
# Letters outside Latin (Basic to Extended-B): when they are few, no script of its own is looked for.
_NOT_LATIN = re.compile(r"[^\W\d_\x00-\u024f]")


@dataclass(frozen=True)
class _Rules:
    min_words: int
    sample: int
    min_share: float
    min_lead: float
    script_share: float
    kana_share: float
    scripts: tuple            # (code, compiled character class)
    names: dict
    words: dict               # code -> frozenset of function words
    languages_of: dict        # function word -> the codes whose list holds it
    cyrillic: tuple           # codes whose word lists refine a Cyrillic text
    policy_words: frozenset
    min_policy_rate: float
    min_policy_length: int


@cache
def _rules() -> _Rules:
    data = rules.load("languages")
    scripts = tuple((s["code"], re.compile("[" + "".join(s["ranges"]) + "]")) for s in data["scripts"])
    words = {code: frozenset(ws.lower().split()) for code, ws in data["function_words"].items()}
    languages_of: dict[str, tuple] = {}
    for code, ws in words.items():
        for w in ws:
            languages_of[w] = languages_of.get(w, ()) + (code,)
    cyrillic_letter = next(p for c, p in scripts if c == "ru")
    cyrillic = tuple(c for c, ws in words.items() if any(cyrillic_letter.match(w) for w in ws))
    return _Rules(data["min_words"], data["sample_characters"], data["min_share"], data["min_lead"],
                  data["script_share"], data["kana_share"], scripts, dict(data["names"]), words, languages_of, cyrillic,
                  frozenset(data["policy_words"].lower().split()), data["min_policy_words_per_1000"], data["min_policy_length"])


def language_name(code: str) -> str:
    """"de" → "German" (the code itself when the rules do not name it)."""
    return _rules().names.get(code, code)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` reads as, or None when unsure."""
    r = _rules()
    sample, words = _sample_words(text, r)
    return _language(sample, words, r)


def _sample_words(text: str, r: _Rules) -> tuple[str, list[str]]:
    sample = text[:r.sample]
    return sample, _WORD.findall(sample.lower())


def _language(sample: str, words: list[str], r: _Rules) -> str | None:
    letters = sum(map(len, words))
    if not letters:
        return None
    if len(_NOT_LATIN.findall(sample)) >= r.kana_share * letters:
        for code, letter in r.scripts:
            share = len(letter.findall(sample)) / letters
            if share >= (r.kana_share if code == "ja" else r.script_share):
                if code == "ru":  # Cyrillic: Russian, Ukrainian or Bulgarian by their function words
                    return _best(words, r, r.cyrillic) or code
                return code
    if len(words) < r.min_words:
        return None
    return _best(words, r, [c for c in r.words if c not in r.cyrillic])


def _best(words: list[str], r: _Rules, codes) -> str | None:
    """The language whose function words cover most of ``words``, when far enough ahead of the next."""
    counts = dict.fromkeys(codes, 0)
    for word, n in Counter(words).items():
        for code in r.languages_of.get(word, ()):
            if code in counts:
                counts[code] += n
    ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or not words:
        return None
    (best, top), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0)
    if top / len(words) < r.min_share or top < r.min_lead * runner_up:
        return None
    return best


def policy_word_rate(text: str) -> tuple[int, float]:
    """(words, policy words per 1,000 words) of the text's first ``sample_characters``."""
    r = _rules()
    _sample, words = _sample_words(text, r)
    return len(words), _rate(words, r)


def _rate(words: list[str], r: _Rules) -> float:
    if not words:
        return 0.0
    return 1000 * sum(n for w, n in Counter(words).items() if w in r.policy_words) / len(words)


def warnings_for(text: str) -> tuple[str | None, list[str]]:
    """The language of ``text`` and the warnings a reader should see: not English, not a policy."""
    r = _rules()
    sample, words = _sample_words(text, r)
    language = _language(sample, words, r)
    if language is not None and language != "en":
        return language, [f"reads as {language_name(language)} ({language}), not English: the reading rules are "
                          "English, so few or no statements will be found"]
    warnings: list[str] = []
    if language is None and len(words) >= r.min_words:
        warnings.append("its language is unclear (not plainly English): statements may be missed")
    if len(words) < r.min_policy_length:
        warnings.append(f"holds only {len(words)} words: a cookie banner, an error page or a page whose policy "
                        "did not load, not a privacy policy")
    else:
        rate = _rate(words, r)
        if rate < r.min_policy_rate and len(text) > len(sample):
            rate = _rate(_WORD.findall(text.lower()), r)  # a policy after a long agreement: read it all
        if rate < r.min_policy_rate:
            warnings.append(f"does not read as a privacy policy ({rate:.0f} data-practice words per 1,000, "
                            f"policies have {r.min_policy_rate:.0f} or more): an article, a licence or another page?")
    return language, warnings
