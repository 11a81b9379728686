"""HermiT (through owlready2) on the ontology: it loads, it is consistent, and the inferences hold."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal

from policyflows.ontology.reasoning import check, reasoning_graph
from policyflows.vocab import DPV, PF

EXAMPLE = """
@prefix pf:  <https://w3id.org/policyflows/ns#> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix loc: <https://w3id.org/dpv/loc#> .
@prefix ex:  <https://w3id.org/policyflows/policy/example/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:policy a pf:Policy ; pf:controllerCountry loc:CN .
ex:P7D a dpv:StorageDuration ; dpv:hasDuration "P7D"^^xsd:duration .
ex:to-us a dpv:PersonalDataHandling ; dpv:hasLocation loc:US ; dpv:hasProcessing dpv:Store ;
    pf:modality pf:May ; dpv:hasStorageCondition ex:P7D .
ex:to-france a dpv:PersonalDataHandling ; pf:modality pf:Will ; dpv:hasLocation loc:FR .
ex:not-to-france a dpv:PersonalDataHandling ; pf:modality pf:WillNot ; dpv:hasLocation loc:FR .
ex:to-beijing a dpv:PersonalDataHandling ; pf:modality pf:May ; dpv:hasLocation loc:CN-BJ .
ex:in-china a dpv:PersonalDataHandling ; pf:modality pf:May ; dpv:hasLocation loc:CN .
ex:nowhere a dpv:PersonalDataHandling ; pf:modality pf:May .
ex:clip a pf:CloudCachedVideo .
ex:imei a pf:IMEI .
"""
EX = "https://w3id.org/policyflows/policy/example/"


@pytest.fixture(scope="module")
def report():
    return check(Graph().parse(data=EXAMPLE, format="turtle"))


def test_the_ontology_alone_loads_in_owlready2_and_is_consistent():
    alone = check()
    assert alone.consistent, alone.error


def test_the_ontology_with_individuals_is_consistent(report):
    assert report.consistent, report.error


def test_data_category_subsumption_is_inferred(report):
    assert report.is_a(EX + "clip", PF.Video)
    assert report.is_a(EX + "clip", PF.PersonalInformation)
    assert report.is_a(EX + "clip", DPV.PersonalData)
    assert str(PF.Video) in report.inferred[EX + "clip"]
    assert report.is_a(EX + "imei", PF.DeviceIdentifier) and report.is_a(EX + "imei", PF.Identifier)


def test_a_flow_to_another_country_is_a_cross_border_transfer(report):
    assert report.is_a(EX + "to-us", PF.CrossBorderTransfer)
    assert report.is_a(EX + "to-france", PF.CrossBorderTransfer)


def test_a_flow_within_the_controller_country_is_not(report):
    assert not report.is_a(EX + "not-to-france", PF.CrossBorderTransfer)  # ruled out: it goes nowhere
    assert not report.is_a(EX + "to-beijing", PF.CrossBorderTransfer)
    assert not report.is_a(EX + "in-china", PF.CrossBorderTransfer)
    assert not report.is_a(EX + "nowhere", PF.CrossBorderTransfer)


def test_an_individual_of_two_disjoint_values_is_inconsistent():
    broken = Graph().parse(data="""
        @prefix pf: <https://w3id.org/policyflows/ns#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix dpv: <https://w3id.org/dpv#> .
        @prefix ex: <https://w3id.org/policyflows/policy/example/> .
        ex:flow a dpv:PersonalDataHandling ; pf:modality pf:Will, pf:WillNot .
        pf:Will owl:differentFrom pf:WillNot .""", format="turtle")
    assert not check(broken).consistent


def test_the_reasoning_copy_leaves_out_what_hermit_cannot_read():
    graph = reasoning_graph(Graph().parse(data=EXAMPLE, format="turtle"))
    assert not any(isinstance(o, Literal) and str(o.datatype).endswith("#duration") for o in graph.objects())
    assert len(graph) < 10_000  # loc.ttl (5 000 places) is not in it


def test_hermit_finds_the_cross_border_transfers_the_graph_states(seventymai_path):
    """The writer applies the rule of transfers.ttl as it writes; HermiT, given the policy's flows
    that have a place, classifies exactly those flows as cross-border transfers."""
    from rdflib.namespace import RDF

    from policyflows.pipeline import graph_for_file

    g = graph_for_file(seventymai_path).graph
    part = Graph()
    for policy in g.subjects(RDF.type, PF.Policy):
        part += g.triples((policy, None, None))
    flows = set(g.subjects(DPV.hasLocation, None)) & set(g.subjects(RDF.type, DPV.PersonalDataHandling))
    for flow in flows:
        for p in (RDF.type, DPV.hasLocation, PF.modality):
            part += g.triples((flow, p, None))
    report = check(part)
    assert report.consistent, report.error
    classified = {f for f in flows if report.is_a(f, PF.CrossBorderTransfer)}
    written = set(g.subjects(DPV.hasThirdCountry, None))
    assert classified and classified == written
