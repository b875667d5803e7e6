"""Timestamps as the archive stores them (ISO 8601 in UTC, to the second), Vietnam's zone, and
where a day begins in a zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

# Vietnamese outlets publish in Indochina Time; a date with no offset is read as such.
VIETNAM = timezone(timedelta(hours=7))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def to_iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def day_start(day: date, zone: tzinfo) -> datetime:
    """The instant (UTC) `day` starts in `zone`: days of reports, `date:` and `--since/--until`
    are counted in the display zone."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
