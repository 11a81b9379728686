"""`policyflows map`: draw an interactive HTML flow map of the store's flows, compare two
policies in one picture, draw a corpus as data categories × recipients with policies per cell
(``--corpus``), or export the flow graph as GraphML or GEXF for graph tools."""
from __future__ import annotations

import click

from policyflows.settings import HANDFUL, default_store

FORMATS = ("html", "graphml", "gexf")
LISTED_IDS = 8   # policy ids an error lists; a corpus holds thousands


@click.command(name="map")
@click.argument("term", required=False)
@click.option("--policy", "policies", multiple=True, metavar="ID",
              help="Only this policy; repeat for several on one map (default: every policy).")
@click.option("--compare", "compare", nargs=2, metavar="A B", default=None,
              help="Two policies in one picture: what both say, what only one says, what one rules out.")
@click.option("--corpus", is_flag=True,
              help="Many policies in one picture: data categories × recipient kinds (or places), each cell "
                   "the number of policies, a click away from their sentences; one small page per policy beside it.")
@click.option("--no-sheets", is_flag=True,
              help="With --corpus: only the table, no page per policy (a cell lists its policies without links; "
                   "about 20 s less at 1,000 policies).")
@click.option("--policy-maps", is_flag=True,
              help="With --corpus: also write each policy's own flow map beside the page (about 0.8 MB and "
                   "0.1 s per policy).")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="The store folder (default: $POLICYFLOWS_STORE or ~/.local/share/policyflows/store).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="The file to write (default: TERM-map.html, or flows-map.html, in this folder; "
                   "the suffix follows --format; with --corpus: corpus-map.html or TERM-corpus-map.html).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True,
              help="html: the interactive page; graphml or gexf: the flow graph for Gephi, Cytoscape, yEd.")
@click.option("--view", type=click.Choice(["flow", "geo"]), default="flow", show_default=True,
              help="flow: columns data → recipients → places; geo: places on a world map.")
@click.option("--expand", is_flag=True,
              help="Open on every category and recipient (by default a big map opens on groups).")
@click.option("--collapse", type=click.IntRange(min=0), default=None, metavar="DEPTH",
              help="Merge data categories into their ancestor DEPTH levels below personal information.")
@click.option("--top", type=click.IntRange(min=1), default=None, metavar="K",
              help="Keep only the K recipients that receive the most data categories.")
def map_command(term, policies, compare, corpus, no_sheets, policy_maps, store_dir, output, fmt, view, expand, collapse, top):
    """Draw where TERM's data flows as an interactive HTML page (all data when TERM is left out).

    The page works offline: open it in any browser. It opens fitted to the window; when there
    are more categories or recipients than fit, it opens on groups (▸): click one to open it.
    Click or hover over a box to follow its data; hover over an arrow to read the policy
    sentences behind it. Lighter dashed arrows are inferred flows; red arrows ending in a bar
    are flows the policy rules out ("will not"). Prints the path of the file written.

    \b
    Examples:
      policyflows map video                              # writes video-map.html
      policyflows map --compare POLICY-A POLICY-B        # two policies in one picture
      policyflows map --corpus -o corpus.html            # a corpus: categories × recipients, policies per cell
      policyflows map location --corpus                  # the same for one kind of data
      policyflows map --format gexf -o flows.gexf        # the flow graph, for Gephi
      policyflows map "phone number" --view geo -o phone.html
      policyflows map --collapse 2 --top 20              # fewer categories and recipients
    """
    from policyflows.store import FlowStore
    from policyflows.views import collapse_categories, default_filename, top_k

    if corpus:
        _check_corpus_options(compare=compare, fmt=fmt, view=view, expand=expand, collapse=collapse, top=top)
        if no_sheets and policy_maps:
            raise click.UsageError("--policy-maps are linked from the policy pages: leave out --no-sheets")
        return _corpus(term, policies, store_dir, output, sheets=not no_sheets, maps=policy_maps)
    if policy_maps or no_sheets:
        raise click.UsageError(f"{'--policy-maps' if policy_maps else '--no-sheets'} goes with --corpus")
    if compare and policies:
        raise click.UsageError("use --compare A B or --policy, not both")
    if compare and fmt != "html":
        raise click.UsageError("--compare draws a page: leave out --format, or export with --policy A --policy B")
    if compare and view != "flow":
        raise click.UsageError("--compare draws the flow view only")
    if compare and compare[0] == compare[1]:
        raise click.UsageError(f"--compare needs two different policies, not {compare[0]} twice")
    wanted = list(compare or policies)
    with FlowStore.open(store_dir or default_store()) as store:
        known = store.policies()
        _check_policies(wanted, known, "--compare" if compare else "--policy")
        flows = store.flows(term=term, policies=wanted or None)
    if collapse is not None:
        flows = collapse_categories(flows, depth=collapse)
    if top is not None:
        flows = top_k(flows, top, layer="recipient")
    path = output or default_filename(term, view, suffix=fmt)
    click.echo(str(_write(flows, known, path, fmt=fmt, view=view, term=term, compare=compare,
                          group=False if expand else None)))
    drawn = len({f["policy"] for f in flows})
    if fmt == "html" and not compare and drawn > HANDFUL:
        click.echo(f"Note: this map draws {drawn} policies; `policyflows map{_quoted(term)} --corpus` shows them as "
                   "data categories × recipients, the policies of each cell a click away.", err=True)


def _corpus(term, policies, store_dir, output, *, sheets: bool, maps: bool) -> None:
    from policyflows.store import FlowStore
    from policyflows.views import corpus_filename, write_corpus

    path = output or corpus_filename(term)
    with FlowStore.open(store_dir or default_store()) as store:
        _check_policies(list(policies), store.policies(), "--policy")
        written = write_corpus(store, path, term=term, policies=list(policies) or None, sheets=sheets, maps=maps,
                               progress=True)
    click.echo(str(written))


def _check_corpus_options(**given) -> None:
    clashes = {"compare": "--compare", "expand": "--expand", "collapse": "--collapse", "top": "--top"}
    for name, option in clashes.items():
        if given[name]:
            raise click.UsageError(f"--corpus draws its own picture: leave out {option}")
    if given["fmt"] != "html":
        raise click.UsageError("--corpus draws a page: leave out --format (graphml and gexf export the flow graph)")
    if given["view"] != "flow":
        raise click.UsageError("--corpus has no geo view: leave out --view")


def _quoted(term) -> str:
    if not term:
        return ""
    return f" {term}" if term.replace("-", "").isalnum() else f' "{term}"'


def _write(flows, known, path, *, fmt, view, term, compare, group):
    from policyflows.views import write_compare, write_graph, write_map

    try:
        if fmt != "html":
            return write_graph(flows, path, fmt)
        if compare:
            return write_compare(flows, known, *compare, path, term=term, group=group)
        return write_map(flows, known, path, view=view, term=term, group=group)
    except ValueError as exc:  # e.g. neither policy has a flow of TERM: bad input, nothing written
        error = click.ClickException(str(exc))
        error.exit_code = 2
        raise error from exc


def _check_policies(wanted, known, option) -> None:
    ids = {p["id"] for p in known}
    unknown = [p for p in wanted if p not in ids]
    if unknown:
        held = sorted(ids)
        listed = ", ".join(held[:LISTED_IDS]) + (f" … ({len(held)} in all; `policyflows policies` lists them)"
                                                 if len(held) > LISTED_IDS else "")
        raise click.BadParameter(f"no policy {', '.join(unknown)} in the store; it holds: {listed or 'nothing'}",
                                 param_hint=option)
