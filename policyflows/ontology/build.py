"""Read the lexicon's content out of the ontology graph: concepts, taxonomy and the labels to match.

The result is plain JSON-able data (see Lexicon.to_json), so that it can be cached on disk.
"""
from __future__ import annotations

import re
from collections import defaultdict

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from policyflows.vocab import DPV, LOC, PF

PLACE_TYPES = (DPV.Country, DPV.Region, DPV.SupraNationalUnion)
DATA_ROOTS = (PF.PersonalInformation, PF.NonPersonalData)
MIN_REGION_NAME = 4  # shorter ISO 3166-2 names ("Ain", "Est") are more often something else


def _english(graph: Graph, subject, predicate) -> list[str]:
    return sorted(str(o) for o in graph.objects(subject, predicate)
                  if isinstance(o, Literal) and o.language in (None, "en"))


def _first(values: list[str], default: str) -> str:
    return values[0] if values else default


def _local(iri) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def _descendants(graph: Graph, roots) -> set:
    found, todo = set(), list(roots)
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo.extend(graph.subjects(RDFS.subClassOf, node))
    return found


def _ancestors(graph: Graph, node) -> set:
    found, todo = set(), list(graph.objects(node, RDFS.subClassOf))
    while todo:
        parent = todo.pop()
        if parent not in found:
            found.add(parent)
            todo.extend(graph.objects(parent, RDFS.subClassOf))
    return found


def _own(iri) -> bool:
    return isinstance(iri, URIRef) and str(iri).startswith(str(PF))


def _class_labels(graph: Graph, iri) -> list[str]:
    """The phrases to match for a class: its label (unless pf:matchLabel false) and its altLabels."""
    own = [] if graph.value(iri, PF.matchLabel) == Literal(False) else _english(graph, iri, RDFS.label)
    return own + _english(graph, iri, SKOS.altLabel)


def _taxonomy_concepts(graph: Graph, members, vocab: str) -> dict[str, dict]:
    members = set(members)
    return {
        str(iri): {
            "label": _first(_english(graph, iri, RDFS.label), _local(iri)),
            "vocab": vocab,
            "parents": sorted(str(p) for p in graph.objects(iri, RDFS.subClassOf) if p in members),
        }
        for iri in members
    }


def data_concepts(graph: Graph) -> dict[str, dict]:
    members = {c for c in _descendants(graph, DATA_ROOTS) if _own(c)}
    return _taxonomy_concepts(graph, members, "data")


def purpose_concepts(graph: Graph) -> dict[str, dict]:
    members = {c for c in graph.subjects(RDF.type, OWL.Class) if _own(c) and DPV.Purpose in _ancestors(graph, c)}
    return _taxonomy_concepts(graph, members, "purpose")


def _kind(graph: Graph, iri) -> str | None:
    for node in [iri, *_ancestors(graph, iri)]:
        code = graph.value(node, PF.kindCode)
        if code is not None:
            return str(code)
    return None


def recipient_concepts(graph: Graph) -> dict[str, dict]:
    classes = {c for c in _descendants(graph, [PF.Party]) if _own(c) and _kind(graph, c)}
    concepts = _taxonomy_concepts(graph, classes, "recipient")
    for iri, concept in concepts.items():
        concept["kind"] = _kind(graph, URIRef(iri))
    for org in graph.subjects(RDF.type, PF.NamedOrganisation):
        parent = graph.value(org, PF.parentOrganisation)
        concepts[str(org)] = {
            "label": _first(_english(graph, org, RDFS.label), _local(org)),
            "vocab": "recipient",
            "parents": [str(parent)] if parent is not None else [],
            "kind": str(graph.value(org, PF.kindCode) or "third-party"),
            "organisation": str(org),
        }
    return concepts


def place_concepts(graph: Graph) -> dict[str, dict]:
    places = {p for t in PLACE_TYPES for p in graph.subjects(RDF.type, t)}
    return {
        str(place): {
            "label": _first(_english(graph, place, RDFS.label) or _english(graph, place, SKOS.prefLabel), _local(place)),
            "vocab": "jurisdiction",
            "parents": sorted(str(b) for b in graph.objects(place, SKOS.broader) if b in places),
            "code": str(graph.value(place, LOC.iso_alpha2) or _local(place)),
            "country": (place, RDF.type, DPV.Country) in graph,
        }
        for place in places
    }


def _short_place_names(label: str) -> list[str]:
    """DPV's formal names, and the same without a trailing parenthesis: 'Iran (Islamic Republic of)' → 'Iran'."""
    names = [label]
    short = re.sub(r"\s*\([^)]*\)\s*$", "", label).strip()
    if short and short != label:
        names.append(short)
    return names


def _policy_words(graph: Graph) -> set[str]:
    """Words of the other vocabularies: English words policies use, so never a region's one-word name ("Sale")."""
    from policyflows.ontology.lexicon import normalise
    words = set()
    for predicate in (RDFS.label, SKOS.altLabel):
        for subject, label in graph.subject_objects(predicate):
            if _own(subject):
                words.update(normalise(w) for w in re.findall(r"[^\W_]+", str(label)))
    return words


def place_labels(graph: Graph, concepts: dict[str, dict]) -> list[tuple[str, str, bool]]:
    """The names to match for places: excluded phrases first (they match nothing), then places.

    A region's name is matched only when no country and no other region has it, it is not an
    excluded phrase, and (if it is one word) that word is not used by the other vocabularies;
    countries and unions are matched by every name.
    """
    from policyflows.ontology.lexicon import normalise
    common = _policy_words(graph)
    excluded = set(_english(graph, PF.Gazetteer, PF.excludedName))
    entries = [(name, "", True) for name in sorted(excluded)]
    owners: dict[str, set[str]] = defaultdict(set)
    names_of: dict[str, list[str]] = {}
    for iri in concepts:
        place = URIRef(iri)
        names = []
        for label in _english(graph, place, SKOS.prefLabel) + _english(graph, place, RDFS.label):
            names.extend(_short_place_names(label))
        names += _english(graph, place, SKOS.altLabel) + _english(graph, place, PF.demonym)
        names_of[iri] = sorted(set(names))
        for name in names_of[iri]:
            owners[name.lower()].add(iri)
    for iri, names in sorted(names_of.items()):
        is_region = not concepts[iri]["country"] and (URIRef(iri), RDF.type, DPV.Region) in graph
        hand_named = set(_english(graph, URIRef(iri), SKOS.altLabel)) | set(_english(graph, URIRef(iri), PF.demonym))
        for name in names:
            if name in excluded:
                continue
            if is_region and name not in hand_named:
                rivals = owners[name.lower()] - {iri}
                if rivals or len(name) < MIN_REGION_NAME or (" " not in name and normalise(name) in common):
                    continue
            entries.append((name, iri, True))
    return entries


def legal_basis_concepts(graph: Graph) -> dict[str, dict]:
    """DPV legal bases the ontology gives phrases for (skos:altLabel on the DPV term)."""
    members = {c for c in graph.subjects(SKOS.altLabel, None)
               if str(c).startswith(str(DPV)) and DPV.LegalBasis in _ancestors(graph, c)}
    return _taxonomy_concepts(graph, members, "legal-basis")


def legal_basis_labels(graph: Graph, concepts: dict[str, dict]) -> list[tuple[str, str, bool]]:
    excluded = [(name, "", False) for name in _english(graph, PF.LegalBases, PF.excludedName)]
    return excluded + [(label, iri, False) for iri in sorted(concepts) for label in _english(graph, URIRef(iri), SKOS.altLabel)]


def lexicon_data(graph: Graph) -> dict:
    """Concepts by IRI and labels by vocabulary, as Lexicon(**data) takes them."""
    from policyflows.ontology.lexicon import LIST_ONLY, LISTED
    data, purposes = data_concepts(graph), purpose_concepts(graph)
    recipients, places = recipient_concepts(graph), place_concepts(graph)
    bases = legal_basis_concepts(graph)
    labels = {
        "data": [(name, "", False, False) for name in _english(graph, PF.DataCategoryExclusions, PF.excludedName)]
                + [(label, iri, False, False) for iri in sorted(data) for label in _class_labels(graph, URIRef(iri))]
                + [(label, iri, False, level) for iri in sorted(data)
                   for level, predicate in ((LISTED, PF.listedLabel), (LIST_ONLY, PF.listOnlyLabel))
                   for label in _english(graph, URIRef(iri), predicate)],
        "purpose": [(label, iri, False) for iri in sorted(purposes) for label in _class_labels(graph, URIRef(iri))],
        "recipient": [(label, iri, "organisation" in recipients[iri])
                      for iri in sorted(recipients) for label in _class_labels(graph, URIRef(iri))],
        "jurisdiction": place_labels(graph, places),
        "legal-basis": legal_basis_labels(graph, bases),
    }
    for concept in places.values():
        concept.pop("country")
    concepts = {**places, **bases, **recipients, **purposes, **data}
    return {"concepts": concepts, "labels": labels}
