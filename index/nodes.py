"""The nodes of a query tree, engine-neutral: what `index.query` parses text into, and what
applications may build or extend by hand (an `IdRange` has no query syntax).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Term:
    """One word. `field` None means title and text. `text` is as typed (normalized later)."""

    text: str
    field: str | None = None
    exact: bool = False


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words that must appear next to each other, in order."""

    words: tuple[str, ...]
    field: str | None = None
    exact: bool = False


@dataclass(frozen=True, slots=True)
class DateRange:
    """Publication date in [start, end), both timezone-aware UTC; None is unbounded."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class IdRange:
    """Documents whose id is a decimal number in [low, high], both inclusive; None is unbounded.

    The query language has no syntax for it: an application adds it to a tree, for example to
    count a corpus as it stood when `high` was its last document (a snapshot). Documents whose
    id is not a decimal number never match.
    """

    low: int | None = None
    high: int | None = None


@dataclass(frozen=True, slots=True)
class MatchAll:
    """Every document (`*`)."""


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Node = Term | Phrase | DateRange | IdRange | MatchAll | And | Or | Not
