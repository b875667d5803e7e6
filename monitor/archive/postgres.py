"""The PostgreSQL connection of an archive that several collectors share (`[storage] database`).

It reads the SQL the archive's parts write for both engines (`archive.backend`): `?`
placeholders become psycopg's `%s`, and SQLite's index hints are dropped. Rows are read by
position or name, and values come back as SQLite gives them: numbers PostgreSQL computes as
NUMERIC (sums, averages) as int or float, truth values as 1 or 0.

A server that cannot be reached, or that ends the connection (a restart, an administrator
terminating it), is `ArchiveUnreachable` (exit code 75: try again later); a lock or statement
timeout and a deadlock are `ArchiveBusy`; a full disk, a missing permission or a read-only
server are `ArchiveError`. Other errors are bugs and stay as they are.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from monitor.archive.backend import POSTGRESQL, Cursor, Dialect
from monitor.errors import ArchiveBusy, ArchiveError, ArchiveUnreachable

try:
    import psycopg
    from psycopg.abc import Buffer
    from psycopg.adapt import Loader
    from psycopg.conninfo import make_conninfo
    from psycopg.rows import RowMaker
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ArchiveError(
        "a PostgreSQL archive needs psycopg: pip install 'press-monitor[postgresql]' "
        f"(or psycopg[binary]) ({exc})"
    ) from exc

CONNECT_TIMEOUT_S = 10
NAME = "press-monitor"
_BUSY_STATES = frozenset({"55P03", "57014", "40P01", "40001"})
_UNREACHABLE_STATES = frozenset({"57P01", "57P02", "57P03"})
_UNUSABLE_CLASSES = ("53", "42501", "25006", "3D000", "28")
_LITERAL = re.compile(r"('(?:[^']|'')*')")
_INDEX_HINT = re.compile(r"\s+INDEXED BY \w+")


class PgRow:
    """A row by position or by column name, as sqlite3.Row reads."""

    __slots__ = ("_columns", "_values")

    def __init__(self, columns: dict[str, int], values: Sequence[Any]) -> None:
        self._columns = columns
        self._values = values

    def __getitem__(self, key: int | str, /) -> Any:
        return self._values[key if isinstance(key, int) else self._columns[key]]

    def keys(self) -> list[str]:
        return list(self._columns)

    def __iter__(self) -> Any:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _rows(cursor: psycopg.Cursor[Any]) -> RowMaker[PgRow]:
    columns = {column.name: i for i, column in enumerate(cursor.description or ())}
    return functools.partial(PgRow, columns)


class _NumberLoader(Loader):
    """NUMERIC as SQLite would have computed it: int when whole, float otherwise."""

    def load(self, data: Buffer) -> int | float:
        text = bytes(data).decode("ascii")
        return int(text) if text.lstrip("-").isdigit() else float(text)


class _TruthLoader(Loader):
    def load(self, data: Buffer) -> int:
        return 1 if bytes(data) == b"t" else 0


@functools.lru_cache(maxsize=2048)
def _sql(sql: str) -> str:
    """SQLite-style SQL as psycopg takes it: `?` → `%s` outside literals, `%` escaped."""
    parts = _LITERAL.split(_INDEX_HINT.sub("", sql))
    return "".join(
        part.replace("%", "%%") if i % 2 else part.replace("%", "%%").replace("?", "%s")
        for i, part in enumerate(parts)
    )


def describe(dsn: str) -> str:
    """The database a DSN names, without its password or options."""
    return re.sub(r"//([^:/@]*):[^@]*@", r"//\1@", dsn.split("?", 1)[0])


class PgConnection:
    """One autocommit connection to the archive's database (see the module docstring)."""

    dialect: Dialect = POSTGRESQL
    begin = "BEGIN"

    def __init__(self, raw: psycopg.Connection[PgRow], where: str) -> None:
        self._raw = raw
        self.where = where

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        try:
            return self._raw.execute(_sql(sql), parameters)
        except psycopg.Error as exc:
            raise self.translate(exc) from exc

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor:
        cursor = self._raw.cursor()
        try:
            cursor.executemany(_sql(sql), parameters)
        except psycopg.Error as exc:
            raise self.translate(exc) from exc
        return cursor

    def tables(self) -> set[str]:
        return {
            row[0]
            for row in self.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }

    def take_schema_lock(self) -> None:
        self.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")

    def size_bytes(self) -> int:
        """The archive's tables with their indexes and TOAST data."""
        row = self.execute(
            """SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = current_schema() AND c.relkind = 'r'"""
        ).fetchone()
        return int(row[0])

    def close(self) -> None:
        self._raw.close()

    def translate(self, exc: psycopg.Error) -> Exception:
        """The ArchiveError for `exc`, or `exc` itself when it is not the user's to fix."""
        state = exc.sqlstate or ""
        if state in _BUSY_STATES:
            return ArchiveBusy(
                f"{self.where}: archive busy: another monitor process holds what this one "
                f"needs ({_first_line(exc)}); try again"
            )
        if (
            state in _UNREACHABLE_STATES
            or state.startswith("08")
            or isinstance(exc, psycopg.InterfaceError)
            or (isinstance(exc, psycopg.OperationalError) and not state)
            or self._raw.broken
        ):
            return ArchiveUnreachable(
                f"{self.where}: lost the connection to the PostgreSQL server "
                f"({_first_line(exc)}); the next run resumes where this one stopped"
            )
        if state.startswith(_UNUSABLE_CLASSES):
            return ArchiveError(f"{self.where}: cannot use the archive: {_first_line(exc)}")
        return exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def connect_postgresql(dsn: str) -> PgConnection:
    """Open the archive's database; a server that can't be reached is ArchiveUnreachable."""
    where = describe(dsn)
    try:
        # Named, so that an administrator sees the collectors (unless the URL names them).
        named = dsn if "application_name=" in dsn else make_conninfo(dsn, application_name=NAME)
        raw = psycopg.connect(
            named, autocommit=True, row_factory=_rows, connect_timeout=CONNECT_TIMEOUT_S
        )
    except psycopg.Error as exc:
        raise ArchiveUnreachable(
            f"{where}: cannot connect to the PostgreSQL archive: {_first_line(exc)}"
        ) from exc
    raw.adapters.register_loader("numeric", _NumberLoader)
    raw.adapters.register_loader("bool", _TruthLoader)
    return PgConnection(raw, where)
