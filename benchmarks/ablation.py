"""What each extraction component earns: the scores with each one switched off in turn.

    .venv/bin/python benchmarks/ablation.py [--limit N] [--out docs/ablation.md]

Runs the scorer of ../shared/tools/score_types.py in this process (benchmarks/score.py) on OPP-115
and APP-350, once with every component and once with each component of
policyflows.extract.components.NAMES disabled — as `POLICYFLOWS_DISABLE=NAME` or
`policyflows statements FILE --disable NAME` would, which the scorer itself can run through
`POLICYFLOWS="policyflows statements --disable NAME"`-style wrappers. Prints a Markdown table of
F1 (and the change against all components) per set.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import score  # noqa: E402  (benchmarks/score.py)


def run(corpus: str, disable: tuple[str, ...], limit: int | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        args = [corpus, "--json", str(out)] + (["--limit", str(limit)] if limit else [])
        for name in disable:
            args += ["--disable", name]
        with contextlib.redirect_stdout(io.StringIO()):
            score.main(args)
        return json.loads(out.read_text())["results"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    from policyflows.extract.components import NAMES

    cwd = os.getcwd()
    rows = []
    for name in ("(none)", *NAMES):
        disable = () if name == "(none)" else (name,)
        opp, app = run("opp115", disable, args.limit), run("app350", disable, args.limit and args.limit * 20)
        rows.append((name, opp["collect"], opp["share"], app["labels"]))
        os.chdir(cwd)
    base = rows[0]
    lines = ["| disabled | opp115 collect P / R / F1 | Δ F1 | opp115 share P / R / F1 | Δ F1 | app350 P / R / F1 | Δ F1 |",
             "| --- | --- | ---: | --- | ---: | --- | ---: |"]
    for name, *cells in rows:
        out = [name]
        for cell, ref in zip(cells, base[1:]):
            out.append(f"{cell['precision']:.1%} / {cell['recall']:.1%} / {cell['f1']:.1%}")
            out.append("" if name == "(none)" else f"{(cell['f1'] - ref['f1']) * 100:+.1f}")
        lines.append("| " + " | ".join(out) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
