"""`policyflows read`: show what the tool read from one policy file."""
from __future__ import annotations

import json

import click

from policyflows.cli.warn import echo_warnings
from policyflows.ingest import Document, read as read_policy


@click.command(name="read")
@click.argument("file", type=click.Path(path_type=str))  # read() reports a bad path in one line
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True,
              help="json: the object of ../shared/spec/statements-json.md; text: a readable outline.")
@click.option("--policy-id", default=None, help="Name the policy (default: the file name without its extension).")
def read(file, fmt, policy_id):
    """Show what the tool read from one policy FILE: clean text, sections, sentences, metadata.

    FILE may be plain text, Markdown, HTML or PDF; the content decides, not only the extension.
    Every sentence is given as character offsets into the cleaned text, the same offsets every
    fact in the graph cites.

    \b
    Examples:
      policyflows read privacy-policy.txt --format text
      policyflows read page.html | jq '.metadata'
      policyflows read policy.pdf | jq -r '.text as $t | .sentences[3] | $t[.start:.end]'

    A missing, empty or binary file prints one "Error: FILE: reason" line and exits with status 2.
    Text that reads as another language than English, or not as a privacy policy, is read all the
    same, with a "warning: FILE: …" line on stderr (and in the JSON's "warnings").
    """
    doc = read_policy(file, policy_id=policy_id)
    echo_warnings(doc, file)
    if fmt == "json":
        click.echo(json.dumps(doc.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(outline(doc))


def outline(doc: Document) -> str:
    """Metadata, then each section's title with its sentences, one a line."""
    meta = doc.metadata
    lines = [
        f"policy:         {doc.policy}",
        f"source:         {doc.source.path} ({doc.source.format}, sha256 {doc.source.sha256[:12]}…)",
        f"title:          {meta.title or '-'}",
        f"controller:     {meta.controller or '-'}" + (f"  (also: {', '.join(meta.controller_aliases)})" if meta.controller_aliases else ""),
        f"updated:        {meta.updated or '-'}",
        f"contacts:       {', '.join(meta.contacts) or '-'}",
        f"governing law:  {', '.join(meta.governing_law) or '-'}",
        f"language:       {doc.language or 'unsure'}",
        f"text:           {len(doc.text)} characters, {len(doc.sections)} sections, {len(doc.sentences)} sentences",
    ]
    current: object = object()
    for i, sentence in enumerate(doc.sentences):
        if sentence.section != current:
            current = sentence.section
            title = "(before the first heading)" if current is None else doc.sections[current].title
            lines += ["", f"## {title}"]
        lines.append(f"  [{i}] {sentence.start}-{sentence.end}  {doc.sentence_text(i)}")
    return "\n".join(lines)
