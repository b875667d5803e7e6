"""The log of article changes a search node follows: one row each time an article is stored,
or changes what its index document holds (a new version, a re-extraction, gone or restored,
the tags of its feeds).

The archive's own `indexed_at` mark serves the one index beside it; a search node following a
shared archive (`monitor index --follow`) keeps its own position in this log instead, so any
number of nodes follow one archive without writing to it. Rows are appended in the writer's
transaction, and SQLite has one writer at a time, so positions grow in commit order: a reader
that has seen position N has seen every change up to N.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ChangeBatch:
    """Articles changed after a position, and the position after them."""

    article_ids: tuple[int, ...]  # each once, in the order of their latest change
    position: int


def record(db: sqlite3.Connection, article_ids: Iterable[int]) -> None:
    """Log a change of each article (inside the caller's transaction)."""
    db.executemany(
        "INSERT INTO article_changes (article_id) VALUES (?)", [(i,) for i in article_ids]
    )


def record_where(db: sqlite3.Connection, condition: str, parameters: tuple[object, ...]) -> None:
    """Log a change of every article matching the SQL `condition` on `articles`."""
    db.execute(
        f"INSERT INTO article_changes (article_id) SELECT id FROM articles WHERE {condition}",
        parameters,
    )


class ArticleChanges:
    """Reading the change log from a position."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def since(self, position: int, *, limit: int = 2000) -> ChangeBatch:
        """Up to `limit` changes after `position`."""
        rows = self.db.execute(
            "SELECT seq, article_id FROM article_changes WHERE seq > ? ORDER BY seq LIMIT ?",
            (position, limit),
        ).fetchall()
        ids = dict.fromkeys(int(row[1]) for row in rows)
        return ChangeBatch(tuple(ids), int(rows[-1][0]) if rows else position)

    def latest(self) -> int:
        """The position of the newest change (0 in an archive without any)."""
        row = self.db.execute("SELECT MAX(seq) FROM article_changes").fetchone()
        return int(row[0] or 0)
