"""Small SQLite helpers shared by the archive's parts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")


class Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK when the block raises."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")

def chunks(values: list[T], size: int) -> Iterator[tuple[list[T], str]]:
    """`values` in slices of `size`, each with its "?,?,…" placeholders: SQLite caps parameters."""
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        yield chunk, ",".join("?" * len(chunk))
