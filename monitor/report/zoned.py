"""Counts by local day in the report time zone, exact across changes of its UTC offset.

The engines count days in one fixed UTC offset. A zone without daylight saving time (the
default, Asia/Ho_Chi_Minh, has kept +07:00 since 1975) needs one pass at its offset. Where the
offset changes within the days counted, the days are split into spans of one offset, each
counted within its own instants at its own offset; a day on which the offset changes is a span
of its own, its matches all put on that day (it lasts 23 or 25 hours).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from index.engine import Engine
from index.model import Counts, LabelCounts
from index.query import And, DateRange, Node
from monitor.timestamps import day_start

C = TypeVar("C", Counts, LabelCounts)
ONE_DAY = timedelta(days=1)
# (first day, last day, the UTC offset its days are counted in)
Span = tuple[date, date, timedelta]


def day_counts(engine: Engine, node: Node, zone: ZoneInfo) -> Counts:
    """`engine.counts` of `node` with days in `zone`."""
    whole, spans = _zoned(lambda n, offset: engine.counts(n, utc_offset=offset), node, zone)
    if not spans:
        return whole
    return replace(
        whole,
        by_day=_by_day((s, c.by_day) for s, c in spans),
        by_source_day=_by_group_day((s, c.by_source_day) for s, c in spans),
    )


def label_day_counts(engine: Engine, node: Node, field: str, zone: ZoneInfo) -> LabelCounts:
    """`engine.label_counts` of `node` by `field` with days in `zone`."""
    whole, spans = _zoned(
        lambda n, offset: engine.label_counts(n, field, utc_offset=offset), node, zone
    )
    if not spans:
        return whole
    return replace(
        whole,
        by_day=_by_day((s, c.by_day) for s, c in spans),
        by_value_day=_by_group_day((s, c.by_value_day) for s, c in spans),
    )


def offset_of(day: date, zone: ZoneInfo) -> timedelta:
    """The UTC offset of `zone` when `day` starts."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).utcoffset() or timedelta(0)


def offset_spans(first: date, last: date, zone: ZoneInfo) -> list[Span]:
    """The days from `first` to `last` in runs of one UTC offset; a day whose offset changes
    before it ends is a run of its own."""
    spans: list[Span] = []
    day = first
    while day <= last:
        offset = offset_of(day, zone)
        if offset_of(day + ONE_DAY, zone) != offset:
            spans.append((day, day, offset))
            day += ONE_DAY
            continue
        start = day
        # `day` starts and ends at `offset`; so does the next one when the day after it starts so.
        while day < last and offset_of(day + 2 * ONE_DAY, zone) == offset:
            day += ONE_DAY
        spans.append((start, day, offset))
        day += ONE_DAY
    return spans


def _zoned(
    count: Callable[[Node, timedelta], C], node: Node, zone: ZoneInfo
) -> tuple[C, list[tuple[Span, C]]]:
    """The counts of one pass at today's offset, and when the offset is not the same over
    their days, the counts of each span of one offset (else no spans)."""
    offset = datetime.now(zone).utcoffset() or timedelta(0)
    whole = count(node, offset)
    if not whole.by_day:
        return whole, []
    # A day away from today's offset may move a match across midnight: one day more each side.
    spans = offset_spans(min(whole.by_day) - ONE_DAY, max(whole.by_day) + ONE_DAY, zone)
    if len(spans) == 1 and spans[0][2] == offset:
        return whole, []
    parts = []
    for span in spans:
        first, last, span_offset = span
        within = DateRange(day_start(first, zone), day_start(last + ONE_DAY, zone))
        parts.append((span, count(And((node, within)), span_offset)))
    return whole, parts


def _clamp(day: date, span: Span) -> date:
    """A match that a span's fixed offset put past either end of the span is on its first or
    last day (only a day of its own, 23 or 25 hours long, can do that)."""
    return min(max(day, span[0]), span[1])


def _by_day(parts: Iterable[tuple[Span, Mapping[date, int]]]) -> dict[date, int]:
    out: dict[date, int] = {}
    for span, counted in parts:
        for day, n in counted.items():
            key = _clamp(day, span)
            out[key] = out.get(key, 0) + n
    return out


def _by_group_day(
    parts: Iterable[tuple[Span, Mapping[tuple[str, date], int]]],
) -> dict[tuple[str, date], int]:
    out: dict[tuple[str, date], int] = {}
    for span, counted in parts:
        for (group, day), n in counted.items():
            key = (group, _clamp(day, span))
            out[key] = out.get(key, 0) + n
    return out
