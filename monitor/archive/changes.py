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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ChangeBatch:
    """Articles changed after a position, and the position after them."""

    article_ids: tuple[int, ...]  # each once, in the order of their latest change
    position: int
    changes: int  # rows of the log it covers


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

    def batches(self, position: int, *, limit: int = 2000) -> Iterator[ChangeBatch]:
        """The changes after `position`, `limit` at a time, each batch with the position that
        is safe to keep once it has been indexed; changes made meanwhile are included."""
        while True:
            rows = self.db.execute(
                "SELECT seq, article_id FROM article_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                (position, limit),
            ).fetchall()
            if not rows:
                return
            position = int(rows[-1][0])
            ids = tuple(dict.fromkeys(int(row[1]) for row in rows))
            yield ChangeBatch(ids, position, len(rows))

    def pending(self, position: int) -> int:
        """How many changes there are after `position`."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM article_changes WHERE seq > ?", (position,)
        ).fetchone()
        return int(row[0])

    def latest(self) -> int:
        """The position of the newest change (0 in an archive without any)."""
        row = self.db.execute("SELECT MAX(seq) FROM article_changes").fetchone()
        return int(row[0] or 0)
