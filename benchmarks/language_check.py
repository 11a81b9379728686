"""Accuracy and speed of the language detector and the not-a-policy check (policyflows.ingest.language).

    .venv/bin/python benchmarks/language_check.py

Real text only: GnuPG's translated help files (/usr/share/gnupg/help.LANG.txt, Debian's
gnupg-l10n), whole and paragraph by paragraph (25 words or more); every policy in ../shared
(must read as English, without a warning); licences (must be warned about as no policy).
Speed is CPU time per call on the 115 OPP-115 policies' cleaned text.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from policyflows.ingest import iter_policy_files, read
from policyflows.ingest.language import detect_language, warnings_for

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GNUPG = Path("/usr/share/gnupg")
# help files that hold GnuPG's English text, not a translation
UNTRANSLATED = {"be", "ca", "cs", "da", "el", "eo", "et", "gl", "nb", "sv"}
LICENCES = [Path("/usr/share/common-licenses") / n for n in ("GPL-3", "Apache-2.0", "LGPL-2.1", "MPL-2.0", "Artistic")]


def main() -> None:
    files = sorted(GNUPG.glob("help.*.txt"))
    whole = Counter()
    paragraphs = Counter()
    wrong: Counter = Counter()
    for path in files:
        lang = path.name.split(".")[1]
        expected = "en" if lang in UNTRANSLATED else lang.split("_")[0]
        text = path.read_text(encoding="utf-8")
        whole["files"] += 1
        whole["right"] += detect_language(text) == expected
        if expected == "en":
            continue
        for block in re.split(r"\n\.\s*\n", text):
            body = " ".join(line for line in block.splitlines() if not line.startswith(("#", ".")))
            if len(body.split()) < 25:
                continue
            got = detect_language(body)
            paragraphs["all"] += 1
            paragraphs["right"] += got == expected
            paragraphs["unsure"] += got is None
            if got not in (None, expected):
                wrong[f"{expected}->{got}"] += 1
    print(f"GnuPG help files, whole:   {whole['right']}/{whole['files']} right")
    print(f"  paragraphs (>= 25 words): {paragraphs['right']}/{paragraphs['all']} right "
          f"({paragraphs['right'] / max(1, paragraphs['all']):.0%}), {paragraphs['unsure']} unsure, "
          f"{sum(wrong.values())} wrong {dict(wrong)}")
    docs = [read(p) for p in iter_policy_files([SHARED / "policies", SHARED / "corpus"])]
    english = sum(d.language == "en" for d in docs)
    warned = [d.policy for d in docs if d.warnings]
    print(f"policies in ../shared:     {english}/{len(docs)} read as English; warned about: {warned}")
    licences = [p for p in LICENCES if p.is_file()]
    flagged = sum(any("privacy policy" in w for w in warnings_for(p.read_text(encoding="utf-8"))[1]) for p in licences)
    print(f"licences:                  {flagged}/{len(licences)} warned about as no policy")
    opp = [d.text for d in docs if "opp115" in (d.source.path or "")]
    start = time.process_time()
    for _ in range(3):
        for text in opp:
            warnings_for(text)
    per_call = (time.process_time() - start) / (3 * len(opp))
    print(f"speed:                     {per_call * 1000:.2f} ms CPU per policy (language + not-a-policy), "
          f"{len(opp)} OPP-115 policies")


if __name__ == "__main__":
    main()
