"""The archive's side of edits and takedowns: article versions and events (the revisit
schedules are `revisits`).

* `article_versions`: the versions of an article whose text really changed. Without rows, the
  article has one version, itself; the latest version's title and text are the article's own,
  copied into its row only when a newer version replaces them.
* `article_events`: edited, retitled, gone, restored, with when and what changed.

What counts as a change is decided by `monitor.jobs.revisit` (with `monitor.extract.revision`);
this module stores it.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from monitor.archive.backend import Database, Row, Transaction, chunks
from monitor.archive.changes import next_change
from monitor.archive.clusters import Clusters
from monitor.archive.rows import ARTICLE_COLUMNS, article_values
from monitor.models import Article, NearDup, WarcLocation
from monitor.timestamps import from_iso, to_iso

KINDS = ("edited", "retitled", "gone", "restored")


@dataclass(frozen=True)
class Fetched:
    """A revisit's response, as the page row keeps the response its article was made from."""

    at: datetime
    status: int
    final_url: str
    content_type: str | None
    headers: dict[str, str]
    body: bytes
    body_sha256: str
    warc: WarcLocation | None


@dataclass(frozen=True)
class Edit:
    """A new version: the article as now extracted and what changed from the current one."""

    article: Article
    near_dup: NearDup | None
    previous_hash: str
    new_hash: str
    returns_to: int | None
    words_added: int
    words_removed: int
    title_before: str
    location: str | None = None  # where the article lives now, when it moved


@dataclass(frozen=True)
class Version:
    number: int
    fetched_at: datetime
    title: str
    text: str
    words: int
    returns_to: int | None
    warc: WarcLocation | None


@dataclass(frozen=True)
class ChangeEvent:
    """One event of an article, with the article's address and source."""

    id: int
    article_id: int
    url: str
    source: str
    title: str  # the article's title now
    kind: str
    at: datetime
    from_version: int | None
    to_version: int | None
    returns_to: int | None
    title_before: str | None
    title_after: str | None
    words_added: int | None
    words_removed: int | None
    status: int | None
    location: str | None
    reason: str | None


class Revisions:
    """Revisit schedules, versions and events of one archive connection (`Archive.revisions`)."""

    def __init__(self, db: Database, clusters: Clusters) -> None:
        self.db = db
        self.clusters = clusters

    # versions ----------------------------------------------------------------------------

    def current_number(self, article_id: int) -> int:
        row = self.db.execute(
            "SELECT MAX(number) FROM article_versions WHERE article_id=?", (article_id,)
        ).fetchone()
        return int(row[0] or 1)

    def hashes(self, article_id: int) -> dict[int, str]:
        """number → normal-form hash of the versions kept in rows (the latest one's is as it
        was when stored: a re-extraction may have changed the article since)."""
        return {
            row[0]: row[1]
            for row in self.db.execute(
                """SELECT number, text_hash FROM article_versions
                   WHERE article_id=? AND text_hash IS NOT NULL ORDER BY number""",
                (article_id,),
            )
        }

    def versions(self, article_id: int) -> list[Version]:
        """Every version, first to latest; the latest with the article's own title and text."""
        article = self.db.execute(
            """SELECT a.title, a.text, a.words, p.fetched_at, p.warc_file, p.warc_offset,
                 p.warc_length, p.warc_record_id, r.first_at
               FROM articles a JOIN pages p ON p.id = a.page_id
               LEFT JOIN revisits r ON r.article_id = a.id WHERE a.id=?""",
            (article_id,),
        ).fetchone()
        if article is None:
            return []
        rows = self.db.execute(
            "SELECT * FROM article_versions WHERE article_id=? ORDER BY number", (article_id,)
        ).fetchall()
        if not rows:
            at = article["first_at"] or article["fetched_at"]
            return [
                Version(
                    1,
                    _instant(at),
                    article["title"],
                    article["text"],
                    article["words"] or len(article["text"].split()),
                    None,
                    _warc(article),
                )
            ]
        return [
            Version(
                row["number"],
                _instant(row["fetched_at"]),
                row["title"] if row["title"] is not None else article["title"],
                row["text"] if row["text"] is not None else article["text"],
                row["words"] or 0,
                row["returns_to"],
                _warc(row),
            )
            for row in rows
        ]

    def add_version(self, article_id: int, fetched: Fetched, edit: Edit) -> int:
        """Store a new version in one transaction: the current one is kept in its row, the
        article and its page become the new response's, the edit is recorded. Returns its
        number."""
        with Transaction(self.db):
            latest = self._keep_current(article_id, edit.previous_hash)
            number = latest + 1
            warc = fetched.warc
            self.db.execute(
                """INSERT INTO article_versions (article_id, number, fetched_at, words, text_hash,
                     returns_to, warc_file, warc_offset, warc_length, warc_record_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    article_id,
                    number,
                    to_iso(fetched.at),
                    edit.article.words,
                    edit.new_hash,
                    edit.returns_to,
                    *_warc_values(warc),
                ),
            )
            self._replace_article(article_id, fetched, edit)
            self._event(
                article_id,
                "edited",
                fetched.at,
                from_version=latest,
                to_version=number,
                returns_to=edit.returns_to,
                title_before=edit.title_before,
                title_after=edit.article.title,
                words_added=edit.words_added,
                words_removed=edit.words_removed,
                status=fetched.status,
                location=edit.location,
            )
        return number

    def _keep_current(self, article_id: int, current_hash: str) -> int:
        """Copy the article's title and text into the row of its current version (made now
        for an article that had no rows: version 1, its first response); returns its number."""
        latest = self.db.execute(
            "SELECT MAX(number) FROM article_versions WHERE article_id=?", (article_id,)
        ).fetchone()[0]
        if latest is None:
            self.db.execute(
                """INSERT INTO article_versions (article_id, number, fetched_at, title, text,
                     words, text_hash, warc_file, warc_offset, warc_length, warc_record_id)
                   SELECT a.id, 1, COALESCE(r.first_at, p.fetched_at, a.extracted_at), a.title,
                     a.text, a.words, ?, p.warc_file, p.warc_offset, p.warc_length,
                     p.warc_record_id
                   FROM articles a JOIN pages p ON p.id = a.page_id
                   LEFT JOIN revisits r ON r.article_id = a.id WHERE a.id = ?""",
                (current_hash, article_id),
            )
            return 1
        self.db.execute(
            """UPDATE article_versions SET (title, text, words, text_hash) =
                 (SELECT title, text, words, ? FROM articles WHERE id = ?)
               WHERE article_id = ? AND number = ?""",
            (current_hash, article_id, article_id, latest),
        )
        return int(latest)

    def _replace_article(self, article_id: int, fetched: Fetched, edit: Edit) -> None:
        """The article becomes the new version (indexed again); its page, the new response,
        so that `monitor reextract` makes the latest version."""
        self.db.execute(
            f"""UPDATE articles SET {", ".join(f"{c}=?" for c in ARTICLE_COLUMNS)},
                  fingerprint=?, extracted_at=?, indexed_at=NULL, change_seq=? WHERE id=?""",
            (
                *article_values(edit.article),
                edit.near_dup.fingerprint if edit.near_dup else None,
                to_iso(fetched.at),
                next_change(self.db),
                article_id,
            ),
        )
        self.db.execute("DELETE FROM near_dup_keys WHERE article_id=?", (article_id,))
        if edit.near_dup:
            self.clusters.add_keys(article_id, edit.near_dup)
        warc = fetched.warc
        self.db.execute(
            """UPDATE pages SET last_status=?, fetched_at=?, final_url=?, content_type=?,
                 headers=?, body=?, body_sha256=?, warc_file=?, warc_offset=?, warc_length=?,
                 warc_record_id=?
               WHERE id = (SELECT page_id FROM articles WHERE id=?)""",
            (
                fetched.status,
                to_iso(fetched.at),
                fetched.final_url,
                fetched.content_type,
                json.dumps(fetched.headers),
                None if warc else zlib.compress(fetched.body, 6),
                fetched.body_sha256,
                *_warc_values(warc),
                article_id,
            ),
        )

    # takedowns and feed titles -------------------------------------------------------------

    def gone(
        self,
        article_id: int,
        *,
        at: datetime,
        status: int | None,
        location: str | None,
        reason: str,
    ) -> bool:
        """Mark the article gone (it stays, marked, in the index); False if it already was."""
        with Transaction(self.db):
            marked = self.db.execute(
                """UPDATE articles SET gone_at=?, indexed_at=NULL, change_seq=?
                   WHERE id=? AND gone_at IS NULL""",
                (to_iso(at), next_change(self.db), article_id),
            ).rowcount
            if marked:
                number = self.current_number(article_id)
                self._event(
                    article_id,
                    "gone",
                    at,
                    from_version=number,
                    status=status,
                    location=location,
                    reason=reason,
                )
        return bool(marked)

    def restored(self, article_id: int, *, at: datetime, status: int, location: str | None) -> bool:
        """The article is there again; False if it was not gone."""
        with Transaction(self.db):
            marked = self.db.execute(
                """UPDATE articles SET gone_at=NULL, indexed_at=NULL, change_seq=?
                   WHERE id=? AND gone_at IS NOT NULL""",
                (next_change(self.db), article_id),
            ).rowcount
            if marked:
                number = self.current_number(article_id)
                self._event(
                    article_id,
                    "restored",
                    at,
                    from_version=number,
                    to_version=number,
                    status=status,
                    location=location,
                )
        return bool(marked)

    def entry_titles(
        self, feed_id: int, guids: list[str]
    ) -> dict[str, tuple[str | None, int | None]]:
        """guid → (title as first seen or last retitled, article id) of a feed's entries."""
        out: dict[str, tuple[str | None, int | None]] = {}
        for chunk, marks in chunks(guids, 500):
            for row in self.db.execute(
                f"""SELECT guid, title, article_id FROM entries
                    WHERE feed_id=? AND guid IN ({marks})""",
                (feed_id, *chunk),
            ):
                out[row[0]] = (row[1], row[2])
        return out

    def retitled(
        self,
        feed_id: int,
        guid: str,
        *,
        article_id: int | None,
        before: str,
        after: str,
        at: datetime,
    ) -> bool:
        """A feed gave an entry a new title: the entry keeps it, the article gets an event
        (one, when several feeds list the article under the same new title)."""
        with Transaction(self.db):
            self.db.execute(
                "UPDATE entries SET title=? WHERE feed_id=? AND guid=?", (after, feed_id, guid)
            )
            if article_id is None:
                return False
            last = self.db.execute(
                """SELECT title_after FROM article_events WHERE article_id=? AND kind='retitled'
                   ORDER BY id DESC LIMIT 1""",
                (article_id,),
            ).fetchone()
            if last is not None and last[0] == after:
                return False
            number = self.current_number(article_id)
            self._event(
                article_id,
                "retitled",
                at,
                from_version=number,
                to_version=number,
                title_before=before,
                title_after=after,
            )
        return True

    # events --------------------------------------------------------------------------------

    def _event(self, article_id: int, kind: str, at: datetime, **fields: object) -> None:
        names = ", ".join(fields)
        self.db.execute(
            f"""INSERT INTO article_events (article_id, kind, at{", " if fields else ""}{names})
                VALUES (?, ?, ?{", ?" * len(fields)})""",
            (article_id, kind, to_iso(at), *fields.values()),
        )

    def events(
        self,
        *,
        kinds: Collection[str] = KINDS,
        since: datetime | None = None,
        until: datetime | None = None,
        article_ids: Collection[int] | None = None,
        max_event_id: int | None = None,
    ) -> list[ChangeEvent]:
        """Events in [since, until), oldest first; of these articles only, when given."""
        rows = self.db.execute(
            f"""SELECT e.*, a.url, a.source, a.title FROM article_events e
                JOIN articles a ON a.id = e.article_id
                WHERE e.kind IN ({",".join("?" * len(kinds))}) AND e.at >= ? AND e.at < ?
                  AND e.id <= ?
                ORDER BY e.at, e.id""",
            (
                *kinds,
                to_iso(since) if since else "",
                to_iso(until) if until else "~",
                2**62 if max_event_id is None else max_event_id,
            ),
        ).fetchall()
        wanted = None if article_ids is None else set(article_ids)
        return [_change_event(r) for r in rows if wanted is None or r["article_id"] in wanted]

    def snapshot(
        self, *, max_id: int | None = None, max_event_id: int | None = None
    ) -> dict[str, int]:
        """What names the versions and events a report saw: counts and highest ids, of the
        articles up to `max_id` and the events up to `max_event_id` when given."""
        top = 2**62
        events = self.db.execute(
            """SELECT COUNT(*), COALESCE(MAX(id), 0) FROM article_events
               WHERE id <= ? AND article_id <= ?""",
            (top if max_event_id is None else max_event_id, top if max_id is None else max_id),
        ).fetchone()
        # An article without rows is one version; one with rows has as many as it has rows.
        versions = self.db.execute(
            """SELECT (SELECT COUNT(*) FROM articles WHERE id <= ?)
                 + (SELECT COUNT(*) - COUNT(DISTINCT article_id) FROM article_versions
                    WHERE article_id <= ?),
                 (SELECT COALESCE(MAX(id), 0) FROM article_versions WHERE article_id <= ?)""",
            (top if max_id is None else max_id,) * 3,
        ).fetchone()
        return {
            "versions": versions[0],
            "max_version_id": versions[1],
            "events": events[0],
            "max_event_id": events[1],
        }


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _warc(row: Row) -> WarcLocation | None:
    if not row["warc_file"]:
        return None
    return WarcLocation(
        row["warc_file"], row["warc_offset"], row["warc_length"], row["warc_record_id"] or ""
    )


def _warc_values(warc: WarcLocation | None) -> tuple[object, ...]:
    if warc is None:
        return (None, None, None, None)
    return (warc.file, warc.offset, warc.length, warc.record_id)


def _change_event(row: Row) -> ChangeEvent:
    at = from_iso(row["at"])
    assert at is not None
    return ChangeEvent(
        id=row["id"],
        article_id=row["article_id"],
        url=row["url"],
        source=row["source"],
        title=row["title"],
        kind=row["kind"],
        at=at,
        from_version=row["from_version"],
        to_version=row["to_version"],
        returns_to=row["returns_to"],
        title_before=row["title_before"],
        title_after=row["title_after"],
        words_added=row["words_added"],
        words_removed=row["words_removed"],
        status=row["status"],
        location=row["location"],
        reason=row["reason"],
    )
