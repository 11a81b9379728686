"""The ontology files: they parse, every class is labelled, DPV references exist, generated files match DPV."""
from __future__ import annotations

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from policyflows.ontology import ontology_graph
from policyflows.ontology.build import data_concepts, purpose_concepts, recipient_concepts
from policyflows.ontology.check import counts, dangling_dpv_iris
from policyflows.ontology.generate import generate, hand_written_graph
from policyflows.resources import ontology_dir
from policyflows.vocab import DPV, LOC, PD, PF, TECH

from conftest import SHARED

DPV_DIR = SHARED / "dpv"
DPV_NAMESPACES = (str(DPV), str(PD), str(TECH), str(LOC))


@pytest.fixture(scope="module")
def graph() -> Graph:
    return ontology_graph()


@pytest.fixture(scope="module")
def dpv() -> Graph:
    reference = Graph()
    for name in ("dpv.ttl", "pd.ttl", "tech.ttl", "loc.ttl"):
        reference.parse(DPV_DIR / name, format="turtle")
    return reference


@pytest.mark.parametrize("path", sorted(ontology_dir().glob("*.ttl")), ids=lambda p: p.name)
def test_each_file_parses_as_turtle(path):
    assert len(Graph().parse(path, format="turtle")) > 10


def test_every_class_has_an_english_label(graph):
    unlabelled = [str(c) for c in graph.subjects(RDF.type, OWL.Class)
                  if isinstance(c, URIRef) and not any(l.language in (None, "en") for l in graph.objects(c, RDFS.label))]
    assert unlabelled == []


def test_every_named_organisation_has_a_label_and_kind(graph):
    for org in graph.subjects(RDF.type, PF.NamedOrganisation):
        assert graph.value(org, RDFS.label) is not None, org
        assert str(graph.value(org, PF.kindCode)) in {"third-party", "service-provider", "affiliate", "advertiser"}, org


def test_at_least_150_data_categories_under_personal_information(graph):
    data = data_concepts(graph)
    personal = [iri for iri in data if iri != str(PF.NonPersonalData) and "NonPersonal" not in iri]
    assert len(personal) >= 150
    assert counts(graph)["data categories"] >= 150


def test_the_taxonomy_reaches_the_root_from_every_category(graph):
    data = data_concepts(graph)
    roots = {str(PF.PersonalInformation), str(PF.NonPersonalData)}
    for iri, concept in data.items():
        node, seen = iri, set()
        while node not in roots:
            assert data[node]["parents"], f"{iri} has no parent category"
            seen.add(node)
            node = data[node]["parents"][0]
            assert node not in seen, f"cycle at {iri}"


def test_no_synonym_names_two_categories(graph):
    from policyflows.ontology.lexicon import normalise
    owner = {}
    clashes = []
    for iri in data_concepts(graph):
        for label in [*graph.objects(URIRef(iri), RDFS.label), *graph.objects(URIRef(iri), SKOS.altLabel),
                      *graph.objects(URIRef(iri), PF.listedLabel), *graph.objects(URIRef(iri), PF.listOnlyLabel)]:
            key = tuple(normalise(t) for t in re.findall(r"[^\W_]+", str(label)))
            if owner.setdefault(key, iri) != iri:
                clashes.append((str(label), owner[key], iri))
    assert clashes == []


def test_listed_labels_are_single_words_of_data_categories(graph):
    """A listed label is an ordinary word that names a category only in a list ("address"), so one word."""
    data = data_concepts(graph)
    listed = [(s, o) for p in (PF.listedLabel, PF.listOnlyLabel) for s, o in graph.subject_objects(p)]
    assert len(listed) >= 20
    for subject, label in listed:
        assert str(subject) in data, subject
        assert re.fullmatch(r"[\w-]+", str(label)), label
    for prop in (PF.listedLabel, PF.listOnlyLabel):
        assert (prop, RDF.type, OWL.AnnotationProperty) in graph


def test_purposes_sit_under_dpv_purposes(graph):
    purposes = purpose_concepts(graph)
    assert len(purposes) >= 30
    assert str(PF.MotionDetectionAlarm) in purposes and str(PF.DirectMarketing) in purposes


def test_recipient_kinds_subtypes_and_organisations(graph):
    recipients = recipient_concepts(graph)
    kinds = {c["kind"] for c in recipients.values()}
    assert kinds >= {"first-party", "affiliate", "service-provider", "third-party", "advertiser", "authority",
                     "acquirer", "public", "user"}
    assert recipients[str(PF.DataCentre)]["kind"] == "service-provider"
    assert recipients[str(PF.MiEcosystem)]["parents"] == [str(PF.Xiaomi)]


def test_every_dpv_iri_referenced_exists_in_dpv(dpv):
    used = {t for triple in hand_written_graph(ontology_dir()) for t in triple
            if isinstance(t, URIRef) and str(t).startswith(DPV_NAMESPACES)}
    assert len(used) > 100
    known = {s for s in dpv.subjects() if isinstance(s, URIRef)}
    assert sorted(str(t) for t in used - known) == []
    assert dangling_dpv_iris() == []


def test_a_dangling_dpv_iri_is_reported(tmp_path):
    for path in ontology_dir().glob("*.ttl"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "extra.ttl").write_text(
        "@prefix pd: <https://w3id.org/dpv/pd#> . @prefix pf: <https://w3id.org/policyflows/ns#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'pf:Flurbo rdfs:label "flurbo" ; rdfs:subClassOf pd:Flurbo .\n')
    assert dangling_dpv_iris(tmp_path) == ["https://w3id.org/dpv/pd#Flurbo"]


def test_generated_files_match_the_dpv_source():
    generated = generate(DPV_DIR, ontology_dir())
    for name, text in generated.items():
        assert (ontology_dir() / name).read_text(encoding="utf-8") == text, f"{name} is stale: rerun the generator"


def test_loc_extract_has_every_country_and_region_with_codes(graph, dpv):
    for place_type in (DPV.Country, DPV.Region):
        assert set(dpv.subjects(RDF.type, place_type)) == set(graph.subjects(RDF.type, place_type))
    beijing = URIRef(str(LOC) + "CN-BJ")
    assert str(graph.value(beijing, LOC.iso_alpha2)) == "CN-BJ"
    assert str(graph.value(beijing, RDFS.label)) == "Beijing"
    assert graph.value(beijing, SKOS.broader) == URIRef(str(LOC) + "CN")


def test_gazetteer_names_only_places_of_loc(graph):
    gazetteer = Graph().parse(ontology_dir() / "gazetteer.ttl", format="turtle")
    places = {s for t in (DPV.Country, DPV.Region, DPV.SupraNationalUnion) for s in graph.subjects(RDF.type, t)}
    named = {s for s in gazetteer.subjects() if str(s).startswith(str(LOC))}
    assert named and named <= places


def test_no_company_of_the_seed_policies_is_written_into_the_ontology():
    banned = re.compile(r"hualai|xiaofang|70mai", re.IGNORECASE)
    for path in ontology_dir().glob("*.ttl"):
        assert not banned.search(path.read_text(encoding="utf-8")), path.name
