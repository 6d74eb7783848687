"""The project's own errors: every message names what was wrong and, where it can, how to fix it."""

from __future__ import annotations


class PodqueryError(Exception):
    """Base class: the CLI and the service turn these into messages and status codes."""


class InputError(PodqueryError):
    """A source file or field could not be read; names the file, the place in it and the problem."""

    def __init__(self, problem: str, *, source: str | None = None, where: str | None = None) -> None:
        self.problem = problem
        self.source = source
        self.where = where
        super().__init__(self._message())

    def _message(self) -> str:
        place = ":".join(p for p in (self.source, self.where) if p)
        return f"{place}: {self.problem}" if place else self.problem

    def at(self, source: str) -> InputError:
        """The same error with the file it came from filled in (parsers see text, callers know the path)."""
        if self.source:
            return self
        return InputError(self.problem, source=source, where=self.where)


class IndexError_(PodqueryError):
    """The index directory is missing, damaged, or was built with other settings; says how to fix it."""


class QueryError(PodqueryError):
    """A search or ask request is malformed (empty query, unknown mode, bad filter)."""


class NotFound(PodqueryError):
    """An episode or passage id that the index does not hold."""
