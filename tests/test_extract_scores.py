"""The measured recall on the annotated sets, held above floors (docs/extraction.md has the numbers).

Runs the scorer of ../shared/tools/score_types.py in this process (benchmarks/score.py: same
figures, no interpreter per file), on all 60 OPP-115 policies and all 2,817 APP-350 paragraphs.
A floor is the measured figure less about one point: a change that loses recall or precision
shows here, with the set and the figure it lost.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys

import pytest

from conftest import REPO, SHARED

SCORER = SHARED / "tools" / "score_types.py"
# (set, group): (precision, recall, F1) at least; main (d81a35c) measured 62.4/37.3/46.7, 56.0/18.7/28.0,
# 57.0/30.2/39.4; the rules alone (integ 8167192) 62.1/60.0/61.0, 57.0/30.8/40.0, 59.3/45.0/51.2. These are the
# scorer's figures with the practice model, which was trained on these very paragraphs: optimistic. The honest,
# cross-validated figures are held by tests/test_extract_model.py.
# The precision floors of share and app350 were lowered by 0.01 and 0.005 with the rules of an earlier stop, which
# traded a point of precision for two to three of recall (F1 +2.2, +0.8; cross-validated F1 +4.0, +1.0).
# 2026-12-02: the rules of this stop raised share to 81.0 / 49.9 / 61.7 (cross-validated 49.3 -> 56.1 F1, precision
# 71.1 -> 74.4), so its floors rise and its precision floor falls to 0.80; the model trained on them adds collection
# less readily (its add threshold, chosen by cross-validation as before, went from 0.66 to 0.72, as the folds' did),
# which costs APP-350's optimistic figure 1.3 F1 while its cross-validated one rose 62.8 -> 62.9: its floors fall.
# 2026-12-02, second session (the rules of 7d577b7 … 5b143b7 and the model retrained on them): share rose to
# 84.9 / 51.8 / 64.3 (cross-validated F1 56.1 -> 57.4), collect to 75.6 / 69.7 / 72.5 (cross-validated 67.3 -> 67.9);
# APP-350 fell to 77.0 / 56.0 / 64.9 (cross-validated 62.9 -> 62.5: the rules alone rose 53.6 -> 54.8, the model's
# collect thresholds, shared with OPP-115, did not follow).
# 2026-12-02, third session (the rules of a4747b0 … ec69c2d and the model retrained on them): collect rose to
# 78.0 / 71.2 / 74.4 (cross-validated 67.9 -> 69.1), APP-350 to 78.8 / 59.3 / 67.7 (cross-validated 62.5 -> 63.5);
# share's optimistic figure fell to 82.4 / 51.2 / 63.1 while its cross-validated one rose 57.4 -> 58.7 (the rules
# alone 56.8 -> 58.8): its floors fall.
# 2026-12-02, lexicon session (branch lex5: everyday phrasings of usage, browser, network and tracking data, plural
# possessives in labels; the model retrained on them): collect rose to 78.1 / 72.2 / 75.0 (cross-validated 69.1 ->
# 69.6, precision 72.5 -> 73.0), share to 80.4 / 52.6 / 63.6 (cross-validated 58.7 -> 58.9, precision 74.9 -> 75.0).
# The optimistic precision of share and APP-350 fell (82.4 -> 80.4, 78.8 -> 77.9; APP-350 F1 67.7 -> 67.3, its
# cross-validated F1 63.5 -> 63.4, precision 75.7 kept): the retrained model's share keep threshold, chosen by
# cross-validation as before, came out 0.42 (was 0.48; the five folds chose 0.44 to 0.50). With the old model the
# same lexicon scored 78.0 / 72.2 / 75.0, 83.2 / 51.8 / 63.8 and 78.8 / 59.4 / 67.7: the precision lost is the
# threshold's, not the vocabulary's. Their precision floors fall by 0.015 and 0.005.
# Merged with 6a030f6 (a participle that describes the object does not end it) and retrained: share keep threshold
# 0.44, share 81.5 / 52.6 / 63.9 (cross-validated 59.1, precision 75.3), APP-350 78.0 / 59.3 / 67.4 (cross-validated
# 63.7), collect 78.1 / 72.2 / 75.0 (cross-validated 69.6): share's floors rise again.
# Fifth session: "provide … to" a party reads a longer object ("your email address and browsing history"), and
# "we reserve the right to disclose …" is the company's practice (may), no longer a right of the person; retrained:
# collect 78.2 / 72.3 / 75.1, share 82.5 / 53.2 / 64.7 (cross-validated 59.4), APP-350 77.9 / 59.3 / 67.3. Then a
# disclaimer ("we are not responsible for how third parties use …") no longer rules a use out: collect precision 78.0.
# Sixth session: the person declining to give ("if you do not provide …") rules nothing out; a negated list ending in
# "authorize any third party to use" negates the use; "we and third parties that …" and "collected and used by …":
# retrained, cross-validated share 59.4 → 59.9 (precision 75.5) while the visible share's keep threshold dropped
# a little more (83.4 / 52.6 / 64.5). Then "information about you and your computer" names device information too:
# share 82.4 / 53.0 / 64.5, collect 77.8 / 72.7 / 75.2, APP-350 78.1 / 59.4 / 67.4 (cross-validated 69.8 / 59.8 /
# 63.7). Then "between the ages of", "the name of the domain / the app" name no data, and a passive's agent is
# found across the place it names ("collected from your device by …"): share 82.5 / 53.5 / 64.9, collect 78.3 /
# 72.9 / 75.5, APP-350 78.0 / 59.5 / 67.5 (cross-validated 70.0 / 59.9 / 63.8); share's floors are back where
# they were.
FLOORS = {
    ("opp115", "collect"): (0.775, 0.725, 0.75),  # measured 78.3 / 72.9 / 75.5
    ("opp115", "share"): (0.82, 0.53, 0.645),  # measured 82.5 / 53.5 / 64.9
    ("app350", "labels"): (0.775, 0.585, 0.67),  # measured 78.0 / 59.5 / 67.5
}


def _score(corpus, tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import score
    finally:
        sys.path.pop(0)
    out = tmp_path / f"{corpus}.json"
    cwd = os.getcwd()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            score.main([corpus, "--json", str(out)])
    finally:
        os.chdir(cwd)
    return json.loads(out.read_text())


@pytest.mark.skipif(not SCORER.exists(), reason="../shared/tools/score_types.py is not beside the checkout")
@pytest.mark.parametrize("corpus", ["opp115", "app350"])
def test_scores_on_the_annotated_sets_stay_above_their_floors(corpus, tmp_path):
    found = _score(corpus, tmp_path)
    assert found["failed"] == []
    for (name, group), (p, r, f1) in FLOORS.items():
        if name != corpus:
            continue
        got = found["results"][group]
        assert got["precision"] >= p and got["recall"] >= r and got["f1"] >= f1, \
            f"{corpus} {group}: P {got['precision']:.3f} R {got['recall']:.3f} F1 {got['f1']:.3f} below {p}/{r}/{f1}"
