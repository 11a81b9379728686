"""The ``policyflows`` command: thin commands over the library, one module per command family.

Commands are imported on first use, so ``policyflows --help`` and a single command start fast.
A library exception (policyflows.errors) becomes one ``Error: …`` line and exit status 2.
"""
from __future__ import annotations

import importlib
import sys

import click

from policyflows.errors import PolicyflowsError

# name -> "module:attribute"; each module holds one command family.
COMMANDS = {
    "read": "policyflows.cli.read_cmd:read",
    "statements": "policyflows.cli.extract_cmd:statements",
    "build": "policyflows.cli.store_cmd:build",
    "where": "policyflows.cli.store_cmd:where",
    "policies": "policyflows.cli.store_cmd:policies",
    "query": "policyflows.cli.query_cmd:query",
    "sparql": "policyflows.cli.query_cmd:sparql",
    "export": "policyflows.cli.store_cmd:export",
    "push": "policyflows.cli.store_cmd:push",
    "serve": "policyflows.cli.serve_cmd:serve",
    "map": "policyflows.cli.map_cmd:map_command",
    "ontology": "policyflows.cli.ontology_cmd:ontology",
}

# Short help for the command list, so `policyflows --help` need not import every module.
SUMMARIES = {
    "read": "Show what the tool read from one policy file: clean text, sections, sentences.",
    "statements": "Show the data-practice statements extracted from one policy file.",
    "build": "Read, extract and load policies into the store.",
    "where": "Where does this kind of data flow? (the main question)",
    "policies": "List the policies in the store.",
    "query": "Run a named query from the query library.",
    "sparql": "Run your own SPARQL query on the store.",
    "export": "Write the store (or some policies) as N-Quads, TriG, Turtle or JSON-LD.",
    "push": "Load the graphs into another SPARQL Graph Store Protocol server.",
    "serve": "Serve the store as a read-only SPARQL 1.1 endpoint.",
    "map": "Draw an interactive HTML flow map.",
    "ontology": "Inspect and check the ontology (counts, consistency, SHACL).",
}

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None  # that command family is not there yet
        return getattr(module, attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, SUMMARIES.get(name, "")) for name in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="policyflows")
def cli():
    """Map privacy policies into a knowledge graph of personal-data flows, and ask where data goes.

    \b
    A first session:
      policyflows build ../shared/policies          # read, extract, store
      policyflows where video --format table         # where does video go?
      policyflows policies                           # what is in the store
      policyflows map video -o video.html            # the same, as a picture

    The store defaults to $POLICYFLOWS_STORE, else ~/.local/share/policyflows/store
    (or $XDG_DATA_HOME/policyflows/store); every command that uses it takes --store DIR.
    """


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="policyflows", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except PolicyflowsError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
