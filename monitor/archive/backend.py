"""What the archive's parts need of a database connection, whichever engine is behind it.

Two engines implement it: SQLite (`archive.sqlite`, the default: one file in the storage dir)
and PostgreSQL (`archive.postgres`, for an archive that several collectors share). The parts
write one SQL text for both: `?` placeholders, `INSERT … ON CONFLICT`, `RETURNING id`, and
`NULLS FIRST/LAST` where a nullable column is ordered; the PostgreSQL connection translates the
placeholders. The few statements that differ ask `dialect`.

A row is read by position or by column name; values are the Python types SQLite gives (ISO
text for times, int, float, str, bytes), so nothing above the archive knows the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal, Protocol, TypeVar

T = TypeVar("T")

Dialect = Literal["sqlite", "postgresql"]
SQLITE: Dialect = "sqlite"
POSTGRESQL: Dialect = "postgresql"


class Row(Protocol):
    """One row of a result: by position, or by column name."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    """The result of one statement."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Database(Protocol):
    """One open connection, in autocommit mode: `Transaction` groups statements."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def begin(self) -> str:
        """The statement that opens a write transaction."""
        ...

    @property
    def where(self) -> str:
        """The archive as messages name it: a file, or a database without its password."""
        ...

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor: ...

    def tables(self) -> set[str]:
        """The names of the archive's tables."""
        ...

    def take_schema_lock(self) -> None:
        """Inside a transaction: wait for, then exclude, any other connection changing the
        schema until this transaction ends."""
        ...

    def size_bytes(self) -> int: ...

    def close(self) -> None: ...


def is_postgresql(database: str | None) -> bool:
    """Whether `database` (the `[storage] database` setting) names a PostgreSQL server."""
    return bool(database) and str(database).startswith(("postgresql://", "postgres://"))


class Transaction:
    """BEGIN … COMMIT, or ROLLBACK when the block raises (`Database.begin` says how to begin)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute(self.db.begin)

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def chunks(values: list[T], size: int) -> Iterator[tuple[list[T], str]]:
    """`values` in slices of `size`, each with its "?,?,…" placeholders: engines cap them."""
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        yield chunk, ",".join("?" * len(chunk))
