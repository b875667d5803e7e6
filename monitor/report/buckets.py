"""Time buckets of a report: days, ISO weeks (Monday to Sunday) and calendar months, in the
report time zone, and the sums of daily counts over them.

A bucket's counts are the sums of its days' counts, never averages, so the buckets of a week add
up to the week's days and a ratio is computed from the summed counts. A bucket is `partial` when
part of it lies outside the analysis window (`--since/--until`, a `date:` range of the query) or
is still to come; `covered` says which fraction of it is inside.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from monitor.report.selection import Window
from monitor.timestamps import day_start

Interval = Literal["day", "week", "month"]
INTERVALS: tuple[Interval, ...] = ("day", "week", "month")


def bucket_start(day: date, interval: Interval) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def next_start(start: date, interval: Interval) -> date:
    if interval == "week":
        return start + timedelta(days=7)
    if interval == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=1)


@dataclass(frozen=True)
class Bucket:
    """Days [start, stop) in the report time zone; `last` is the bucket's last day."""

    start: date
    stop: date
    partial: bool = False
    covered: float = 1.0

    @property
    def last(self) -> date:
        return self.stop - timedelta(days=1)


def buckets(
    first: date,
    last: date,
    interval: Interval,
    *,
    zone: ZoneInfo,
    window: Window | None = None,
    now: datetime | None = None,
) -> list[Bucket]:
    """The buckets from the one holding `first` to the one holding `last`, each told whether
    it is partial: partly outside `window` or after `now` (default: the current time)."""
    now = now or datetime.now(UTC)
    window = window or Window()
    out: list[Bucket] = []
    start = bucket_start(first, interval)
    while start <= last:
        stop = next_start(start, interval)
        begins, ends = day_start(start, zone), day_start(stop, zone)
        inside_from = max(begins, window.start) if window.start else begins
        inside_to = min(ends, now, window.end) if window.end else min(ends, now)
        inside = max((inside_to - inside_from).total_seconds(), 0.0)
        covered = min(inside / (ends - begins).total_seconds(), 1.0)
        out.append(Bucket(start, stop, partial=covered < 1.0, covered=covered))
        start = stop
    return out


def day_range(window: Window, zone: ZoneInfo, days: list[date]) -> tuple[date, date] | None:
    """The first and last day to bucket: the window's where it is bounded, else the first and
    last day with data. None when there is nothing to bucket."""
    first = window.start.astimezone(zone).date() if window.start else min(days, default=None)
    if window.end:
        last: date | None = (window.end - timedelta(microseconds=1)).astimezone(zone).date()
    else:
        last = max(days, default=None)
    if first is None or last is None or first > last:
        return None
    return first, last


def summed(by_day: Mapping[date, int], spans: list[Bucket]) -> list[int]:
    """Counts by day summed into the buckets (days outside every bucket are not counted)."""
    starts = [b.start for b in spans]
    sums = [0] * len(spans)
    for day, n in by_day.items():
        i = bisect_right(starts, day) - 1
        if i >= 0 and day < spans[i].stop:
            sums[i] += n
    return sums


def summed_by_group(
    by_group_day: Mapping[tuple[str, date], int], spans: list[Bucket]
) -> dict[str, list[int]]:
    """Counts by (group, day) summed into the buckets, per group."""
    starts = [b.start for b in spans]
    out: dict[str, list[int]] = {}
    for (group, day), n in by_group_day.items():
        i = bisect_right(starts, day) - 1
        if i >= 0 and day < spans[i].stop:
            out.setdefault(group, [0] * len(spans))[i] += n
    return out


def ratio(count: int, total: int) -> float | None:
    """count / total, or None (JSON null) when the bucket has no article at all."""
    return count / total if total else None
