"""The query library: named, documented, parameterised SPARQL queries, one ``queries/NAME.rq`` each.

Every file opens with a comment header that this module reads::

    # title: Who receives a data category?
    # description: One line or more; continuation lines are indented.
    # param category (category, default pf:PersonalInformation): what the parameter means
    # param policy (policy): a parameter without a default is free: it matches anything
    # list purposes: iri label
    # list evidence: start:int end:int text
    # summary: kind organisation

A ``summary`` line says what the query's corpus answer is (``policyflows query NAME`` prints it;
``--rows`` the rows): how many policies are in each cell of these dimensions, for the query's
``category`` (default: all personal data) and ``policy`` parameters, from the store's cache.
``DIM=PARAM`` keeps the cell of that parameter's value when it is given; ``categories`` gives one
row per data category (and every category beneath it); ``policies`` the cached policy records.
Dimensions: any, action, kind, organisation, place, purpose, retention, disclosure (the kind of a
recipient outside the first party that data is shared, transferred or sold to).

A parameter is a variable of the query's projection. Binding one uses pyoxigraph's
``substitutions`` (SEP-0007): the value is an RDF term, never spliced into the query text.
Parameter types say how a user's string becomes a term: ``category`` resolves a data term through
the ontology's Lexicon (a term that names several categories runs the query once per category),
``iri`` takes an IRI or a prefixed name, ``policy``/``string``/``kind``/``code`` become string
literals, ``integer`` an integer literal.

A ``list`` column is a GROUP_CONCAT of items separated by spaces; each item is its fields,
each ``ENCODE_FOR_URI``-encoded, joined by commas. That is the one way to carry many structured
values per row through SPARQL results without any separator ambiguity; :func:`decode_row` turns
it back into Python lists (of strings, or of dicts when an item has several fields).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from policyflows.errors import PolicyflowsError
from policyflows.resources import queries_dir

# policyflows.vocab.PREFIXES and KINDS, spelt out so that running a query never imports rdflib.
PREFIXES = {
    "pf": "https://w3id.org/policyflows/ns#", "dpv": "https://w3id.org/dpv#", "pd": "https://w3id.org/dpv/pd#",
    "loc": "https://w3id.org/dpv/loc#", "tech": "https://w3id.org/dpv/tech#", "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/", "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
}
KINDS = ("first-party", "affiliate", "service-provider", "third-party", "advertiser", "authority",
         "acquirer", "public", "user")

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("category", "iri", "policy", "string", "kind", "code", "integer")


class UnknownQueryError(PolicyflowsError):
    """No query of that name in queries/."""

    def __init__(self, name: str, known: list[str]):
        self.name = name
        super().__init__(f"no query named {name!r}; `policyflows query --list` shows them: {', '.join(known)}")


class QueryParameterError(PolicyflowsError):
    """A parameter is unknown, missing or has a value of the wrong form."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None
    description: str
    required: bool = False


@dataclass(frozen=True)
class ListColumn:
    name: str
    fields: tuple[tuple[str, str], ...]  # (field name, "str" | "int")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    lists: dict = field(hash=False, compare=False)
    text: str = field(repr=False)
    path: Path | None = None
    summary: tuple[str, ...] = ()

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryParameterError(f"query {self.name!r} has no parameter {name!r} (parameters: {known})")

    def describe(self) -> dict:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "params": [{"name": p.name, "type": p.type, "default": p.default, "required": p.required,
                        "description": p.description}
                       for p in self.params],
            "summary": list(self.summary),
        }


_PARAM = re.compile(r"param\s+(\w+)\s*\(\s*([\w-]+)\s*(?:,\s*(required|default\s+[^)]*?))?\s*\)\s*:\s*(.*)")
_LIST = re.compile(r"list\s+(\w+)\s*:\s*(.+)")
_SUMMARY = re.compile(r"summary\s*:\s*(.+)")


def parse_query(text: str, name: str, path: Path | None = None) -> NamedQuery:
    """Read the comment header of one query file."""
    title, description, params, lists, summary = "", [], [], {}, ()
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if line.startswith("#  ") and last is not None and body:  # indented continuation
            last.append(body)
            continue
        last = None
        if body.startswith("title:"):
            title = body[6:].strip()
        elif body.startswith("description:"):
            description = [body[12:].strip()]
            last = description
        elif m := _PARAM.fullmatch(body):
            pname, ptype, option, desc = m.groups()
            if ptype not in PARAM_TYPES:
                raise ValueError(f"{name}.rq: parameter {pname} has unknown type {ptype!r}")
            required = option == "required"
            default = option.split(None, 1)[1].strip() if option and not required else None
            params.append(Param(pname, ptype, default, desc.strip(), required))
        elif m := _SUMMARY.fullmatch(body):
            summary = tuple(m.group(1).split())
        elif m := _LIST.fullmatch(body):
            fields = tuple((f.split(":")[0], f.split(":")[1] if ":" in f else "str") for f in m.group(2).split())
            lists[m.group(1)] = ListColumn(m.group(1), fields)
    if not title:
        raise ValueError(f"{name}.rq: the header has no '# title:' line")
    return NamedQuery(name, title, " ".join(description), tuple(params), lists, text, path, summary)


@cache
def _library(folder: Path) -> dict[str, NamedQuery]:
    return {p.stem: parse_query(p.read_text(encoding="utf-8"), p.stem, p) for p in sorted(folder.glob("*.rq"))}


def library() -> dict[str, NamedQuery]:
    """Every named query, by name."""
    return _library(queries_dir())


def get(name: str) -> NamedQuery:
    queries = library()
    if name not in queries:
        raise UnknownQueryError(name, sorted(queries))
    return queries[name]


# --- binding parameters -------------------------------------------------------------------------

def expand_iri(value: str) -> str:
    """A full IRI, ``<IRI>`` or a prefixed name with one of the project's prefixes, as an IRI string."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
        return value
    raise QueryParameterError(f"{value!r} is not an IRI or a prefixed name (known prefixes: {', '.join(PREFIXES)})")


def looks_like_iri(value: str) -> bool:
    try:
        expand_iri(value)
    except QueryParameterError:
        return False
    return True


def resolve_category(term: str) -> list[tuple[str, str]]:
    """A user's data term as [(category IRI, label)]: an IRI as is, else through the Lexicon.

    :raises UnknownTermError: when the term names no category (with close matches).
    """
    if looks_like_iri(term):
        return [(expand_iri(term), "")]
    from policyflows.ontology import Lexicon  # imported late: only category parameters need it

    return [(c.iri if isinstance(c.iri, str) else str(c.iri), c.label) for c in Lexicon.load().resolve(term)]


def term_values(param: Param, value) -> list:
    """The RDF term(s) a parameter value stands for: several for a list, or a term naming several categories."""
    if isinstance(value, (list, tuple)):
        return [term for v in value for term in term_values(param, v)]
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return [value]
    value = str(value)
    if param.type == "category":
        return [ox.NamedNode(iri) for iri, _ in resolve_category(value)]
    if param.type == "iri":
        return [ox.NamedNode(expand_iri(value))]
    if param.type == "integer":
        try:
            return [ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))]
        except ValueError:
            raise QueryParameterError(f"parameter {param.name} wants an integer, not {value!r}") from None
    if param.type == "kind" and value not in KINDS:
        raise QueryParameterError(f"parameter {param.name}: {value!r} is not a recipient kind ({', '.join(KINDS)})")
    if param.type == "code":
        value = value.upper()
    return [ox.Literal(value)]


def substitutions(query: NamedQuery, params: dict | None) -> list[dict]:
    """Every substitution map the query runs with: the product of the parameters' values."""
    params = {k: v for k, v in (params or {}).items() if v is not None}
    for name in params:
        query.param(name)  # raises on an unknown parameter
    runs: list[dict] = [{}]
    for p in query.params:
        raw = params.get(p.name, p.default)
        if raw is None:
            if p.required:
                raise QueryParameterError(f"query {query.name!r} needs --param {p.name}=… ({p.description})")
            continue
        values = term_values(p, raw)
        runs = [{**run, ox.Variable(p.name): v} for run in runs for v in values]
    return runs


# --- running and decoding -----------------------------------------------------------------------

_BOOLEAN = XSD + "boolean"
_INTEGERS = frozenset(XSD + t for t in ("integer", "int", "long", "nonNegativeInteger"))
_FLOATS = frozenset(XSD + t for t in ("decimal", "double", "float"))
_NUMBERS = _INTEGERS | _FLOATS | {_BOOLEAN}


def python_value(term):
    """A result term as a plain Python value: IRIs and strings as str, numbers and booleans as such."""
    if term is None:
        return None
    if type(term) is not ox.Literal:
        return term.value
    dt = term.datatype.value  # every literal has one: xsd:string or rdf:langString when none was written
    if dt not in _NUMBERS:  # the common case, a string, decided with one set lookup
        return term.value
    if dt == _BOOLEAN:
        return term.value in ("true", "1")
    if dt in _INTEGERS:
        try:
            return int(term.value)
        except ValueError:
            return term.value
    return float(term.value)


def decode_list(column: ListColumn, value: str | None) -> list:
    if not value:
        return []
    items = []
    for item in value.split(" "):
        if not item:  # an absent value (COALESCE(…, "")) in the group
            continue
        parts = [unquote(part) for part in item.split(",")]
        if len(column.fields) == 1:
            items.append(parts[0])
            continue
        record = {}
        for (fname, ftype), part in zip(column.fields, parts):
            record[fname] = int(part) if ftype == "int" and part.lstrip("-").isdigit() else part
        items.append(record)
    return items


def decode_row(query: NamedQuery | None, names: list[str], solution) -> dict:
    row = {}
    for name in names:
        value = python_value(solution[name])
        if query is not None and name in query.lists:
            value = decode_list(query.lists[name], value)
        row[name] = value
    return row


@dataclass
class Result:
    """Rows of a SELECT as dicts, with the column order of the projection."""

    columns: list[str]
    rows: list[dict]


def run(store: ox.Store, query: NamedQuery, params: dict | None = None, limit: int | None = None,
        offset: int = 0) -> Result:
    """Run a named query on a pyoxigraph store; a category that names several categories runs once each.
    ``limit``/``offset`` page through the rows (in the query's order)."""
    columns: list[str] = []
    rows: list[dict] = []
    seen: set = set()
    runs = substitutions(query, params)
    text = query.text
    if len(runs) == 1 and (limit is not None or offset):
        text = text.rstrip() + (f"\nLIMIT {int(limit)}" if limit is not None else "") + (f" OFFSET {int(offset)}" if offset else "")
    for subs in runs:
        solutions = store.query(text, substitutions=subs or None)
        names = [v.value for v in solutions.variables]
        columns = columns or names
        for solution in solutions:
            row = decode_row(query, names, solution)
            if len(runs) > 1:  # a row found through two matched categories is one answer
                key = tuple(repr(row[n]) for n in names if n not in subs_names(subs))
                if key in seen:
                    continue
                seen.add(key)
            rows.append(row)
    if len(runs) > 1 and (limit is not None or offset):
        rows = rows[offset:None if limit is None else offset + limit]
    return Result(columns, rows)


def with_values(query: NamedQuery, params: dict | None = None) -> str:
    """The query text with its parameters as a trailing VALUES clause, for a remote SPARQL server.

    Values are pyoxigraph terms written in their N-Triples form (properly escaped), never raw
    strings. A trailing VALUES joins after the query's grouping, which gives the same answer
    because every parameter is a projected variable; it can be slower than a local substitution.
    """
    runs = substitutions(query, params)
    names = sorted({v.value for run in runs for v in run})
    if not names:
        return query.text
    rows = ["  (" + " ".join(str(run[ox.Variable(n)]) if ox.Variable(n) in run else "UNDEF" for n in names) + ")"
            for run in runs]
    return query.text.rstrip() + "\nVALUES (" + " ".join("?" + n for n in names) + ") {\n" + "\n".join(rows) + "\n}\n"


def subs_names(subs: dict) -> set[str]:
    return {v.value for v in subs}


def display(value) -> str:
    """A cell as text for tables and CSV: lists joined with '; ', records by their label or text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(display(v) for v in value)
    if isinstance(value, dict):
        for key in ("label", "text", "code"):
            if value.get(key):
                return str(value[key])
        return ",".join(str(v) for v in value.values())
    return str(value)
