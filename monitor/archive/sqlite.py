"""The SQLite connection of the archive (the default engine; see `archive.backend`).

`connect` opens the archive file in WAL mode, with a connection whose statements turn SQLite's
"the file is busy" and "the file is unusable" failures into an `ArchiveError` naming the file
(`ArchiveBusy`, exit code 75, for the first): another process writing for too long, a full disk
or a read-only file are the user's to fix, and deserve one line rather than a traceback. Other
SQLite errors are bugs and stay as they are.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from monitor.archive.backend import SQLITE, Dialect
from monitor.errors import ArchiveBusy, ArchiveError

# How long a write waits for another process's write to finish before giving up.
BUSY_TIMEOUT_S = 10.0
_WAL_RETRY = 0.01
_BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_UNUSABLE = frozenset(
    {
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_NOTADB,
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_READONLY,
    }
)


class Connection(sqlite3.Connection):
    """A connection whose busy or unusable file is an ArchiveError (see the module docstring)."""

    path: Path = Path()
    busy_timeout: float = BUSY_TIMEOUT_S
    dialect: Dialect = SQLITE
    # IMMEDIATE takes the write lock at once: two writers never both read, then fail to write.
    begin = "BEGIN IMMEDIATE"

    @property
    def where(self) -> str:
        return str(self.path)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return self.cursor(_Cursor).execute(sql, parameters)
        except sqlite3.DatabaseError as exc:
            raise self.translate(exc) from exc

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.DatabaseError as exc:
            raise self.translate(exc) from exc

    def tables(self) -> set[str]:
        return {row[0] for row in self.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    def take_schema_lock(self) -> None:
        """BEGIN IMMEDIATE already excludes every other writer."""

    def size_bytes(self) -> int:
        """The database file with its WAL and shared-memory files."""
        return sum(
            p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file()
        )

    def translate(self, exc: sqlite3.DatabaseError) -> Exception:
        """The ArchiveError for `exc`, or `exc` itself when it is not the user's to fix."""
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if is_busy(exc):
            return ArchiveBusy(
                f"{self.path}: archive busy: another monitor process has been writing to it "
                f"for over {self.busy_timeout:g} s; try again when it has finished"
            )
        if code in _UNUSABLE:
            return ArchiveError(f"{self.path}: cannot use the archive: {exc}")
        return exc


class _Cursor(sqlite3.Cursor):
    """Rows are read lazily: a busy file met while reading is the same ArchiveError."""

    connection: Connection

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.DatabaseError as exc:
            raise self.connection.translate(exc) from exc

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.DatabaseError as exc:
            raise self.connection.translate(exc) from exc

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.DatabaseError as exc:
            raise self.connection.translate(exc) from exc


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for another connection's lock."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in _BUSY


def connect(path: Path, *, busy_timeout: float | None = None) -> Connection:
    """Open the archive database in autocommit WAL mode with foreign keys on; a statement
    waits `busy_timeout` seconds (default BUSY_TIMEOUT_S) for another process's write."""
    if busy_timeout is None:
        busy_timeout = BUSY_TIMEOUT_S
    db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, factory=Connection)
    db.path, db.busy_timeout = path, busy_timeout
    db.row_factory = sqlite3.Row
    _use_wal(db, busy_timeout)
    # In WAL mode NORMAL survives any crash of the process; only a power cut can lose the last
    # commits (never corrupt the file). It makes each commit ~3x cheaper.
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    return db


def _use_wal(db: Connection, timeout: float) -> None:
    """Switch a new file to WAL (a file remembers it: later connections find it so).

    SQLite answers "busy" at once, without waiting, when connections opening a new file at the
    same time race for the switch; it is tried again until `timeout`.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except ArchiveBusy:
            if time.monotonic() >= deadline:
                raise
        time.sleep(_WAL_RETRY)
