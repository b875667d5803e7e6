"""Timestamps as the archive stores them (ISO 8601 in UTC, to the second), and Vietnam's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

# Vietnamese outlets publish in Indochina Time; a date with no offset is read as such.
VIETNAM = timezone(timedelta(hours=7))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def to_iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
