"""The `where` answer, precomputed: each policy's flows as where-json rows, one JSON array per data category.

Assembling an answer at question time means looking up, for every flow, its labels, places,
purposes and evidence sentences. On a corpus of 200 policies "video" has 6,000 flows, and those
lookups took seconds. The rows only change when a policy's graph or the ontology changes, so the
store writes them into each policy's graph at that moment::

    <policy/acme/where/3f2a…> pf:answerData pf:CloudCachedVideo ;
                              pf:answerJson "[{\"policy\": \"acme\", \"data\": {…}, …}, …]" .

and `where` (queries/where.rq) reads a few hundred literals. queries/flows.rq computes the same
rows as SPARQL columns, for people who ask in SPARQL; the tests hold the two equal. Rows are
derived data: a build or load replaces them, and nothing else in the graph points at them.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import pyoxigraph as ox

PF = "https://w3id.org/policyflows/ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ONTOLOGY = ox.NamedNode("https://w3id.org/policyflows/ontology")
ANSWER_DATA = ox.NamedNode(PF + "answerData")
ANSWER_JSON = ox.NamedNode(PF + "answerJson")
POLICY_ID = ox.NamedNode(PF + "policyId")

_ONTOLOGY_TERMS = """
PREFIX pf:   <https://w3id.org/policyflows/ns#>
PREFIX loc:  <https://w3id.org/dpv/loc#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?p ?o WHERE { GRAPH <https://w3id.org/policyflows/ontology> {
  VALUES ?p { rdfs:label skos:prefLabel pf:code loc:iso_alpha2 }
  ?s ?p ?o FILTER(?p IN (pf:code, loc:iso_alpha2) || LANG(?o) IN ("en", ""))
} }"""


@dataclass
class OntologyTerms:
    """What a row needs from the ontology graph: English labels, action/modality codes, ISO codes."""

    labels: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    iso: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, store: ox.Store) -> "OntologyTerms":
        terms = cls()
        for s, p, o in store.query(_ONTOLOGY_TERMS):
            key, value, prop = s.value, o.value, p.value
            if prop.endswith("#code"):
                terms.codes.setdefault(key, value)
            elif prop.endswith("#iso_alpha2"):
                terms.iso.setdefault(key, value)
            elif key not in terms.labels or value < terms.labels[key]:
                terms.labels[key] = value  # MIN, as the SPARQL queries pick it
        return terms


def flow_order(row: dict):
    """The order of flows in every answer: by policy, data, action, recipient, place."""
    r = row["recipient"] or {}
    j = row["jurisdiction"] or {}
    return (row["policy"], row["data"]["label"].lower(), row["data"]["iri"], row["action"], r.get("kind") or "",
            (r.get("label") or "").lower(), j.get("code") or "", row["modality"])


def rows_by_data(graph: ox.NamedNode, quads: Iterable[ox.Quad], terms: OntologyTerms) -> dict[str, list[dict]]:
    """A policy graph's flows, not overridden, as where-json rows grouped by data IRI and in flow_order."""
    props: dict = defaultdict(lambda: defaultdict(list))
    for q in quads:
        props[q.subject][q.predicate.value].append(q.object)
    ids = props[graph].get(PF + "policyId")
    if not ids:
        return {}
    policy = min(o.value for o in ids)

    def values(node, prop) -> list[str]:
        return sorted(o.value for o in props[node].get(prop, ()))

    def first(node, prop):
        found = values(node, prop)
        return found[0] if found else None

    def label(iri: str) -> str:
        return terms.labels.get(iri) or local_name(iri)

    out: dict[str, list[dict]] = defaultdict(list)
    for node, p in list(props.items()):
        # a flow is what has pf:stated (statements do not); a specific will-not overrides it
        if PF + "stated" not in p or PF + "overriddenBy" in p:
            continue
        if not (p.get(PF + "data") and p.get(PF + "action") and p.get(PF + "modality")):
            continue
        recipient = None
        if p.get(PF + "recipient"):
            r = min(p[PF + "recipient"], key=lambda o: o.value)
            recipient = {"iri": r.value, "label": first(r, RDFS_LABEL) or local_name(r.value),
                         "kind": first(r, PF + "kindCode")}
        jurisdiction = None
        if p.get(PF + "jurisdiction"):
            j = min(o.value for o in p[PF + "jurisdiction"])
            jurisdiction = {"iri": j, "label": label(j), "code": terms.iso.get(j)}
        purposes = []
        for purpose in sorted({o for o in p.get(PF + "purpose", ())}, key=lambda o: o.value):
            name = terms.labels.get(purpose.value) or first(purpose, RDFS_LABEL) or local_name(purpose.value)
            purposes.append({"iri": purpose.value, "label": name})
        cited = set()
        for sentence in set(p.get(PF + "evidence", ())):
            start, end, text = first(sentence, PF + "start"), first(sentence, PF + "end"), first(sentence, PF + "text")
            if start is not None and end is not None and text is not None:
                cited.add((int(start), int(end), text))
        evidence = [{"text": text, "start": start, "end": end} for start, end, text in sorted(cited)]
        for data in sorted({o.value for o in p[PF + "data"]}):
            out[data].append({
                "policy": policy,
                "data": {"iri": data, "label": label(data)},
                "action": terms.codes.get(first(node, PF + "action")),
                "recipient": recipient,
                "jurisdiction": jurisdiction,
                "purposes": sorted(purposes, key=lambda x: (x["label"], x["iri"])),
                "modality": terms.codes.get(first(node, PF + "modality")),
                "conditions": sorted(set(values(node, PF + "condition"))),
                "retention": first(node, PF + "retention"),
                "stated": first(node, PF + "stated") in ("true", "1"),
                "via": sorted({label(v) if v in terms.labels else v for v in values(node, PF + "via")}),
                "evidence": evidence,
                "flow": node.value,
            })
    for rows in out.values():
        rows.sort(key=flow_order)
    return dict(out)


def answer_quads(graph: ox.NamedNode, quads: Iterable[ox.Quad], terms: OntologyTerms) -> list[ox.Quad]:
    """The pf:answerData / pf:answerJson quads of one policy graph, from that graph's quads."""
    out = []
    for data, rows in rows_by_data(graph, quads, terms).items():
        node = ox.NamedNode(f"{graph.value}/where/{hashlib.sha1(data.encode()).hexdigest()[:16]}")
        out.append(ox.Quad(node, ANSWER_DATA, ox.NamedNode(data), graph))
        out.append(ox.Quad(node, ANSWER_JSON, ox.Literal(rows_json(rows)), graph))
    return out


def rows_json(rows: list[dict]) -> str:
    """A JSON array with one flow per line, so that arrays can be spliced together as text."""
    return "[" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "]"


def refresh(store: ox.Store, graphs: Iterable[ox.NamedNode], terms: OntologyTerms | None = None) -> None:
    """Recompute the answer rows of these policy graphs from what the graphs now hold."""
    terms = terms or OntologyTerms.of(store)
    for graph in graphs:
        stale = {q.subject for q in store.quads_for_pattern(None, ANSWER_JSON, None, graph)}
        stale |= {q.subject for q in store.quads_for_pattern(None, ANSWER_DATA, None, graph)}
        for node in stale:
            for q in list(store.quads_for_pattern(node, None, None, graph)):
                store.remove(q)
        quads = [q for q in store.quads_for_pattern(None, None, None, graph)]
        store.extend(answer_quads(graph, quads, terms))


def policy_graphs(store: ox.Store) -> list[ox.NamedNode]:
    return sorted({q.graph_name for q in store.quads_for_pattern(None, POLICY_ID, None)
                   if isinstance(q.graph_name, ox.NamedNode) and q.graph_name == q.subject},
                  key=lambda g: g.value)


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
