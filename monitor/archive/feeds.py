"""The feeds of the archive: the subscription list, each feed's schedule and its poll results.

Feeds come from the config file (origin `config`, re-synced on every run) or are added with
`monitor feeds add|import` (origin `cli`/`opml`). Rows are never deleted, only marked removed,
so entries and the fetch log keep their feed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from monitor.archive.backend import Database, Row, Transaction, chunks
from monitor.archive.changes import next_change
from monitor.config import FeedConfig
from monitor.errors import NotFoundError
from monitor.models import Decision, FeedRow, Hint
from monitor.safe_text import one_line
from monitor.timestamps import from_iso, now_iso, to_iso

ORIGINS = ("config", "cli", "opml")


class FeedStore:
    """Feed rows of one archive connection (`Archive.feeds`). Writes are single autocommitted
    statements, but for `sync`, which is one transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def sync(self, feeds: Iterable[FeedConfig]) -> list[FeedRow]:
        """Make the config's feeds present and active; returns them in config order.

        A config feed the user removed with `feeds remove` stays removed; a feed that left the
        config file is marked removed (by config) and comes back if it is listed again.
        """
        at = now_iso()
        urls: list[str] = []
        with Transaction(self.db):
            for feed in feeds:
                urls.append(feed.url)
                self._retag(feed.url, feed.tags)
                values = (feed.source, feed.name, feed.language, json.dumps(feed.tags))
                # Updated, else inserted: an upsert would spend an id of PostgreSQL's
                # sequence on every known feed, and feed ids are shown.
                if not self.db.execute(
                    """UPDATE feeds SET source=?, name=?, language=?, tags=?, origin='config',
                         removed_at=CASE WHEN removed_by='cli' THEN removed_at END,
                         removed_by=CASE WHEN removed_by='cli' THEN removed_by END
                       WHERE url=?""",
                    (*values, feed.url),
                ).rowcount:
                    self.db.execute(
                        """INSERT INTO feeds (url, source, name, language, tags, added_at, origin)
                           VALUES (?, ?, ?, ?, ?, ?, 'config') ON CONFLICT(url) DO NOTHING""",
                        (feed.url, *values, at),
                    )
            placeholders = ",".join("?" * len(urls))
            self.db.execute(
                f"""UPDATE feeds SET removed_at=?, removed_by='config'
                    WHERE origin='config' AND removed_at IS NULL
                      AND url NOT IN ({placeholders})""",
                (at, *urls),
            )
        by_url = {row.url: row for row in self.all(include_removed=True)}
        return [by_url[url] for url in urls]

    def in_sync(self, feeds: Iterable[FeedConfig]) -> bool:
        """Whether `sync(feeds)` would change nothing (found by reading only)."""
        rows = {
            row["url"]: row
            for row in self.db.execute(
                "SELECT url, source, name, language, tags, origin, removed_at, removed_by "
                "FROM feeds"
            )
        }
        listed = set()
        for feed in feeds:
            listed.add(feed.url)
            row = rows.get(feed.url)
            if row is None or (
                row["source"],
                row["name"],
                row["language"],
                row["tags"],
                row["origin"],
            ) != (feed.source, feed.name, feed.language, json.dumps(feed.tags), "config"):
                return False
            if row["removed_at"] is not None and row["removed_by"] != "cli":
                return False
        return not any(
            row["origin"] == "config" and row["removed_at"] is None and url not in listed
            for url, row in rows.items()
        )

    def add(self, feed: FeedConfig, *, origin: str) -> tuple[FeedRow, bool]:
        """Add a feed (or bring a removed one back); returns the row and whether it changed."""
        existing = self._by_url(feed.url)
        if existing is not None and existing.active:
            return existing, False
        if existing is not None:
            self.db.execute(
                "UPDATE feeds SET removed_at=NULL, removed_by=NULL, next_poll_at=NULL WHERE id=?",
                (existing.id,),
            )
        else:
            self.db.execute(
                """INSERT INTO feeds (url, source, name, language, tags, added_at, origin)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    feed.url,
                    feed.source,
                    feed.name,
                    feed.language,
                    json.dumps(list(feed.tags)),
                    now_iso(),
                    origin,
                ),
            )
        row = self._by_url(feed.url)
        assert row is not None
        return row, True

    def _retag(self, url: str, tags: Iterable[str]) -> None:
        """When a known feed's tags change, its articles are indexed again (by the next run's
        indexing), so that `tag:` and reports by tag follow the config."""
        row = self.db.execute("SELECT id, tags FROM feeds WHERE url = ?", (url,)).fetchone()
        if row is None or sorted(json.loads(row["tags"] or "[]")) == sorted(tags):
            return
        self.db.execute(
            """UPDATE articles SET indexed_at = NULL, change_seq = ?
               WHERE id IN (SELECT article_id FROM entries WHERE feed_id = ?)""",
            (next_change(self.db), row["id"]),
        )

    def tags_of_articles(self, ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """article id → the tags of every feed that listed it (removed feeds' too), in the
        order first met; articles without any tag are left out."""
        out: dict[int, dict[str, None]] = {}
        for chunk, marks in chunks(sorted(set(ids)), 500):
            for article_id, tags in self.db.execute(
                f"""SELECT e.article_id, f.tags FROM entries e
                    JOIN feeds f ON f.id = e.feed_id
                    WHERE e.article_id IN ({marks}) AND f.tags NOT IN ('', '[]')
                    GROUP BY e.article_id, f.id, f.tags ORDER BY e.article_id, f.id""",
                chunk,
            ):
                out.setdefault(article_id, {}).update(dict.fromkeys(json.loads(tags)))
        return {article_id: tuple(tags) for article_id, tags in out.items()}

    def tags(self) -> list[str]:
        """Every tag of a feed, removed feeds' too, sorted."""
        found: set[str] = set()
        for (tags,) in self.db.execute("SELECT DISTINCT tags FROM feeds"):
            found.update(json.loads(tags or "[]"))
        return sorted(found)

    def remove(self, feed: FeedRow) -> None:
        self.db.execute(
            "UPDATE feeds SET removed_at=?, removed_by='cli' WHERE id=? AND removed_at IS NULL",
            (now_iso(), feed.id),
        )

    def all(self, *, include_removed: bool = False) -> list[FeedRow]:
        where = "" if include_removed else "WHERE removed_at IS NULL"
        rows = self.db.execute(f"SELECT * FROM feeds {where} ORDER BY source, id").fetchall()
        return [_feed_row(row) for row in rows]

    def due(self, now: datetime) -> list[FeedRow]:
        """Active feeds whose next poll time has come (or that were never polled)."""
        rows = self.db.execute(
            """SELECT * FROM feeds WHERE removed_at IS NULL
                 AND (next_poll_at IS NULL OR next_poll_at <= ?)
               ORDER BY COALESCE(next_poll_at, ''), id""",
            (to_iso(now),),
        ).fetchall()
        return [_feed_row(row) for row in rows]

    def select(self, selectors: Iterable[str], *, include_removed: bool = False) -> list[FeedRow]:
        """Feeds named by id, URL or source name (case-insensitive); unknown names fail."""
        feeds = self.all(include_removed=include_removed)
        chosen: dict[int, FeedRow] = {}
        for selector in selectors:
            matched = [
                feed
                for feed in feeds
                if str(feed.id) == selector
                or feed.url == selector
                or feed.source.casefold() == selector.casefold()
            ]
            if not matched:
                raise NotFoundError(
                    f"no feed {selector!r}: give a feed id, URL or source "
                    "(see `monitor feeds list`)"
                )
            chosen.update((feed.id, feed) for feed in matched)
        return sorted(chosen.values(), key=lambda feed: (feed.source, feed.id))

    def record_success(
        self,
        feed_id: int,
        *,
        status: int,
        decision: Decision,
        hint: Hint | None,
        title: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        content_hash: str | None = None,
    ) -> None:
        at = now_iso()
        self.db.execute(
            """UPDATE feeds SET last_polled_at=?, last_success_at=?, last_status=?,
                 last_error=NULL, consecutive_failures=0, failure_score=0,
                 title=COALESCE(?, title),
                 etag=COALESCE(?, etag), last_modified=COALESCE(?, last_modified),
                 content_hash=COALESCE(?, content_hash),
                 poll_interval=?, next_poll_at=?, schedule_reason=?,
                 hint_seconds=?, hint_source=?, claimed_by=NULL, claimed_until=NULL
               WHERE id=?""",
            (
                at,
                at,
                status,
                title,
                etag,
                last_modified,
                content_hash,
                decision.interval,
                to_iso(decision.next_poll),
                decision.reason,
                hint.seconds if hint else None,
                hint.source if hint else None,
                feed_id,
            ),
        )

    def record_failure(
        self, feed_id: int, *, status: int | None, error: str, decision: Decision
    ) -> None:
        self.db.execute(
            """UPDATE feeds SET last_polled_at=?, last_status=?, last_error=?,
                 consecutive_failures=consecutive_failures+1, failure_score=?,
                 poll_interval=?, next_poll_at=?, schedule_reason=?,
                 claimed_by=NULL, claimed_until=NULL
               WHERE id=?""",
            (
                now_iso(),
                status,
                one_line(error),
                decision.failure_score,
                decision.interval,
                to_iso(decision.next_poll),
                decision.reason,
                feed_id,
            ),
        )

    def next_due(self) -> str | None:
        """The earliest next-poll time of the active feeds (None when one was never polled)."""
        row = self.db.execute(
            """SELECT COUNT(*) - COUNT(next_poll_at), MIN(next_poll_at) FROM feeds
               WHERE removed_at IS NULL"""
        ).fetchone()
        return None if row[0] else row[1]

    def set_next_poll(self, feed_id: int, at: datetime, *, reason: str) -> None:
        self.db.execute(
            """UPDATE feeds SET next_poll_at=?, schedule_reason=?, claimed_by=NULL,
                 claimed_until=NULL WHERE id=?""",
            (to_iso(at), reason, feed_id),
        )

    def entries_seen_since(self, since: datetime) -> Iterator[tuple[int, datetime, bool]]:
        """(feed id, first seen, became an article) of every entry first seen since `since`."""
        for feed_id, seen_at, has_article in self.db.execute(
            """SELECT feed_id, first_seen_at, article_id IS NOT NULL FROM entries
               WHERE first_seen_at >= ?""",
            (to_iso(since),),
        ):
            yield feed_id, datetime.fromisoformat(seen_at), bool(has_article)

    def added_at(self) -> dict[int, datetime | None]:
        """When each feed (removed ones too) was first added."""
        return {
            row[0]: from_iso(row[1])
            for row in self.db.execute("SELECT id, added_at FROM feeds").fetchall()
        }

    def by_ids(self, ids: list[int]) -> list[FeedRow]:
        """The feeds of `ids`, in that order."""
        found: dict[int, FeedRow] = {}
        for chunk, marks in chunks(ids, 500):
            for row in self.db.execute(f"SELECT * FROM feeds WHERE id IN ({marks})", chunk):
                found[row["id"]] = _feed_row(row)
        return [found[i] for i in ids if i in found]

    def _by_url(self, url: str) -> FeedRow | None:
        row = self.db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return _feed_row(row) if row else None


def _feed_row(row: Row) -> FeedRow:
    return FeedRow(
        id=row["id"],
        url=row["url"],
        source=row["source"],
        name=row["name"],
        language=row["language"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        content_hash=row["content_hash"],
        tags=tuple(json.loads(row["tags"] or "[]")),
        title=row["title"],
        origin=row["origin"],
        removed_at=row["removed_at"],
        last_polled_at=row["last_polled_at"],
        last_success_at=row["last_success_at"],
        last_status=row["last_status"],
        last_error=row["last_error"],
        consecutive_failures=row["consecutive_failures"],
        failure_score=row["failure_score"],
        next_poll_at=row["next_poll_at"],
        poll_interval=row["poll_interval"],
        hint_seconds=row["hint_seconds"],
        hint_source=row["hint_source"],
        schedule_reason=row["schedule_reason"],
    )
