"""What `policyflows ontology check` reports: counts of the vocabulary, DPV links, dangling DPV IRIs."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from policyflows.ontology.build import (data_concepts, legal_basis_concepts, place_concepts, purpose_concepts,
                                        recipient_concepts)
from policyflows.ontology.generate import GENERATED, hand_written_graph
from policyflows.resources import ontology_dir
from policyflows.vocab import DPV, LOC, PD, PF, TECH

DPV_NAMESPACES = (str(DPV), str(PD), str(TECH), str(LOC))
LINKS = (RDFS.subClassOf, SKOS.exactMatch, SKOS.closeMatch, OWL.equivalentClass, SKOS.broadMatch, SKOS.narrowMatch)


def _is_dpv(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(DPV_NAMESPACES)


def _alt_labels(graph: Graph, concepts) -> int:
    return sum(len(list(graph.objects(URIRef(iri), SKOS.altLabel))) for iri in concepts)


def counts(graph: Graph) -> dict[str, int]:
    """Sizes of the vocabulary in ``graph`` (the whole ontology)."""
    data = data_concepts(graph)
    personal = {iri for iri in data if PF.PersonalInformation in _chain(graph, URIRef(iri)) | {URIRef(iri)}}
    recipients = recipient_concepts(graph)
    organisations = {iri for iri, c in recipients.items() if c.get("organisation")}
    kinds = {iri for iri in recipients if iri not in organisations}
    places = Counter(str(t).rsplit("#", 1)[-1] for p in place_concepts(graph) for t in graph.objects(URIRef(p), RDF.type)
                     if t in (DPV.Country, DPV.Region, DPV.SupraNationalUnion))
    purposes = purpose_concepts(graph)
    links = sum(1 for s, p, o in graph if p in LINKS and str(s).startswith(str(PF)) and _is_dpv(o))
    return {
        "data categories": len(personal),
        "non-personal data categories": len(data) - len(personal),
        "data synonyms": _alt_labels(graph, data),
        "purposes": len(purposes),
        "purpose synonyms": _alt_labels(graph, purposes),
        "recipient kinds and service-provider types": len(kinds),
        "recipient synonyms": _alt_labels(graph, kinds),
        "named organisations": len(organisations),
        "organisation aliases": _alt_labels(graph, organisations),
        "legal bases (DPV)": len(legal_basis_concepts(graph)),
        "countries": places.get("Country", 0),
        "regions (ISO 3166-2)": places.get("Region", 0),
        "supranational unions": places.get("SupraNationalUnion", 0),
        "DPV links": links,
        "SHACL shapes": len(set(graph.subjects(RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")))),
        "classes": len({s for s in graph.subjects(RDF.type, OWL.Class) if str(s).startswith(str(PF))}),
        "triples": len(graph),
    }


def _chain(graph: Graph, iri) -> set:
    found, todo = set(), [iri]
    while todo:
        node = todo.pop()
        for parent in graph.objects(node, RDFS.subClassOf):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def declared_terms(graph: Graph) -> set[URIRef]:
    """Terms the ontology itself declares (with a type): what a reference may point to."""
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}


def dangling_dpv_iris(directory: str | Path | None = None, dpv_dir: str | Path | None = None) -> list[str]:
    """DPV IRIs the hand-written files use that DPV does not define.

    Without ``dpv_dir`` the generated extracts (dpv-terms.ttl, loc.ttl, which hold only what DPV
    defines) are the reference; with it, DPV's own Turtle files are.
    """
    directory = Path(directory or ontology_dir())
    used = {t for triple in hand_written_graph(directory) for t in triple if _is_dpv(t)}
    reference = Graph()
    if dpv_dir is not None:
        for name in ("dpv.ttl", "pd.ttl", "tech.ttl", "loc.ttl"):
            reference.parse(Path(dpv_dir) / name, format="turtle")
    else:
        for name in GENERATED:
            reference.parse(directory / name, format="turtle")
    known = {s for s in reference.subjects() if isinstance(s, URIRef)}
    return sorted(str(t) for t in used - known)
