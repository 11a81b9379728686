"""Interactive HTML flow maps drawn with pyvis: data category → recipient → place.

The page is self-contained and loads nothing from the network (vis-network inlined, no
bootstrap, a Content-Security-Policy that forbids fetches). Physics is off: columns and the
order of boxes in them are computed here (``mapmodel``), and the page only stacks the boxes it
shows by their drawn height and fits the drawing to the window, so an opened group unfolds in
place and nothing is cut at the window's edge.

Two views: ``flow`` puts data, recipients and places in three columns; ``geo`` keeps data and
recipients in columns and places jurisdictions by longitude and latitude over a world outline.
``compare`` (see :mod:`policyflows.views.compare`) uses the flow view's columns.

Policy text is untrusted: it reaches the page only as JSON inside scripts (``|tojson`` escapes
``<``, ``>`` and ``&``) and as markupsafe-escaped header HTML; vis-network shows string titles
as text, never as HTML, and the side panel sets ``textContent``.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from pyvis.network import Network

from policyflows.views import geo
from policyflows.views.mapmodel import MapEdge, MapModel, MapNode, build_model, merged, per_policy
from policyflows.views.network import KINDS, summary

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
MODALITY_COLOURS = {"will": "#37474f", "may": "#546e7a", "will-not": "#d32f2f"}
# Arrow colours when several policies share one map; will-not stays red whatever the policy.
POLICY_COLOURS = ("#1e88e5", "#8e24aa", "#00acc1", "#7cb342", "#6d4c41", "#fb8c00", "#3949ab", "#c0ca33")
DATA_STYLE = {"background": "#eceff1", "border": "#90a4ae"}
PLACE_STYLE = {"background": "#c8e6c9", "border": "#2e7d32"}
INFERRED_LIGHTEN = 0.65   # an inferred arrow is its colour mixed this far towards white

COLUMN_GAP = 460          # between column centres: boxes are at most BOX_WIDTH wide, arrows get the rest
ROW_GAP = 46              # a first guess; the page stacks boxes by their drawn height
BOX_WIDTH = 240
MAX_WIDTH = 3.5          # the thickest arrow, however many flows it stands for
LABELLED_WILL_NOT = 8     # beyond this many will-not arrows their "✕ will not" labels hide the map
MAX_EVIDENCE = 6          # sentences in one hover text per policy; the rest are counted
LISTED_POLICIES = 4       # policies listed in the header; more fold into a list that opens on click
MAX_POLICIES = 4          # policies quoted in one hover text; the rest are named
MAX_LISTED = 12           # data labels listed in one hover text; the rest are counted
SMOOTH_EDGE_LIMIT = 800   # beyond this many arrows curves cost more than they show
GEO_COLUMN_GAP = 330      # the geo view's columns sit closer: the globe needs the width
GEO_WIDTH = 1100.0        # the globe's width on the canvas in the geo view: about as tall as a screenful of rows
TEMPLATE = "flowmap.html"


# ---------------------------------------------------------------------------------------------
# public API


def build_map(flows: Iterable[dict], policies: Iterable[dict] = (), *, view: str = "flow",
              term: str | None = None, group: bool | None = None) -> Network:
    """A pyvis Network of the flows, laid out and styled, ready for :func:`map_html`.

    ``group``: ``None`` opens on groups when the map is bigger than a screenful (see
    :mod:`policyflows.views.mapmodel`), ``True`` always, ``False`` never.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}: expected one of {', '.join(VIEWS)}")
    flows = list(flows)
    policy_ids = sorted({f["policy"] for f in flows})
    several = len(policy_ids) <= len(POLICY_COLOURS)  # beyond that, colours no longer tell policies apart
    model = build_model(flows, series=per_policy if several else merged, group=group)
    palette = Palette.for_policies(policy_ids if several else [])
    title = f"Where does {term} flow?" if term else "Where does personal data flow?"
    heading = Markup("").join([Markup("<h1>{}</h1>").format(title), policy_list(list(policies), policy_ids),
                               counts(flows), legend(flows, view, palette, model)])
    page = {"title": title + " — " + ", ".join(policy_ids or ["no policy"]), "heading": heading}
    return render(model, palette, page, view=view)


def render(model: MapModel, palette: "Palette", page: dict, *, view: str = "flow", decorate=None) -> Network:
    """The pyvis Network of a model: every box and arrow, those of closed groups hidden.

    ``decorate(node, style)``, when given, may change a box's style (the comparison marks the
    boxes only one policy has).
    """
    positions, fixed = (geo_layout(model) if view == "geo" else (column_layout(model), set()))
    evidence = EvidenceTable()
    labelled = sum(1 for e in model.edges if e.negative) <= LABELLED_WILL_NOT
    edges = [edge_style(model, e, palette, evidence, labelled) for e in model.edges]
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for node in sorted(model.nodes.values(), key=lambda n: (n.column, n.order)):
        style = node_style(model, node, positions[node.id], node.id in fixed)
        if decorate:
            decorate(node, style)
        net.add_node(node.id, **style)
    shown = sum(1 for e in edges if not e["hidden"])
    for edge in edges:
        if shown > SMOOTH_EDGE_LIMIT:
            edge.pop("smooth", None)
        net.add_edge(edge.pop("from"), edge.pop("to"), **edge)
    net.set_options(json.dumps(_vis_options(shown)))
    net.flowmap_page = page
    net.flowmap_evidence = evidence.rows
    net.flowmap_backdrop = _backdrop(globe_width(column_layout(model))) if view == "geo" else {"rings": []}
    return net


def map_html(net: Network) -> str:
    """The self-contained HTML page of a network made by :func:`build_map` or ``compare_map``."""
    env = Environment(loader=FileSystemLoader([str(Path(__file__).parent / "templates"),
                                               str(Path(net.template_dir))]),
                      autoescape=True)
    page = net.flowmap_page
    return env.get_template(TEMPLATE).render(
        nodes=net.nodes, edges=net.edges, options=json.dumps(net.options), evidence=net.flowmap_evidence,
        heading=page["heading"], page=page, backdrop=net.flowmap_backdrop)


def write_page(net: Network, path: str | Path) -> Path:
    """Write the page of ``net`` to ``path`` as UTF-8 (pyvis's ``write_html`` uses the locale's encoding)."""
    path = Path(path)
    html = map_html(net)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def write_map(flows: Iterable[dict], policies: Iterable[dict], path: str | Path, *, view: str = "flow",
              term: str | None = None, group: bool | None = None) -> Path:
    """Draw the flows and write the page to ``path``; returns the path written."""
    return write_page(build_map(flows, policies, view=view, term=term, group=group), path)


def default_filename(term: str | None, view: str = "flow", suffix: str = "html") -> str:
    """``video-map.html`` for a term, ``flows-map.html`` for everything; the geo view adds ``-geo``."""
    from policyflows.vocab import slug

    stem = slug(term) if term else "flows"
    return f"{stem}-map{'-geo' if view == 'geo' else ''}.{suffix}"


# ---------------------------------------------------------------------------------------------
# layout: x by column, y a first guess by rank (the page stacks by drawn height)


def column_layout(model: MapModel) -> dict[str, tuple[float, float]]:
    """(x, y) of every box: its column's x, and its rank among the boxes shown on opening."""
    positions = {}
    for column in range(3):
        boxes = sorted((n for n in model.nodes.values() if n.column == column), key=lambda n: n.order)
        shown = [n for n in boxes if model.visible(n.id)]
        middle = (len(shown) - 1) / 2
        rank = {n.id: i for i, n in enumerate(shown)}
        for node in boxes:
            anchor = rank.get(node.id, rank.get(node.group, 0))
            positions[node.id] = (column * COLUMN_GAP, (anchor - middle) * ROW_GAP)
    return positions


def geo_layout(model: MapModel) -> tuple[dict[str, tuple[float, float]], set[str]]:
    """Data and recipients in columns just left of the westernmost place; places at their
    longitude and latitude over a world map.

    Places whose code no coordinate source knows go in a row under the map. Returns the
    positions and the ids whose position is fixed (the page does not restack them, only moves
    overlapping places apart).
    """
    positions = column_layout(model)
    width = globe_width(positions)
    places = sorted((n for n in model.nodes.values() if n.layer == "jurisdiction"), key=lambda n: n.order)
    unknown = []
    for node in places:
        latlng = geo.coordinates(node.code)
        if latlng is None:
            unknown.append(node.id)
        else:
            positions[node.id] = geo.project(latlng, width)
    for i, node_id in enumerate(unknown):
        positions[node_id] = (-width / 2 + 40 + i * 160, width / 4 + 80)
    west = min((positions[n.id][0] for n in places), default=0.0)
    for node in model.nodes.values():
        if node.layer != "jurisdiction":
            x = west - GEO_COLUMN_GAP * (2 - node.column)
            positions[node.id] = (x, positions[node.id][1])
    return positions, {n.id for n in places}


def globe_width(positions: dict[str, tuple[float, float]]) -> float:
    """How wide the world is drawn: wide enough to hold its own beside tall columns."""
    ys = [y for _, y in positions.values()] or [0.0]
    return max(GEO_WIDTH, 1.9 * (max(ys) - min(ys)))


def _backdrop(width: float) -> dict:
    scale = width / 360.0
    return {"rings": geo.world_outlines(), "x0": 0, "y0": 0, "scale": scale}


# ---------------------------------------------------------------------------------------------
# colours


class Palette:
    """The colour of each arrow series, and how a series is named in the legend."""

    def __init__(self, colours: dict[str, str] | None, names: dict[str, str] | None = None,
                 will_not_dashes: dict[str, list[int] | bool] | None = None):
        self.colours = colours      # series -> colour; None: colour by modality (one policy)
        self.names = names or {}
        # series -> dash pattern of its will-not arrows, when the pattern says whose they are
        # (a comparison); then lightness alone tells inferred from stated
        self.will_not_dashes = will_not_dashes

    @classmethod
    def for_policies(cls, policy_ids: list[str]) -> "Palette":
        if len(policy_ids) < 2:
            return cls(None)
        return cls({p: POLICY_COLOURS[i % len(POLICY_COLOURS)] for i, p in enumerate(policy_ids)})

    def colour(self, edge: MapEdge, modalities: list[str]) -> str:
        if edge.negative:
            return MODALITY_COLOURS["will-not"]
        if self.colours is None:
            return MODALITY_COLOURS[modalities[0]]
        return self.colours[edge.series]

    def index(self, series: str) -> int:
        return list(self.colours).index(series) if self.colours else 0


def lighten(colour: str, amount: float = INFERRED_LIGHTEN) -> str:
    """``colour`` mixed ``amount`` of the way to white."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = lambda c: round(c + (255 - c) * amount)  # noqa: E731
    return f"#{mix(r):02x}{mix(g):02x}{mix(b):02x}"


# ---------------------------------------------------------------------------------------------
# boxes


def node_style(model: MapModel, node: MapNode, position: tuple[float, float], fixed: bool = False) -> dict:
    style = {"label": node_label(node), "title": node_title(model, node), "x": position[0], "y": position[1],
             "physics": False, "layer": node.layer, "column": node.column, "order": node.order,
             "kind": node.kind, "policies": sorted(node.policies), "hidden": not model.visible(node.id),
             "fixedPlace": fixed, "widthConstraint": {"maximum": BOX_WIDTH}}
    if node.is_group:
        style["members"] = node.members
    if node.group:
        style["group_of"] = node.group
    if node.layer == "data":
        style.update(shape="box", color=DATA_STYLE, font={"color": "#263238"})
    elif node.layer == "recipient":
        colour = KIND_COLOURS.get(node.kind, "#607d8b")
        style.update(shape="box", color={"background": colour, "border": colour}, font={"color": "#ffffff"})
    else:
        style.update(shape="box", shapeProperties={"borderRadius": 14}, color=PLACE_STYLE,
                     font={"color": "#1b5e20"})
    if node.is_group:
        style.update(borderWidth=3, shapeProperties={"borderDashes": [4, 3]})
        if node.layer == "data":
            style["color"] = {"background": "#dfe5e8", "border": "#546e7a"}
    return style


def node_label(node: MapNode) -> str:
    if node.is_group:
        return f"{node.label} ▸ {len(node.members)}"
    if node.layer == "jurisdiction" and node.code:
        return f"{node.label} ({node.code})"
    return node.label


def plain_label(node: MapNode) -> str:
    if node.layer == "jurisdiction" and node.code:
        return f"{node.label} ({node.code})"
    return node.label


def node_title(model: MapModel, node: MapNode) -> str:
    """Hover text of a box: what it is, in which policies, and what flows through it."""
    lines = [plain_label(node), _node_role(node), "policies: " + ", ".join(sorted(node.policies))]
    if node.is_group:
        lines.append(f"{len(node.members)} {'categories' if node.layer == 'data' else 'recipients'} "
                     "(click to open): " + ", ".join(plain_label(model.nodes[m]) for m in node.members))
    incoming = sorted({plain_label(model.nodes[e.source]) for e in model.edges
                       if e.target == node.id and not model.nodes[e.source].is_group})
    outgoing = sorted({plain_label(model.nodes[e.target]) for e in model.edges
                       if e.source == node.id and not model.nodes[e.target].is_group})
    if node.layer == "data" and outgoing:
        lines.append(f"goes to ({len(outgoing)}): " + ", ".join(outgoing))
    if node.layer == "recipient" and incoming:
        lines.append(f"receives ({len(incoming)}): " + _listed(incoming))
    if node.layer == "recipient" and outgoing:
        lines.append("places: " + ", ".join(outgoing))
    if node.layer == "jurisdiction" and incoming:
        lines.append("held by: " + ", ".join(incoming))
    return "\n".join(lines)


def _listed(labels: list[str]) -> str:
    more = f" … and {len(labels) - MAX_LISTED} more" if len(labels) > MAX_LISTED else ""
    return ", ".join(labels[:MAX_LISTED]) + more


def _node_role(node: MapNode) -> str:
    if node.layer == "recipient":
        what = f"recipient · {KIND_NAMES.get(node.kind, node.kind)}"
        return what + (" · a group of types" if node.is_group else "")
    if node.layer == "data":
        return "data categories (a group)" if node.is_group else "data category"
    return "jurisdiction"


# ---------------------------------------------------------------------------------------------
# arrows


class EvidenceTable:
    """Every sentence cited on the page, once: (policy, start, end, text); arrows hold row numbers."""

    def __init__(self):
        self.rows: list[list] = []
        self._index: dict[tuple, int] = {}

    def add(self, policy: str, evidence: dict) -> int:
        key = (policy, evidence["start"], evidence["end"])
        if key not in self._index:
            self._index[key] = len(self.rows)
            self.rows.append([policy, evidence["start"], evidence["end"], evidence["text"]])
        return self._index[key]


def edge_style(model: MapModel, edge: MapEdge, palette: Palette, evidence: EvidenceTable,
               labelled: bool = True) -> dict:
    """One drawn arrow: colour by series (policy, or both/one in a comparison), solid when some
    flow in it is stated, lighter and dashed when every flow is inferred, red with a bar for
    will-not. The hover text is ``head`` and ``blocks`` (one per policy); the page joins them."""
    hops = edge.hops
    stated = any(h["stated"] for h in hops)
    modalities = sorted({h["modality"] for h in hops}, key=["will", "may", "will-not"].index)
    colour = palette.colour(edge, modalities)
    shade = colour if stated else lighten(colour)
    style = {"id": edge.id, "from": edge.source, "to": edge.target, "series": edge.series,
             "policy": edge.series if edge.series in {h["policy"] for h in hops} else None,
             "policies": sorted({h["policy"] for h in hops}),
             "head": edge_head(model, edge), "blocks": _blocks(hops, evidence),
             "color": {"color": shade, "highlight": colour, "hover": colour, "opacity": 1.0},
             "dashes": False if stated else [6, 5],
             "width": min(MAX_WIDTH, (1.4 if stated else 1.0) + math.log2(len(hops)) / 4),
             "modality": modalities[0] if edge.negative else "/".join(modalities), "stated": stated,
             "actions": sorted({h["action"] for h in hops}), "data": sorted(edge.data),
             "hidden": not (model.visible(edge.source) and model.visible(edge.target))}
    bend = _bend(palette.index(edge.series) if palette.colours else 0, edge.negative)
    if bend:
        style["smooth"] = bend
    if edge.negative:
        style.update(arrows={"to": {"enabled": True, "type": "bar", "scaleFactor": 1.1}},
                     width=2.2 if stated else 1.6, dashes=False if stated else [3, 3])
        if palette.will_not_dashes is not None:
            style["dashes"] = palette.will_not_dashes.get(edge.series, False)
        if labelled:
            who = palette.names.get(edge.series)
            style.update(label="✕ will not" + (f" ({who})" if who else ""),
                         font={"color": "#d32f2f", "size": 12, "strokeWidth": 3, "strokeColor": "#ffffff"})
    return style


def _bend(index: int, negative: bool) -> dict | None:
    """A curve of its own for an arrow that would otherwise lie on top of another between the
    same two boxes: a will-not beside its positive twin, a second policy beside the first."""
    if not negative and index == 0:
        return None
    step = index + (1 if negative else 0)
    return {"enabled": True, "type": "curvedCW" if step % 2 else "curvedCCW", "roundness": 0.12 * ((step + 1) // 2)}


def edge_head(model: MapModel, edge: MapEdge) -> str:
    source, target = model.nodes[edge.source], model.nodes[edge.target]
    lines = [f"{plain_label(source)} → {plain_label(target)}"]
    if source.layer != "data" or source.is_group:
        labels = sorted({h["data"]["label"] for h in edge.hops}, key=str.casefold)
        lines.append("data: " + "; ".join(labels[:MAX_LISTED])
                     + (f" … and {len(labels) - MAX_LISTED} more" if len(labels) > MAX_LISTED else ""))
    return "\n".join(lines)


def _blocks(hops: list[dict], evidence: EvidenceTable) -> list[dict]:
    """Per policy: how it says the flow (action · modality · stated or inferred), purposes,
    retention, conditions, and the sentences it cites (indices into the evidence table)."""
    blocks = []
    policies = sorted({h["policy"] for h in hops})
    for policy in policies[:MAX_POLICIES]:
        mine = [h for h in hops if h["policy"] == policy]
        lines = [f"policy: {policy}"]
        for action, modality, stated, via in sorted({(h["action"], h["modality"], bool(h["stated"]),
                                                      tuple(h.get("via") or ())) for h in mine}, key=str):
            how = "stated" if stated else "inferred" + (f" via {', '.join(via)}" if via else "")
            lines.append(f"{action} · {modality.replace('-', ' ')} · {how}")
        _add_line(lines, "purposes", sorted({p["label"] for h in mine for p in h.get("purposes") or []}))
        _add_line(lines, "retention", sorted({h["retention"] for h in mine if h.get("retention")}))
        _add_line(lines, "when", sorted({c for h in mine for c in h.get("conditions") or []}))
        sentences = sorted({(e["start"], e["end"]): e for h in mine for e in h.get("evidence") or []}.values(),
                           key=lambda e: e["start"])
        blocks.append({"text": "\n".join(lines), "ev": [evidence.add(policy, e) for e in sentences[:MAX_EVIDENCE]],
                       "more": max(0, len(sentences) - MAX_EVIDENCE)})
    if len(policies) > MAX_POLICIES:
        rest = policies[MAX_POLICIES:]
        blocks.append({"text": f"… and {len(rest)} more policies: " + _listed(rest), "ev": [], "more": 0})
    return blocks


def _add_line(lines: list[str], name: str, values: list[str]) -> None:
    if values:
        lines.append(f"{name}: " + "; ".join(values))


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


def policy_list(policies: list[dict], policy_ids: list[str], tags: dict[str, str] | None = None) -> Markup:
    known = {p.get("id") for p in policies}
    shown = [p for p in policies if p.get("id") in policy_ids] + [{"id": p} for p in policy_ids if p not in known]
    if not shown:
        return Markup("<ul class='policies'><li>No flows match.</li></ul>")
    items = []
    for p in shown:
        name = p.get("title") or p["id"]
        parts = [p.get("controller"), f"updated {p['updated']}" if p.get("updated") else "date not stated",
                 f"id {p['id']}"]
        tag = Markup("<span class='tag' style='background:{}'>{}</span> ").format(*tags[p["id"]]) \
            if tags and p["id"] in tags else ""
        items.append(Markup("<li>{}<b>{}</b> — {}</li>").format(tag, name, " · ".join(x for x in parts if x)))
    listed = Markup("<ul class='policies'>{}</ul>").format(Markup("").join(items))
    if len(items) <= LISTED_POLICIES:
        return listed
    # a corpus: the list would push the map below the fold; it opens on demand
    return Markup("<details class='policies'><summary>{} policies</summary>{}</details>").format(len(items), listed)


def counts(flows: list[dict]) -> Markup:
    s = summary(flows)
    will_not = s["modality"].get("will-not", 0)
    return Markup("<p class='counts'>{} flows ({} stated, {} inferred, {} will not) · {} data categories · "
                  "{} recipients · {} places</p>").format(s["flows"], s["stated"], s["inferred"], will_not,
                                                          s["data"], s["recipients"], s["jurisdictions"])


def swatch(colour: str, text: str) -> Markup:
    return Markup("<span><span class='swatch' style='background:{}'></span>{}</span>").format(colour, text)


def line(text: str, css: str = "", colour: str | None = None) -> Markup:
    style = Markup(" style='border-top-color:{}'").format(colour) if colour else ""
    return Markup("<span><span class='line {}'{}></span>{}</span>").format(css, style, text)


def legend(flows: list[dict], view: str, palette: Palette, model: MapModel, series_items=None) -> Markup:
    kinds = [k for k in KINDS if any(f.get("recipient") and f["recipient"]["kind"] == k for f in flows)]
    items = [Markup("<span class='columns'>{}</span>").format(
        "data → recipients → places" if view != "geo" else "data → recipients → places on the map")]
    items.append(swatch(DATA_STYLE["background"], "data category"))
    items.extend(swatch(KIND_COLOURS[kind], KIND_NAMES[kind]) for kind in kinds)
    items.append(swatch(PLACE_STYLE["background"], "place"))
    items.append(line("stated"))
    items.append(line("inferred (lighter)", "inferred"))
    if series_items is not None:
        items.extend(series_items)
    else:
        items.append(line("✕ will not", "willnot"))
        items.extend(line(policy, colour=colour) for policy, colour in (palette.colours or {}).items())
    tools = [Markup("<button type='button' data-tool='fit'>Fit</button>")]
    if any(n.is_group for n in model.nodes.values()):
        items.append(Markup("<span class='hint'><b>▸ n</b> a group of n: click to open</span>"))
        tools[:0] = [Markup("<button type='button' data-tool='open'>Open all groups</button>"),
                     Markup("<button type='button' data-tool='close'>Close all</button>")]
    items.append(Markup("<span class='tools'>{}</span>").format(Markup("").join(tools)))
    return Markup("<div class='legend'>{}</div>").format(Markup("").join(items))
