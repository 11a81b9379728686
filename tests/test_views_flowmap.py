"""The flow-map page as HTML: self-contained, laid out in Python, styled, escaped.

What a browser does with the page is tested in test_map_browser.py.
"""
from __future__ import annotations

import json
import re

import pytest

from policyflows.views import flowmap
from test_views_network import HUALAI_ID, SEVENTY_ID, hand_flows

POLICIES = [
    {"id": HUALAI_ID, "title": "Privacy Policy", "controller": "Hualai Corporation", "updated": "2019-09-23"},
    {"id": SEVENTY_ID, "title": "70mai Privacy Policy", "controller": "70mai Technology (Shanghai) Co., Ltd.",
     "updated": "2017-08-01"},
]


def page_data(html: str, name: str):
    """The JSON a page hands to its script: `var NODES = [...];` (``nodes``, ``edges``, ``evidence``)."""
    match = re.search(rf"var {name.upper()} = (.*?);\n", html)
    return json.loads(match.group(1))


def edge_text(edge: dict, evidence: list) -> str:
    """An arrow's hover text as the page joins it: head, then per policy its lines and sentences."""
    blocks = []
    for block in edge["blocks"]:
        lines = [block["text"], ""] + [f"“{evidence[i][3]}” [{evidence[i][1]}–{evidence[i][2]}]" for i in block["ev"]]
        blocks.append("\n".join(lines))
    return edge["head"] + "\n" + "\n\n".join(blocks)


@pytest.fixture(scope="module")
def html() -> str:
    return flowmap.map_html(flowmap.build_map(hand_flows(), POLICIES, term="video"))


def test_page_loads_nothing_from_the_network(html):
    # no element may point outside the page; vis-network and its CSS are inline
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)\s*=", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)   # CSS pulls in nothing either
    assert "cdnjs" not in html and "jsdelivr" not in html
    assert "bootstrap" not in html.lower()
    assert "default-src 'none'" in html
    assert "vis.Network" in html and len(html) > 400_000  # vis inlined


def test_layout_is_computed_in_python_with_physics_off(html):
    options = json.loads(re.search(r"var options = (\{.*?\});\n", html).group(1))
    assert options["physics"]["enabled"] is False
    nodes = {n["label"]: n for n in page_data(html, "nodes")}
    assert all(n["physics"] is False for n in nodes.values())
    # columns: data left of recipients left of places
    assert nodes["cloud-cached video"]["x"] < nodes["Hualai"]["x"] < nodes["Beijing (CN-BJ)"]["x"]
    assert nodes["phone number"]["x"] == nodes["MAC address"]["x"]
    # a small map opens on every box: no groups, nothing hidden
    assert not any(n["hidden"] or n.get("members") for n in nodes.values())
    # same input, same page
    again = flowmap.map_html(flowmap.build_map(hand_flows(), POLICIES, term="video"))
    assert again == html


def test_styles_recipient_kinds_inferred_and_will_not(html):
    nodes = {n["label"]: n for n in page_data(html, "nodes")}
    assert nodes["Xiaomi"]["color"]["background"] == flowmap.KIND_COLOURS["third-party"]
    assert nodes["Hualai"]["color"]["background"] == flowmap.KIND_COLOURS["first-party"]
    edges = page_data(html, "edges")
    ids = {n["id"]: n["label"] for n in page_data(html, "nodes")}
    by_pair = {(ids[e["from"]], ids[e["to"]]): e for e in edges}
    evidence = page_data(html, "evidence")
    inferred = by_pair[("cloud-cached video", "Xiaomi")]
    assert inferred["dashes"] and inferred["stated"] is False
    assert "inferred via personal information" in edge_text(inferred, evidence)
    stated = by_pair[("cloud-cached video", "Hualai")]
    assert stated["dashes"] is False
    # inferred arrows are lighter than stated ones of the same policy
    assert inferred["color"]["color"] == flowmap.lighten(flowmap.POLICY_COLOURS[1])
    assert stated["color"]["color"] == flowmap.POLICY_COLOURS[1]
    will_not = by_pair[("cloud-cached video", "third parties")]
    assert will_not["color"]["color"] == flowmap.lighten(flowmap.MODALITY_COLOURS["will-not"])
    assert will_not["arrows"]["to"]["type"] == "bar" and "will not" in will_not["label"]
    assert "“We do not sell any personal information to third parties.”" in edge_text(will_not, evidence)


def test_hover_text_carries_evidence_with_offsets(html):
    edges = page_data(html, "edges")
    ids = {n["id"]: n["label"] for n in page_data(html, "nodes")}
    to_beijing = [e for e in edges if ids[e["to"]] == "Beijing (CN-BJ)" and ids[e["from"]] == "Hualai"][0]
    title = edge_text(to_beijing, page_data(html, "evidence"))
    assert "data: cloud-cached video; MAC address" in title
    quoted = re.findall(r"“(.*?)” \[(\d+)–(\d+)\]", title)
    text = (hand_flows()[0]["evidence"][1])
    assert (text["text"], str(text["start"]), str(text["end"])) in quoted


def test_title_names_the_policies_and_their_dates(html):
    header = re.search(r"<header>(.*?)</header>", html, re.S).group(1)
    assert "Where does video flow?" in header
    assert "Hualai Corporation · updated 2019-09-23" in header
    assert "updated 2017-08-01" in header
    # a legend of kinds present, line styles, and one colour per policy when several share the map
    for item in ("first party", "third party", "inferred", "will not", HUALAI_ID, SEVENTY_ID):
        assert item in header
    assert "advertiser" not in header


def test_several_policies_get_their_own_edge_colours(html):
    edges = page_data(html, "edges")
    colours = {e["policy"]: e["color"]["color"] for e in edges if e["modality"] != "will-not"}
    assert colours[HUALAI_ID] != colours[SEVENTY_ID]
    single = flowmap.map_html(flowmap.build_map([f for f in hand_flows() if f["policy"] == SEVENTY_ID], POLICIES))
    header = re.search(r"<header>(.*?)</header>", single, re.S).group(1)
    assert SEVENTY_ID in header and HUALAI_ID not in header
    assert "Where does personal data flow?" in header


def test_untrusted_text_is_escaped_everywhere():
    payload = "<img src=x onerror=alert(1)> <script>window.__pwned=1</script>"
    flows = hand_flows()
    flows[0]["evidence"][0]["text"] = payload
    flows[0]["recipient"]["label"] = "Evil </script><script>alert(2)</script>"
    policies = [dict(POLICIES[0], title=payload, controller="<b onmouseover=alert(3)>x</b>"), POLICIES[1]]
    html = flowmap.map_html(flowmap.build_map(flows, policies, term="<i>video</i>"))
    assert "<img src=x" not in html and "<script>window.__pwned" not in html
    assert "alert(2)</script>" not in html and "<b onmouseover" not in html and "<i>video" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the header shows it as text
    # the JSON still carries the exact text for the hover
    assert payload in [row[3] for row in page_data(html, "evidence")]
    assert "Evil </script><script>alert(2)</script>" in [n["label"] for n in page_data(html, "nodes")]


def test_geo_view_places_jurisdictions_by_longitude_and_latitude():
    html = flowmap.map_html(flowmap.build_map(hand_flows(), POLICIES, view="geo"))
    nodes = {n["label"]: n for n in page_data(html, "nodes")}
    france, germany, beijing = nodes["France (FR)"], nodes["Germany (DE)"], nodes["Beijing (CN-BJ)"]
    assert france["x"] < germany["x"] < beijing["x"]           # west to east
    assert germany["y"] < beijing["y"] < france["y"] + 100      # north is up (Germany 51°N, Beijing 40°N)
    assert nodes["Hualai"]["x"] < france["x"]                    # recipients stay left of the map
    backdrop = json.loads(re.search(r"var backdrop = (\{.*?\});\n", html).group(1))
    assert len(backdrop["rings"]) > 100                          # a world outline to read places against


def test_unknown_view_and_default_file_names():
    with pytest.raises(ValueError, match="view"):
        flowmap.build_map(hand_flows(), POLICIES, view="pie")
    assert flowmap.default_filename("video") == "video-map.html"
    assert flowmap.default_filename("MAC address", "geo") == "mac-address-map-geo.html"
    assert flowmap.default_filename(None) == "flows-map.html"


def test_an_empty_answer_still_makes_a_page():
    html = flowmap.map_html(flowmap.build_map([], POLICIES, term="video"))
    assert "No flows match." in html and page_data(html, "nodes") == []


def test_each_cited_sentence_is_written_once():
    html = flowmap.map_html(flowmap.build_map(hand_flows(), POLICIES, term="video"))
    evidence = page_data(html, "evidence")
    assert len({(p, s, e) for p, s, e, _ in evidence}) == len(evidence)
    centres = "Currently, Hualai has data centers in Beijing"
    assert sum(row[3].startswith(centres) for row in evidence) == 1
    assert html.count(centres) == 1


def test_write_map_writes_utf8(tmp_path):
    path = flowmap.write_map(hand_flows(), POLICIES, tmp_path / "out" / "m.html", term="video")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "✕ will not" in path.read_text(encoding="utf-8")


def test_geo_view_puts_places_without_coordinates_under_the_map():
    flows = hand_flows()
    flows[1]["jurisdiction"] = {"iri": "https://w3id.org/dpv/loc#EU", "label": "European Union", "code": "EU"}
    html = flowmap.map_html(flowmap.build_map(flows, POLICIES, view="geo"))
    nodes = {n["label"]: n for n in page_data(html, "nodes")}
    eu, beijing = nodes["European Union (EU)"], nodes["Beijing (CN-BJ)"]
    assert eu["y"] > beijing["y"] and eu["y"] > nodes["France (FR)"]["y"]   # below every located place


def test_a_corpus_page_folds_its_policy_list_and_draws_one_arrow_per_pair():
    from test_views_mapmodel import many_policies

    flows = many_policies(hand_flows(), 12)
    html = flowmap.map_html(flowmap.build_map(flows, POLICIES))
    header = re.search(r"<header>(.*?)</header>", html, re.S).group(1)
    assert "<details class='policies'><summary>24 policies</summary>" in header
    edges = page_data(html, "edges")
    assert {e["series"] for e in edges} == {"all"}       # 24 policies: more than colours can tell apart
    pairs = [(e["from"], e["to"], e["modality"] == "will-not") for e in edges]
    assert len(pairs) == len(set(pairs))
    quoted = max(edges, key=lambda e: len(e["policies"]))
    more = len(quoted["policies"]) - flowmap.MAX_POLICIES
    assert more > 0 and len(quoted["blocks"]) == flowmap.MAX_POLICIES + 1
    assert quoted["blocks"][-1]["text"].startswith(f"… and {more} more policies: ")


def test_comparison_marks_what_only_one_says_and_whose_rule_a_will_not_is():
    from policyflows.views import compare

    html = flowmap.map_html(compare.compare_map(hand_flows(), POLICIES, HUALAI_ID, SEVENTY_ID, term="video"))
    nodes = {n["label"]: n for n in page_data(html, "nodes")}
    assert nodes["Xiaomi"]["says"] == "both" and nodes["Beijing (CN-BJ)"]["says"] == "both"
    assert nodes["Hualai [A]"]["says"] == "A" and nodes["phone number [B]"]["says"] == "B"
    assert nodes["Hualai [A]"]["color"]["border"] == flowmap.POLICY_COLOURS[0]
    ids = {n["id"]: n["label"] for n in page_data(html, "nodes")}
    edges = {(ids[e["from"]], ids[e["to"]], e["modality"] == "will-not"): e for e in page_data(html, "edges")}
    assert edges[("Hualai [A]", "Beijing (CN-BJ)", False)]["series"] == HUALAI_ID
    assert edges[("70mai [B]", "Beijing (CN-BJ)", False)]["series"] == SEVENTY_ID
    # only A rules out selling video to third parties: red, with A's dash pattern
    ruled = edges[("cloud-cached video [A]", "third parties [A]", True)]
    assert ruled["series"] == HUALAI_ID and ruled["dashes"] == list(compare.WILL_NOT_DASHES[0])
    assert ruled["color"]["color"] == flowmap.lighten(flowmap.MODALITY_COLOURS["will-not"])  # inferred: lighter
    header = re.search(r"<header>(.*?)</header>", html, re.S).group(1)
    assert "Both say:" in header and "only A rules it out" in header and "only B rules it out" in header
    with pytest.raises(ValueError, match="different"):
        compare.compare_map(hand_flows(), POLICIES, HUALAI_ID, HUALAI_ID)
