"""Edits and takedowns as plain data: the events `monitor changes` lists, and the counts of one
kind of event per day and source that `monitor report --kind` gives.

Counting works on facts, one (day, source, article) per event, so any bucketing of days
(weeks, months) or comparison of queries can be fed the same facts (`count_changes`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from index.engine import Engine
from index.query import And, Not
from monitor.archive import Archive
from monitor.archive.revisions import KINDS as KINDS  # the kinds of events, for the commands
from monitor.archive.revisions import ChangeEvent
from monitor.report.search import build_query
from monitor.report.selection import NOT_ARTICLE
from monitor.timestamps import day_start

# CSV columns of `changes --format csv` (a contract: columns are only ever added at the end).
CHANGE_CSV_COLUMNS = (
    "id",
    "url",
    "source",
    "kind",
    "at",
    "from_version",
    "to_version",
    "title_before",
    "title_after",
    "words_added",
    "words_removed",
    "status",
    "returns_to",
    "location",
    "reason",
    "event_id",
    "title",
)


def matching_ids(
    engine: Engine,
    query: str,
    *,
    zone: tzinfo,
    exact: bool = False,
    include_non_articles: bool = True,
) -> set[int] | None:
    """The articles `query` matches; None for every article (`*`), which needs no search."""
    if query.strip() == "*" and include_non_articles:
        return None
    node = build_query(query, exact=exact, zone=zone)
    if not include_non_articles:
        node = And((node, Not(NOT_ARTICLE)))
    return {int(i) for i in engine.ids(node) if i.isdigit()}


def find_changes(
    archive: Archive,
    engine: Engine,
    query: str,
    *,
    kinds: Collection[str] = KINDS,
    since: date | None = None,
    until: date | None = None,
    timezone: str,
    exact: bool = False,
) -> list[ChangeEvent]:
    """The events of the articles `query` matches, on the days from `since` to `until`
    (inclusive, in `timezone`), oldest first."""
    zone = ZoneInfo(timezone)
    return archive.revisions.events(
        kinds=kinds,
        since=day_start(since, zone) if since else None,
        until=day_start(until + timedelta(days=1), zone) if until else None,
        article_ids=matching_ids(engine, query, zone=zone, exact=exact),
    )


class ChangeFact(NamedTuple):
    """One event as counts see it: its day (in the report's zone), source and article."""

    day: date
    source: str
    article_id: int


def change_facts(events: Iterable[ChangeEvent], zone: tzinfo) -> list[ChangeFact]:
    return [ChangeFact(e.at.astimezone(zone).date(), e.source, e.article_id) for e in events]


@dataclass
class ChangeCounts:
    """Events counted per day, per source and per both, with the articles they concern."""

    events: Counter[tuple[date, str]] = field(default_factory=Counter)
    articles: dict[tuple[date, str], set[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.events.values())

    def rows(self, key: str) -> list[tuple[Any, int, int]]:
        """(day or source, events, articles) by `key` ("day" or "source"), in order."""
        events: Counter[Any] = Counter()
        articles: dict[Any, set[int]] = {}
        for (day, source), count in self.events.items():
            name = day if key == "day" else source
            events[name] += count
            articles.setdefault(name, set()).update(self.articles[day, source])
        return sorted((name, events[name], len(articles[name])) for name in events)

    def by_source_day(self) -> list[tuple[str, date, int, int]]:
        """(source, day, events, articles) for each source and day with events, in order."""
        return sorted(
            (source, day, count, len(self.articles[day, source]))
            for (day, source), count in self.events.items()
        )

    def article_total(self) -> int:
        return len(set().union(*self.articles.values())) if self.articles else 0


def count_changes(facts: Iterable[ChangeFact]) -> ChangeCounts:
    counts = ChangeCounts()
    for fact in facts:
        counts.events[fact.day, fact.source] += 1
        counts.articles.setdefault((fact.day, fact.source), set()).add(fact.article_id)
    return counts


@dataclass(frozen=True)
class ChangeReport:
    """`monitor report --kind KIND`: events of one kind per day and per source."""

    query: str
    kind: str
    since: date | None
    until: date | None
    timezone: str
    snapshot: dict[str, Any]
    counts: ChangeCounts
    include_non_articles: bool = False

    @property
    def by_day(self) -> list[tuple[date, int, int]]:
        """(day, events, articles) for every day of the period; a day without any is zero."""
        found = {day: (count, arts) for day, count, arts in self.counts.rows("day")}
        if not found:
            return []
        first, last = self.since or min(found), self.until or max(found)
        days = (first + timedelta(days=i) for i in range((last - first).days + 1))
        return [(day, *found.get(day, (0, 0))) for day in days]

    @property
    def by_source(self) -> list[tuple[str, int, int]]:
        """(source, events, articles), most events first."""
        return sorted(self.counts.rows("source"), key=lambda row: (-row[1], row[0]))

    def as_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "kind": self.kind,
            "counted": "events",
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "timezone": self.timezone,
            "snapshot": self.snapshot,
            "non_articles": "included" if self.include_non_articles else "excluded",
            "total": self.counts.total,
            "articles": self.counts.article_total(),
            "by_day": [
                {"date": d.isoformat(), "count": c, "articles": a} for d, c, a in self.by_day
            ],
            "by_source": [{"source": s, "count": c, "articles": a} for s, c, a in self.by_source],
            "by_source_day": [
                {"source": s, "date": d.isoformat(), "count": c, "articles": len(arts)}
                for (d, s), c in sorted(
                    self.counts.events.items(), key=lambda i: (i[0][1], i[0][0])
                )
                for arts in (self.counts.articles[d, s],)
            ],
        }


def build_change_report(
    archive: Archive,
    engine: Engine,
    query: str,
    kind: str,
    *,
    since: date | None,
    until: date | None,
    timezone: str,
    exact: bool = False,
    snapshot: int | None = None,
    snapshot_events: int | None = None,
    include_non_articles: bool = False,
) -> ChangeReport:
    """Events of `kind` on the articles `query` matches, per day (of the event, in
    `timezone`) and per source. `snapshot` and `snapshot_events` count only the articles and
    events up to those ids: the report of an earlier snapshot, recomputed."""
    zone = ZoneInfo(timezone)
    ids = matching_ids(
        engine, query, zone=zone, exact=exact, include_non_articles=include_non_articles
    )
    if snapshot is not None:
        ids = {i for i in (ids if ids is not None else archive.article_ids()) if i <= snapshot}
    events = archive.revisions.events(
        kinds=(kind,),
        since=day_start(since, zone) if since else None,
        until=day_start(until + timedelta(days=1), zone) if until else None,
        article_ids=ids,
        max_event_id=snapshot_events,
    )
    return ChangeReport(
        query=query,
        kind=kind,
        since=since,
        until=until,
        timezone=timezone,
        snapshot=archive.snapshot(max_id=snapshot, max_event_id=snapshot_events),
        counts=count_changes(change_facts(events, zone)),
        include_non_articles=include_non_articles,
    )
