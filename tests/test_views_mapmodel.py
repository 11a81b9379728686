"""What a map opens on: groups when there is more than a screenful, every flow kept at every level.

On the flows of a store built from the two seed policies (../shared/policies), and on the
hand-written flows of test_views_network.
"""
from __future__ import annotations

import itertools

import pytest

from conftest import HUALAI, POLICIES, SEVENTY_MAI
from policyflows.views import mapmodel
from policyflows.views.network import ancestor_at_depth, data_key, place_key, recipient_key
from test_views_network import hand_flows


@pytest.fixture(scope="module")
def store():
    from policyflows.store import FlowStore

    import tempfile
    with tempfile.TemporaryDirectory() as path:
        store = FlowStore.open(path, create=True)
        store.build([POLICIES], progress=False)
        yield store


@pytest.fixture(scope="module")
def everything(store):
    return store.flows()


@pytest.fixture(scope="module")
def lexicon():
    from policyflows.ontology import Lexicon

    return Lexicon.load()


def shown(model, layer, expanded=()):
    return [n for n in model.nodes.values() if n.layer == layer and model.visible(n.id, expanded)]


def hop_pairs(flows):
    """Every (flow, hop) a map must draw: data → recipient, recipient → place (or data → place)."""
    pairs = set()
    for i, flow in enumerate(flows):
        chain = [k for k in (data_key(flow), recipient_key(flow), place_key(flow)) if k]
        pairs |= {(i, u, v) for u, v in zip(chain, chain[1:])}
    return pairs


def drawn_pairs(model, flows, expanded):
    """The (flow, hop) pairs the shown arrows stand for, mapped back to leaf boxes."""
    index = {id(f): i for i, f in enumerate(flows)}
    leaf = lambda node_id, flow: node_id if not model.nodes[node_id].is_group else next(  # noqa: E731
        k for k in (data_key(flow), recipient_key(flow), place_key(flow)) if model.nodes.get(k) and
        model.nodes[k].group == node_id)
    return {(index[id(h)], leaf(e.source, h), leaf(e.target, h)) for e in model.shown_edges(expanded) for h in e.hops}


def test_map_of_everything_opens_on_top_level_categories_and_kinds_of_recipient(everything, lexicon):
    model = mapmodel.build_model(everything, lexicon=lexicon)
    assert model.grouped == {"data": True, "recipient": True}
    data = shown(model, "data")
    leaves = {data_key(f) for f in everything}
    assert len(leaves) > mapmodel.SCREENFUL >= len(data)
    top = lambda leaf: ancestor_at_depth(leaf.removeprefix("data:"), 1, lexicon)  # noqa: E731
    others = [n for n in data if n.id == mapmodel.OTHER_DATA]
    for node in data:  # each shown box is a top-level category, the group of one, or the quietest ones together
        if node.id == mapmodel.OTHER_DATA:
            continue
        if node.is_group:
            parent = node.id.removeprefix("group:data:")
            assert lexicon.broader(parent) and len(node.members) >= 2
            assert all(top(m) == parent for m in node.members)
        else:
            iri = node.id.removeprefix("data:")
            assert ancestor_at_depth(iri, 1, lexicon) == iri or node.group is None
    if others:  # more top-level categories than a screenful: the quietest fold into one box
        folded = {top(m) for m in others[0].members}
        assert len(folded) >= 2 and not folded & {top(n.id) for n in data if n.id != mapmodel.OTHER_DATA}
        policies = lambda tops: {p for f in everything if top(data_key(f)) in tops for p in [f["policy"]]}  # noqa: E731
        quietest = max(len(policies({t})) for t in folded)
        assert all(len(policies({top(n.id) if not n.is_group else n.id.removeprefix("group:data:")})) >= quietest
                   for n in data if n.id != mapmodel.OTHER_DATA)
    recipients = shown(model, "recipient")
    assert len(recipients) <= mapmodel.SCREENFUL
    labels = {n.label for n in recipients}
    # the first parties and the named organisations keep their boxes; the types of service provider merge
    assert {"70mai", "Hualai", "Xiaomi", "Mi Ecosystem companies"} <= labels
    providers = next(n for n in recipients if n.is_group and n.kind == "service-provider")
    assert len(providers.members) >= 5 and all(model.nodes[m].kind == "service-provider" for m in providers.members)
    # a measured gain, kept: 880 arrows with every box open, 184 on opening (floor with some room)
    every_group = [n.id for n in model.nodes.values() if n.is_group]
    assert len(model.shown_edges()) <= 200 < len(model.shown_edges(every_group))


def test_no_flow_is_lost_whichever_groups_are_open(everything, lexicon):
    model = mapmodel.build_model(everything, lexicon=lexicon)
    groups = [n.id for n in model.nodes.values() if n.is_group]
    wanted = hop_pairs(everything)
    for expanded in ((), groups, groups[:1], groups[1::2]):
        assert drawn_pairs(model, everything, expanded) == wanted, expanded


def test_members_follow_their_group_in_the_column(everything, lexicon):
    model = mapmodel.build_model(everything, lexicon=lexicon)
    for column in ("data", "recipient"):
        ordered = sorted((n for n in model.nodes.values() if n.layer == column), key=lambda n: n.order)
        for group in (n for n in ordered if n.is_group):
            at = ordered.index(group)
            assert [n.id for n in ordered[at + 1:at + 1 + len(group.members)]] == group.members


def test_a_small_answer_opens_on_every_box(store, lexicon):
    video = store.flows("video")
    model = mapmodel.build_model(video, lexicon=lexicon)
    assert model.grouped == {"data": False, "recipient": False}
    assert not any(n.is_group for n in model.nodes.values())
    assert len(model.shown_edges()) == len(model.edges) <= mapmodel.ARROWS_AT_A_GLANCE


def test_forced_groups_never_hold_a_single_member(lexicon):
    model = mapmodel.build_model(hand_flows(), group=True, lexicon=lexicon)
    assert all(len(n.members) >= 2 for n in model.nodes.values() if n.is_group)
    none = mapmodel.build_model(hand_flows(), group=False, lexicon=lexicon)
    assert not any(n.is_group for n in none.nodes.values())


def test_named_recipients_are_told_from_kinds_without_naming_anyone(lexicon):
    flows = hand_flows()
    flows[0]["recipient"] = dict(flows[0]["recipient"], label="Acme Analytics", kind="service-provider")
    flows[1]["recipient"] = dict(flows[1]["recipient"], label="mailing house", kind="service-provider")
    model = mapmodel.build_model(flows, group=True, lexicon=lexicon)
    named = {n.label for n in model.nodes.values() if n.named}
    assert "Acme Analytics" in named        # a capitalised name the ontology does not know
    assert "Xiaomi" in named                # an organisation the ontology knows
    assert "mailing house" not in named and "third parties" not in named


def test_comparison_arrows_say_both_or_name_the_one_policy(everything, lexicon):
    first, second = SEVENTY_MAI.stem, HUALAI.stem
    model = mapmodel.build_model(everything, series=mapmodel.shared_or_alone(first, second), lexicon=lexicon)
    series = {e.series for e in model.edges}
    assert series == {"both", first, second}
    for edge in model.edges:
        policies = {h["policy"] for h in edge.hops}
        assert policies == ({first, second} if edge.series == "both" else {edge.series})
    # between the same two boxes, an arrow "both" leaves no single-policy twin of the same polarity
    seen = {}
    for edge in model.edges:
        seen.setdefault((edge.source, edge.target, edge.negative), []).append(edge.series)
    assert all(len(s) == 1 for s in seen.values())  # one arrow per pair and polarity: a comparison halves the mesh


def test_per_policy_series_draws_one_arrow_per_policy(everything, lexicon):
    model = mapmodel.build_model(everything, lexicon=lexicon)
    keys = [(e.source, e.target, e.series, e.negative) for e in model.edges]
    assert len(keys) == len(set(keys))
    assert {e.series for e in model.edges} == {SEVENTY_MAI.stem, HUALAI.stem}
    assert all(all(h["policy"] == e.series for h in e.hops) for e in model.edges)
    for a, b in itertools.combinations(model.edges[:50], 2):
        assert a.id != b.id


def many_policies(flows, copies: int) -> list[dict]:
    """The same flows as if ``copies`` policies had said them, each with its own first party:
    the shape of a corpus (every policy names its own company), from real flows."""
    out = []
    for i in range(copies):
        for flow in flows:
            flow = dict(flow, policy=f"{flow['policy']}-{i:02d}")
            if flow["recipient"] and flow["recipient"]["kind"] == "first-party":
                flow["recipient"] = dict(flow["recipient"], label=f"{flow['recipient']['label']} {i:02d}")
            out.append(flow)
    return out


def test_a_corpus_opens_on_a_screenful_of_recipients(store, lexicon):
    flows = many_policies(store.flows("video"), 20)
    model = mapmodel.build_model(flows, lexicon=lexicon)
    recipients = shown(model, "recipient")
    assert len(recipients) <= mapmodel.SCREENFUL < len({recipient_key(f) for f in flows})
    firsts = [n for n in recipients if n.kind == "first-party"]
    assert len(firsts) == 1 and firsts[0].is_group and len(firsts[0].members) == 20
    assert {"Xiaomi", "Mi Ecosystem companies"} <= {n.label for n in recipients}  # named, in every policy
    assert drawn_pairs(model, flows, ()) == hop_pairs(flows)
