"""Each article's revisit schedule: when it was first stored, its next check, and the
validators of the last response it gave (for conditional GET).

Planning reads the partial index on `revisits.next_at` alone (`due_ids`), so choosing the due
articles of a million costs a range scan of the due ones, never a pass over all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from monitor.archive.backend import POSTGRESQL, Database, Transaction, chunks
from monitor.archive.rows import page_task
from monitor.models import PageTask
from monitor.timestamps import to_iso


@dataclass(frozen=True)
class RevisitTarget:
    """An article to fetch again, with what its last response and its feed said."""

    article_id: int
    task: PageTask  # its page: id, source, the feed's hints for extraction
    url: str  # the address to ask for: where the stored response came from
    first_at: datetime
    gone: bool
    not_article: bool  # stored flagged not_article: a listing revisited, not a takedown
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    failures: int


_TARGET_SQL = """
    SELECT r.article_id, r.first_at, r.failures, r.etag, r.last_modified, r.body_sha256,
      a.flags, a.gone_at, a.source, p.id AS page_id, p.url, p.final_url, p.attempts,
      e.title, e.summary, e.author, e.published, f.language
    FROM revisits r JOIN articles a ON a.id = r.article_id JOIN pages p ON p.id = a.page_id
    LEFT JOIN entries e ON e.id = (SELECT MIN(id) FROM entries WHERE article_id = a.id)
    LEFT JOIN feeds f ON f.id = e.feed_id
"""


class Revisits:
    """The revisit schedules of one archive connection (`Archive.revisits`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def unscheduled(self) -> Iterator[tuple[int, datetime]]:
        """(article id, first stored at) of the articles stored since the last scheduling.

        Articles are never deleted and ids only grow, so the new ones are those above the
        highest id scheduled: no scan of the articles already scheduled.
        """
        last = self.db.execute("SELECT COALESCE(MAX(article_id), 0) FROM revisits").fetchone()[0]
        for row in self.db.execute(
            """SELECT a.id, COALESCE(p.fetched_at, a.extracted_at) FROM articles a
               JOIN pages p ON p.id = a.page_id WHERE a.id > ? ORDER BY a.id""",
            (last,),
        ).fetchall():
            yield row[0], datetime.fromisoformat(row[1])

    def schedule(self, rows: list[tuple[int, datetime, datetime | None]]) -> None:
        """Schedule articles: (id, first stored at, first check or None). The validators of
        the stored response serve the first conditional GET."""

        def header(name: str) -> str:
            if self.db.dialect == POSTGRESQL:
                return f"(p.headers::json ->> '{name}')"
            return f"json_extract(p.headers, '$.\"{name}\"')"

        with Transaction(self.db):
            self.db.executemany(
                f"""INSERT INTO revisits (article_id, first_at, next_at, etag,
                     last_modified, body_sha256)
                   SELECT a.id, ?, ?, {header("etag")}, {header("last-modified")}, p.body_sha256
                   FROM articles a JOIN pages p ON p.id = a.page_id WHERE a.id = ?
                   ON CONFLICT DO NOTHING""",
                [(to_iso(first), to_iso(check), article_id) for article_id, first, check in rows],
            )

    def due_ids(self, now: datetime, limit: int | None = None) -> list[int]:
        """The articles whose next check has come, most overdue first (an index range scan)."""
        bound = "" if limit is None else f"LIMIT {int(limit)}"
        return [
            row[0]
            for row in self.db.execute(
                f"""SELECT article_id FROM revisits WHERE next_at <= ?
                    ORDER BY next_at, article_id {bound}""",
                (to_iso(now),),
            )
        ]

    def stored_since(self, since: datetime) -> list[int]:
        """Every scheduled article first stored at or after `since`."""
        return [
            row[0]
            for row in self.db.execute(
                "SELECT article_id FROM revisits WHERE first_at >= ? ORDER BY article_id",
                (to_iso(since),),
            )
        ]

    def targets(self, ids: list[int]) -> list[RevisitTarget]:
        """What fetching these articles again needs, in the order of `ids`."""
        found: dict[int, RevisitTarget] = {}
        for chunk, marks in chunks(ids, 500):
            for row in self.db.execute(f"{_TARGET_SQL} WHERE r.article_id IN ({marks})", chunk):
                found[row["article_id"]] = RevisitTarget(
                    article_id=row["article_id"],
                    task=page_task(row),
                    url=row["final_url"] or row["url"],
                    first_at=datetime.fromisoformat(row["first_at"]),
                    gone=row["gone_at"] is not None,
                    not_article="not_article" in json.loads(row["flags"] or "[]"),
                    etag=row["etag"],
                    last_modified=row["last_modified"],
                    body_sha256=row["body_sha256"],
                    failures=row["failures"],
                )
        return [found[i] for i in ids if i in found]

    def checked(
        self,
        article_id: int,
        *,
        at: datetime,
        outcome: str,
        status: int | None,
        next_at: datetime | None,
        failures: int = 0,
        counted: bool = True,
        validators: tuple[str | None, str | None, str | None] | None = None,
    ) -> None:
        """Record a check and the next one. `validators` (ETag, Last-Modified, body hash) of a
        response replace the kept ones; None keeps them (a 304, a failure)."""
        self.db.execute(
            """UPDATE revisits SET next_at=?, checks_done=checks_done+?, failures=?, last_at=?,
                 last_status=?, last_outcome=? WHERE article_id=?""",
            (to_iso(next_at), int(counted), failures, to_iso(at), status, outcome, article_id),
        )
        if validators is not None:
            self.db.execute(
                "UPDATE revisits SET etag=?, last_modified=?, body_sha256=? WHERE article_id=?",
                (*validators, article_id),
            )
