from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.archive import Archive
from monitor.archive.migrations import MIGRATIONS
from monitor.config import FeedConfig
from monitor.errors import ArchiveError, ArchiveUnreachable
from monitor.models import EntryData
from tests.backends import ArchiveTarget, postgresql_schema


def test_migrations_apply_once_and_are_recorded(backend: ArchiveTarget) -> None:
    backend.open().close()
    with backend.open() as archive:
        names = [r[0] for r in archive.db.execute("SELECT name FROM _migrations ORDER BY name")]
        assert names == [name for name, _ in MIGRATIONS]


def test_sqlite_archives_are_in_wal_mode(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite3") as archive:
        assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_entries_are_recorded_once_per_feed_and_urls_become_one_page(archive: Archive) -> None:
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


def test_a_failed_transaction_leaves_nothing_behind(archive: Archive) -> None:
    (feed,) = archive.sync_feeds([FeedConfig(url="https://a.vn/rss", source="A")])
    bad = EntryData(guid=None, url="u", title=None, summary=None, author=None, published=None)  # type: ignore[arg-type]
    good = EntryData(guid="g", url="v", title=None, summary=None, author=None, published=None)
    with pytest.raises(Exception, match=r"(?i)null"):
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


def test_sql_mistakes_are_not_disguised_as_archive_errors(archive: Archive) -> None:
    with pytest.raises(Exception) as raised:
        archive.db.execute("SELECT no_such_column FROM articles")
    assert not isinstance(raised.value, ArchiveError)


def test_both_engines_give_the_same_python_types(archive: Archive) -> None:
    (feed,) = archive.sync_feeds([FeedConfig(url="https://a.vn/rss", source="A")])
    row = archive.db.execute(
        """SELECT COUNT(*), SUM(consecutive_failures), AVG(consecutive_failures),
             MAX(url) IS NOT NULL, MAX(added_at), MAX(tags) AS tags FROM feeds WHERE id = ?""",
        (feed.id,),
    ).fetchone()
    assert [type(value) for value in row] == [int, int, float, int, str, str]
    assert row["tags"] == "[]" and row[3] == 1


def test_a_postgresql_server_that_cannot_be_reached_is_exit_75(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(ArchiveUnreachable, match="cannot connect") as raised:
        Archive(tmp_path / "unused", database="postgresql://nobody@127.0.0.1:9/none")
    assert raised.value.exit_code == 75
    assert "password" not in str(raised.value)


def test_a_connection_ended_by_the_server_is_exit_75(tmp_path: Path) -> None:
    with postgresql_schema() as dsn, Archive(tmp_path / "unused", database=dsn) as archive:
        pid = archive.db.execute("SELECT pg_backend_pid()").fetchone()[0]
        with Archive(tmp_path / "unused", database=dsn) as other:
            other.db.execute("SELECT pg_terminate_backend(?)", (pid,))
        with pytest.raises(ArchiveUnreachable, match="lost the connection") as raised:
            archive.sync_feeds([FeedConfig(url="https://a.vn/rss", source="A")])
        assert raised.value.exit_code == 75


def test_two_processes_may_create_one_postgresql_archive_at_once(tmp_path: Path) -> None:
    with postgresql_schema() as dsn:
        first = Archive(tmp_path / "unused", database=dsn)
        with contextlib.closing(first), Archive(tmp_path / "unused", database=dsn) as second:
            assert first.stats() == second.stats()
