"""The library's exceptions. The CLI turns each into one ``Error: …`` line and exit status 2."""
from __future__ import annotations


class PolicyflowsError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""


class PolicyReadError(PolicyflowsError):
    """A policy file cannot be read: missing, unreadable, binary, empty or without text."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UnknownTermError(PolicyflowsError):
    """A term matches no category of the ontology; ``suggestions`` lists close matches."""

    def __init__(self, term: str, suggestions: list[str] | None = None):
        self.term = term
        self.suggestions = list(suggestions or [])
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"no data category matches {term!r}.{hint}")


class StoreNotFoundError(PolicyflowsError):
    """The store folder does not exist (nothing has been built there yet)."""

    def __init__(self, path):
        self.path = str(path)
        super().__init__(f"no store at {self.path}: run `policyflows build PATH --store {self.path}` first")
