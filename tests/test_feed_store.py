"""The archive's feed list: config sync, added and removed feeds, due feeds, fetch-log trimming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.archive import Archive
from monitor.config import FeedConfig
from monitor.errors import NotFoundError
from monitor.models import Decision

A = FeedConfig(url="https://a.vn/rss", source="Báo A", tags=("thoi-su",))
B = FeedConfig(url="https://b.vn/rss", source="Báo B")
C = FeedConfig(url="https://c.vn/feed", source="Báo C")


def urls(archive: Archive) -> list[str]:
    return [feed.url for feed in archive.feeds.all()]


def test_feeds_that_leave_the_config_stop_and_come_back_when_listed_again(
    archive: Archive,
) -> None:
    assert [f.url for f in archive.sync_feeds([A, B])] == [A.url, B.url]
    archive.sync_feeds([A])
    assert urls(archive) == [A.url]
    (gone,) = [f for f in archive.feeds.all(include_removed=True) if f.url == B.url]
    assert gone.removed_at is not None
    archive.sync_feeds([A, B])
    assert urls(archive) == [A.url, B.url]


def test_a_feed_removed_by_the_user_stays_removed_until_added_again(archive: Archive) -> None:
    archive.sync_feeds([A, B])
    (b,) = archive.feeds.select(["Báo B"])
    archive.feeds.remove(b)
    archive.sync_feeds([A, B])
    assert urls(archive) == [A.url]
    row, changed = archive.feeds.add(B, origin="cli")
    assert changed and row.active
    assert urls(archive) == [A.url, B.url]


def test_added_feeds_keep_their_origin_and_survive_config_syncs(archive: Archive) -> None:
    archive.sync_feeds([A])
    row, changed = archive.feeds.add(C, origin="opml")
    assert changed and row.origin == "opml" and row.tags == ()
    assert archive.feeds.add(C, origin="cli") == (row, False)
    archive.sync_feeds([A])
    assert urls(archive) == [A.url, C.url]
    assert archive.feeds.select([A.url])[0].tags == ("thoi-su",)


def test_in_sync_says_whether_a_sync_would_change_anything(archive: Archive) -> None:
    assert not archive.feeds.in_sync([A])
    archive.sync_feeds([A, B])
    assert archive.feeds.in_sync([A, B])
    assert not archive.feeds.in_sync([A])  # B would leave
    assert not archive.feeds.in_sync([A, B, C])  # C would come
    renamed = FeedConfig(url=B.url, source="Báo Bê")
    assert not archive.feeds.in_sync([A, renamed])
    (b,) = archive.feeds.select(["Báo B"])
    archive.feeds.remove(b)
    assert archive.feeds.in_sync([A, B])  # removed by the user: a sync keeps it so
    archive.sync_feeds([A])
    assert archive.feeds.in_sync([A])
    archive.feeds.add(C, origin="cli")
    assert archive.feeds.in_sync([A])  # feeds added by hand are not the config's


def test_select_by_id_url_or_source_and_unknown_names_fail(archive: Archive) -> None:
    a, b = archive.sync_feeds([A, B])
    assert archive.feeds.select([str(a.id), "báo b"]) == [a, b]
    with pytest.raises(NotFoundError, match="no feed 'Báo Z'"):
        archive.feeds.select(["Báo Z"])


def test_only_feeds_whose_time_has_come_are_due(archive: Archive) -> None:
    a, b = archive.sync_feeds([A, B])
    now = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
    assert [f.url for f in archive.feeds.due(now)] == [A.url, B.url]
    later = Decision(3600, now + timedelta(hours=1), 0, "nothing new")
    archive.feeds.record_success(a.id, status=200, decision=later, hint=None)
    assert [f.url for f in archive.feeds.due(now)] == [B.url]
    assert archive.feeds.next_due() is None  # B was never polled: due now
    archive.feeds.record_failure(b.id, status=503, error="HTTP 503", decision=later)
    assert archive.feeds.due(now) == []
    assert archive.feeds.next_due() == later.next_poll.isoformat(timespec="seconds")
    assert [f.url for f in archive.feeds.due(now + timedelta(hours=2))] == [A.url, B.url]
    (failing,) = archive.feeds.select([B.url])
    assert failing.consecutive_failures == 1 and failing.last_error == "HTTP 503"


def test_the_fetch_log_keeps_the_last_rows_of_each_feed(archive: Archive) -> None:
    a, b = archive.sync_feeds([A, B])
    for feed in (a, b):
        for n in range(7):
            archive.fetch_log.log_fetch(
                run_id=None,
                kind="feed",
                feed_id=feed.id,
                source=feed.source,
                url=feed.url,
                outcome="ok",
                entries_seen=n,
            )
    archive.fetch_log.log_fetch(run_id=None, kind="page", source="Báo A", url="u", outcome="ok")
    archive.db.execute("UPDATE fetch_log SET at='2020-01-01T00:00:00+00:00' WHERE kind='page'")
    assert archive.fetch_log.trim_fetch_log(per_feed=3, page_days=90) == 2 * 4 + 1
    rows = archive.db.execute(
        "SELECT feed_id, entries_seen FROM fetch_log ORDER BY feed_id, id"
    ).fetchall()
    assert [tuple(r) for r in rows] == [(f.id, n) for f in (a, b) for n in (4, 5, 6)]
