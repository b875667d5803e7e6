"""Opening the archive's database, in the engine the config names, and bringing it up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from monitor.archive.backend import Database
from monitor.archive.migrations import backfill_url_keys, migrate
from monitor.archive.sqlite import connect
from monitor.errors import ArchiveError


def open_database(
    path: Path, database: str | None, *, busy_timeout: float | None = None
) -> Database:
    """The archive's database, migrated: PostgreSQL when `database` (a `postgresql://` URL) is
    given, else the SQLite file at `path` (its busy timeout `busy_timeout`)."""
    if database is not None:
        # Imported here: psycopg is an optional dependency, needed only for this engine.
        from monitor.archive.postgres import connect_postgresql

        db: Database = connect_postgresql(database)
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
        return db
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lite = connect(path, busy_timeout=busy_timeout)
        migrate(lite)
        backfill_url_keys(lite)
    except (sqlite3.Error, OSError) as exc:
        raise ArchiveError(f"{path}: cannot open the archive: {exc}") from exc
    return lite
