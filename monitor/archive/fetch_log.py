"""The archive's record of runs, of every request the collector made, and of robots.txt."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.archive.backend import Database, Row, Transaction
from monitor.models import WarcLocation
from monitor.safe_text import maybe_line
from monitor.timestamps import now_iso, to_iso


class FetchLog:
    """Runs, the fetch log and kept robots.txt files of one archive connection."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def start_run(self, collector: str | None = None) -> int:
        row = self.db.execute(
            "INSERT INTO runs (started_at, collector) VALUES (?, ?) RETURNING id",
            (now_iso(), collector),
        ).fetchone()
        return int(row[0])

    def finish_run(self, run_id: int, summary: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, summary=? WHERE id=?",
            (now_iso(), json.dumps(summary, ensure_ascii=False), run_id),
        )

    def log_fetch(
        self,
        *,
        run_id: int | None,
        kind: str,
        source: str,
        url: str,
        outcome: str,
        status: int | None = None,
        duration_ms: int | None = None,
        feed_id: int | None = None,
        page_id: int | None = None,
        entries_seen: int | None = None,
        entries_new: int | None = None,
        error: str | None = None,
        next_poll_at: datetime | None = None,
        warc: WarcLocation | None = None,
    ) -> None:
        self.db.execute(
            """INSERT INTO fetch_log (run_id, kind, feed_id, page_id, source, url, at, status,
                 outcome, duration_ms, entries_seen, entries_new, error, next_poll_at,
                 warc_file, warc_offset, warc_length, warc_record_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                run_id,
                kind,
                feed_id,
                page_id,
                source,
                url,
                now_iso(),
                status,
                outcome,
                duration_ms,
                entries_seen,
                entries_new,
                maybe_line(error),
                to_iso(next_poll_at),
                warc.file if warc else None,
                warc.offset if warc else None,
                warc.length if warc else None,
                warc.record_id if warc else None,
            ),
        )

    def trim_fetch_log(self, *, per_feed: int, page_days: int) -> int:
        """Keep the last `per_feed` rows of each feed and `page_days` days of page rows
        (revisits of article pages included)."""
        cutoff = to_iso(datetime.now(UTC) - timedelta(days=page_days))
        with Transaction(self.db):
            feeds = self.db.execute(
                """DELETE FROM fetch_log WHERE kind='feed' AND id IN (
                     SELECT id FROM (
                       SELECT id, ROW_NUMBER() OVER (PARTITION BY feed_id ORDER BY id DESC) AS n
                       FROM fetch_log WHERE kind='feed') AS numbered
                     WHERE n > ?)""",
                (per_feed,),
            ).rowcount
            pages = self.db.execute(
                "DELETE FROM fetch_log WHERE kind IN ('page', 'revisit') AND at < ?", (cutoff,)
            ).rowcount
        return int(feeds) + int(pages)

    def failures(self, run_id: int) -> list[Row]:
        return self.db.execute(
            """SELECT kind, source, url, status, error FROM fetch_log
               WHERE run_id=? AND outcome='failed' ORDER BY id""",
            (run_id,),
        ).fetchall()

    def polls(self, run_id: int) -> list[Row]:
        """The feed rows of one run, in the order they were written."""
        return self.db.execute(
            """SELECT feed_id, source, url, status, outcome, entries_seen, entries_new, error,
                 next_poll_at FROM fetch_log WHERE run_id=? AND kind='feed' ORDER BY id""",
            (run_id,),
        ).fetchall()

    def robots_files(self) -> dict[str, tuple[str, float]]:
        """robots.txt kept from earlier runs: host key → (text, fetched at, epoch seconds)."""
        return {
            row[0]: (row[1], row[2])
            for row in self.db.execute("SELECT host, body, fetched_at FROM robots")
        }

    def keep_robots_files(self, files: dict[str, tuple[str, float]]) -> None:
        with Transaction(self.db):
            self.db.executemany(
                """INSERT INTO robots (host, body, fetched_at) VALUES (?, ?, ?)
                   ON CONFLICT(host) DO UPDATE SET body=excluded.body,
                     fetched_at=excluded.fetched_at
                   WHERE excluded.fetched_at > robots.fetched_at""",
                [(host, body, at) for host, (body, at) in files.items()],
            )
