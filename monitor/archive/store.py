"""The archive (SQLite or PostgreSQL): the truth from which the index and every report derive.

Feed entries, every fetched page (its headers, and its raw bytes here for archives older than
the WARC files) and the articles extracted from them; the feeds, the fetch log, near-duplicate
clusters and saved searches are parts composed over the same connection. Readers read while a
run writes (SQLite's WAL mode; PostgreSQL's snapshots).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.archive.backend import Database, Transaction, chunks
from monitor.archive.changes import Changes, next_change
from monitor.archive.claims import Claims
from monitor.archive.clusters import Clusters
from monitor.archive.connection import open_database
from monitor.archive.counts import MAX_ATTEMPTS, corpus_snapshot, counts
from monitor.archive.feeds import FeedStore
from monitor.archive.fetch_log import FetchLog
from monitor.archive.revisions import Revisions
from monitor.archive.revisits import Revisits
from monitor.archive.rows import (
    ARTICLE_COLUMNS,
    article_record,
    article_values,
    page_task,
    stored_page,
)
from monitor.archive.saved_searches import SavedSearches
from monitor.config import FeedConfig
from monitor.errors import NotFoundError
from monitor.models import (
    Article,
    ArticleRecord,
    EntryData,
    FeedRow,
    NearDup,
    PageTask,
    StoredPage,
    WarcLocation,
)
from monitor.safe_text import one_line
from monitor.timestamps import now_iso, to_iso
from monitor.urls import normalize_url


@dataclass(frozen=True)
class Stored:
    article_id: int
    merged: bool  # the page was an article already stored (same canonical URL)
    cluster_id: int | None


class Archive:
    """One open archive. Not thread-safe: use it from the thread that opened it.

    Entries, pages and articles are its own; the rest is composed over the same connection:
    `feeds` (the subscription list and schedules), `fetch_log` (runs, every request, robots.txt),
    `clusters` (near-duplicates), `saved` (saved searches), `revisits` (when each article is
    fetched again) and `revisions` (its versions and events).
    """

    def __init__(
        self, path: Path, *, database: str | None = None, busy_timeout: float | None = None
    ) -> None:
        """Open (and migrate) the SQLite archive at `path`, or the PostgreSQL one `database`
        names (a `postgresql://` URL) when it is given."""
        self.path, self.database, self._busy_timeout = path, database, busy_timeout
        self._bind(open_database(path, database, busy_timeout=busy_timeout))

    def _bind(self, db: Database) -> None:
        self.db = db
        self.claims = Claims(self.db)
        self.changes = Changes(self.db)
        self.feeds = FeedStore(self.db)
        self.fetch_log = FetchLog(self.db)
        self.clusters = Clusters(self.db)
        self.saved = SavedSearches(self.db)
        self.revisits = Revisits(self.db)
        self.revisions = Revisions(self.db, self.clusters)

    def close(self) -> None:
        self.db.close()

    def reconnect(self) -> None:
        """A new connection in place of one the PostgreSQL server ended (a restart)."""
        self.db.close()
        self._bind(open_database(self.path, self.database, busy_timeout=self._busy_timeout))

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # feeds -------------------------------------------------------------------------------

    def sync_feeds(self, feeds: Iterable[FeedConfig]) -> list[FeedRow]:
        """Make the configured feeds present and active; returns them in config order."""
        return self.feeds.sync(feeds)

    def add_entries(self, feed: FeedRow, entries: Iterable[EntryData]) -> tuple[int, int]:
        """Record a feed's entries; returns (seen, new).

        Entries are identified by URL key (`monitor.urls.normalize_url`): a new key gets a page
        to fetch; a key already known (another feed, another spelling of the link) does not.
        """
        seen = new = 0
        at = now_iso()
        with Transaction(self.db):
            for entry in entries:
                seen += 1
                key = normalize_url(entry.url)
                # Inserted only when new (not merely ignored on conflict): PostgreSQL would
                # spend an id of the sequence on each entry seen again.
                cursor = self.db.execute(
                    """INSERT INTO entries (feed_id, guid, url, url_key, title, summary, author,
                         published, first_seen_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?
                       WHERE NOT EXISTS (SELECT 1 FROM entries WHERE feed_id = ? AND guid = ?)
                       ON CONFLICT(feed_id, guid) DO NOTHING""",
                    (
                        feed.id,
                        entry.guid,
                        entry.url,
                        key,
                        entry.title,
                        entry.summary,
                        entry.author,
                        to_iso(entry.published),
                        at,
                        feed.id,
                        entry.guid,
                    ),
                )
                if cursor.rowcount:
                    new += 1
                    self.db.execute(
                        """INSERT INTO pages (url, url_key, source, first_seen_at)
                           SELECT ?, ?, ?, ? WHERE NOT EXISTS
                             (SELECT 1 FROM pages WHERE url_key = ? OR url = ?)
                           ON CONFLICT DO NOTHING""",
                        (entry.url, key, feed.source, at, key, entry.url),
                    )
                    # The page may already be an article (seen through another feed).
                    self.db.execute(
                        """UPDATE entries SET article_id =
                             (SELECT COALESCE(p.merged_into, a.id) FROM pages p
                              LEFT JOIN articles a ON a.page_id = p.id WHERE p.url_key = ?)
                           WHERE feed_id = ? AND guid = ?""",
                        (key, feed.id, entry.guid),
                    )
                    if feed.tags:
                        # It then carries this feed's tags too: index it again.
                        self._reindex_entry_article(feed.id, entry.guid)
        return seen, new

    # pages -------------------------------------------------------------------------------

    def pending_pages(self, ids: list[int] | None = None) -> list[PageTask]:
        """Pages never fetched, and pages that failed for a reason worth retrying, of feeds
        still polled: a page only removed feeds listed is not asked for. With `ids` (pages a
        collector claimed), only those."""
        if ids is not None:
            return [task for chunk, _ in chunks(ids, 500) for task in self._pending(chunk)]
        return self._pending(None)

    def _pending(self, ids: list[int] | None) -> list[PageTask]:
        only = "" if ids is None else f"AND p.id IN ({','.join('?' * len(ids))})"
        rows = self.db.execute(
            f"""SELECT p.id AS page_id, p.url, p.source, p.attempts,
                 e.title, e.summary, e.author, e.published, f.language
               FROM pages p
               JOIN entries e ON e.id = (SELECT MIN(id) FROM entries WHERE url_key = p.url_key)
               JOIN feeds f ON f.id = e.feed_id
               WHERE (p.state = 'new' OR (p.state = 'failed' AND p.attempts < ?))
                 AND EXISTS (SELECT 1 FROM entries le JOIN feeds lf ON lf.id = le.feed_id
                             WHERE le.url_key = p.url_key AND lf.removed_at IS NULL) {only}
               ORDER BY p.id""",
            (MAX_ATTEMPTS, *(ids or ())),
        ).fetchall()
        return [page_task(r) for r in rows]

    def record_page_failure(
        self, page_id: int, *, error: str, status: int | None, permanent: bool
    ) -> None:
        self.db.execute(
            """UPDATE pages SET state=?, attempts=attempts+1, last_error=?, last_status=?,
                 fetched_at=?, claimed_by=NULL, claimed_until=NULL WHERE id=?""",
            ("skipped" if permanent else "failed", one_line(error), status, now_iso(), page_id),
        )

    def store_article(
        self,
        page_id: int,
        *,
        status: int,
        final_url: str,
        content_type: str | None,
        headers: dict[str, str],
        body: bytes,
        body_sha256: str,
        article: Article,
        warc: WarcLocation | None = None,
        near_dup: NearDup | None = None,
    ) -> Stored:
        """Store a fetched page and the article extracted from it, in one transaction.

        The raw response is referenced in a WARC file when `warc` is given (else kept here,
        compressed). A page whose canonical URL is an article already stored is merged into
        it: its entries point at that article and no second article is made. With `near_dup`,
        the article joins the cluster of its most similar earlier article, if any.
        """
        at = now_iso()
        with Transaction(self.db):
            self.db.execute(
                """UPDATE pages SET state='done', attempts=attempts+1, last_error=NULL,
                     last_status=?, fetched_at=?, final_url=?, content_type=?, headers=?,
                     body=?, body_sha256=?, warc_file=?, warc_offset=?, warc_length=?,
                     warc_record_id=?, fetched_by=claimed_by, claimed_by=NULL,
                     claimed_until=NULL
                   WHERE id=?""",
                (
                    status,
                    at,
                    final_url,
                    content_type,
                    json.dumps(headers),
                    None if warc else zlib.compress(body, 6),
                    body_sha256,
                    warc.file if warc else None,
                    warc.offset if warc else None,
                    warc.length if warc else None,
                    warc.record_id if warc else None,
                    page_id,
                ),
            )
            page = self.db.execute(
                "SELECT url, url_key, source FROM pages WHERE id=?", (page_id,)
            ).fetchone()
            page_key = page["url_key"] or page["url"]
            same = self._stored_as(article.canonical_url, page_key, page_id)
            if same is not None:
                self.db.execute("UPDATE pages SET merged_into=? WHERE id=?", (same, page_id))
                self._link_entries(page_key, same)
                self._changed(same)  # its feeds (and their tags) are now the article's too
                return Stored(same, merged=True, cluster_id=None)
            cluster_id = self.clusters.assign(near_dup) if near_dup else None
            row = self.db.execute(
                f"""INSERT INTO articles (page_id, url, source, extracted_at, cluster_id,
                      fingerprint, change_seq, {", ".join(ARTICLE_COLUMNS)})
                    VALUES (?, ?, ?, ?, ?, ?, ?, {", ".join("?" * len(ARTICLE_COLUMNS))})
                    RETURNING id""",
                (
                    page_id,
                    page["url"],
                    page["source"],
                    at,
                    cluster_id,
                    near_dup.fingerprint if near_dup else None,
                    # Taken last: the counter is held from here to the commit.
                    next_change(self.db),
                    *article_values(article),
                ),
            ).fetchone()
            article_id = int(row[0])
            if near_dup:
                self.clusters.add_keys(article_id, near_dup)
            self._link_entries(page_key, article_id)
        return Stored(article_id, merged=False, cluster_id=cluster_id)

    def _stored_as(self, canonical: str | None, page_key: str, page_id: int) -> int | None:
        """The article already stored under the page's canonical URL, if it names another."""
        if not canonical or canonical == page_key:
            return None
        same = self.db.execute(
            """SELECT a.id FROM articles a JOIN pages p ON p.id = a.page_id
               WHERE (p.url_key = ? OR a.canonical_url = ?) AND a.page_id != ?
               ORDER BY a.id LIMIT 1""",
            (canonical, canonical, page_id),
        ).fetchone()
        return None if same is None else int(same[0])

    def _changed(self, article_id: int) -> None:
        """The article is to be indexed again (by this archive's runs and by search nodes)."""
        self.db.execute(
            "UPDATE articles SET indexed_at=NULL, change_seq=? WHERE id=?",
            (next_change(self.db), article_id),
        )

    def _reindex_entry_article(self, feed_id: int, guid: str) -> None:
        self.db.execute(
            """UPDATE articles SET indexed_at=NULL, change_seq=? WHERE id =
                 (SELECT article_id FROM entries WHERE feed_id = ? AND guid = ?)""",
            (next_change(self.db), feed_id, guid),
        )

    def _link_entries(self, url_key: str, article_id: int) -> None:
        self.db.execute(
            "UPDATE entries SET article_id=? WHERE url_key=? OR (url_key IS NULL AND url=?)",
            (article_id, url_key, url_key),
        )

    def stored_pages(
        self, *, sources: Sequence[str] = (), batch: int = 200
    ) -> Iterator[StoredPage]:
        """Every page an article was extracted from, with how to get its raw response back."""
        where = "1=1"
        params: list[object] = []
        if sources:
            where = f"a.source IN ({','.join('?' * len(sources))})"
            params = list(sources)
        last = 0
        while True:
            rows = self.db.execute(
                f"""SELECT a.id AS article_id, p.id AS page_id, p.url, p.final_url, p.source,
                      p.content_type, p.headers, p.body, p.warc_file, p.warc_offset,
                      p.warc_length, p.warc_record_id, p.attempts, e.title, e.summary,
                      e.author, e.published, f.language
                    FROM articles a JOIN pages p ON p.id = a.page_id
                    LEFT JOIN entries e ON e.id =
                      (SELECT MIN(id) FROM entries WHERE article_id = a.id)
                    LEFT JOIN feeds f ON f.id = e.feed_id
                    WHERE {where} AND a.id > ? ORDER BY a.id LIMIT ?""",
                (*params, last, batch),
            ).fetchall()
            if not rows:
                return
            yield from map(stored_page, rows)
            last = rows[-1]["article_id"]

    def update_article(
        self, article_id: int, article: Article, *, fingerprint: NearDup | None
    ) -> None:
        """Replace what extraction produced (`monitor reextract`); it is indexed again.

        Its fingerprint and keys are replaced; clusters are recomputed by `monitor reextract`.
        """
        with Transaction(self.db):
            self.db.execute(
                f"""UPDATE articles SET {", ".join(f"{c}=?" for c in ARTICLE_COLUMNS)},
                      fingerprint=?, extracted_at=?, indexed_at=NULL, change_seq=? WHERE id=?""",
                (
                    *article_values(article),
                    fingerprint.fingerprint if fingerprint else None,
                    now_iso(),
                    next_change(self.db),
                    article_id,
                ),
            )
            self.db.execute("DELETE FROM near_dup_keys WHERE article_id=?", (article_id,))
            if fingerprint:
                self.clusters.add_keys(article_id, fingerprint)

    def article(self, article_id: int) -> ArticleRecord:
        row = self.db.execute("SELECT * FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}; `monitor search` shows ids")
        feeds = tuple(
            r[0]
            for r in self.db.execute(
                """SELECT DISTINCT f.url FROM entries e JOIN feeds f ON f.id = e.feed_id
                   WHERE e.article_id = ? ORDER BY f.url""",
                (article_id,),
            )
        )
        return article_record(row, feeds)

    def articles(
        self, ids: Iterable[int] | None = None, *, batch: int = 500
    ) -> Iterator[ArticleRecord]:
        """Articles by id (all of them when `ids` is None), in id order."""
        if ids is None:
            yield from self._pages_of("1=1", batch)
            return
        for chunk, marks in chunks(sorted(set(ids)), batch):
            for row in self.db.execute(
                f"SELECT * FROM articles WHERE id IN ({marks}) ORDER BY id", chunk
            ):
                yield article_record(row, ())

    def article_ids(self) -> list[int]:
        """Every article id, in order."""
        return [row[0] for row in self.db.execute("SELECT id FROM articles ORDER BY id")]

    def feeds_of(self, ids: Iterable[int]) -> dict[int, list[str]]:
        """article id → URLs of the feeds that listed it."""
        out: dict[int, list[str]] = {}
        for chunk, marks in chunks(sorted(set(ids)), 500):
            for article_id, url in self.db.execute(
                f"""SELECT DISTINCT e.article_id, f.url FROM entries e
                    JOIN feeds f ON f.id = e.feed_id
                    WHERE e.article_id IN ({marks}) ORDER BY e.article_id, f.url""",
                chunk,
            ):
                out.setdefault(article_id, []).append(url)
        return out

    def warc_refs(self, ids: Iterable[int]) -> list[WarcLocation]:
        """Where the raw responses of these articles' pages are, in article order."""
        refs: list[WarcLocation] = []
        for chunk, marks in chunks(sorted(set(ids)), 500):
            for row in self.db.execute(
                f"""SELECT p.warc_file, p.warc_offset, p.warc_length, p.warc_record_id
                    FROM articles a JOIN pages p ON p.id = a.page_id
                    WHERE a.id IN ({marks}) AND p.warc_file IS NOT NULL ORDER BY a.id""",
                chunk,
            ):
                refs.append(WarcLocation(row[0], row[1], row[2], row[3] or ""))
        return refs

    def unindexed_articles(self, *, batch: int = 500) -> Iterator[ArticleRecord]:
        yield from self._pages_of("indexed_at IS NULL", batch)

    def _pages_of(self, where: str, batch: int) -> Iterator[ArticleRecord]:
        """Articles matching `where`, read `batch` rows at a time by id.

        Each page is fetched whole, so the caller may write to the archive between pages, and
        memory stays bounded by one page of full texts.
        """
        last = 0
        while True:
            rows = self.db.execute(
                f"SELECT * FROM articles WHERE ({where}) AND id > ? ORDER BY id LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield article_record(row, ())
            last = rows[-1]["id"]

    def mark_indexed(self, ids: Iterable[int], *, reset_all: bool = False) -> None:
        with Transaction(self.db):
            if reset_all:
                self.db.execute("UPDATE articles SET indexed_at=NULL")
            self.db.executemany(
                "UPDATE articles SET indexed_at=? WHERE id=?", [(now_iso(), i) for i in ids]
            )

    def mark_all_indexed(self) -> None:
        self.db.execute("UPDATE articles SET indexed_at=? WHERE indexed_at IS NULL", (now_iso(),))

    def count_known(self, urls: Iterable[str]) -> int:
        """How many of `urls` (by URL key) are already articles in the archive."""
        keys = sorted({normalize_url(url) for url in urls})
        return sum(
            self._one(
                f"""SELECT COUNT(*) FROM pages
                    WHERE url_key IN ({marks}) AND state = 'done'""",
                chunk,
            )
            for chunk, marks in chunks(keys, 500)
        )

    def article_count(self) -> int:
        return self._one("SELECT COUNT(*) FROM articles")

    def snapshot(
        self, *, max_id: int | None = None, max_event_id: int | None = None
    ) -> dict[str, Any]:
        """What names this corpus: article count, highest article id and last extraction time,
        and the article versions and change events it holds (`Revisions.snapshot`).

        With `max_id`, the snapshot of the corpus as it was when that article was the last;
        with `max_event_id`, of the events up to that one. The articles are counted from the
        small index on extraction times, never their rows (which hold the texts): a few
        milliseconds for a million articles, not seconds.
        """
        return {
            **corpus_snapshot(self.db, max_id),
            **self.revisions.snapshot(max_id=max_id, max_event_id=max_event_id),
        }

    # counts ------------------------------------------------------------------------------

    def _one(self, sql: str, params: Sequence[object] = ()) -> int:
        return int(self.db.execute(sql, params).fetchone()[0])

    def source_names(self) -> list[str]:
        """Every source the archive knows: of its feeds and of its articles."""
        rows = self.db.execute(
            "SELECT source FROM feeds UNION SELECT source FROM articles ORDER BY 1"
        ).fetchall()
        return [row[0] for row in rows]

    def stats(self) -> dict[str, int]:
        return counts(self.db)

    def size_bytes(self) -> int:
        return self.db.size_bytes()
