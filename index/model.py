"""Values that go into an index and come out of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")


@dataclass(frozen=True, slots=True)
class Document:
    """One article as the index sees it. `published` is timezone-aware (UTC) or None (unknown)."""

    id: str
    url: str
    title: str
    text: str
    source: str
    published: datetime | None = None
    language: str | None = None
    author: str | None = None
    # Facets the application filters on, as (field, value): ("flag", "not_article"),
    # ("tag", "national"). Queried as `field:value` for the fields in query.LABEL_FIELDS.
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage of a document, with the character ranges [start, end) that matched the query."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def marked(self, before: str = "[", after: str = "]") -> str:
        """The passage with each highlight wrapped in `before` … `after`."""
        out: list[str] = []
        last = 0
        for start, end in self.highlights:
            out.append(self.text[last:start])
            out.append(before + self.text[start:end] + after)
            last = end
        out.append(self.text[last:])
        return "".join(out)


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the stored fields of the document, its score and a snippet."""

    id: str
    score: float
    url: str
    title: str
    source: str
    published: datetime | None
    language: str | None = None
    author: str | None = None
    snippet: Snippet = field(default_factory=lambda: Snippet(""))


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results and the total number of matching documents."""

    total: int
    hits: list[Hit]


@dataclass(frozen=True, slots=True)
class Counts:
    """Matching documents counted by source and by day (days in the requested UTC offset).

    `by_source_day` maps (source, day) to a count; documents with no date are counted in
    `undated` (and in `by_source`), never on an invented day.
    """

    total: int
    by_source: dict[str, int]
    by_day: dict[date, int]
    by_source_day: dict[tuple[str, date], int]
    undated: int = 0


@dataclass(frozen=True, slots=True)
class LabelCounts:
    """Matching documents counted by the values of one label field ("tag") and by day.

    Values are in the form `query.label_value` gives ("bao_quoc_gia"). A document is counted
    under each value it carries, so the values' counts may add up to more than `total`;
    `unlabelled` counts the documents that carry none. `total`, `by_day` and `undated` count
    every document once; days are in the requested UTC offset.
    """

    total: int
    by_value: dict[str, int]
    by_day: dict[date, int]
    by_value_day: dict[tuple[str, date], int]
    undated: int = 0
    unlabelled: int = 0
