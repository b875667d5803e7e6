from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.archive import Archive
from monitor.archive.migrations import MIGRATIONS
from monitor.config import FeedConfig
from monitor.errors import ArchiveError
from monitor.models import EntryData


def test_migrations_apply_once_and_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    Archive(path).close()
    with Archive(path) as archive:
        names = [r[0] for r in archive.db.execute("SELECT name FROM _migrations ORDER BY name")]
        assert names == [name for name, _ in MIGRATIONS]
        assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_entries_are_recorded_once_per_feed_and_urls_become_one_page(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        one, two = archive.sync_feeds(
            [
                FeedConfig(url="https://a.vn/rss", source="A"),
                FeedConfig(url="https://a.vn/rss2", source="A"),
            ]
        )
        entry = EntryData(
            guid="g1",
            url="https://a.vn/x.html",
            title="Tin",
            summary=None,
            author=None,
            published=datetime(2026, 11, 22, tzinfo=UTC),
        )
        assert archive.add_entries(one, [entry]) == (1, 1)
        assert archive.add_entries(one, [entry]) == (1, 0)
        assert archive.add_entries(two, [entry]) == (1, 1)
        pending = archive.pending_pages()
        assert [p.url for p in pending] == ["https://a.vn/x.html"]
        assert pending[0].feed_published == datetime(2026, 11, 22, tzinfo=UTC)


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        (feed,) = archive.sync_feeds([FeedConfig(url="https://a.vn/rss", source="A")])
        bad = EntryData(guid=None, url="u", title=None, summary=None, author=None, published=None)  # type: ignore[arg-type]
        good = EntryData(guid="g", url="v", title=None, summary=None, author=None, published=None)
        with contextlib.suppress(sqlite3.IntegrityError):
            archive.add_entries(feed, [good, bad])
        assert archive.stats()["entries"] == 0


def test_a_busy_archive_is_one_clear_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    with Archive(path, busy_timeout=0.05) as archive:
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process writing
            with pytest.raises(ArchiveError, match=r"archive busy: another monitor process"):
                archive.sync_feeds([FeedConfig(url="https://a.vn/rss", source="A")])
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert [f.url for f in archive.sync_feeds([])] == []


def test_sql_mistakes_are_not_disguised_as_archive_errors(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive, pytest.raises(sqlite3.OperationalError):
        archive.db.execute("SELECT no_such_column FROM articles")
