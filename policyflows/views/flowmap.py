"""Interactive HTML flow maps drawn with pyvis: data category → recipient → place.

The page is self-contained and loads nothing from the network (vis-network inlined, no
bootstrap, a Content-Security-Policy that forbids fetches). Positions are computed here and
physics is off, so a map of thousands of nodes draws at once and looks the same every time.

Two views: ``flow`` puts data, recipients and places in three columns; ``geo`` keeps data and
recipients in columns and places jurisdictions by longitude and latitude over a world outline.

Policy text is untrusted: it reaches the page only as JSON inside scripts (``|tojson`` escapes
``<``, ``>`` and ``&``) and as markupsafe-escaped header HTML; vis-network shows string titles
as text, never as HTML.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from pyvis.network import Network

from policyflows.views import geo
from policyflows.views.network import KINDS, flow_graph, layer_nodes, summary

VIEWS = ("flow", "geo")

KIND_COLOURS = {
    "first-party": "#1565c0", "affiliate": "#00897b", "service-provider": "#558b2f",
    "third-party": "#ef6c00", "advertiser": "#8e24aa", "authority": "#6d4c41",
    "acquirer": "#c2185b", "public": "#f9a825", "user": "#546e7a",
}
KIND_NAMES = {
    "first-party": "first party", "affiliate": "affiliate", "service-provider": "service provider",
    "third-party": "third party", "advertiser": "advertiser", "authority": "authority",
    "acquirer": "acquirer", "public": "the public", "user": "the user",
}
MODALITY_COLOURS = {"will": "#37474f", "may": "#78909c", "will-not": "#d32f2f"}
# Edge colours when several policies share one map; will-not stays red whatever the policy.
POLICY_COLOURS = ("#1e88e5", "#8e24aa", "#00acc1", "#7cb342", "#6d4c41", "#fb8c00", "#3949ab", "#c0ca33")
DATA_STYLE = {"background": "#eceff1", "border": "#90a4ae"}
PLACE_STYLE = {"background": "#c8e6c9", "border": "#2e7d32"}

COLUMN_GAP = 520
ROW_GAP = 46
MAX_ROW_GAP = 3 * ROW_GAP
MAX_EVIDENCE = 6          # sentences in one hover text; the rest are counted
SMOOTH_EDGE_LIMIT = 800   # beyond this many edges curves cost more than they show
GEO_WIDTH = 1800.0        # the globe's width on the canvas in the geo view
TEMPLATE = "flowmap.html"


# ---------------------------------------------------------------------------------------------
# public API


def build_map(flows: Iterable[dict], policies: Iterable[dict] = (), *, view: str = "flow",
              term: str | None = None) -> Network:
    """A pyvis Network of the flows, laid out and styled, ready for :func:`map_html`."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}: expected one of {', '.join(VIEWS)}")
    flows = list(flows)
    graph = flow_graph(flows)
    policy_ids = sorted({f["policy"] for f in flows})
    positions = geo_layout(graph) if view == "geo" else column_layout(graph)
    edges = display_edges(graph, policy_ids)
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for node in graph.nodes:
        net.add_node(node, **_node_style(graph, node, positions[node]))
    for edge in edges:
        if len(edges) > SMOOTH_EDGE_LIMIT:  # on a big map curves cost more than they show
            edge.pop("smooth", None)
        net.add_edge(edge.pop("from"), edge.pop("to"), **edge)
    net.set_options(json.dumps(_vis_options(len(edges))))
    net.flowmap_page = _page(flows, list(policies), policy_ids, term, view)
    net.flowmap_backdrop = _backdrop(globe_width(column_layout(graph))) if view == "geo" else {"rings": []}
    return net


def map_html(net: Network) -> str:
    """The self-contained HTML page of a network made by :func:`build_map`."""
    env = Environment(loader=FileSystemLoader([str(Path(__file__).parent / "templates"),
                                               str(Path(net.template_dir))]),
                      autoescape=True)
    page = net.flowmap_page
    return env.get_template(TEMPLATE).render(
        nodes=net.nodes, edges=net.edges, options=json.dumps(net.options),
        heading=page["heading"], page=page, backdrop=net.flowmap_backdrop)


def write_map(flows: Iterable[dict], policies: Iterable[dict], path: str | Path, *, view: str = "flow",
              term: str | None = None) -> Path:
    """Draw the flows and write the page to ``path``; returns the path written.

    pyvis's ``write_html`` is not used because it writes in the locale's encoding; the page is
    UTF-8 whatever the machine.
    """
    path = Path(path)
    html = map_html(build_map(flows, policies, view=view, term=term))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def default_filename(term: str | None, view: str = "flow") -> str:
    """``video-map.html`` for a term, ``flows-map.html`` for everything; the geo view adds ``-geo``."""
    from policyflows.vocab import slug

    stem = slug(term) if term else "flows"
    return f"{stem}-map{'-geo' if view == 'geo' else ''}.html"


# ---------------------------------------------------------------------------------------------
# layout


KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


def column_layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """(x, y) for every node: three columns, recipients grouped by kind.

    Data and places are ordered by the mean row of the recipients they connect to, so arrows
    cross less; ties go by label. Shorter columns spread over the height of the tallest (up to
    a few rows apart) and columns move apart as they grow, so a big map stays readable in a
    wide window instead of becoming one thin stripe.
    """
    recipients = sorted(layer_nodes(graph, "recipient"),
                        key=lambda n: (KIND_ORDER.get(graph.nodes[n]["kind"], 99), graph.nodes[n]["label"].casefold()))
    row = {n: i for i, n in enumerate(recipients)}
    data = _by_barycentre(graph, layer_nodes(graph, "data"), row, graph.successors)
    places = _by_barycentre(graph, layer_nodes(graph, "jurisdiction"), row, graph.predecessors)
    columns = (data, recipients, places)
    height = (max(len(c) for c in columns) - 1) * ROW_GAP
    column_gap = max(COLUMN_GAP, 0.7 * height)
    positions = {}
    for i, column in enumerate(columns):
        positions.update(_column(column, i * column_gap, height))
    return positions


def _by_barycentre(graph, nodes, row, neighbours) -> list[str]:
    def centre(node):
        rows = [row[m] for m in neighbours(node) if m in row]
        return sum(rows) / len(rows) if rows else math.inf

    return sorted(nodes, key=lambda n: (centre(n), graph.nodes[n]["label"].casefold()))


def _column(nodes: list[str], x: float, height: float) -> dict[str, tuple[float, float]]:
    if len(nodes) < 2:
        return {n: (x, 0.0) for n in nodes}
    gap = min(height / (len(nodes) - 1), MAX_ROW_GAP)
    middle = (len(nodes) - 1) / 2
    return {n: (x, (i - middle) * gap) for i, n in enumerate(nodes)}


def geo_layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Data and recipients in columns left of a world map; places at their longitude and latitude.

    Places whose code no coordinate source knows go in a row under the map.
    """
    positions = column_layout(graph)
    width = globe_width(positions)
    recipient_x = max((positions[n][0] for n in layer_nodes(graph, "recipient")), default=0.0)
    shift = -width / 2 - 300 - recipient_x
    for node in graph.nodes:
        if graph.nodes[node]["layer"] != "jurisdiction":
            x, y = positions[node]
            positions[node] = (x + shift, y)
    unknown = []
    for node in layer_nodes(graph, "jurisdiction"):
        latlng = geo.coordinates(graph.nodes[node].get("code"))
        if latlng is None:
            unknown.append(node)
        else:
            positions[node] = geo.project(latlng, width)
    for i, node in enumerate(unknown):
        positions[node] = (-width / 2 + 40 + i * 160, width / 4 + 80)
    return positions


def globe_width(positions: dict[str, tuple[float, float]]) -> float:
    """How wide the world is drawn: wide enough to hold its own beside tall columns."""
    ys = [y for _, y in positions.values()] or [0.0]
    return max(GEO_WIDTH, 2.4 * (max(ys) - min(ys)))


def _backdrop(width: float) -> dict:
    scale = width / 360.0
    return {"rings": geo.world_outlines(), "x0": 0, "y0": 0, "scale": scale}


# ---------------------------------------------------------------------------------------------
# nodes


def _node_style(graph: nx.MultiDiGraph, node: str, position: tuple[float, float]) -> dict:
    attrs = graph.nodes[node]
    layer = attrs["layer"]
    style = {"label": _node_label(attrs), "title": node_title(graph, node), "x": position[0], "y": position[1],
             "physics": False, "layer": layer, "kind": attrs["kind"], "policies": attrs["policy"],
             "widthConstraint": {"maximum": 220}}
    if layer == "data":
        style.update(shape="box", color=DATA_STYLE, font={"color": "#263238"})
    elif layer == "recipient":
        colour = KIND_COLOURS.get(attrs["kind"], "#607d8b")
        style.update(shape="box", color={"background": colour, "border": colour}, font={"color": "#ffffff"})
    else:
        style.update(shape="ellipse", color=PLACE_STYLE, font={"color": "#1b5e20"})
    return style


def _node_label(attrs: dict) -> str:
    if attrs["layer"] == "jurisdiction" and attrs.get("code"):
        return f"{attrs['label']} ({attrs['code']})"
    return attrs["label"]


def node_title(graph: nx.MultiDiGraph, node: str) -> str:
    """Hover text of a node: what it is, in which policies, and what flows through it."""
    attrs = graph.nodes[node]
    lines = [_node_label(attrs), _node_role(attrs), "policies: " + ", ".join(attrs["policy"])]
    incoming = sorted({graph.nodes[u]["label"] for u, _ in graph.in_edges(node)})
    outgoing = sorted({graph.nodes[v]["label"] for _, v in graph.out_edges(node)})
    if attrs["layer"] == "data" and outgoing:
        lines.append(f"goes to ({len(outgoing)}): " + ", ".join(outgoing))
    if attrs["layer"] == "recipient" and incoming:
        lines.append(f"receives ({len(incoming)}): " + ", ".join(incoming))
    if attrs["layer"] == "recipient" and outgoing:
        lines.append("places: " + ", ".join(outgoing))
    if attrs["layer"] == "jurisdiction" and incoming:
        lines.append("held by: " + ", ".join(incoming))
    return "\n".join(lines)


def _node_role(attrs: dict) -> str:
    if attrs["layer"] == "recipient":
        return f"recipient · {KIND_NAMES.get(attrs['kind'], attrs['kind'])}"
    return {"data": "data category", "jurisdiction": "jurisdiction"}[attrs["layer"]]


# ---------------------------------------------------------------------------------------------
# edges


def display_edges(graph: nx.MultiDiGraph, policy_ids: list[str]) -> list[dict]:
    """One drawn arrow per (source, target, policy, positive-or-will-not), carrying its flows' text.

    Flows of one pair merge into one arrow; it is dashed only when every flow in it is inferred.
    """
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for source, target, attrs in graph.edges(data=True):
        negative = attrs["modality"] == "will-not"
        groups[(source, target, attrs["policy"], negative)].append(attrs)
    colour_of = _policy_colours(policy_ids)
    edges = []
    for (source, target, policy, negative), hops in sorted(groups.items()):
        edges.append(_edge_style(graph, source, target, policy, negative, hops, colour_of))
    return edges


def _policy_colours(policy_ids: list[str]) -> dict[str, str] | None:
    if len(policy_ids) < 2:
        return None
    return {p: POLICY_COLOURS[i % len(POLICY_COLOURS)] for i, p in enumerate(policy_ids)}


def _edge_style(graph, source, target, policy, negative, hops, colour_of) -> dict:
    stated = any(h["stated"] for h in hops)
    modalities = sorted({h["modality"] for h in hops}, key=["will", "may", "will-not"].index)
    if negative:
        colour = MODALITY_COLOURS["will-not"]
    elif colour_of:
        colour = colour_of[policy]
    else:
        colour = MODALITY_COLOURS[modalities[0]]
    edge = {"from": source, "to": target, "title": edge_title(graph, source, target, policy, hops),
            "color": {"color": colour, "highlight": colour, "hover": colour, "opacity": 0.9},
            "dashes": [7, 5] if not stated else False, "width": 1.2 + math.log2(len(hops)),
            "policy": policy, "modality": modalities[0] if negative else "/".join(modalities),
            "stated": stated, "actions": sorted({h["action"] for h in hops})}
    bend = _bend(policy, negative, colour_of)
    if bend:
        edge["smooth"] = bend
    if negative:
        edge.update(arrows={"to": {"enabled": True, "type": "bar", "scaleFactor": 1.1}}, label="✕ will not",
                    font={"color": "#d32f2f", "size": 12, "strokeWidth": 3, "strokeColor": "#ffffff"},
                    width=2.5)
    return edge


def _bend(policy: str, negative: bool, colour_of: dict | None) -> dict | None:
    """A curve of its own for an arrow that would otherwise lie on top of another between the
    same two boxes: a will-not beside its positive twin, a second policy beside the first."""
    index = list(colour_of).index(policy) if colour_of else 0
    if not negative and index == 0:
        return None
    step = index + (1 if negative else 0)
    return {"enabled": True, "type": "curvedCW" if step % 2 else "curvedCCW", "roundness": 0.12 * ((step + 1) // 2)}


def edge_title(graph, source, target, policy, hops: list[dict]) -> str:
    """Hover text of an arrow: who, what, how sure, and the policy's own words with offsets."""
    lines = [f"{graph.nodes[source]['label']} → {_node_label(graph.nodes[target])}", f"policy: {policy}"]
    for action, modality, stated, via in sorted({(h["action"], h["modality"], h["stated"], tuple(h["via"]))
                                                 for h in hops}, key=str):
        how = "stated" if stated else "inferred" + (f" via {', '.join(via)}" if via else "")
        lines.append(f"{action} · {modality.replace('-', ' ')} · {how}")
    if graph.nodes[source]["layer"] != "data":
        _add_line(lines, "data", sorted({h["data"] for h in hops}, key=str.casefold))
    _add_line(lines, "purposes", sorted({p for h in hops for p in h["purposes"]}))
    _add_line(lines, "retention", sorted({h["retention"] for h in hops if h["retention"]}))
    _add_line(lines, "when", sorted({c for h in hops for c in h["conditions"]}))
    lines.append("")
    lines.extend(_evidence_lines(hops))
    return "\n".join(lines)


def _add_line(lines: list[str], name: str, values: list[str]) -> None:
    if values:
        lines.append(f"{name}: " + "; ".join(values))


def _evidence_lines(hops: list[dict]) -> list[str]:
    seen, sentences = set(), []
    for hop in hops:
        for evidence in hop["evidence"]:
            key = (evidence["start"], evidence["end"])
            if key not in seen:
                seen.add(key)
                sentences.append(evidence)
    sentences.sort(key=lambda e: e["start"])
    lines = [f"“{e['text']}” [{e['start']}–{e['end']}]" for e in sentences[:MAX_EVIDENCE]]
    if len(sentences) > MAX_EVIDENCE:
        lines.append(f"… and {len(sentences) - MAX_EVIDENCE} more sentences")
    return lines


def _vis_options(edge_count: int) -> dict:
    smooth = ({"enabled": True, "type": "cubicBezier", "forceDirection": "horizontal", "roundness": 0.4}
              if edge_count <= SMOOTH_EDGE_LIMIT else {"enabled": False})
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": edge_count > SMOOTH_EDGE_LIMIT,
                        "navigationButtons": False, "keyboard": False},
        "nodes": {"font": {"face": "system-ui, sans-serif", "size": 14}, "margin": 8, "borderWidth": 1},
        "edges": {"smooth": smooth, "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
                  "selectionWidth": 2, "hoverWidth": 1.5},
    }


# ---------------------------------------------------------------------------------------------
# the header: title, policies with dates, counts, legend (all escaped)


def _page(flows: list[dict], policies: list[dict], policy_ids: list[str], term: str | None, view: str) -> dict:
    shown = [p for p in policies if p.get("id") in policy_ids] or [{"id": p} for p in policy_ids]
    title = f"Where does {term} flow?" if term else "Where does personal data flow?"
    heading = Markup("").join([
        Markup("<h1>{}</h1>").format(title),
        _policy_list(shown),
        _counts(flows),
        _legend(flows, policy_ids, view),
    ])
    return {"title": title + " — " + ", ".join(policy_ids or ["no policy"]), "heading": heading}


def _policy_list(policies: list[dict]) -> Markup:
    if not policies:
        return Markup("<ul class='policies'><li>No flows match.</li></ul>")
    items = []
    for p in policies:
        name = p.get("title") or p["id"]
        parts = [p.get("controller"), f"updated {p['updated']}" if p.get("updated") else "date not stated",
                 f"id {p['id']}"]
        items.append(Markup("<li><b>{}</b> — {}</li>").format(name, " · ".join(x for x in parts if x)))
    return Markup("<ul class='policies'>{}</ul>").format(Markup("").join(items))


def _counts(flows: list[dict]) -> Markup:
    s = summary(flows)
    will_not = s["modality"].get("will-not", 0)
    return Markup("<p class='counts'>{} flows ({} stated, {} inferred, {} will not) · {} data categories · "
                  "{} recipients · {} places</p>").format(s["flows"], s["stated"], s["inferred"], will_not,
                                                          s["data"], s["recipients"], s["jurisdictions"])


def _legend(flows: list[dict], policy_ids: list[str], view: str) -> Markup:
    kinds = [k for k in KINDS if any(f.get("recipient") and f["recipient"]["kind"] == k for f in flows)]
    items = [Markup("<span class='columns'>{}</span>").format(
        "data → recipients → places" if view == "flow" else "data → recipients → places on the map")]
    items.append(Markup("<span><span class='swatch' style='background:{}'></span>data category</span>")
                 .format(DATA_STYLE["background"]))
    for kind in kinds:
        items.append(Markup("<span><span class='swatch' style='background:{}'></span>{}</span>")
                     .format(KIND_COLOURS[kind], KIND_NAMES[kind]))
    items.append(Markup("<span><span class='swatch' style='background:{}'></span>place</span>")
                 .format(PLACE_STYLE["background"]))
    items.append(Markup("<span><span class='line'></span>stated</span>"))
    items.append(Markup("<span><span class='line inferred'></span>inferred</span>"))
    items.append(Markup("<span><span class='line willnot'></span>✕ will not</span>"))
    colours = _policy_colours(policy_ids)
    for policy, colour in (colours or {}).items():
        items.append(Markup("<span><span class='line' style='border-top-color:{}'></span>{}</span>")
                     .format(colour, policy))
    return Markup("<div class='legend'>{}</div>").format(Markup("").join(items))
