"""The flow graph for graph tools: GraphML (Cytoscape, yEd, Gephi) and GEXF (Gephi), via networkx.

Both formats hold only scalar attributes, so the layered graph of :func:`flow_graph` (lists of
policies, evidence dicts) is summarised: one node per data category, recipient and place, and
one edge per (source, target, policy, ruled out or not) with its counts. Every edge keeps its
provenance: the policy, and the sentences it rests on with their offsets into the policy text.

Node attributes: ``label``, ``layer`` (data | recipient | jurisdiction), ``kind`` (recipient
kind, else ""), ``code`` (ISO code of a place, else ""), ``iri``, ``policies`` (ids, "; "),
``policy_count``, ``flows``, ``stated``, ``inferred``, ``will_not``.
Edge attributes: ``policy``, ``flows`` (also as ``weight``), ``stated``, ``inferred``,
``status`` (stated | inferred: stated when some flow in it is), ``will_not`` (bool),
``modality``, ``actions``, ``data`` (labels), ``via``, ``purposes``, ``retention``, ``evidence``
(each sentence as ``[start–end] text``, " | " between them).
The GEXF file also colours the nodes as the flow map does (``viz:color``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from policyflows.views.network import data_key, flow_graph, place_key, recipient_key

FORMATS = ("graphml", "gexf")
SEPARATOR = "; "


def export_graph(flows: Iterable[dict]) -> nx.MultiDiGraph:
    """The flow graph with scalar attributes only, ready for :func:`write_graph`."""
    flows = list(flows)
    layered = flow_graph(flows)
    graph = nx.MultiDiGraph()
    for node, attrs in layered.nodes(data=True):
        graph.add_node(node, label=attrs["label"], layer=attrs["layer"], kind=attrs["kind"] or "",
                       code=attrs.get("code") or "", iri=" ".join(attrs["iri"]),
                       policies=SEPARATOR.join(attrs["policy"]), policy_count=len(attrs["policy"]),
                       flows=0, stated=0, inferred=0, will_not=0)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for source, target, attrs in layered.edges(data=True):
        groups[(source, target, attrs["policy"], attrs["modality"] == "will-not")].append(attrs)
    for (source, target, policy, negative), hops in sorted(groups.items()):
        edge = _edge(policy, negative, hops)
        graph.add_edge(source, target, key=f"{policy}|{'will-not' if negative else 'flows'}", **edge)
    for flow in flows:  # each flow counts once at every box it passes
        for key in {data_key(flow), recipient_key(flow), place_key(flow)} - {None}:
            attrs = graph.nodes[key]
            attrs["flows"] += 1
            attrs["stated" if flow["stated"] else "inferred"] += 1
            attrs["will_not"] += flow["modality"] == "will-not"
    return graph


def _edge(policy: str, negative: bool, hops: list[dict]) -> dict:
    stated = sum(1 for h in hops if h["stated"])
    sentences = sorted({(e["start"], e["end"]): e for h in hops for e in h["evidence"]}.values(),
                       key=lambda e: e["start"])
    return {
        "policy": policy, "flows": len(hops), "weight": float(len(hops)), "stated": stated,
        "inferred": len(hops) - stated, "status": "stated" if stated else "inferred", "will_not": negative,
        "modality": _joined(h["modality"] for h in hops), "actions": _joined(h["action"] for h in hops),
        "data": _joined(h["data"] for h in hops), "via": _joined(v for h in hops for v in h["via"]),
        "purposes": _joined(p for h in hops for p in h["purposes"]),
        "retention": _joined(h["retention"] for h in hops if h["retention"]),
        "evidence": " | ".join(f"[{e['start']}–{e['end']}] {e['text']}" for e in sentences),
    }


def _joined(values: Iterable[str]) -> str:
    return SEPARATOR.join(sorted(set(values), key=lambda v: (v.casefold(), v)))


def write_graph(flows: Iterable[dict], path: str | Path, fmt: str | None = None) -> Path:
    """Write the flow graph as GraphML or GEXF (by ``fmt``, else by the file's suffix)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}: expected one of {', '.join(FORMATS)}")
    graph = export_graph(flows)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nx.write_graphml(graph, path, encoding="utf-8")
    else:
        _add_gexf_colours(graph)
        nx.write_gexf(graph, path, encoding="utf-8")
    return path


def _add_gexf_colours(graph: nx.MultiDiGraph) -> None:
    """GEXF carries colours (``viz:color``): Gephi opens the graph coloured as the flow map is."""
    from policyflows.views.flowmap import DATA_STYLE, KIND_COLOURS, PLACE_STYLE

    for _, attrs in graph.nodes(data=True):
        colour = {"data": DATA_STYLE["border"], "jurisdiction": PLACE_STYLE["border"]}.get(
            attrs["layer"], KIND_COLOURS.get(attrs["kind"], "#607d8b"))
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        attrs["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}}
