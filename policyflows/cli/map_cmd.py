"""`policyflows map`: draw an interactive HTML flow map of the store's flows."""
from __future__ import annotations

import click

from policyflows.settings import default_store


@click.command(name="map")
@click.argument("term", required=False)
@click.option("--policy", "policies", multiple=True, metavar="ID",
              help="Only this policy; repeat to compare several on one map (default: every policy).")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="The store folder (default: $POLICYFLOWS_STORE or ~/.local/share/policyflows/store).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="The page to write (default: TERM-map.html, or flows-map.html, in this folder).")
@click.option("--view", type=click.Choice(["flow", "geo"]), default="flow", show_default=True,
              help="flow: columns data → recipients → places; geo: places on a world map.")
@click.option("--collapse", type=click.IntRange(min=0), default=None, metavar="DEPTH",
              help="Merge data categories into their ancestor DEPTH levels below personal information.")
@click.option("--top", type=click.IntRange(min=1), default=None, metavar="K",
              help="Keep only the K recipients that receive the most data categories.")
def map_command(term, policies, store_dir, output, view, collapse, top):
    """Draw where TERM's data flows as an interactive HTML page (all data when TERM is left out).

    The page works offline: open it in any browser; hover over an arrow to read the policy
    sentences behind it, click to keep them in the side panel. Dashed arrows are inferred
    flows; red arrows ending in a bar are flows the policy rules out ("will not"). Prints the
    path of the page written.

    \b
    Examples:
      policyflows map video                              # writes video-map.html
      policyflows map "phone number" --view geo -o phone.html
      policyflows map --policy POLICY-A --policy POLICY-B -o compare.html   # compare two
      policyflows map --collapse 2 --top 20              # a large corpus, summarised
    """
    from policyflows.store import FlowStore
    from policyflows.views import collapse_categories, default_filename, top_k, write_map

    with FlowStore.open(store_dir or default_store()) as store:
        known = store.policies()
        _check_policies(policies, known)
        flows = store.flows(term=term, policies=list(policies) or None)
    if collapse is not None:
        flows = collapse_categories(flows, depth=collapse)
    if top is not None:
        flows = top_k(flows, top, layer="recipient")
    path = write_map(flows, known, output or default_filename(term, view), view=view, term=term)
    click.echo(str(path))


def _check_policies(wanted, known) -> None:
    ids = {p["id"] for p in known}
    unknown = [p for p in wanted if p not in ids]
    if unknown:
        raise click.BadParameter(f"no policy {', '.join(unknown)} in the store; it holds: {', '.join(sorted(ids)) or 'nothing'}",
                                 param_hint="--policy")
