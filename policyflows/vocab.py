"""Namespaces and the IRIs the project mints for policies and what they contain.

The terms themselves are defined in ontology/*.ttl; this module only names namespaces and builds
instance IRIs, so that every stage mints the same IRI for the same thing.
"""
from __future__ import annotations

import hashlib
import re

from rdflib import Namespace, URIRef

PF = Namespace("https://w3id.org/policyflows/ns#")
DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
LOC = Namespace("https://w3id.org/dpv/loc#")
TECH = Namespace("https://w3id.org/dpv/tech#")
GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
PROV = Namespace("http://www.w3.org/ns/prov#")

POLICY_BASE = "https://w3id.org/policyflows/policy/"
ONTOLOGY_GRAPH = URIRef("https://w3id.org/policyflows/ontology")

PREFIXES = {
    "pf": str(PF), "dpv": str(DPV), "pd": str(PD), "loc": str(LOC), "tech": str(TECH),
    "prov": str(PROV), "dct": "http://purl.org/dc/terms/", "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
}

ACTIONS = {  # where-json action code -> individual in ontology/core.ttl
    "collect": PF.Collect, "use": PF.Use, "store": PF.StoreAction, "share": PF.Share,
    "transfer": PF.Transfer, "sell": PF.Sell, "retain": PF.Retain, "delete": PF.Delete,
}
MODALITIES = {"will": PF.Will, "may": PF.May, "will-not": PF.WillNot}
KINDS = {  # where-json recipient kind -> class in ontology/core.ttl
    "first-party": PF.FirstParty, "affiliate": PF.Affiliate, "service-provider": PF.ServiceProvider,
    "third-party": PF.ThirdParty, "advertiser": PF.Advertiser, "authority": PF.Authority,
    "acquirer": PF.Acquirer, "public": PF.Public, "user": PF.UserParty,
}


def slug(text: str) -> str:
    """A readable IRI segment: lower case, letters and digits joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def policy_iri(policy_id: str) -> URIRef:
    return URIRef(POLICY_BASE + slug(policy_id))


def sentence_iri(policy_id: str, index: int) -> URIRef:
    return URIRef(f"{policy_iri(policy_id)}/sentence/{index}")


def statement_iri(policy_id: str, n: int) -> URIRef:
    return URIRef(f"{policy_iri(policy_id)}/statement/{n}")


def party_iri(policy_id: str, kind: str, label: str) -> URIRef:
    return URIRef(f"{policy_iri(policy_id)}/party/{kind}/{slug(label)}")


def flow_iri(policy_id: str, *key: str) -> URIRef:
    """A flow's IRI is a hash of what makes it one row: the same flow gets the same IRI on every build."""
    digest = hashlib.sha1("\x1f".join(key).encode()).hexdigest()[:16]
    return URIRef(f"{policy_iri(policy_id)}/flow/{digest}")
