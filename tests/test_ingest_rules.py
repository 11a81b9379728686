"""The reading rules in ingest/*.yaml load, have the keys the code reads, and hold what they should.

YAML 1.1 reads a bare `on` or `no` as a boolean: a word list must hold only strings.
"""
from __future__ import annotations

import re

import pytest

from policyflows.ingest import rules

EXPECTED = {
    "boilerplate": {"mojibake_residues", "invisible_characters", "html_drop_tags", "html_boilerplate_markers",
                    "html_boilerplate_roles"},
    "headings": {"caps_min_words", "caps_min_letters", "caps_line_max_words", "title_fragment_max_words",
                 "title_connectors", "bracketed_max_words", "numbered_title_max_words", "bullets"},
    "sentences": {"never_end", "maybe_end", "sentence_openers"},
    "metadata": {"legal_suffixes", "name_stoplist", "generic_terms", "self_references", "date_cues", "policy_words",
                 "governing_law_cues", "governing_law_window", "organisation_words", "controller_cues",
                 "controller_title_cue", "title_sentence_words"},
    "languages": {"min_words", "sample_characters", "min_share", "min_lead", "script_share", "scripts", "names",
                  "function_words", "policy_words", "min_policy_words_per_1000", "min_policy_length"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rule_file_has_its_keys_and_word_lists_hold_strings(name):
    data = rules.load(name)
    assert EXPECTED[name] <= set(data), EXPECTED[name] - set(data)
    for key, value in data.items():
        if isinstance(value, list) and value and not isinstance(value[0], dict):
            assert all(isinstance(v, str) and v for v in value), f"{name}.{key}: {value!r}"


def test_patterns_compile():
    for residue in rules.load("boilerplate")["mojibake_residues"]:
        re.compile(residue["pattern"])
    meta = rules.load("metadata")
    for pattern in [*meta["legal_suffixes"], *meta["governing_law_cues"], *(c["pattern"] for c in meta["date_cues"])]:
        re.compile(pattern)
    assert all(isinstance(c["weight"], int) for c in meta["date_cues"])
    # find_governing_law looks for "law(s) of" first: every cue must end there.
    assert all(re.search(r"laws\?\\s\+of$", cue) for cue in meta["governing_law_cues"]), meta["governing_law_cues"]
