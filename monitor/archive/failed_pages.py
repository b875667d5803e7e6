"""Article pages that could not be made into articles, for `monitor pages --failed`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.archive.counts import MAX_ATTEMPTS
from monitor.archive.store import Archive
from monitor.timestamps import from_iso, to_iso


@dataclass(frozen=True)
class FailedPage:
    """A page whose last attempt failed. `retrying` says whether a later run will try again."""

    id: int
    source: str
    url: str
    reason: str
    status: int | None
    attempts: int
    last_attempt_at: datetime | None
    retrying: bool


def failed_pages(archive: Archive, *, since: datetime | None = None) -> list[FailedPage]:
    """Every page whose last attempt failed (since `since`, when given), newest first."""
    rows = archive.db.execute(
        """SELECT id, source, url, last_error, last_status, attempts, fetched_at, state
             FROM pages
            WHERE state IN ('failed', 'skipped') AND fetched_at >= ?
            ORDER BY fetched_at DESC, id DESC""",
        (to_iso(since) if since else "",),
    ).fetchall()
    return [
        FailedPage(
            id=row[0],
            source=row[1],
            url=row[2],
            reason=row[3] or "",
            status=row[4],
            attempts=row[5],
            last_attempt_at=from_iso(row[6]) if row[6] else None,
            retrying=row[7] == "failed" and row[5] < MAX_ATTEMPTS,
        )
        for row in rows
    ]
