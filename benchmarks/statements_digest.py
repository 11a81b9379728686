"""A digest of every statement extraction yields on the seeds, the OPP-115 and the IoT corpus.

    .venv/bin/python benchmarks/statements_digest.py [--out FILE] [--disable NAME ...]

Writes one line per policy: its id, its statement count and the SHA-256 of its `statements
--format json` statements, then the digest of them all. A refactor that must not change what is
read is proved by the same final line before and after (compare the files to see which policy
moved). --no-spans leaves out the word offsets of items (start, end, spans), which a change may
add on purpose, so that the rest can be proved unchanged.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def corpus_files() -> list[Path]:
    files = sorted((SHARED / "policies").glob("*.txt"))
    files += sorted((SHARED / "corpus" / "opp115").glob("*.html"))
    files += sorted((SHARED / "corpus" / "iot").glob("*.html"))
    return files


def _without_spans(obj):
    if isinstance(obj, dict):
        drop = {"start", "end", "spans"} if "spans" in obj else set()
        return {k: _without_spans(v) for k, v in obj.items() if k not in drop}
    if isinstance(obj, list):
        return [_without_spans(v) for v in obj]
    return obj


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--disable", action="append", default=[])
    ap.add_argument("--no-spans", action="store_true", help="leave the word offsets of items out of the digest")
    args = ap.parse_args(argv)
    from policyflows.extract import Extractor
    from policyflows.ingest import read

    extractor = Extractor(disable=tuple(args.disable)) if args.disable else Extractor()
    lines, total = [], hashlib.sha256()
    for path in corpus_files():
        doc = read(path)
        found = [s.to_json() for s in extractor.extract(doc)]
        if args.no_spans:
            found = [_without_spans(s) for s in found]
        blob = json.dumps(found, ensure_ascii=False, sort_keys=True).encode()
        digest = hashlib.sha256(blob).hexdigest()
        total.update(digest.encode())
        lines.append(f"{doc.policy}\t{len(found)}\t{digest}")
    lines.append(f"ALL\t{len(lines)} policies\t{total.hexdigest()}")
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text)
    print(lines[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
