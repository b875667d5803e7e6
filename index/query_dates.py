"""The dates of the query language (`date:`): periods, instants and durations, to [start, end).

A period (`2026`, `2026-01`, `2026-01-19`) starts at its first instant and, as the end of a
range, ends at the instant just after it; an instant (`2026-01-19T08:30Z`) is used as is; a
duration (`P7D`) counts back from `now` and may only start an open range. Periods (and instants
written without an offset) are read in the time zone the caller gives, UTC by default; the
interval is in UTC. See `index.query` for the whole language.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, tzinfo

from index.errors import QuerySyntaxError

Interval = tuple[datetime | None, datetime | None]

_PERIOD_RE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_INSTANT_RE = re.compile(r"\d{4}-\d{2}-\d{2}T")
_DURATION_RE = re.compile(
    r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?",
    re.IGNORECASE,
)
_DATE_HELP = (
    "write YYYY, YYYY-MM or YYYY-MM-DD, a range like 2026-01-19/2026-01-25, or a duration like P7D/"
)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive one is taken to be UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_interval(query: str, value: str, pos: int, now: datetime, zone: tzinfo = UTC) -> Interval:
    """The [start, end) interval written `value`, which starts at `pos` in `query`."""
    if "/" not in value:
        if _is_duration(value):
            return _ago(query, value, pos, now), None
        return _period(query, value, pos, zone)
    first, last = value.split("/", 1)
    last_pos = pos + len(first) + 1
    if "/" in last:
        raise QuerySyntaxError("a date range has one '/'", query, last_pos + last.index("/"))
    if not first and not last:
        raise QuerySyntaxError("a date range needs a start or an end", query, pos)
    start: datetime | None = None
    end: datetime | None = None
    if first:
        if _is_duration(first):
            start = _ago(query, first, pos, now)
        else:
            start = _period(query, first, pos, zone)[0]
    if last:
        if _is_duration(last):
            raise QuerySyntaxError(
                "a duration can only start an open range, as in date:P7D/", query, last_pos
            )
        end = _period(query, last, last_pos, zone)[1]
    if start is not None and end is not None and start >= end:
        raise QuerySyntaxError("the date range ends before it starts", query, pos)
    return start, end


def _is_duration(text: str) -> bool:
    return text[:1] in ("P", "p")


def _period(query: str, text: str, pos: int, zone: tzinfo) -> tuple[datetime, datetime]:
    """First instant of the period `text` names in `zone` and the instant just after it, in
    UTC."""
    if _INSTANT_RE.match(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise QuerySyntaxError(f"invalid date {text!r}", query, pos) from None
        moment = as_utc(moment.replace(tzinfo=zone) if moment.tzinfo is None else moment)
        return moment, moment
    m = _PERIOD_RE.fullmatch(text)
    if m is None:
        raise QuerySyntaxError(f"invalid date {text!r}; {_DATE_HELP}", query, pos)
    year = int(m.group(1))
    try:
        if m.group(3) is not None:
            day = datetime(year, int(m.group(2)), int(m.group(3)))
            first, after = day, day + timedelta(days=1)
        elif m.group(2) is not None:
            month = int(m.group(2))
            first, after = datetime(year, month, 1), datetime(year + month // 12, month % 12 + 1, 1)
        else:
            first, after = datetime(year, 1, 1), datetime(year + 1, 1, 1)
        # Local midnights, so that a day is the zone's day whatever its offset that day.
        return as_utc(first.replace(tzinfo=zone)), as_utc(after.replace(tzinfo=zone))
    except (ValueError, OverflowError):
        raise QuerySyntaxError(f"no such date {text!r}", query, pos) from None


def _ago(query: str, text: str, pos: int, now: datetime) -> datetime:
    """`now` minus the ISO 8601 duration `text`, with calendar months and years."""
    m = _DURATION_RE.fullmatch(text)
    if m is None or not any(m.groups()) or text[-1] in "Tt":
        raise QuerySyntaxError(
            f"invalid duration {text!r}; write it like P7D, P2W, PT12H or P1M", query, pos
        )
    try:
        years, months, weeks, days, hours, minutes, seconds = (int(g or 0) for g in m.groups())
        year, month0 = divmod(now.year * 12 + now.month - 1 - years * 12 - months, 12)
        # Clamped so that one month before 31 March is the end of February, not an error.
        day = min(now.day, calendar.monthrange(year, month0 + 1)[1])
        shifted = now.replace(year=year, month=month0 + 1, day=day)
        return shifted - timedelta(
            weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds
        )
    except (ValueError, OverflowError):
        raise QuerySyntaxError(f"duration {text!r} reaches too far back", query, pos) from None


def render_interval(start: datetime | None, end: datetime | None) -> str:
    """The shortest text that `parse_interval` reads back as [start, end)."""
    if start is not None and end is not None and _is_midnight(start) and _is_midnight(end):
        if end == start + timedelta(days=1):
            return start.strftime("%Y-%m-%d")
        if start.day == 1 and end.day == 1:
            months = (end.year - start.year) * 12 + end.month - start.month
            if months == 1:
                return start.strftime("%Y-%m")
            if months == 12 and start.month == 1:
                return start.strftime("%Y")
    first = "" if start is None else _render_start(start)
    last = "" if end is None else _render_end(end)
    return f"{first}/{last}"


def _is_midnight(moment: datetime) -> bool:
    return moment.utcoffset() == timedelta(0) and moment.time() == datetime.min.time()


def _render_start(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d") if _is_midnight(moment) else _render_instant(moment)


def _render_end(moment: datetime) -> str:
    # An end day is inclusive in the syntax and exclusive in the tree.
    if _is_midnight(moment) and moment > datetime.min.replace(tzinfo=UTC):
        return (moment - timedelta(days=1)).strftime("%Y-%m-%d")
    return _render_instant(moment)


def _render_instant(moment: datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")
