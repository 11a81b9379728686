"""networkx projections of where-json flows, with filters, aggregation and analysis helpers.

Every function takes flows as the dicts of ../shared/spec/where-json.md (what
``FlowStore.flows`` returns), so the views never depend on SPARQL. Results are plain lists and
dicts; a notebook can turn them into DataFrames.

The layered graph has three layers, left to right: data category → recipient → jurisdiction.
Data nodes are shared across policies (the ontology gives every policy the same category IRI);
recipients are merged by (kind, label) so that "Xiaomi" in two policies is one node a reader can
compare; places are merged by ISO code.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

import networkx as nx

from policyflows.vocab import slug

LAYERS = ("data", "recipient", "jurisdiction")
MODALITIES = ("will", "may", "will-not")
KINDS = ("first-party", "affiliate", "service-provider", "third-party", "advertiser",
         "authority", "acquirer", "public", "user")


# ---------------------------------------------------------------------------------------------
# node keys: one place decides what counts as "the same" node across flows and policies


def data_key(flow: dict) -> str:
    return "data:" + flow["data"]["iri"]


def recipient_key(flow: dict) -> str | None:
    recipient = flow.get("recipient")
    if not recipient:
        return None
    return f"recipient:{recipient['kind']}:{slug(recipient['label'])}"


def place_key(flow: dict) -> str | None:
    place = flow.get("jurisdiction")
    if not place:
        return None
    return "place:" + (place.get("code") or place["iri"])


def country_of(flow: dict) -> str | None:
    """The ISO 3166-1 country a flow's jurisdiction lies in (``CN`` for ``CN-BJ``)."""
    place = flow.get("jurisdiction")
    if not place or not place.get("code"):
        return None
    return place["code"].split("-")[0].upper()


# ---------------------------------------------------------------------------------------------
# the layered graph


def flow_graph(flows: Iterable[dict]) -> nx.MultiDiGraph:
    """The layered flow graph: one edge per flow and hop (data → recipient, recipient → place).

    Node attributes: ``layer`` (data | recipient | jurisdiction), ``label``, ``kind`` (the
    recipient kind; ``None`` for other layers), ``policy`` (sorted list of policy ids), ``iri``
    (sorted list: a merged recipient may stand for several policy-local parties), ``code`` for
    places. Edge attributes: ``policy``, ``data`` (the flow's data label), ``action``, ``modality``, ``stated``, ``via``,
    ``purposes`` (labels), ``retention``, ``conditions``, ``evidence`` (list of {text,start,end}).
    A flow without a recipient goes straight from its data to its place, if it has one.
    """
    graph = nx.MultiDiGraph()
    for flow in flows:
        hops = _hops(flow)
        for key, attrs in _nodes_of(flow):
            _merge_node(graph, key, attrs, flow["policy"])
        for source, target in hops:
            graph.add_edge(source, target, **_edge_attrs(flow))
    for _, attrs in graph.nodes(data=True):
        attrs["policy"] = sorted(attrs["policy"])
        attrs["iri"] = sorted(attrs["iri"])
    return graph


def _hops(flow: dict) -> list[tuple[str, str]]:
    chain = [k for k in (data_key(flow), recipient_key(flow), place_key(flow)) if k]
    return list(zip(chain, chain[1:]))


def _nodes_of(flow: dict) -> list[tuple[str, dict]]:
    nodes = [(data_key(flow), {"layer": "data", "label": flow["data"]["label"], "kind": None,
                               "iri": flow["data"]["iri"]})]
    recipient = flow.get("recipient")
    if recipient:
        nodes.append((recipient_key(flow), {"layer": "recipient", "label": recipient["label"],
                                            "kind": recipient["kind"], "iri": recipient["iri"]}))
    place = flow.get("jurisdiction")
    if place:
        nodes.append((place_key(flow), {"layer": "jurisdiction", "label": place["label"], "kind": None,
                                        "iri": place["iri"], "code": place.get("code")}))
    return nodes


def _merge_node(graph: nx.MultiDiGraph, key: str, attrs: dict, policy: str) -> None:
    if key not in graph:
        graph.add_node(key, **{**attrs, "iri": set(), "policy": set()})
    graph.nodes[key]["iri"].add(attrs["iri"])
    graph.nodes[key]["policy"].add(policy)


def _edge_attrs(flow: dict) -> dict:
    return {
        "policy": flow["policy"],
        "data": flow["data"]["label"],
        "action": flow["action"],
        "modality": flow["modality"],
        "stated": bool(flow["stated"]),
        "via": list(flow.get("via") or []),
        "purposes": [p["label"] for p in flow.get("purposes") or []],
        "retention": flow.get("retention"),
        "conditions": list(flow.get("conditions") or []),
        "evidence": list(flow.get("evidence") or []),
    }


def layer_nodes(graph: nx.MultiDiGraph, layer: str) -> list[str]:
    """The nodes of one layer, in a stable order (by label)."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}: expected one of {', '.join(LAYERS)}")
    nodes = [n for n, a in graph.nodes(data=True) if a["layer"] == layer]
    return sorted(nodes, key=lambda n: (graph.nodes[n]["label"].casefold(), n))


# ---------------------------------------------------------------------------------------------
# filters


def filter_flows(flows: Iterable[dict], *, policies: Iterable[str] | None = None,
                 modality: str | Iterable[str] | None = None, stated: bool | None = None,
                 kinds: str | Iterable[str] | None = None, data: Iterable[str] | None = None,
                 actions: str | Iterable[str] | None = None) -> list[dict]:
    """The flows that pass every filter given (``None`` lets everything through).

    ``data`` is a set of data-category IRIs (see :func:`term_categories` to get one from a term);
    ``stated=False`` keeps only inferred flows.
    """
    checks = _checks(policies=policies, modality=_as_set(modality, MODALITIES, "modality"),
                     stated=stated, kinds=_as_set(kinds, KINDS, "recipient kind"), data=data,
                     actions=_as_set(actions, None, "action"))
    return [f for f in flows if all(check(f) for check in checks)]


def _as_set(value, allowed, what) -> set[str] | None:
    if value is None:
        return None
    values = {value} if isinstance(value, str) else set(value)
    unknown = values - set(allowed) if allowed else set()
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(sorted(unknown))}: expected one of {', '.join(allowed)}")
    return values


def _checks(*, policies, modality, stated, kinds, data, actions) -> list[Callable[[dict], bool]]:
    checks = []
    if policies is not None:
        wanted_policies = set(policies)
        checks.append(lambda f: f["policy"] in wanted_policies)
    if modality is not None:
        checks.append(lambda f: f["modality"] in modality)
    if stated is not None:
        checks.append(lambda f: bool(f["stated"]) is stated)
    if kinds is not None:
        checks.append(lambda f: bool(f.get("recipient")) and f["recipient"]["kind"] in kinds)
    if data is not None:
        wanted_data = set(data)
        checks.append(lambda f: f["data"]["iri"] in wanted_data)
    if actions is not None:
        checks.append(lambda f: f["action"] in actions)
    return checks


def term_categories(term: str, lexicon=None) -> set[str]:
    """Every data-category IRI a user's term stands for, with everything beneath it.

    :raises policyflows.errors.UnknownTermError: when the term matches no category.
    """
    lexicon = lexicon or load_lexicon()
    iris = set()
    for concept in lexicon.resolve(term):
        iris.add(concept.iri)
        iris |= set(lexicon.narrower(concept.iri))
    return {str(i) for i in iris}


def load_lexicon():
    from policyflows.ontology import Lexicon  # the ontology loads on first use only

    return Lexicon.load()


# ---------------------------------------------------------------------------------------------
# aggregation for large corpora


def category_depth(iri: str, lexicon) -> int:
    """How many categories lie above ``iri`` (0 for the root, personal information)."""
    return len(lexicon.broader(iri))


def collapse_categories(flows: Iterable[dict], depth: int = 1, lexicon=None) -> list[dict]:
    """The flows with each data category replaced by its ancestor ``depth`` levels below the root.

    A category already at or above that depth stays. Collapsed flows keep their evidence and name
    the original category in ``collapsed_from``; flows that become identical are merged, so a
    map of a large corpus shows "device identifiers → Xiaomi" once instead of once per identifier.
    """
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    lexicon = lexicon or load_lexicon()
    merged: dict[tuple, dict] = {}
    for flow in flows:
        parent = ancestor_at_depth(flow["data"]["iri"], depth, lexicon)
        collapsed = dict(flow)
        if parent != flow["data"]["iri"]:
            collapsed["data"] = {"iri": parent, "label": lexicon.label(parent)}
            collapsed["collapsed_from"] = [flow["data"]["label"]]
        _merge_flow(merged, collapsed)
    return list(merged.values())


def ancestor_at_depth(iri: str, depth: int, lexicon) -> str:
    """The ancestor of ``iri`` at ``depth`` (the first by IRI when the taxonomy branches)."""
    ancestors = [str(a) for a in lexicon.broader(iri)]
    if len(ancestors) <= depth:
        return iri
    at_depth = sorted(a for a in ancestors if category_depth(a, lexicon) == depth)
    return at_depth[0] if at_depth else iri


def _flow_key(flow: dict) -> tuple:
    return (flow["policy"], flow["data"]["iri"], flow["action"], recipient_key(flow), place_key(flow),
            flow["modality"], bool(flow["stated"]))


def _merge_flow(merged: dict[tuple, dict], flow: dict) -> None:
    key = _flow_key(flow)
    if key not in merged:
        merged[key] = {**flow, "evidence": list(flow.get("evidence") or [])}
        return
    into = merged[key]
    seen = {(e["start"], e["end"]) for e in into["evidence"]}
    into["evidence"] += [e for e in flow.get("evidence") or [] if (e["start"], e["end"]) not in seen]
    if "collapsed_from" in flow:
        into["collapsed_from"] = sorted(set(into.get("collapsed_from", [])) | set(flow["collapsed_from"]))


def top_k(flows: Iterable[dict], k: int, layer: str = "recipient") -> list[dict]:
    """The flows that touch the ``k`` busiest nodes of one layer.

    Busiest means: recipients and places by the number of distinct data categories they get;
    data categories by the number of distinct recipients they reach. Ties go by label.
    """
    flows = list(flows)
    if k < 1:
        raise ValueError("k must be 1 or more")
    key_of, partner_of = _ranking(layer)
    partners: dict[str, set] = defaultdict(set)
    labels: dict[str, str] = {}
    for flow in flows:
        key = key_of(flow)
        if key:
            partners[key].add(partner_of(flow))
            labels[key] = _label_of(flow, layer)
    ranked = sorted(partners, key=lambda n: (-len(partners[n]), labels[n].casefold(), n))
    keep = set(ranked[:k])
    return [f for f in flows if key_of(f) in keep]


def _ranking(layer: str):
    if layer == "data":
        return data_key, recipient_key
    if layer == "recipient":
        return recipient_key, data_key
    if layer == "jurisdiction":
        return place_key, data_key
    raise ValueError(f"unknown layer {layer!r}: expected one of {', '.join(LAYERS)}")


def _label_of(flow: dict, layer: str) -> str:
    part = {"data": "data", "recipient": "recipient", "jurisdiction": "jurisdiction"}[layer]
    return flow[part]["label"]


# ---------------------------------------------------------------------------------------------
# analysis helpers


def _positive(flows: Iterable[dict]) -> list[dict]:
    return [f for f in flows if f["modality"] != "will-not"]


def recipients_by_categories(flows: Iterable[dict]) -> list[dict]:
    """Which recipients receive the most data categories (will-not flows do not count).

    One row per recipient: ``recipient``, ``kind``, ``categories`` (count), ``data`` (labels),
    ``policies``, ``stated`` (categories some stated flow gives it). Most categories first.
    """
    rows: dict[str, dict] = {}
    for flow in _positive(flows):
        key = recipient_key(flow)
        if key is None:
            continue
        row = rows.setdefault(key, {"recipient": flow["recipient"]["label"], "kind": flow["recipient"]["kind"],
                                    "data": set(), "policies": set(), "stated": set()})
        row["data"].add(flow["data"]["label"])
        row["policies"].add(flow["policy"])
        if flow["stated"]:
            row["stated"].add(flow["data"]["label"])
    result = [{"recipient": r["recipient"], "kind": r["kind"], "categories": len(r["data"]),
               "stated": len(r["stated"]), "data": sorted(r["data"]), "policies": sorted(r["policies"])}
              for r in rows.values()]
    return sorted(result, key=lambda r: (-r["categories"], r["recipient"].casefold()))


def cross_border(flows: Iterable[dict], home: dict[str, str] | str | None = None) -> list[dict]:
    """Which data categories cross borders, per policy.

    A category crosses a border when its (positive) flows reach more than one country, or, when
    ``home`` names the policy's home country (one code for all, or ``{policy: code}``), any
    country other than home. One row per (policy, category): ``policy``, ``data``, ``countries``
    (ISO 3166-1 codes), ``places`` (the jurisdiction labels), sorted by how many countries.
    """
    reach: dict[tuple, dict] = {}
    for flow in _positive(flows):
        country = country_of(flow)
        if country is None:
            continue
        row = reach.setdefault((flow["policy"], flow["data"]["iri"]),
                               {"policy": flow["policy"], "data": flow["data"]["label"],
                                "countries": set(), "places": set()})
        row["countries"].add(country)
        row["places"].add(flow["jurisdiction"]["label"])
    rows = [r for r in reach.values() if _crosses(r, home)]
    result = [{**r, "countries": sorted(r["countries"]), "places": sorted(r["places"])} for r in rows]
    return sorted(result, key=lambda r: (-len(r["countries"]), r["policy"], r["data"].casefold()))


def _crosses(row: dict, home) -> bool:
    if home is None:
        return len(row["countries"]) > 1
    home_code = home.get(row["policy"]) if isinstance(home, dict) else home
    if home_code is None:
        return len(row["countries"]) > 1
    return bool(row["countries"] - {home_code.upper()})


def compare_policies(flows: Iterable[dict], first: str, second: str) -> dict:
    """How two policies differ: for data, recipients, places and will-not rules, what only one has.

    Returns ``{"policies": [first, second], "data": {...}, "recipients": {...}, "jurisdictions":
    {...}, "will_not": {...}}``; each part is ``{"only_<first>": [...], "only_<second>": [...],
    "both": [...]}`` of labels (recipients as "label (kind)", will-not as "action data → recipient").
    """
    flows = list(flows)
    missing = [p for p in (first, second) if not any(f["policy"] == p for f in flows)]
    if missing:
        raise ValueError(f"no flows for policy {', '.join(missing)}")
    return differences(flows, first, second)


def differences(flows: Iterable[dict], first: str, second: str) -> dict:
    """:func:`compare_policies` without its check: a policy without flows simply says nothing."""
    flows = list(flows)
    per_policy = {p: [f for f in flows if f["policy"] == p] for p in (first, second)}
    aspects = {
        "data": lambda fs: {f["data"]["label"] for f in _positive(fs)},
        "recipients": lambda fs: {f"{f['recipient']['label']} ({f['recipient']['kind']})"
                                  for f in _positive(fs) if f.get("recipient")},
        "jurisdictions": lambda fs: {f["jurisdiction"]["code"] or f["jurisdiction"]["label"]
                                     for f in _positive(fs) if f.get("jurisdiction")},
        "will_not": lambda fs: {_will_not_phrase(f) for f in fs if f["modality"] == "will-not"},
    }
    result: dict = {"policies": [first, second]}
    for name, collect in aspects.items():
        a, b = collect(per_policy[first]), collect(per_policy[second])
        result[name] = {f"only_{first}": _sorted(a - b), f"only_{second}": _sorted(b - a), "both": _sorted(a & b)}
    return result


def _sorted(labels: set[str]) -> list[str]:
    return sorted(labels, key=lambda label: (label.casefold(), label))


def _will_not_phrase(flow: dict) -> str:
    to = f" → {flow['recipient']['label']}" if flow.get("recipient") else ""
    return f"{flow['action']} {flow['data']['label']}{to}"


def summary(flows: Iterable[dict]) -> dict:
    """Counts a reader wants first: flows, by modality, stated/inferred, by recipient kind."""
    flows = list(flows)
    return {
        "flows": len(flows),
        "policies": sorted({f["policy"] for f in flows}),
        "data": len({f["data"]["iri"] for f in flows}),
        "recipients": len({recipient_key(f) for f in flows} - {None}),
        "jurisdictions": len({place_key(f) for f in flows} - {None}),
        "modality": dict(sorted(Counter(f["modality"] for f in flows).items())),
        "stated": sum(1 for f in flows if f["stated"]),
        "inferred": sum(1 for f in flows if not f["stated"]),
        "kinds": dict(sorted(Counter(f["recipient"]["kind"] for f in flows if f.get("recipient")).items())),
    }
