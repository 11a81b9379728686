"""What a flow map shows: which boxes, grouped how, and which arrows at every level of detail.

A map of many flows is unreadable when every data category and every recipient gets a box: the
two seed policies alone make 51 categories × 16 recipients, 880 arrows. So the map opens on
groups and lets the reader open them:

- **data categories** collapse to their top-level parents (the ontology's taxonomy, one level
  below personal information) when there are more than a screenful of them;
- **recipients** are grouped by kind ("service providers", nine types) when there are more than
  a screenful of them or the map would draw more arrows than a reader can follow; the first
  party and named organisations always keep their own box.

A group with a single member is no group: that member is shown. Arrows are computed here for
every combination of open and closed groups (category or group → recipient or group → place),
so the page only shows and hides them; each arrow carries its flows' text, and the sentences it
cites are indices into one table of evidence (a sentence is written into the page once).

The model is independent of pyvis and of the page: ``flowmap`` turns it into both.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from policyflows.views.network import KINDS, data_key, load_lexicon, place_key, recipient_key

SCREENFUL = 16            # rows a 1400×900 window shows at full size (one-line labels, 46 px apart)
ARROWS_AT_A_GLANCE = 100  # beyond this many arrows no single flow can be followed by eye
OTHER_DATA, OTHER_DATA_LABEL = "group:data:other", "other categories"   # the quietest top-level categories
COLUMNS = {"data": 0, "recipient": 1, "jurisdiction": 2}
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}
KIND_GROUP_NAMES = {
    "first-party": "first parties", "affiliate": "affiliates", "service-provider": "service providers",
    "third-party": "third parties", "advertiser": "advertisers", "authority": "authorities",
    "acquirer": "acquirers", "public": "the public", "user": "the user",
}


@dataclass
class MapNode:
    id: str
    layer: str                      # data | recipient | jurisdiction
    label: str
    kind: str | None = None         # recipient kind
    code: str | None = None         # ISO code of a place
    policies: set[str] = field(default_factory=set)
    members: list[str] = field(default_factory=list)   # a group's member ids, in column order
    group: str | None = None        # the group this node belongs to
    named: bool = False             # a recipient that is a named organisation (or the first party)
    order: float = 0.0              # rank in its column, top to bottom

    @property
    def column(self) -> int:
        return COLUMNS[self.layer]

    @property
    def is_group(self) -> bool:
        return bool(self.members)


@dataclass
class MapEdge:
    source: str
    target: str
    series: str                     # a policy id, or what the series stands for (``both`` in a comparison)
    negative: bool                  # a will-not flow
    hops: list[dict]                # the flows this arrow stands for
    data: set[str] = field(default_factory=set)  # leaf data ids whose flows it carries

    @property
    def id(self) -> str:
        return f"{self.source}>{self.target}|{self.series}|{'not' if self.negative else 'yes'}"


@dataclass
class MapModel:
    nodes: dict[str, MapNode]
    edges: list[MapEdge]
    grouped: dict[str, bool]        # per layer: did the map open on groups?

    def visible(self, node_id: str, expanded: Iterable[str] = ()) -> bool:
        """Is the node drawn when the groups in ``expanded`` are open (and no other)?"""
        node = self.nodes[node_id]
        open_ = set(expanded)
        if node.is_group:
            return node_id not in open_
        return node.group is None or node.group in open_

    def shown_edges(self, expanded: Iterable[str] = ()) -> list[MapEdge]:
        open_ = set(expanded)
        return [e for e in self.edges if self.visible(e.source, open_) and self.visible(e.target, open_)]


# ---------------------------------------------------------------------------------------------
# series: which arrows a pair of boxes gets


def per_policy(hops: list[dict]) -> list[tuple[str, list[dict]]]:
    """One arrow per policy (the flow map of one or several policies)."""
    by_policy: dict[str, list[dict]] = defaultdict(list)
    for hop in hops:
        by_policy[hop["policy"]].append(hop)
    return sorted(by_policy.items())


def merged(hops: list[dict]) -> list[tuple[str, list[dict]]]:
    """One arrow whatever the policies (a corpus: more policies than colours to tell them apart)."""
    return [("all", hops)]


def shared_or_alone(first: str, second: str) -> Callable[[list[dict]], list[tuple[str, list[dict]]]]:
    """One arrow ``both`` when both policies say it, else one for the policy that does (comparison)."""
    def series(hops: list[dict]) -> list[tuple[str, list[dict]]]:
        policies = {h["policy"] for h in hops}
        if {first, second} <= policies:
            return [("both", hops)]
        return [(p, [h for h in hops if h["policy"] == p]) for p in sorted(policies)]
    return series


# ---------------------------------------------------------------------------------------------
# building the model


def build_model(flows: Iterable[dict], *, series=per_policy, group: bool | None = None,
                lexicon=None) -> MapModel:
    """The boxes and arrows of a map of ``flows``.

    ``group=None`` decides by size (see the module text); ``True`` opens on groups whenever a
    group would merge something, ``False`` never groups.
    """
    flows = list(flows)
    nodes = _leaf_nodes(flows)
    grouped = {"data": False, "recipient": False}
    if group is not False and nodes:
        lexicon = lexicon or load_lexicon()
        data_ids = [n for n, node in nodes.items() if node.layer == "data"]
        recipient_ids = [n for n, node in nodes.items() if node.layer == "recipient"]
        _mark_named(nodes, recipient_ids, lexicon)
        leaf_arrows = len(_edges(flows, nodes, series))
        if group or len(data_ids) > SCREENFUL:
            grouped["data"] = _group(nodes, _data_groups(nodes, data_ids, lexicon, flows))
        if group or len(recipient_ids) > SCREENFUL or leaf_arrows > ARROWS_AT_A_GLANCE:
            grouped["recipient"] = _group(nodes, _recipient_groups(nodes, recipient_ids, flows))
        if not grouped["data"] and _shown_count(flows, nodes, series) > ARROWS_AT_A_GLANCE:
            grouped["data"] = _group(nodes, _data_groups(nodes, data_ids, lexicon, flows))
    else:
        for node in nodes.values():
            node.named = node.layer == "recipient" and node.kind == "first-party"
    edges = _edges(flows, nodes, series)
    _order(nodes, edges)
    return MapModel(nodes, edges, grouped)


def _leaf_nodes(flows: list[dict]) -> dict[str, MapNode]:
    nodes: dict[str, MapNode] = {}
    for flow in flows:
        for key, layer, part in ((data_key(flow), "data", flow["data"]),
                                 (recipient_key(flow), "recipient", flow.get("recipient")),
                                 (place_key(flow), "jurisdiction", flow.get("jurisdiction"))):
            if key is None:
                continue
            node = nodes.get(key)
            if node is None:
                node = nodes[key] = MapNode(key, layer, part["label"], kind=part.get("kind") if layer == "recipient" else None,
                                            code=part.get("code") if layer == "jurisdiction" else None)
            node.policies.add(flow["policy"])
    return nodes


def _mark_named(nodes: dict[str, MapNode], recipient_ids: list[str], lexicon) -> None:
    """A recipient is named when it is the first party, an organisation the ontology knows, or a
    capitalised name that is no recipient kind or service-provider type."""
    for node_id in recipient_ids:
        node = nodes[node_id]
        mentions = lexicon.recipient_mentions(node.label)
        if node.kind == "first-party" or any(m.organisation for m in mentions):
            node.named = True
        else:
            covers = any(m.end - m.start >= len(node.label.strip()) - 1 for m in mentions)
            node.named = not covers and node.label[:1].isupper()


def _data_groups(nodes: dict[str, MapNode], data_ids: list[str], lexicon,
                 flows: list[dict]) -> dict[str, tuple[str, str]]:
    """leaf id → (group id, group label): each category's ancestor one level below the root.

    When those top-level boxes are still more than a screenful (the vocabulary has many
    top-level categories, and a large answer reaches most of them), the quietest of them (fewest
    policies, then fewest flows) fold into one "other categories" group, so that the column opens
    on a screenful; their categories are its members.
    """
    from policyflows.views.network import ancestor_at_depth

    groups = {}
    for node_id in data_ids:
        iri = node_id.removeprefix("data:")
        parent = ancestor_at_depth(iri, 1, lexicon)
        groups[node_id] = ("group:data:" + parent, lexicon.label(parent))
    boxes: dict[str, list[str]] = defaultdict(list)   # a top-level box (a group, or a lone leaf) -> its leaves
    for leaf, (group_id, _) in groups.items():
        boxes[group_id].append(leaf)
    if len(boxes) <= SCREENFUL:
        return groups
    busy: dict[str, int] = defaultdict(int)
    for flow in flows:
        busy[data_key(flow)] += 1
    policies = {box: set().union(*(nodes[leaf].policies for leaf in leaves)) for box, leaves in boxes.items()}
    quiet = sorted(boxes, key=lambda box: (len(policies[box]), sum(busy[leaf] for leaf in boxes[box]),
                                           groups[boxes[box][0]][1].casefold(), box))
    for box in quiet[:len(boxes) - SCREENFUL + 1]:
        for leaf in boxes[box]:
            groups[leaf] = (OTHER_DATA, OTHER_DATA_LABEL)
    return groups


def _recipient_groups(nodes: dict[str, MapNode], recipient_ids: list[str], flows: list[dict]) -> dict[str, tuple[str, str]]:
    """leaf id → (group id, group label): the recipients that are not named, by kind.

    When the named ones alone are more than a screenful (a corpus: every policy has its own
    first party), the first parties merge into one box, and of the named organisations only
    the busiest keep theirs (most policies, then most flows); the others join their kind's group.
    """
    grouped = {n for n in recipient_ids if not nodes[n].named}
    named = [n for n in recipient_ids if nodes[n].named]
    kinds = {nodes[n].kind for n in grouped}
    if len(named) + len(kinds) > SCREENFUL:
        firsts = {n for n in named if nodes[n].kind == "first-party"}
        grouped |= firsts
        busy = defaultdict(int)
        for flow in flows:
            busy[recipient_key(flow)] += 1
        others = sorted((n for n in named if n not in firsts),
                        key=lambda n: (-len(nodes[n].policies), -busy[n], nodes[n].label.casefold(), n))
        room = max(SCREENFUL - len(kinds | {nodes[n].kind for n in named}), 0)
        grouped |= set(others[room:])
    return {n: ("group:recipient:" + nodes[n].kind, KIND_GROUP_NAMES.get(nodes[n].kind, nodes[n].kind))
            for n in recipient_ids if n in grouped}


def _group(nodes: dict[str, MapNode], groups: dict[str, tuple[str, str]]) -> bool:
    """Add the group nodes that merge two or more members; True when any was added."""
    members: dict[str, list[str]] = defaultdict(list)
    labels = {}
    for leaf, (group_id, label) in groups.items():
        members[group_id].append(leaf)
        labels[group_id] = label
    added = False
    for group_id, leaves in members.items():
        if len(leaves) < 2:
            continue
        first = nodes[leaves[0]]
        group = nodes[group_id] = MapNode(group_id, first.layer, labels[group_id], kind=first.kind,
                                          members=sorted(leaves, key=lambda n: nodes[n].label.casefold()))
        for leaf in leaves:
            nodes[leaf].group = group_id
            group.policies |= nodes[leaf].policies
        added = True
    return added


def _ends(node_id: str, nodes: dict[str, MapNode]) -> list[str]:
    """The boxes a leaf's arrow may end at: the leaf itself, and its group if it has one."""
    group = nodes[node_id].group
    return [node_id, group] if group else [node_id]


def _hops(flow: dict) -> list[tuple[str, str]]:
    chain = [k for k in (data_key(flow), recipient_key(flow), place_key(flow)) if k]
    return list(zip(chain, chain[1:]))


def _edges(flows: list[dict], nodes: dict[str, MapNode], series) -> list[MapEdge]:
    buckets: dict[tuple, list[dict]] = defaultdict(list)
    for flow in flows:
        negative = flow["modality"] == "will-not"
        for u, v in _hops(flow):
            for source in _ends(u, nodes):
                for target in _ends(v, nodes):
                    buckets[(source, target, negative)].append(flow)
    edges = []
    for (source, target, negative), hops in sorted(buckets.items()):
        for name, part in series(hops):
            edges.append(MapEdge(source, target, name, negative, part, {data_key(h) for h in part}))
    return edges


def _shown_count(flows, nodes, series) -> int:
    model = MapModel(nodes, _edges(flows, nodes, series), {})
    return len(model.shown_edges())


# ---------------------------------------------------------------------------------------------
# order within a column


def _order(nodes: dict[str, MapNode], edges: list[MapEdge]) -> None:
    """Rank the boxes of each column, top to bottom; a group's members follow it.

    Recipients go by kind (a kind's group, then its named organisations), then label. Data and
    places go by the mean rank of the recipients they connect to, so arrows cross less.
    """
    recipients = [n for n in nodes.values() if n.layer == "recipient"]
    recipients.sort(key=lambda n: (KIND_ORDER.get(n.kind, 99), not n.is_group, n.label.casefold(), n.id))
    recipients = _members_after_groups(recipients, nodes)
    for rank, node in enumerate(recipients):
        node.order = float(rank)
    rank_of = {n.id: n.order for n in recipients}
    for layer, end in (("data", "target"), ("jurisdiction", "source")):
        column = [n for n in nodes.values() if n.layer == layer]
        partners: dict[str, list[float]] = defaultdict(list)
        for edge in edges:
            mine, other = (edge.source, edge.target) if end == "target" else (edge.target, edge.source)
            if other in rank_of:
                partners[mine].append(rank_of[other])
        centre = {n.id: (sum(partners[n.id]) / len(partners[n.id]) if partners[n.id] else float("inf"))
                  for n in column}
        tops = sorted((n for n in column if n.group is None),
                      key=lambda n: (centre[n.id], n.label.casefold(), n.id))
        for node in tops:
            node.members.sort(key=lambda m: (centre[m], nodes[m].label.casefold(), m))
        ordered = _members_after_groups(tops, nodes)
        for rank, node in enumerate(ordered):
            node.order = float(rank)


def _members_after_groups(column: list[MapNode], nodes: dict[str, MapNode]) -> list[MapNode]:
    ordered = []
    for node in column:
        if node.group is not None:
            continue  # placed right after its group
        ordered.append(node)
        ordered.extend(nodes[m] for m in node.members)
    return ordered
