"""The archive's change sequence, which search nodes follow to keep their indexes up to date.

Every change to what an article's index document holds (stored, re-extracted, a new version,
gone or restored, listed by one more feed, retagged) gives the article the next number of one
counter, taken in the transaction that makes the change. The counter's row stays locked until
that transaction ends, so numbers become visible in the order they were taken: a reader that
sees number n will never later find a change numbered below n that it did not see. A node's
position is the (number, article id) of the last change it indexed (`monitor index`).
"""

from __future__ import annotations

from monitor.archive.backend import Database

_NEXT = "UPDATE change_counter SET n = n + 1 WHERE id = 1 RETURNING n"


def next_change(db: Database) -> int:
    """The number of a change being made; call it inside the transaction that makes it."""
    return int(db.execute(_NEXT).fetchone()[0])


class Changes:
    """The change sequence of one archive connection (`Archive.changes`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def after(self, seq: int, article_id: int, limit: int) -> list[tuple[int, int]]:
        """(number, article id) of the articles changed after the position (seq, article_id),
        in order, at most `limit`."""
        rows = self.db.execute(
            """SELECT change_seq, id FROM articles
               WHERE change_seq > ? OR (change_seq = ? AND id > ?)
               ORDER BY change_seq, id LIMIT ?""",
            (seq, seq, article_id, limit),
        ).fetchall()
        return [(int(row[0]), int(row[1])) for row in rows]

    def last(self) -> int:
        """The number of the latest change."""
        return int(self.db.execute("SELECT n FROM change_counter WHERE id = 1").fetchone()[0])
