"""The archive backends the archive tests run against: SQLite, and PostgreSQL when
$MONITOR_TEST_DATABASE names a database to make throwaway schemas in (`.ci/run` sets it)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from monitor.archive import Archive

TEST_DATABASE = "MONITOR_TEST_DATABASE"
SKIP_REASON = "PostgreSQL: set MONITOR_TEST_DATABASE to run"
BACKENDS = ["sqlite", "postgresql"]


@dataclass(frozen=True)
class ArchiveTarget:
    """Where one test's archive is: `path` for SQLite, or `database` (a DSN) for PostgreSQL."""

    path: Path
    database: str | None = None

    @property
    def name(self) -> str:
        return "postgresql" if self.database else "sqlite"

    def open(self, **options: Any) -> Archive:
        return Archive(self.path, database=self.database, **options)

    def env(self) -> dict[str, str]:
        """The environment a `monitor` process needs to use this archive."""
        return {"MONITOR_DATABASE": self.database} if self.database else {}


def postgresql_dsn() -> str:
    """The PostgreSQL DSN tests may use, or a skip with the reason."""
    dsn = os.environ.get(TEST_DATABASE, "")
    if not dsn:
        pytest.skip(SKIP_REASON)
    return dsn


@contextlib.contextmanager
def postgresql_schema() -> Iterator[str]:
    """A DSN whose connections use a new, empty schema, dropped (with all in it) after."""
    import psycopg

    dsn = postgresql_dsn()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in dsn else "?"
    try:
        yield f"{dsn}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
