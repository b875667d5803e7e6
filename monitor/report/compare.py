"""Several labelled queries over the same buckets: one table, one chart, one wide CSV.

Each query is counted per bucket as a report by interval counts it. The bucket `total` is the
`*` query within the scope all the queries share (`monitor.report.scope`; every article when
they name no source, tag or date). A query's ratio is its count over the total of its own scope:
the bucket `total` when its scope is the shared one, as it is when the queries differ only by
topic; a query narrowed to other sources (`bão source:vnexpress` beside `bão`) is measured
against those sources' own articles, and `notes` say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from index.engine import Engine
from index.model import Counts
from index.query import Node
from monitor.archive import Archive
from monitor.report.attention import bucket_spans
from monitor.report.buckets import Bucket, Interval, ratio, summed
from monitor.report.scope import common_scope, describe, scope_node, scope_of
from monitor.report.selection import Selection, window_of
from monitor.report.zoned import day_counts


@dataclass(frozen=True)
class Labelled:
    label: str
    query: str  # as typed
    expanded: str  # with saved searches expanded


@dataclass(frozen=True)
class Series:
    label: str
    query: str
    counts: list[int]
    totals: list[int]  # its own scope's total per bucket
    scope: str
    own_scope: bool  # measured against other sources than the shared scope

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def ratios(self) -> list[float | None]:
        return [ratio(n, t) for n, t in zip(self.counts, self.totals, strict=True)]


@dataclass(frozen=True)
class Comparison:
    interval: Interval
    timezone: str
    snapshot: dict[str, Any]
    spans: list[Bucket]
    totals: list[int]  # the shared scope's articles per bucket
    series: list[Series]
    scope: str

    @property
    def notes(self) -> list[str]:
        return [
            f"{s.label!r} is measured against its own sources ({s.scope}), not the total"
            for s in self.series
            if s.own_scope
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "interval": self.interval,
            "timezone": self.timezone,
            "snapshot": self.snapshot,
            "queries": [
                {"label": s.label, "query": s.query, "total": s.total} for s in self.series
            ],
            "buckets": [
                {
                    "start": b.start.isoformat(),
                    "end": b.last.isoformat(),
                    "total": self.totals[i],
                    "counts": {s.label: s.counts[i] for s in self.series},
                    "ratios": {s.label: s.ratios[i] for s in self.series},
                }
                for i, b in enumerate(self.spans)
            ],
        }

    def csv_columns(self) -> list[str]:
        columns = ["start", "end", "total"]
        for s in self.series:
            columns += [f"{s.label}_count", f"{s.label}_ratio"]
        return columns

    def csv_rows(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for i, b in enumerate(self.spans):
            row: dict[str, object] = {"start": b.start, "end": b.last, "total": self.totals[i]}
            for s in self.series:
                row[f"{s.label}_count"] = s.counts[i]
                row[f"{s.label}_ratio"] = s.ratios[i]
            rows.append(row)
        return rows


def compare(
    archive: Archive,
    engine: Engine,
    queries: list[Labelled],
    selection: Selection,
    interval: Interval,
    *,
    now: datetime | None = None,
) -> Comparison:
    zone = selection.zone
    snapshot = selection.snapshot_of(archive)
    parsed = [selection.parse(q.expanded) for q in queries]
    scopes = [scope_of(node) for node in parsed]
    shared = common_scope(scopes)
    # One count per distinct scope: the queries usually share one.
    scope_totals: dict[frozenset[Node], Counts] = {}
    for scope in [shared, *scopes]:
        key = frozenset(scope)
        if key not in scope_totals:
            scope_totals[key] = day_counts(engine, selection.restrict(scope_node(scope)), zone)
    matches = [day_counts(engine, selection.restrict(node), zone) for node in parsed]
    days = [day for counts in scope_totals.values() for day in counts.by_day]
    windows = [window_of(selection.restrict(node)) for node in parsed]
    # The buckets span the widest window of the queries (they are the same unless a query
    # carries its own date range).
    window = windows[0] if len({(w.start, w.end) for w in windows}) == 1 else None
    spans = bucket_spans(
        interval, days, zone=zone, window=window or window_of(selection.everything()), now=now
    )
    series = [
        Series(
            q.label,
            q.query,
            summed(counts.by_day, spans),
            summed(scope_totals[frozenset(scope)].by_day, spans),
            describe(scope),
            frozenset(scope) != frozenset(shared),
        )
        for q, counts, scope in zip(queries, matches, scopes, strict=True)
    ]
    return Comparison(
        interval,
        selection.timezone,
        snapshot,
        spans,
        summed(scope_totals[frozenset(shared)].by_day, spans),
        series,
        describe(shared),
    )
