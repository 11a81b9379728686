"""Score extraction against the annotated sets in one process (what ../shared/tools/score_types.py does).

    .venv/bin/python benchmarks/score.py opp115 [--limit N] [--disable NAME ...] [--json OUT] [--show-misses K]
    .venv/bin/python benchmarks/score.py app350 [--limit N] [--disable NAME ...]

score_types.py runs `policyflows statements FILE --format json` once per file, so each of its runs
pays ~100 interpreter starts and lexicon loads (~40 s). This script imports the same scorer and
replaces only its one call of the command by the same reading and extraction done in this
process, so its figures are the scorer's own, in a few seconds. `--disable` switches extraction
components off, as `policyflows statements --disable` does (benchmarks/ablation.py uses it).
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCORER = REPO.parent / "shared" / "tools" / "score_types.py"


def load_scorer():
    spec = importlib.util.spec_from_file_location("score_types", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_process_statements(disable=()):
    """A drop-in for score_types.statements: the command's JSON statements, without a subprocess."""
    from policyflows.errors import PolicyflowsError
    from policyflows.extract import Extractor
    from policyflows.ingest import read

    extractor = Extractor(disable=tuple(disable)) if disable else Extractor()

    def statements(path: str):
        try:
            doc = read(path)
        except PolicyflowsError:
            return None
        return [json.loads(json.dumps(s.to_json())) for s in extractor.extract(doc)]
    return statements


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    disable = []
    while "--disable" in argv:
        i = argv.index("--disable")
        disable.extend(x for x in argv[i + 1].split(",") if x)
        del argv[i:i + 2]
    os.chdir(REPO)  # the scorer reads ontology/*.ttl from the working directory
    scorer = load_scorer()
    scorer.statements = in_process_statements(disable)
    sys.argv = [str(SCORER), *argv]
    return scorer.main()


if __name__ == "__main__":
    sys.exit(main())
