"""Times as the terminal shows them: in the one display zone, `[report] timezone`, which every
table names in the header of its time columns ("published (+07)"). JSON keeps ISO 8601 in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

TIME = "%Y-%m-%d %H:%M"
DAY = "%Y-%m-%d"
_UTC_NAMES = {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "Universal", "GMT"}


def local_time(value: datetime | None, zone: str, fmt: str = TIME) -> str:
    """`value` in `zone`, without the zone (the column header names it); "—" for no time."""
    return value.astimezone(ZoneInfo(zone)).strftime(fmt) if value else "—"


def zone_label(zone: str, moments: Iterable[datetime | None] = ()) -> str:
    """How a header names the zone of the times under it: "UTC" for UTC; the UTC offset ("+07",
    "-05", "+05:30") when all of `moments` (or, without any, now) have the same one there; else
    the zone's name ("America/New_York" for times on both sides of a change to summer time),
    since one offset would then be wrong for some of them."""
    if zone in _UTC_NAMES:
        return "UTC"
    tz = ZoneInfo(zone)
    offsets = {m.astimezone(tz).utcoffset() for m in moments if m is not None}
    if not offsets:
        offsets = {datetime.now(UTC).astimezone(tz).utcoffset()}
    if len(offsets) > 1:
        return zone
    return _offset(offsets.pop() or timedelta(0))


def headed(name: str, zone: str, moments: Iterable[datetime | None] = ()) -> str:
    """A column header naming the zone of its times: "published (+07)"."""
    return f"{name} ({zone_label(zone, moments)})"


def _offset(offset: timedelta) -> str:
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}" + (f":{rest:02d}" if rest else "")
