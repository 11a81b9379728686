"""GraphML and GEXF exports of the flow graph open again in networkx with their attributes."""
from __future__ import annotations

import re

import networkx as nx
import pytest

from conftest import HUALAI, POLICIES
from policyflows.views import export
from test_views_network import HUALAI_ID, SEVENTY_ID, hand_flows

READERS = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}


@pytest.fixture(scope="module")
def seed_flows(tmp_path_factory):
    from policyflows.store import FlowStore

    store = FlowStore.open(tmp_path_factory.mktemp("store"), create=True)
    store.build([POLICIES], progress=False)
    return store.flows()


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_hand_flows_round_trip_with_their_attributes(tmp_path, fmt):
    path = export.write_graph(hand_flows(), tmp_path / f"flows.{fmt}")
    graph = READERS[fmt](path)
    assert isinstance(graph, nx.DiGraph) and graph.is_directed()  # Multi… when edges run parallel
    nodes = {a["label"]: a for _, a in graph.nodes(data=True)}
    assert nodes["Xiaomi"]["layer"] == "recipient" and nodes["Xiaomi"]["kind"] == "third-party"
    assert nodes["Xiaomi"]["policies"] == f"{SEVENTY_ID}; {HUALAI_ID}" and int(nodes["Xiaomi"]["policy_count"]) == 2
    assert nodes["Beijing"]["layer"] == "jurisdiction" and nodes["Beijing"]["code"] == "CN-BJ"
    video = nodes["cloud-cached video"]
    assert (int(video["flows"]), int(video["stated"]), int(video["inferred"]), int(video["will_not"])) == (4, 2, 2, 1)
    edges = [(graph.nodes[u]["label"], graph.nodes[v]["label"], a) for u, v, a in graph.edges(data=True)]
    will_not = [a for u, v, a in edges if a["will_not"] in (True, "true")]
    assert len(will_not) == 1 and will_not[0]["actions"] == "sell" and will_not[0]["status"] == "inferred"
    assert "We do not sell any personal information to third parties." in will_not[0]["evidence"]
    share = next(a for u, v, a in edges if (u, v) == ("cloud-cached video", "Xiaomi"))
    assert share["policy"] == HUALAI_ID and share["via"] == "personal information" and int(share["flows"]) == 1
    to_beijing = next(a for u, v, a in edges if (u, v) == ("Hualai", "Beijing"))
    assert to_beijing["data"] == "cloud-cached video; MAC address" and float(to_beijing["weight"]) == 2.0


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_seed_graph_round_trips_with_provenance(seed_flows, tmp_path, fmt):
    written = export.export_graph(seed_flows)
    graph = READERS[fmt](export.write_graph(seed_flows, tmp_path / f"seeds.{fmt}"))
    assert graph.number_of_nodes() == written.number_of_nodes()
    assert graph.number_of_edges() == written.number_of_edges()
    assert sum(int(a["flows"]) for _, _, a in graph.edges(data=True)) == sum(
        a["flows"] for _, _, a in written.edges(data=True))
    assert {a["layer"] for _, a in graph.nodes(data=True)} == {"data", "recipient", "jurisdiction"}
    from policyflows.ingest import read

    text = read(HUALAI).text  # offsets are into the cleaned text
    for _, _, attrs in graph.edges(data=True):  # every edge cites sentences at their offsets
        assert attrs["evidence"]
        if attrs["policy"] == HUALAI.stem:
            start, end, sentence = re.match(r"\[(\d+)–(\d+)\] (.*?)(?: \| \[|$)", attrs["evidence"], re.S).groups()
            assert text[int(start):int(end)] == sentence


def test_gexf_carries_the_map_colours_and_an_unknown_format_is_refused(tmp_path):
    path = export.write_graph(hand_flows(), tmp_path / "flows.gexf")
    assert "viz:color" in path.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="graph format"):
        export.write_graph(hand_flows(), tmp_path / "flows.csv")
