"""Several collectors on one PostgreSQL archive, as real processes against the local site:
work shared by claims, each page fetched once, politeness across processes, and the faults
(a collector killed with SIGKILL, the database ending every connection)."""

from __future__ import annotations

import itertools
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.backends import postgresql_schema
from tests.cli import write_config
from tests.localsite import LocalSite
from tests.processes import USER_AGENT, Monitor, serve_articles, wait_until

DELAY = 0.05  # per_host_delay of these tests


@pytest.fixture
def dsn() -> Iterator[str]:
    with postgresql_schema() as schema_dsn:
        yield schema_dsn


def collector(directory: Path, site: LocalSite, feeds: list[str], lease: float = 60) -> Path:
    """A collector's own folder and config: the same feeds, claims that lapse after `lease`."""
    directory.mkdir(parents=True, exist_ok=True)
    return write_config(
        directory / "config.toml",
        [(site.url(feed), "Báo Thử") for feed in feeds],
        http={"user_agent": USER_AGENT, "per_host_delay": DELAY, "timeout": 10},
        storage={"claim_lease": lease},
    )


def started(config: Path, dsn: str, *args: str) -> Monitor:
    return Monitor.start(config, "run", *args, env={"MONITOR_DATABASE": dsn})


def rows(dsn: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn, autocommit=True) as db:
        return [tuple(row) for row in db.execute(sql)]


def articles(dsn: str) -> int:
    """How many articles the archive holds (0 before any collector made its tables)."""
    try:
        return int(str(rows(dsn, "SELECT COUNT(*) FROM articles")[0][0]))
    except psycopg.errors.UndefinedTable:
        return 0


def smallest_gap(site: LocalSite) -> float:
    times = sorted(request.time for request in site.requests)
    return min((b - a for a, b in itertools.pairwise(times)), default=float("inf"))


def test_three_collectors_fetch_every_page_once_and_space_the_host(
    tmp_path: Path, site: LocalSite, dsn: str
) -> None:
    feeds = ["/a.rss", "/b.rss", "/c.rss"]
    pages = [
        path
        for n, feed in enumerate(feeds)
        for path in serve_articles(site, 8, feed=feed, first=n * 8)
    ]
    configs = [collector(tmp_path / f"c{n}", site, feeds) for n in range(3)]
    runs = [started(config, dsn) for config in configs]
    results = [run.finish() for run in runs]
    assert all(code == 0 for code, _out, _err in results), results
    assert sorted(site.hits(path) for path in pages) == [1] * len(pages)
    assert [site.hits(feed) for feed in feeds] == [1, 1, 1]
    assert rows(dsn, "SELECT COUNT(*), COUNT(DISTINCT url) FROM articles") == [(24, 24)]
    # Politeness held across the processes: one host, never two requests closer than the delay.
    assert smallest_gap(site) >= DELAY
    assert rows(dsn, "SELECT COUNT(*) FROM pages WHERE claimed_by IS NOT NULL") == [(0,)]
    fetched_by = rows(dsn, "SELECT COUNT(DISTINCT fetched_by) FROM pages")[0][0]
    assert 1 <= int(fetched_by) <= 3  # type: ignore[call-overload]
    warcs = [path.name for c in configs for path in (c.parent / "data" / "warc").glob("*.warc.gz")]
    assert warcs and all(name.startswith("press-monitor-") for name in warcs)


def test_a_killed_collector_loses_nothing_and_its_claims_return_at_once(
    tmp_path: Path, site: LocalSite, dsn: str
) -> None:
    pages = serve_articles(site, 10, delay=0.2)
    first = collector(tmp_path / "first", site, ["/tin.rss"])
    second = collector(tmp_path / "second", site, ["/tin.rss"])
    doomed = started(first, dsn)
    wait_until(lambda: sum(site.hits(path) for path in pages) >= 3)
    doomed.kill()
    # Its claims are still written on the pages, but its connection (and session lock) went
    # with it: another collector takes them without waiting for the lease (60 s).
    held = "SELECT COUNT(*) FROM pages WHERE claimed_by IS NOT NULL AND state = 'new'"
    assert articles(dsn) < 10 and int(str(rows(dsn, held)[0][0])) > 0
    code, _out, err = started(second, dsn).finish()
    assert code == 0, err
    assert rows(dsn, "SELECT COUNT(*), COUNT(DISTINCT url) FROM articles") == [(10, 10)]
    # Only the page in flight when it was killed may have been asked for twice.
    assert sum(site.hits(path) - 1 for path in pages) <= 1
    assert all(site.hits(path) >= 1 for path in pages)


def test_a_hung_collector_s_claims_return_after_the_lease(
    tmp_path: Path, site: LocalSite, dsn: str
) -> None:
    pages = serve_articles(site, 10, delay=0.2)
    first = collector(tmp_path / "first", site, ["/tin.rss"], lease=3)
    second = collector(tmp_path / "second", site, ["/tin.rss"], lease=3)
    hung = started(first, dsn)
    try:
        wait_until(lambda: sum(site.hits(path) for path in pages) >= 3)
        hung.signal(signal.SIGSTOP)  # connected, and doing nothing
        fetched = {path: site.hits(path) for path in pages}
        code, _out, err = started(second, dsn).finish()
        assert code == 0, err
        if time.monotonic() - hung.started < 3:
            assert {path: site.hits(path) for path in pages} == fetched
        lapsed = (
            "SELECT COUNT(*) FROM pages WHERE claimed_until >= "
            "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS+00:00')"
        )
        wait_until(lambda: rows(dsn, lapsed) == [(0,)])
        code, _out, err = started(second, dsn).finish()
        assert code == 0, err
    finally:
        hung.kill()
    assert rows(dsn, "SELECT COUNT(*), COUNT(DISTINCT url) FROM articles") == [(10, 10)]
    assert sum(site.hits(path) - 1 for path in pages) <= 1


def test_a_database_that_ends_the_connections_ends_the_run_with_75_and_the_next_resumes(
    tmp_path: Path, site: LocalSite, dsn: str
) -> None:
    pages = serve_articles(site, 10, delay=0.2)
    config = collector(tmp_path / "one", site, ["/tin.rss"])
    name = f"press-monitor-{uuid.uuid4().hex[:8]}"  # its connections, no one else's
    run = started(config, f"{dsn}&application_name={name}")
    wait_until(lambda: sum(site.hits(path) for path in pages) >= 3)
    rows(
        dsn,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE application_name = '{name}' AND datname = current_database()",
    )
    code, _out, err = run.finish()
    assert code == 75, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert "lost the connection to the PostgreSQL server" in lines[-1], err
    assert "Traceback" not in err
    code, _out, err = started(config, dsn).finish()
    assert code == 0, err
    assert rows(dsn, "SELECT COUNT(*), COUNT(DISTINCT url) FROM articles") == [(10, 10)]
    assert sum(site.hits(path) - 1 for path in pages) <= 1


def test_two_watches_in_one_storage_dir_share_the_feeds_and_pages(
    tmp_path: Path, site: LocalSite, dsn: str
) -> None:
    feeds = ["/a.rss", "/b.rss"]
    pages = [
        path
        for n, feed in enumerate(feeds)
        for path in serve_articles(site, 4, feed=feed, first=n * 4)
    ]
    config = collector(tmp_path, site, feeds)
    watches = [Monitor.start(config, "watch", env={"MONITOR_DATABASE": dsn}) for _ in range(2)]
    wait_until(lambda: articles(dsn) == 8)
    for watch in watches:
        watch.signal(signal.SIGTERM)
    for watch in watches:
        code, _out, err = watch.finish()
        assert code == 130, err
    assert sorted(site.hits(path) for path in pages) == [1] * len(pages)
    assert [site.hits(feed) for feed in feeds] == [1, 1]
    assert rows(dsn, "SELECT COUNT(DISTINCT collector) FROM runs") == [(2,)]
