"""Errors raised by the search library.

* SearchError: base of every error `index` raises
  + QuerySyntaxError: a query that can't be parsed; carries the position that is wrong
  + EngineError: an index that can't be opened, written or read
    - IndexNeedsRebuild: an index of another engine or schema, or a damaged one
"""

from __future__ import annotations


class SearchError(Exception):
    """Base of every error the search library raises."""


class QuerySyntaxError(SearchError):
    """A query that can't be parsed. `position` is the 0-based character offset at fault."""

    def __init__(self, message: str, query: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.query = query
        self.position = position

    def __str__(self) -> str:
        pointer = " " * self.position + "^"
        return f"{self.message} at position {self.position + 1}:\n  {self.query}\n  {pointer}"


class EngineError(SearchError):
    """An index that can't be opened, written or read."""


class IndexNeedsRebuild(EngineError):
    """The index can't be used as it is (another engine's or schema's, or damaged): rebuilt from
    its documents, it can. Messages say what is wrong, not how the application rebuilds."""
