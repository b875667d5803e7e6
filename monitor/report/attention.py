"""Attention over time: a query's articles per bucket as a share of everything its sources
published then, with the holes in collection marked.

Per bucket: `count` (matching articles), `without_copies` (near-duplicate copies left out),
`total` (every article of the query's scope, `monitor.report.scope`, in that bucket) and
`ratio` = count / total from the summed counts. `gaps` names the sources that usually publish
but brought nothing in that bucket, so that a zero of the query can be told apart from a hole
in collection:

A source is expected in a bucket when its median count over the complete buckets from its first
to its last article in the window is at least GAP_MIN_USUAL (3), scaled down for the part of a
partial bucket that is covered; at 3 articles a bucket, a bucket with none happens by chance
less than 5% of the time (Poisson). Buckets before a source's first article are no gap (it was
not collected yet); buckets after its last one are: a feed that stopped is the gap to see.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from index.model import Counts
from monitor.report.buckets import (
    Bucket,
    Interval,
    buckets,
    day_range,
    ratio,
    summed,
    summed_by_group,
)
from monitor.report.selection import Window

GAP_MIN_USUAL = 3


@dataclass(frozen=True)
class BucketRow:
    bucket: Bucket
    count: int
    without_copies: int
    total: int
    gaps: tuple[str, ...] = ()

    @property
    def ratio(self) -> float | None:
        return ratio(self.count, self.total)

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.bucket.start.isoformat(),
            "end": self.bucket.last.isoformat(),
            "count": self.count,
            "without_copies": self.without_copies,
            "total": self.total,
            "ratio": self.ratio,
            "partial": self.bucket.partial,
            "gaps": list(self.gaps),
        }


# CSV columns of a report by interval (the JSON keys of `by_interval`).
BUCKET_CSV_COLUMNS = (
    "start",
    "end",
    "count",
    "without_copies",
    "total",
    "ratio",
    "partial",
    "gaps",
)


def bucket_spans(
    interval: Interval,
    days: list[date],
    *,
    zone: ZoneInfo,
    window: Window,
    now: datetime | None = None,
) -> list[Bucket]:
    """The buckets over the window, or over the days with data where it is open."""
    span = day_range(window, zone, days)
    if span is None:
        return []
    return buckets(span[0], span[1], interval, zone=zone, window=window, now=now)


def attention(
    spans: list[Bucket],
    matches: Counts,
    originals_by_day: Mapping[date, int],
    scope_total: Counts,
) -> list[BucketRow]:
    """The rows of `spans` for a query's `matches` and its scope's `scope_total`."""
    counts = summed(matches.by_day, spans)
    originals = summed(originals_by_day, spans)
    totals = summed(scope_total.by_day, spans)
    gaps = gaps_by_bucket(scope_total.by_source_day, spans)
    return [
        BucketRow(bucket, n, o, t, g)
        for bucket, n, o, t, g in zip(spans, counts, originals, totals, gaps, strict=True)
    ]


def gaps_by_bucket(
    by_source_day: Mapping[tuple[str, date], int], spans: list[Bucket]
) -> list[tuple[str, ...]]:
    """For each bucket, the sources expected in it that brought nothing (see the module)."""
    out: list[list[str]] = [[] for _ in spans]
    for source, sums in summed_by_group(by_source_day, spans).items():
        active = [i for i, n in enumerate(sums) if n]
        if not active:
            continue
        first, last = active[0], active[-1]
        complete = [sums[i] for i in range(first, last + 1) if not spans[i].partial]
        if not complete:
            continue
        usual = statistics.median(complete)
        for i in range(first, len(spans)):
            if sums[i] == 0 and usual * spans[i].covered >= GAP_MIN_USUAL:
                out[i].append(source)
    return [tuple(sorted(names)) for names in out]
