"""networkx projections, filters, aggregation and analysis helpers, on flows written by hand.

The flows are where-json dicts built from real sentences of the two seed policies (offsets into
the policy file), the shape ``FlowStore.flows`` returns; the store itself is exercised by the
CLI, browser and notebook tests.
"""
from __future__ import annotations

import networkx as nx
import pytest

from conftest import HUALAI, SEVENTY_MAI
from policyflows.views import network as views

PF = "https://w3id.org/policyflows/ns#"
LOC = "https://w3id.org/dpv/loc#"
HUALAI_ID, SEVENTY_ID = HUALAI.stem, SEVENTY_MAI.stem


def evidence(path, sentence: str) -> dict:
    """The sentence as where-json evidence, with its offsets in the policy file."""
    text = path.read_text(encoding="utf-8")
    start = text.index(sentence)
    return {"text": sentence, "start": start, "end": start + len(sentence)}


def party(policy: str, kind: str, label: str) -> dict:
    return {"iri": f"https://w3id.org/policyflows/policy/{policy}/party/{kind}/{label.lower()}",
            "label": label, "kind": kind}


def place(code: str, label: str) -> dict:
    return {"iri": LOC + code, "label": label, "code": code}


def flow(policy, data, action, recipient, jurisdiction=None, *, modality="may", stated=True, via=(),
         evidence_=(), purposes=(), retention=None) -> dict:
    return {"policy": policy, "data": {"iri": PF + data.title().replace(" ", ""), "label": data},
            "action": action, "recipient": recipient, "jurisdiction": jurisdiction,
            "purposes": [{"iri": PF + p.title().replace(" ", ""), "label": p} for p in purposes],
            "modality": modality, "conditions": [], "retention": retention, "stated": stated,
            "via": list(via), "evidence": list(evidence_)}


def hand_flows() -> list[dict]:
    """A small corpus: video stored in Beijing and Germany, shared with Xiaomi (inferred), not sold;
    a phone number shared with Xiaomi and stored in France by the other policy."""
    video = evidence(HUALAI, "Cloud cached video: when the setting of “home surveillance” is enabled, "
                             "one video about 12 second period will be uploaded to server when motion detect.")
    centres = evidence(HUALAI, "Currently, Hualai has data centers in Beijing, United States, Singapore, "
                               "India, Russia and Germany.")
    xiaomi = evidence(HUALAI, "Hualai may disclose your personal data to Xiaomi or other Mi Ecosystem companies")
    no_sale = evidence(HUALAI, "We do not sell any personal information to third parties.")
    phone = evidence(SEVENTY_MAI, "We may from time to time share with Xiaomi the data related to Xiaomi / "
                                  "Mijia / Mitu brands and services")
    centres70 = evidence(SEVENTY_MAI, "Currently, 70mai has data centres in Beijing, United States, "
                                      "Singapore and French.")
    hualai, h_xiaomi, h_third = (party(HUALAI_ID, "first-party", "Hualai"),
                                 party(HUALAI_ID, "third-party", "Xiaomi"),
                                 party(HUALAI_ID, "third-party", "third parties"))
    seventy, s_xiaomi = party(SEVENTY_ID, "first-party", "70mai"), party(SEVENTY_ID, "third-party", "Xiaomi")
    return [
        flow(HUALAI_ID, "cloud-cached video", "store", hualai, place("CN-BJ", "Beijing"), evidence_=[video, centres],
             purposes=["motion-detection alarm"], retention="P7D"),
        flow(HUALAI_ID, "cloud-cached video", "store", hualai, place("DE", "Germany"), evidence_=[video, centres]),
        flow(HUALAI_ID, "cloud-cached video", "share", h_xiaomi, stated=False, via=["personal information"],
             evidence_=[video, xiaomi]),
        flow(HUALAI_ID, "cloud-cached video", "sell", h_third, modality="will-not", stated=False,
             via=["personal information"], evidence_=[video, no_sale]),
        flow(HUALAI_ID, "MAC address", "collect", hualai, place("CN-BJ", "Beijing"), modality="will",
             evidence_=[centres]),
        flow(SEVENTY_ID, "phone number", "share", s_xiaomi, evidence_=[phone]),
        flow(SEVENTY_ID, "phone number", "store", seventy, place("FR", "France"), evidence_=[centres70]),
        flow(SEVENTY_ID, "phone number", "store", seventy, place("CN-BJ", "Beijing"), evidence_=[centres70]),
    ]


def test_flow_graph_has_three_layers_with_attributes():
    graph = views.flow_graph(hand_flows())
    layers = {n: a["layer"] for n, a in graph.nodes(data=True)}
    assert set(layers.values()) == {"data", "recipient", "jurisdiction"}
    assert [graph.nodes[n]["label"] for n in views.layer_nodes(graph, "data")] == \
        ["cloud-cached video", "MAC address", "phone number"]
    # Xiaomi in two policies is one node a reader can compare; its policies are both listed.
    xiaomi = "recipient:third-party:xiaomi"
    assert graph.nodes[xiaomi]["policy"] == sorted([HUALAI_ID, SEVENTY_ID])
    assert graph.nodes[xiaomi]["kind"] == "third-party"
    assert len(graph.nodes[xiaomi]["iri"]) == 2
    # every edge goes one layer to the right
    order = {"data": 0, "recipient": 1, "jurisdiction": 2}
    assert all(order[layers[u]] < order[layers[v]] for u, v in graph.edges())
    share = [a for u, v, a in graph.edges(data=True) if v == xiaomi and a["policy"] == HUALAI_ID][0]
    assert share["action"] == "share" and share["stated"] is False and share["via"] == ["personal information"]
    assert share["evidence"][1]["text"].startswith("Hualai may disclose your personal data to Xiaomi")


def test_graph_evidence_points_into_the_policy_text():
    text = HUALAI.read_text(encoding="utf-8")
    for _, _, attrs in views.flow_graph(hand_flows()).edges(data=True):
        if attrs["policy"] == HUALAI_ID:
            for e in attrs["evidence"]:
                assert text[e["start"]:e["end"]] == e["text"]


def test_places_are_reached_through_the_recipient():
    graph = views.flow_graph(hand_flows())
    beijing = "place:CN-BJ"
    holders = {graph.nodes[u]["label"] for u in graph.predecessors(beijing)}
    assert holders == {"Hualai", "70mai"}
    reaching = {graph.nodes[d]["label"] for d in views.layer_nodes(graph, "data") if nx.has_path(graph, d, beijing)}
    assert reaching == {"cloud-cached video", "MAC address", "phone number"}
    germany = {graph.nodes[d]["label"] for d in views.layer_nodes(graph, "data") if nx.has_path(graph, d, "place:DE")}
    # the layered projection goes through the recipient: MAC address reaches Germany via Hualai
    assert germany == {"cloud-cached video", "MAC address"}


def test_filters_by_policy_modality_stated_kind_and_data():
    flows = hand_flows()
    assert {f["policy"] for f in views.filter_flows(flows, policies=[SEVENTY_ID])} == {SEVENTY_ID}
    will_not = views.filter_flows(flows, modality="will-not")
    assert [(f["action"], f["recipient"]["label"]) for f in will_not] == [("sell", "third parties")]
    inferred = views.filter_flows(flows, stated=False)
    assert len(inferred) == 2 and all(not f["stated"] for f in inferred)
    third = views.filter_flows(flows, kinds={"third-party"}, modality=["will", "may"])
    assert {f["recipient"]["label"] for f in third} == {"Xiaomi"}
    phone_iri = next(f["data"]["iri"] for f in flows if f["data"]["label"] == "phone number")
    assert len(views.filter_flows(flows, data={phone_iri})) == 3
    with pytest.raises(ValueError, match="modality"):
        views.filter_flows(flows, modality="might")
    with pytest.raises(ValueError, match="recipient kind"):
        views.filter_flows(flows, kinds="friend")


def test_recipients_by_categories_counts_positive_flows_only():
    rows = views.recipients_by_categories(hand_flows())
    by_name = {(r["recipient"], r["kind"]): r for r in rows}
    assert by_name[("Hualai", "first-party")]["categories"] == 2
    xiaomi = by_name[("Xiaomi", "third-party")]
    assert xiaomi["data"] == ["cloud-cached video", "phone number"]
    assert xiaomi["stated"] == 1 and xiaomi["policies"] == sorted([HUALAI_ID, SEVENTY_ID])
    # "third parties" only appears in a will-not flow: it receives nothing
    assert ("third parties", "third-party") not in by_name
    assert rows[0]["categories"] >= rows[-1]["categories"]


def test_cross_border_finds_categories_reaching_several_countries():
    rows = views.cross_border(hand_flows())
    assert sorted((r["policy"], r["data"], r["countries"]) for r in rows) == [
        (SEVENTY_ID, "phone number", ["CN", "FR"]),
        (HUALAI_ID, "cloud-cached video", ["CN", "DE"]),
    ]
    # with a home country, one foreign place is enough; MAC address stays home
    rows = views.cross_border(hand_flows(), home={HUALAI_ID: "CN"})
    assert (HUALAI_ID, "MAC address") not in {(r["policy"], r["data"]) for r in rows}
    assert views.cross_border(hand_flows(), home="DE")[0]["data"] in {"cloud-cached video", "phone number"}


def test_compare_policies_names_what_only_one_has():
    diff = views.compare_policies(hand_flows(), HUALAI_ID, SEVENTY_ID)
    assert diff["data"][f"only_{HUALAI_ID}"] == ["cloud-cached video", "MAC address"]
    assert diff["data"][f"only_{SEVENTY_ID}"] == ["phone number"]
    assert diff["recipients"]["both"] == ["Xiaomi (third-party)"]
    assert diff["jurisdictions"]["both"] == ["CN-BJ"]
    assert diff["jurisdictions"][f"only_{SEVENTY_ID}"] == ["FR"]
    assert diff["will_not"][f"only_{HUALAI_ID}"] == ["sell cloud-cached video → third parties"]
    with pytest.raises(ValueError, match="no flows"):
        views.compare_policies(hand_flows(), HUALAI_ID, "no-such-policy")


def test_top_k_keeps_the_busiest_recipients():
    flows = hand_flows()
    top = views.top_k(flows, 1, layer="recipient")
    assert {f["recipient"]["label"] for f in top} in ({"Hualai"}, {"Xiaomi"})
    assert {f["recipient"]["label"] for f in views.top_k(flows, 2)} == {"Hualai", "Xiaomi"}
    assert {f["jurisdiction"]["code"] for f in views.top_k(flows, 1, layer="jurisdiction")} == {"CN-BJ"}
    with pytest.raises(ValueError):
        views.top_k(flows, 0)


def test_summary_counts():
    s = views.summary(hand_flows())
    assert s["flows"] == 8 and s["stated"] == 6 and s["inferred"] == 2
    assert s["modality"] == {"may": 6, "will": 1, "will-not": 1}
    assert s["jurisdictions"] == 3 and s["data"] == 3


def test_collapse_categories_with_the_real_lexicon():
    from policyflows.ontology import Lexicon

    lexicon = Lexicon.load()
    video = lexicon.resolve("cloud video")[0].iri
    ancestors = sorted(lexicon.broader(video), key=lambda a: len(lexicon.broader(a)))
    assert ancestors, "cloud-cached video has a broader category in the ontology"
    top = str(ancestors[1] if len(ancestors) > 1 else ancestors[0])
    flows = hand_flows()
    for f in flows:
        if f["data"]["label"] == "cloud-cached video":
            f["data"]["iri"] = str(video)
    collapsed = views.collapse_categories(flows, depth=len(lexicon.broader(top)), lexicon=lexicon)
    collapsed_video = [f for f in collapsed if f.get("collapsed_from") == ["cloud-cached video"]]
    assert collapsed_video and all(f["data"]["iri"] == top for f in collapsed_video)
    assert all(f["data"]["label"] == lexicon.label(top) for f in collapsed_video)
    # evidence survives aggregation
    assert all(f["evidence"] for f in collapsed)


def test_term_categories_include_narrower_ones():
    iris = views.term_categories("video")
    from policyflows.ontology import Lexicon

    lexicon = Lexicon.load()
    assert str(lexicon.resolve("cloud video")[0].iri) in iris
