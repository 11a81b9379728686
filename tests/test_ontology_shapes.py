"""SHACL shapes: a correct policy graph passes, and each kind of broken graph is rejected for its reason."""
from __future__ import annotations

import pytest
from rdflib import Graph

from policyflows.ontology.shapes import shape_count, validate

TEXT = "Cloud cached video will keep 7 days on the server. Hualai has data centers in Beijing."

GOOD = f"""
@prefix pf:   <https://w3id.org/policyflows/ns#> .
@prefix dpv:  <https://w3id.org/dpv#> .
@prefix oa:   <http://www.w3.org/ns/oa#> .
@prefix loc:  <https://w3id.org/dpv/loc#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix p:    <https://w3id.org/policyflows/policy/example/> .

<https://w3id.org/policyflows/policy/example> a pf:Policy ; pf:policyId "example" ;
    dct:title "Example" ; pf:controller p:party ; pf:sha256 "{'a' * 64}" ; pf:textLength {len(TEXT)} .
p:party a pf:FirstParty ; rdfs:label "Example" ; pf:kindCode "first-party" .
p:xiaomi a pf:ThirdParty ; rdfs:label "Xiaomi" ; pf:kindCode "third-party" ; pf:organisation pf:Xiaomi .
p:s0 a oa:TextQuoteSelector, oa:TextPositionSelector ; oa:exact "{TEXT[:50]}" ; oa:start 0 ; oa:end 50 .
p:s1 a oa:TextQuoteSelector, oa:TextPositionSelector ; oa:exact "{TEXT[51:]}" ; oa:start 51 ; oa:end {len(TEXT)} .
p:P7D a dpv:StorageDuration ; dpv:hasDuration "P7D"^^xsd:duration .
p:st1 a pf:Statement ; dpv:hasProcessing dpv:Store ; pf:modality pf:Will ; pf:actor p:party ;
    dpv:hasPersonalData pf:CloudCachedVideo ; dpv:hasStorageCondition p:P7D ; pf:evidence p:s0 .
p:st2 a pf:Statement ; dpv:hasProcessing dpv:Store ; pf:modality pf:May ; pf:actor p:party ;
    dpv:hasPersonalData pf:PersonalInformation ; dpv:hasLocation loc:CN-BJ ; pf:evidence p:s1 .
p:f1 a dpv:PersonalDataHandling ; dpv:hasPersonalData pf:CloudCachedVideo ; dpv:hasProcessing dpv:Store ; pf:modality pf:Will ;
    dpv:hasDataController p:party ; dpv:hasLocation loc:CN-BJ ; dpv:hasPurpose pf:MotionDetectionAlarm ;
    dpv:hasStorageCondition p:P7D ; pf:via pf:PersonalInformation ; pf:derivedFrom p:st1, p:st2 .
p:f2 a dpv:PersonalDataHandling ; dpv:hasPersonalData pf:CloudCachedVideo ; dpv:hasProcessing dpv:Share ; pf:modality pf:May ;
    dpv:hasRecipient p:xiaomi ; pf:derivedFrom p:st1 .
"""

PREFIXES = GOOD.split("\n<https")[0]


def graph_of(turtle: str) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


def broken(remove: str = "", add: str = "") -> Graph:
    """The good graph with some triples taken out (as Turtle lines) and others added."""
    graph = graph_of(GOOD)
    if remove:
        for triple in graph_of(PREFIXES + remove):
            graph.remove(triple)
    if add:
        graph.parse(data=PREFIXES + add, format="turtle")
    return graph


def failing_paths(report) -> set[str]:
    return {v.path.rsplit("#", 1)[-1] if v.path else "" for v in report.results}


def test_the_shapes_file_declares_node_shapes():
    assert shape_count() >= 6


def test_a_correct_policy_graph_conforms():
    report = validate(graph_of(GOOD))
    assert report.conforms, report.text


def test_a_flow_without_the_statements_it_follows_from_is_rejected():
    report = validate(broken(remove="p:f2 pf:derivedFrom p:st1 ."))
    assert not report.conforms
    assert {v.focus.rsplit("/", 1)[-1] for v in report.results} == {"f2"}
    assert "derivedFrom" in failing_paths(report)


def test_a_statement_without_evidence_is_rejected():
    report = validate(broken(remove="p:st1 pf:evidence p:s0 ."))
    assert not report.conforms
    assert "evidence" in failing_paths(report)


def test_sentence_offsets_beyond_the_text_are_rejected():
    report = validate(broken(remove=f"p:s1 oa:end {len(TEXT)} .", add=f"p:s1 oa:end {len(TEXT) + 40} ."))
    assert not report.conforms
    assert any("out of range" in m for m in report.messages())


def test_a_sentence_ending_before_it_starts_is_rejected():
    report = validate(broken(remove="p:s0 oa:start 0 .", add="p:s0 oa:start 60 ."))
    assert any("out of range" in m for m in report.messages())


def test_sentence_text_must_be_as_long_as_its_offsets():
    report = validate(broken(remove='p:s0 oa:end 50 .', add='p:s0 oa:end 49 .'))
    assert any("end − start" in m for m in report.messages())


def test_an_unknown_action_is_rejected():
    report = validate(broken(remove="p:f2 dpv:hasProcessing dpv:Share .", add="p:f2 dpv:hasProcessing pf:Broadcast ."))
    assert not report.conforms
    assert "hasProcessing" in failing_paths(report)


def test_two_actions_on_one_flow_are_rejected():
    report = validate(broken(add="p:f2 dpv:hasProcessing pf:Sell ."))
    assert "hasProcessing" in failing_paths(report)
    # a flow to a third country also has dpv:CrossBorderTransfer: that is no second action
    assert validate(broken(add="p:f1 dpv:hasProcessing dpv:CrossBorderTransfer ; dpv:hasThirdCountry loc:CN .")).conforms


def test_a_modality_outside_the_three_values_is_rejected():
    report = validate(broken(remove="p:st1 pf:modality pf:Will .", add="p:st1 pf:modality pf:Might ."))
    assert not report.conforms
    assert "modality" in failing_paths(report)


def test_a_flow_without_data_is_rejected():
    report = validate(broken(remove="p:f1 dpv:hasPersonalData pf:CloudCachedVideo ."))
    assert not report.conforms
    assert "hasPersonalData" in failing_paths(report)


def test_a_handling_may_hold_several_categories_each_an_iri():
    # flows differing only in their data are one handling (one where row per category)
    assert validate(broken(add="p:f1 dpv:hasPersonalData pf:Video .")).conforms
    report = validate(broken(add='p:f1 dpv:hasPersonalData "video" .'))
    assert "hasPersonalData" in failing_paths(report)


def test_an_overridden_flow_names_what_overrides_it():
    report = validate(broken(remove="p:f2 a dpv:PersonalDataHandling .", add="p:f2 a pf:OverriddenFlow ."))
    assert "overriddenBy" in failing_paths(report)
    assert validate(broken(remove="p:f2 a dpv:PersonalDataHandling .",
                           add="p:f2 a pf:OverriddenFlow ; pf:overriddenBy p:st1 .")).conforms


def test_retention_must_be_a_duration():
    report = validate(broken(remove='p:P7D dpv:hasDuration "P7D"^^xsd:duration .', add='p:P7D dpv:hasDuration "7 days" .'))
    assert "hasDuration" in failing_paths(report)


def test_a_recipient_needs_one_of_the_nine_kinds():
    report = validate(broken(remove='p:xiaomi pf:kindCode "third-party" .', add='p:xiaomi pf:kindCode "friend" .'))
    assert not report.conforms
    assert "kindCode" in failing_paths(report) or "recipient" in failing_paths(report)


@pytest.mark.parametrize("predicate", ["pf:policyId", "pf:sha256", "pf:textLength"])
def test_a_policy_needs_its_identity(predicate):
    line = {"pf:policyId": 'pf:policyId "example"', "pf:sha256": f'pf:sha256 "{"a" * 64}"',
            "pf:textLength": f"pf:textLength {len(TEXT)}"}[predicate]
    report = validate(broken(remove=f"<https://w3id.org/policyflows/policy/example> {line} ."))
    assert predicate.split(":")[1] in failing_paths(report)


def test_the_graph_written_for_a_seed_policy_conforms(hualai_path):
    from policyflows.pipeline import graph_for_file
    policy = graph_for_file(hualai_path)
    report = validate(policy.graph)
    assert report.conforms, report.text


def test_the_shapes_are_valid_shacl_and_a_malformed_shape_is_caught():
    from policyflows.ontology.shapes import shapes_problems
    assert shapes_problems() == []
    malformed = graph_of("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix pf: <https://w3id.org/policyflows/ns#> .
        pf:Bad a sh:NodeShape ; sh:targetClass pf:Flow ; sh:property [ sh:path pf:data ; sh:minCount "many" ] .""")
    problems = shapes_problems(malformed)
    assert problems and "xsd:integer" in problems[0]


def test_a_statement_without_pf_actor_is_the_controllers_and_conforms():
    # the graph writes pf:actor only when it is not the policy's controller
    report = validate(broken(remove="p:st1 pf:actor p:party . p:st2 pf:actor p:party ."))
    assert report.conforms, report.text


@pytest.mark.parametrize("remove, add, path", [
    ("", "p:st1 pf:actor p:xiaomi .", "actor"),  # a statement with two actors
    # a statement naming no actor is the controller's, so a policy has one
    ("<https://w3id.org/policyflows/policy/example> pf:controller p:party .", "", "controller"),
], ids=["two-actors", "no-controller"])
def test_who_holds_a_statement_is_checked(remove, add, path):
    report = validate(broken(remove=remove, add=add))
    assert not report.conforms
    assert path in failing_paths(report)
