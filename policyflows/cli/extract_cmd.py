"""`policyflows statements`: what extraction understood in one policy file."""
from __future__ import annotations

import json
import os
import textwrap

import click

from policyflows.extract.components import NAMES


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True,
              help="json: the statements-json.md object; text: one readable block per statement.")
@click.option("--policy-id", help="Policy id to use instead of the file stem.")
@click.option("--disable", "disable", multiple=True, metavar="NAME",
              help="Switch an extraction component off (repeatable, or comma-separated), to see what it "
                   "contributes; also read from POLICYFLOWS_DISABLE. Names: " + ", ".join(NAMES) + ".")
def statements(file, fmt, policy_id, disable):
    """Show the data-practice statements extracted from one policy FILE, before any inference.

    Each statement is one practice (collect, use, store, share, transfer, sell, retain, delete)
    with its modality (will, may, will-not), data, recipients, purposes, places, conditions and
    retention, and the sentence that states it, with character offsets into the cleaned text
    that `policyflows read` shows.

    Every data, recipient, purpose and place item carries "start", "end" and "spans": the
    character offsets of the words that name it. "rule" says what made the statement: a rule
    of ingest/rules/, a component, or the practice model trained on annotated policies
    ("model:practice@1", ingest/models/practice.json), which also drops data items the rules
    read that annotators would not count; `--disable model` shows the rules alone.

    \b
    Examples:
      policyflows statements privacy-policy.html --format text
      policyflows statements privacy-policy.html --disable continuations,references
      policyflows statements privacy-policy.html --disable model
    """
    from policyflows.extract import Extractor
    from policyflows.ingest import read

    from policyflows.cli.warn import echo_warnings

    names = [n.strip() for d in (*disable, os.environ.get("POLICYFLOWS_DISABLE", "")) for n in d.split(",") if n.strip()]
    extractor = Extractor(disable=names)  # an unknown name is a one-line error, exit 2
    doc = read(file, policy_id=policy_id) if policy_id else read(file)
    echo_warnings(doc, file)
    found = extractor.extract(doc)
    if fmt == "json":
        click.echo(json.dumps({"schema": 1, "policy": doc.policy, "statements": [s.to_json() for s in found]},
                              ensure_ascii=False, indent=2))
        return
    for st in found:
        click.echo(_describe(st))


def _describe(st) -> str:
    who = ", ".join(f"{r.label} ({r.kind})" for r in st.recipients) or "—"
    lines = [
        f"{st.action.upper()} [{st.modality}] by {st.actor.label}: " + ", ".join(d.label for d in st.data),
        f"  to: {who}",
    ]
    if st.jurisdictions:
        lines.append("  where: " + ", ".join(f"{j.label} ({j.code})" for j in st.jurisdictions))
    if st.purposes:
        lines.append("  for: " + "; ".join(p.label for p in st.purposes))
    if st.conditions:
        lines.append("  if: " + "; ".join(st.conditions))
    if st.retention:
        lines.append(f"  kept: {st.retention}")
    if st.rule and st.rule.startswith("model:"):
        lines.append(f"  read by: {st.rule} (trained on annotated policies)")
    lines.append(textwrap.fill(f"“{st.evidence.text}” [{st.evidence.start}:{st.evidence.end}]", width=100,
                               initial_indent="  ", subsequent_indent="    "))
    return "\n".join(lines) + "\n"
