"""Reason over the ontology with owlready2 and HermiT: consistency, and what follows from it.

    from policyflows.ontology.reasoning import check
    report = check()                      # the ontology alone
    report.consistent, report.seconds
    report = check(extra_graph=g)         # with individuals: flows, policies, typed data …
    report.types["https://w3id.org/policyflows/policy/x/flow/1"]   # every class it belongs to

owlready2 does not read Turtle (it fails silently on it), so the ontology is serialised to
N-Triples first. The reasoning copy leaves out loc.ttl (5 000 places HermiT does not need),
gazetteer.ttl (labels only) and shapes.ttl (SHACL), and replaces datatypes outside the OWL 2
datatype map HermiT accepts (xsd:duration, xsd:date) by xsd:string. Places named by the extra graph are added
back as individuals with their country (pf:inCountry) and countries declared all different, so
that the SWRL rules of the ontology (pf:swrlRule, e.g. pf:CrossBorderTransfer) can tell them apart.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD, Namespace

from policyflows.graph.rdf import country_of
from policyflows.ontology.graph import read_ontology
from policyflows.vocab import PF

LEFT_OUT = ("loc.ttl", "gazetteer.ttl", "shapes.ttl")
DPV_NS = Namespace("https://w3id.org/dpv#")
PLACE_PROPERTIES = (DPV_NS.hasLocation, PF.controllerCountry)
PRACTICE_TYPES = (DPV_NS.PersonalDataHandling, PF.OverriddenFlow, PF.Statement)


@dataclass
class Report:
    """What HermiT found: consistency, and for each individual of the extra graph every class it belongs to."""

    consistent: bool
    seconds: float
    types: dict[str, set[str]] = field(default_factory=dict)
    inferred: dict[str, set[str]] = field(default_factory=dict)  # types beyond the asserted ones
    error: str = ""

    def is_a(self, individual, cls) -> bool:
        return str(cls) in self.types.get(str(individual), set())


def reasoning_graph(extra_graph: Graph | None = None) -> Graph:
    """The ontology as HermiT should see it, with ``extra_graph`` and the facts about its places."""
    graph = read_ontology(exclude=LEFT_OUT)
    if extra_graph is not None:
        for triple in extra_graph:
            graph.add(triple)
        _add_in_policy(graph, extra_graph)
    _drop_unsupported_datatypes(graph)
    _data_properties_as_used(graph)
    _add_places(graph)
    return graph


# The OWL 2 datatype map (https://www.w3.org/TR/owl2-syntax/#Datatype_Maps): all HermiT accepts.
OWL2_DATATYPES = {str(XSD[name]) for name in (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short byte "
    "unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token language Name "
    "NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp").split()} | {
    str(RDF.PlainLiteral), str(RDF.XMLLiteral), str(RDFS.Literal), str(OWL.real), str(OWL.rational), str(RDF.langString)}


def _drop_unsupported_datatypes(graph: Graph) -> None:
    """xsd:duration, xsd:date … are outside OWL 2: their ranges go, their values become strings."""
    for s, p, o in list(graph):
        if p == RDFS.range and isinstance(o, URIRef) and str(o).startswith(str(XSD)) and str(o) not in OWL2_DATATYPES:
            graph.remove((s, p, o))
        elif isinstance(o, Literal) and o.datatype is not None and str(o.datatype) not in OWL2_DATATYPES:
            graph.remove((s, p, o))
            graph.add((s, p, Literal(str(o), datatype=XSD.string)))


def _add_places(graph: Graph) -> None:
    from policyflows.ontology.lexicon import Lexicon

    lexicon = Lexicon.load()
    countries = set()
    for prop in PLACE_PROPERTIES:
        for place in set(graph.objects(None, prop)):
            country = country_of(str(place), lexicon)
            graph.add((place, RDF.type, OWL.NamedIndividual))
            if country:
                countries.add(URIRef(country))
                graph.add((place, PF.inCountry, URIRef(country)))
                graph.add((URIRef(country), RDF.type, OWL.NamedIndividual))
    if len(countries) > 1:
        members = BNode()
        Collection(graph, members, sorted(countries))
        different = BNode()
        graph.add((different, RDF.type, OWL.AllDifferent))
        graph.add((different, OWL.distinctMembers, members))


def _data_properties_as_used(graph: Graph) -> None:
    """A DPV property declared for objects that policyflows gives literals (dpv:hasDuration "P7D")
    is, for HermiT, a data property."""
    for prop in set(graph.subjects(RDF.type, OWL.ObjectProperty)):
        if any(isinstance(o, Literal) for o in graph.objects(None, prop)):
            graph.remove((prop, RDF.type, OWL.ObjectProperty))
            graph.remove((prop, RDFS.subPropertyOf, None))
            graph.add((prop, RDF.type, OWL.DatatypeProperty))


def _add_in_policy(graph: Graph, extra_graph: Graph) -> None:
    """A policy graph says no node's policy (the named graph does); the rules need pf:inPolicy. When
    the extra graph holds one policy, every practice in it is in that policy."""
    policies = set(extra_graph.subjects(RDF.type, PF.Policy))
    if len(policies) != 1:
        return
    policy = policies.pop()
    for kind in PRACTICE_TYPES:
        for node in extra_graph.subjects(RDF.type, kind):
            graph.add((node, PF.inPolicy, policy))


def _install_rules(ontology, graph: Graph) -> None:
    import owlready2

    namespaces = [ontology.get_namespace(str(PF)), ontology.get_namespace(str(DPV_NS))]
    for _, rule in graph.subject_objects(PF.swrlRule):
        with ontology:
            owlready2.Imp().set_as_rule(str(rule), namespaces=namespaces)


def _load_world(graph: Graph, folder: Path):
    import owlready2

    path = folder / "ontology.nt"
    path.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
    return world, ontology


def _types(world, individuals) -> dict[str, set[str]]:
    found = {}
    for iri in individuals:
        entity = world[str(iri)]
        if entity is None or not hasattr(entity, "is_a"):
            continue
        classes = set()
        for cls in entity.is_a:
            if hasattr(cls, "ancestors"):
                classes |= {c.iri for c in cls.ancestors() if hasattr(c, "iri")}
        classes.discard(str(OWL.Thing))
        found[str(iri)] = classes
    return found


def check(extra_graph: Graph | None = None) -> Report:
    """Run HermiT on the ontology (and ``extra_graph``); never raises on inconsistency, reports it.

    :raises FileNotFoundError: Java is not installed (HermiT runs on it).
    """
    import owlready2

    graph = reasoning_graph(extra_graph)
    subjects = sorted({s for s in (extra_graph or Graph()).subjects(RDF.type, None) if isinstance(s, URIRef)}, key=str)
    asserted = {str(s): {str(o) for o in graph.objects(s, RDF.type)} for s in subjects}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="policyflows-owl-") as folder:
        world, ontology = _load_world(graph, Path(folder))
        _install_rules(ontology, graph)
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return Report(False, time.perf_counter() - started, error=str(exc) or "inconsistent ontology")
        types = _types(world, subjects)
    inferred = {iri: classes - asserted.get(iri, set()) for iri, classes in types.items()}
    return Report(True, time.perf_counter() - started, types, inferred)
