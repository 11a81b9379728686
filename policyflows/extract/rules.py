"""The reading rules of ingest/rules/*.yaml: load the records, check them, refuse a malformed one.

Four files, each a list of records a reader opens (schema.yaml says their shape):

- verbs.yaml       the verb classes: the word forms that name each kind of practice;
- practices.yaml   practice rules: verb classes and phrases -> a where-json action;
- context.yaml     modality, negation, conditions, purposes, places, retention, references, …;
- not-practice.yaml rules that rule a practice out, with the sentences they must keep out.

policyflows/extract/cues.py compiles the checked records into the patterns the extractor runs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from policyflows.resources import ingest_dir

FILES = ("verbs", "practices", "context", "not-practice")


class RuleError(ValueError):
    """A rule file or record is malformed: the message names the file, the record and the reason."""


@dataclass(frozen=True)
class Record:
    """One rule as written: where it is, its id and its fields."""

    file: str
    id: str
    fields: dict

    def get(self, key, default=None):
        return self.fields.get(key, default)

    @property
    def component(self) -> str | None:
        return self.fields.get("component")


@cache
def _schema() -> dict:
    with open(rules_dir() / "schema.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def rules_dir() -> Path:
    return ingest_dir() / "rules"


def _where(raw, path) -> str:
    """'record <id>' for an error inside a record, else the path to the offending field."""
    path = list(path)
    if len(path) >= 2 and path[0] in ("records",) and isinstance(path[1], int):
        try:
            rid = raw["records"][path[1]].get("id")
        except (AttributeError, IndexError, TypeError):
            rid = None
        rest = ".".join(str(p) for p in path[2:])
        name = f"record {rid!r}" if rid else f"record #{path[1] + 1}"
        return f"{name}{': ' + rest if rest else ''}"
    if len(path) >= 2 and path[0] == "classes":
        return f"class {path[1]!r}"
    return ".".join(str(p) for p in path) or "file"


def check_file(kind: str, raw) -> None:
    """Check one loaded rule file against its schema definition; raises RuleError naming the record."""
    import jsonschema

    schema = _schema()
    validator = jsonschema.Draft202012Validator({"$ref": f"#/$defs/{kind}", "$defs": schema["$defs"]})
    errors = sorted(validator.iter_errors(raw), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        err = _deepest(errors)
        raise RuleError(f"{kind}.yaml: {_where(raw, err.absolute_path)}: {_message(err)}")


def _deepest(errors):
    """The most specific error: oneOf/anyOf wrap their branches' errors."""
    err = errors[0]
    while err.context:
        err = sorted(err.context, key=lambda e: (-len(e.absolute_path), e.message))[0]
    return err


def _message(err) -> str:
    if err.validator == "required":
        return err.message.replace(" is a required property", " is missing")
    if err.validator == "additionalProperties":
        return err.message.replace("Additional properties are not allowed", "unknown field")
    return err.message


def parse_records(files: dict) -> dict[str, list[Record]]:
    """Check every file, then what a schema cannot: ids unique, patterns compile, classes exist."""
    for kind in FILES:
        if kind not in files:
            raise RuleError(f"{kind}.yaml: missing")
        check_file(kind, files[kind])
    out: dict[str, list[Record]] = {}
    seen: dict[str, str] = {}
    classes = files["verbs"]["classes"]
    for kind in FILES[1:]:
        records = []
        for fields in files[kind]["records"]:
            rid = fields["id"]
            if rid in seen:
                raise RuleError(f"{kind}.yaml: record {rid!r}: id already used in {seen[rid]}.yaml")
            seen[rid] = kind
            for cls in fields.get("verbs", ()):
                if cls not in classes:
                    raise RuleError(f"{kind}.yaml: record {rid!r}: unknown verb class {cls!r}; "
                                    f"verbs.yaml has {', '.join(classes)}")
            for key in ("pattern", "followed_by"):
                _compiles(kind, rid, key, fields.get(key))
            for i, phrase in enumerate(fields.get("phrases", ())):
                _compiles(kind, rid, f"phrases[{i}]", phrase)
            if fields.get("form") in ("before", "after") and any(c.isupper() for c in re.sub(r"\\.", "", fields["pattern"])):
                raise RuleError(f"{kind}.yaml: record {rid!r}: a {fields['form']} pattern is written in lower case")
            records.append(Record(kind, rid, fields))
        out[kind] = records
    return out


def _compiles(kind: str, rid: str, key: str, pattern: str | None) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise RuleError(f"{kind}.yaml: record {rid!r}: {key}: bad pattern: {exc}") from None


def read_files(folder: Path | None = None) -> dict:
    folder = folder or rules_dir()
    files = {}
    for kind in FILES:
        path = folder / f"{kind}.yaml"
        try:
            with open(path, encoding="utf-8") as fh:
                files[kind] = yaml.safe_load(fh)
        except FileNotFoundError:
            raise RuleError(f"{kind}.yaml: missing from {folder}") from None
        except yaml.YAMLError as exc:
            raise RuleError(f"{kind}.yaml: not YAML: {exc}".splitlines()[0]) from None
    return files
