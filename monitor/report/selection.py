"""The corpus an analysis reads, the same way for every analysis.

A query is read in the report time zone's days (`--since/--until`), pages flagged not_article
are left out unless asked for, and `--snapshot MAX_ID` keeps only the articles with an id up to
it, so that every number an analysis prints can be computed again on the corpus it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from index.query import And, DateRange, IdRange, MatchAll, Node, Not, Term, parse
from monitor.archive import Archive
from monitor.timestamps import day_start

# Listings, home pages and video pages are flagged so by extraction (monitor.extract.quality).
NOT_ARTICLE = Term("not_article", field="flag")
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Window:
    """The instants [start, end) an analysis covers (UTC; None is unbounded)."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Selection:
    timezone: str = DEFAULT_TIMEZONE
    since: date | None = None
    until: date | None = None
    snapshot: int | None = None
    include_non_articles: bool = False
    exact: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def parse(self, text: str) -> Node:
        """`text` parsed, its days (`date:`) those of the report time zone."""
        return parse(text, exact=self.exact, zone=self.zone)

    def restrict(self, node: Node) -> Node:
        """`node` within the days, without non-articles, up to the snapshot."""
        parts = [node]
        if self.since or self.until:
            parts.append(
                DateRange(
                    start=day_start(self.since, self.zone) if self.since else None,
                    end=day_start(self.until + timedelta(days=1), self.zone)
                    if self.until
                    else None,
                )
            )
        if not self.include_non_articles:
            parts.append(Not(NOT_ARTICLE))
        if self.snapshot is not None:
            parts.append(IdRange(high=self.snapshot))
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def node(self, text: str) -> Node:
        """The query `text` as this selection reads it."""
        return self.restrict(self.parse(text))

    def everything(self) -> Node:
        """Every article this selection reads (the `*` query)."""
        return self.restrict(MatchAll())

    def snapshot_of(self, archive: Archive) -> dict[str, Any]:
        return archive.snapshot(max_id=self.snapshot)

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "timezone": self.timezone,
            "non_articles": "included" if self.include_non_articles else "excluded",
        }


def window_of(node: Node) -> Window:
    """The instants every match of `node` lies in: its date ranges that must hold (the
    conjuncts of the tree, or the tree itself), intersected."""
    children = node.children if isinstance(node, And) else (node,)
    start: datetime | None = None
    end: datetime | None = None
    for child in children:
        if isinstance(child, DateRange):
            if child.start is not None:
                start = child.start if start is None else max(start, child.start)
            if child.end is not None:
                end = child.end if end is None else min(end, child.end)
        elif isinstance(child, And):
            inner = window_of(child)
            start = inner.start if start is None else max(start, inner.start or start)
            end = inner.end if end is None else min(end, inner.end or end)
    return Window(start, end)
