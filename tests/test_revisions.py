"""Revisit schedules and planning in the archive, and the `[revisions]` settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.archive import Archive
from monitor.config import FeedConfig, parse_config
from monitor.errors import ConfigError
from monitor.jobs.revisit import next_check, schedule_new
from monitor.models import Article, EntryData

CHECKS = (3600.0, 6 * 3600.0, 86400.0)
T0 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def store(archive: Archive, count: int) -> list[int]:
    """`count` articles, stored now."""
    (feed,) = archive.sync_feeds([FeedConfig(url="https://a.vn/rss", source="A")])
    entries = [
        EntryData(f"g{n}", f"https://a.vn/bai-{n}.html", f"Bài {n}", None, None, None)
        for n in range(count)
    ]
    archive.add_entries(feed, entries)
    ids = []
    for task in archive.pending_pages():
        article = Article(f"Bài {task.id}", "Nội dung. " * 50, None, None, "none", "vi", "vi", "t")
        headers = {"etag": f'"e{task.id}"'}
        stored = archive.store_article(
            task.id,
            status=200,
            final_url=task.url,
            content_type="text/html",
            headers=headers,
            body=b"<html></html>",
            body_sha256="sha256:x",
            article=article,
        )
        ids.append(stored.article_id)
    return ids


def first_stored(archive: Archive, at: datetime) -> None:
    archive.db.execute("UPDATE pages SET fetched_at = ?", (at.isoformat(),))


def test_next_check_is_the_first_age_still_ahead() -> None:
    assert next_check(T0, T0, CHECKS) == T0 + timedelta(hours=1)
    assert next_check(T0, T0 + timedelta(hours=1), CHECKS) == T0 + timedelta(hours=6)
    assert next_check(T0, T0 + timedelta(hours=7), CHECKS) == T0 + timedelta(days=1)
    assert next_check(T0, T0 + timedelta(days=2), CHECKS) is None


def test_new_articles_are_scheduled_once_with_their_validators(archive: Archive) -> None:
    ids = store(archive, 3)
    first_stored(archive, T0)
    assert schedule_new(archive, CHECKS, T0) == 3
    assert schedule_new(archive, CHECKS, T0) == 0  # already scheduled
    rows = archive.db.execute("SELECT article_id, next_at, etag FROM revisits").fetchall()
    assert [tuple(r) for r in rows] == [
        (i, (T0 + timedelta(hours=1)).isoformat(), f'"e{i}"') for i in ids
    ]
    assert archive.revisits.due_ids(T0) == []
    assert archive.revisits.due_ids(T0 + timedelta(hours=1)) == ids
    assert archive.revisits.due_ids(T0 + timedelta(hours=1), limit=2) == ids[:2]


def test_an_older_archive_is_scheduled_from_now_on(archive: Archive) -> None:
    store(archive, 2)
    first_stored(archive, T0)
    archive.db.execute(
        "UPDATE pages SET fetched_at = ? WHERE id = 2", ((T0 - timedelta(days=9)).isoformat(),)
    )
    now = T0 + timedelta(hours=3)
    schedule_new(archive, CHECKS, now)
    rows = archive.db.execute("SELECT next_at FROM revisits ORDER BY article_id").fetchall()
    # The checks that have passed are not made up for; past the last, none is planned.
    assert [r[0] for r in rows] == [(T0 + timedelta(hours=6)).isoformat(), None]


def test_planning_reads_the_index_of_due_checks_only(archive: Archive) -> None:
    if archive.db.dialect != "sqlite":
        pytest.skip("SQLite's query plan")
    plan = archive.db.execute(
        "EXPLAIN QUERY PLAN SELECT article_id FROM revisits WHERE next_at <= ? "
        "ORDER BY next_at, article_id LIMIT ?",
        (T0.isoformat(), 10),
    ).fetchall()
    assert "USING COVERING INDEX revisits_due" in plan[0][3]


def test_most_overdue_first(archive: Archive) -> None:
    ids = store(archive, 3)
    first_stored(archive, T0)
    schedule_new(archive, CHECKS, T0)
    archive.db.execute(
        "UPDATE revisits SET next_at = ? WHERE article_id = ?",
        ((T0 - timedelta(hours=5)).isoformat(), ids[2]),
    )
    assert archive.revisits.due_ids(T0 + timedelta(hours=2)) == [ids[2], ids[0], ids[1]]
    target = archive.revisits.targets([ids[2]])[0]
    assert target.url == "https://a.vn/bai-2.html" and target.etag == f'"e{ids[2]}"'
    assert not target.gone and target.task.source == "A"


def test_a_snapshot_names_versions_and_events(archive: Archive) -> None:
    store(archive, 2)
    snapshot = archive.snapshot()
    assert snapshot["versions"] == 2 and snapshot["events"] == 0
    assert archive.revisions.gone(1, at=T0, status=404, location=None, reason="HTTP 404")
    assert not archive.revisions.gone(1, at=T0, status=404, location=None, reason="again")
    assert archive.snapshot()["events"] == archive.snapshot()["max_event_id"] == 1
    assert archive.snapshot(max_event_id=0)["events"] == 0
    assert archive.article(1).gone_at == T0.isoformat()


def test_revisions_settings(tmp_path: Path) -> None:
    defaults = parse_config("", None, base=tmp_path).revisions
    assert defaults.enabled and defaults.max_per_run == 200
    assert defaults.checks == (3600, 6 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400)
    mine = parse_config(
        '[revisions]\nchecks = ["2d", 90, "30m", "1.5h"]\nmax_per_run = 0\n', None, base=tmp_path
    ).revisions
    assert mine.checks == (90, 1800, 5400, 172800) and mine.max_per_run == 0
    for wrong in ("checks = []", 'checks = ["soon"]', "checks = [-1]", 'enabled = "yes"'):
        with pytest.raises(ConfigError, match=r"\[revisions\.(checks|enabled)\]"):
            parse_config(f"[revisions]\n{wrong}\n", None, base=tmp_path)
