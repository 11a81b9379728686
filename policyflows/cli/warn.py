"""One place that shows a document's warnings (not English, not a policy) on stderr, for every command."""
from __future__ import annotations

import click


def echo_warnings(doc, label=None) -> None:
    """Print each of ``doc.warnings`` as ``warning: FILE: …`` on stderr; the command goes on."""
    where = label or doc.source.path or doc.policy
    for message in getattr(doc, "warnings", None) or []:
        click.echo(f"warning: {where}: {message}", err=True)
