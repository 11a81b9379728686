"""Two policies in one picture: what both say, what only one says, what one rules out.

The flow map's columns (data → recipients → places), with one arrow per pair of boxes: dark
when both policies say it, in policy A's or B's colour when only one does, red with a bar when a
policy rules it out. Boxes only one policy has carry its letter, ``[A]`` or ``[B]``; the header
sums up the difference (:func:`policyflows.views.network.compare_policies`). Built from flows,
like every view, so it does not depend on the ``compare-policies`` query's SPARQL.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from markupsafe import Markup
from pyvis.network import Network

from policyflows.views import flowmap
from policyflows.views.mapmodel import MapNode, build_model, shared_or_alone
from policyflows.views.network import differences

BOTH_COLOUR = "#37474f"
# A ruled-out arrow is red in every map; in a comparison its pattern says whose rule it is
# (solid: both), as the legend's "dashed" and "dotted" lines show.
WILL_NOT_DASHES = ([10, 5], [2, 4])
LETTERS = ("A", "B")
SINGULAR = {"data categories": "data category", "recipients": "recipient", "places": "place"}
SHOWN_IN_SUMMARY = 4       # labels named in a line of the header (it must leave room for the map); the rest are counted


def compare_map(flows: Iterable[dict], policies: Iterable[dict], first: str, second: str, *,
                term: str | None = None, group: bool | None = None) -> Network:
    """A pyvis Network comparing policies ``first`` (A) and ``second`` (B).

    A policy with no flows (for ``term``) says nothing: everything is the other's.

    :raises ValueError: when the two are the same policy or neither has a flow.
    """
    if first == second:
        raise ValueError(f"compare two different policies, not {first} with itself")
    flows = [f for f in flows if f["policy"] in (first, second)]
    if not flows:
        raise ValueError(f"neither {first} nor {second} has a flow{f' of {term}' if term else ''}")
    diff = differences(flows, first, second)
    colours = {first: flowmap.POLICY_COLOURS[0], second: flowmap.POLICY_COLOURS[1]}
    letters = dict(zip((first, second), LETTERS))
    dashes = {"both": False, first: WILL_NOT_DASHES[0], second: WILL_NOT_DASHES[1]}
    palette = flowmap.Palette({"both": BOTH_COLOUR, **colours}, {"both": "both", **letters}, dashes)
    model = build_model(flows, series=shared_or_alone(first, second), group=group)
    tags = {p: (colours[p], letters[p]) for p in (first, second)}
    subject = f" about {term}" if term else ""
    title = f"What do {first} and {second} say{subject}?"
    series = [flowmap.line("both say it", colour=BOTH_COLOUR),
              *(flowmap.line(f"only {letters[p]} says it", colour=colours[p]) for p in (first, second)),
              flowmap.line("both rule it out", "willnot"),
              *(flowmap.line(f"only {letters[p]} rules it out", f"willnot {style}")
                for p, style in ((first, "dashed"), (second, "dotted")))]
    heading = Markup("").join([
        Markup("<h1>{}</h1>").format(f"Comparing two policies{subject}"),
        flowmap.policy_list(list(policies), [first, second], tags),
        _says(diff, first, second, tags),
        flowmap.legend(flows, "flow", palette, model, series_items=series),
    ])
    page = {"title": title, "heading": heading}

    def decorate(node: MapNode, style: dict) -> None:
        if len(node.policies) == 1:
            (policy,) = node.policies
            style["label"] = f"{style['label']} [{letters[policy]}]"
            style["color"] = {**style["color"], "border": colours[policy]}
            style["borderWidth"] = 3
        style["says"] = "both" if len(node.policies) == 2 else letters[next(iter(node.policies))]

    return flowmap.render(model, palette, page, decorate=decorate)


def write_compare(flows: Iterable[dict], policies: Iterable[dict], first: str, second: str,
                  path: str | Path, *, term: str | None = None, group: bool | None = None) -> Path:
    """Draw the comparison and write the page to ``path``; returns the path written."""
    return flowmap.write_page(compare_map(flows, policies, first, second, term=term, group=group), path)


def _says(diff: dict, first: str, second: str, tags: dict[str, tuple[str, str]]) -> Markup:
    """Three lines: what both say, what only A says, what only B says (with what each rules out)."""
    def tag(policy):
        return Markup("<span class='tag' style='background:{}'>{}</span>").format(*tags[policy])

    def part(name, values, shown=SHOWN_IN_SUMMARY):
        if not values:
            return None
        more = f" … +{len(values) - shown}" if len(values) > shown else ""
        name = name if len(values) > 1 else SINGULAR.get(name, name)
        return Markup("{} {} ({}{})").format(len(values), name, ", ".join(values[:shown]), more)

    both = [Markup("{} {}").format(len(diff[a]["both"]), name) for a, name in
            (("data", "data categories"), ("recipients", "recipients"), ("jurisdictions", "places"))]
    lines = [Markup("<p class='says'><b>Both say:</b> {}; both rule out {}</p>").format(
        Markup(" · ").join(both), len(diff["will_not"]["both"]))]
    for policy in (first, second):
        key = f"only_{policy}"
        parts = [p for p in (part("data categories", diff["data"][key]), part("recipients", diff["recipients"][key]),
                             part("places", diff["jurisdictions"][key])) if p]
        ruled = part("ruled out", diff["will_not"][key], shown=1)
        lines.append(Markup("<p class='says'>{} <b>only:</b> {}{}</p>").format(
            tag(policy), Markup(" · ").join(parts) or "nothing", Markup(" · {}").format(ruled) if ruled else ""))
    return Markup("").join(lines)
