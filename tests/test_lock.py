"""One writer at a time; readers never wait for it; a fresh archive opened by many at once.

The lock is an flock on `STORAGE/.lock`: another open file description conflicts even within
one process, so a test holds the lock itself to stand for a run in progress.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result

from monitor.archive import Archive
from monitor.archive.lock import StorageLock
from monitor.archive.migrations import MIGRATIONS
from monitor.errors import ArchiveLocked
from tests.cli import Cli, write_config
from tests.localsite import LocalSite
from tests.processes import Monitor, config_for, serve_articles

LOCKED = (
    r"Error: another run \(pid {pid}, started at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC\) holds "
    r"the archive: `monitor run`; try again later, or wait for it with --wait SECONDS"
)


@dataclass
class Collected(Cli):
    config: Path
    site: LocalSite

    @property
    def storage(self) -> Path:
        return self.config.parent / "data"

    def holding_lock(self) -> StorageLock:
        lock = StorageLock(self.storage, command="monitor run")
        lock.acquire()
        return lock


@pytest.fixture
def collected(tmp_path: Path, site: LocalSite) -> Iterator[Collected]:
    serve_articles(site, 3)
    config = config_for(tmp_path, [site.url("/tin.rss")])
    ready = Collected(config, site)
    first = ready("run")
    assert first.exit_code == 0, first.output
    yield ready


def locked_out(result: Result) -> None:
    assert result.exit_code == 75, result.output
    assert re.fullmatch(LOCKED.format(pid=os.getpid()), result.output.strip()), result.output


def test_the_lock_names_its_holder_and_goes_with_its_holder(tmp_path: Path) -> None:
    holder = StorageLock(tmp_path, command="monitor run")
    holder.acquire()
    other = StorageLock(tmp_path, command="monitor reindex")
    started = time.monotonic()
    with pytest.raises(ArchiveLocked, match=f"another run \\(pid {os.getpid()}, started at "):
        other.acquire(wait=0.3)
    assert 0.3 <= time.monotonic() - started < 2
    assert holder.holder().command == "monitor run"
    holder.release()
    other.acquire()
    assert other.holder().command == "monitor reindex"
    other.release()
    # The file stays (deleting it would let two processes lock two files), emptied.
    assert (tmp_path / ".lock").read_text() == ""


@pytest.mark.parametrize(
    "command",
    [
        ("run",),
        ("run", "--all", "--format", "json"),
        ("reindex",),
        ("reextract",),
        ("searches", "add", "lu", "lũ"),
        ("searches", "remove", "lu"),
        ("feeds", "remove", "1"),
        ("feeds", "import", "feeds.opml"),
    ],
    ids=" ".join,
)
def test_a_second_writer_exits_75_naming_the_first(
    collected: Collected, command: tuple[str, ...]
) -> None:
    opml = collected.config.parent / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline type="rss" text="x" xmlUrl="https://example.vn/rss"/></body></opml>'
    )
    lock = collected.holding_lock()
    try:
        locked_out(collected(*(str(opml) if arg == "feeds.opml" else arg for arg in command)))
    finally:
        lock.release()


def test_feeds_add_searches_the_site_and_then_waits_for_the_archive(
    collected: Collected,
) -> None:
    lock = collected.holding_lock()
    try:
        result = collected("feeds", "add", collected.site.url("/tin.rss"), "--source", "Khác")
        locked_out(result)
    finally:
        lock.release()
    # The site was searched before the archive was needed.
    assert collected.site.hits("/tin.rss") == 2


def test_wait_gives_the_holder_time_to_finish(collected: Collected) -> None:
    lock = collected.holding_lock()
    started = time.monotonic()
    result = collected("searches", "add", "lu", "lũ", "--wait", "0.4")
    assert time.monotonic() - started >= 0.4
    locked_out(result)

    threading.Timer(0.5, lock.release).start()
    started = time.monotonic()
    result = collected("searches", "add", "lu", "lũ", "--wait", "10")
    assert result.exit_code == 0, result.output
    assert 0.4 < time.monotonic() - started < 5


@pytest.mark.parametrize(
    "command",
    [
        ("search", "thời tiết"),
        ("search", "thời tiết", "--format", "json"),
        ("show", "1"),
        ("report",),
        ("stats",),
        ("export",),
        ("feeds", "list"),
        ("feeds", "health"),
        ("feeds", "export"),
        ("searches", "list"),
    ],
    ids=" ".join,
)
def test_readers_go_on_while_a_writer_holds_the_archive(
    collected: Collected, command: tuple[str, ...]
) -> None:
    lock = collected.holding_lock()
    db = sqlite3.connect(collected.storage / "archive.sqlite3", isolation_level=None)
    try:
        # ... and while it is in the middle of a write transaction.
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE feeds SET title = 'đang ghi'")
        started = time.monotonic()
        result = collected(*command)
        assert result.exit_code == 0, result.output
        assert time.monotonic() - started < 5
    finally:
        db.execute("ROLLBACK")
        db.close()
        lock.release()


def test_a_busy_database_is_one_line_and_exit_75(
    collected: Collected, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Someone who ignores the lock (an older version, a hand-made sqlite3 session) writes on.
    monkeypatch.setattr("monitor.archive.sqlite.BUSY_TIMEOUT_S", 0.2)
    db = sqlite3.connect(collected.storage / "archive.sqlite3", isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        result = collected("searches", "add", "lu", "lũ")
    finally:
        db.execute("ROLLBACK")
        db.close()
    assert result.exit_code == 75, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ") and "archive busy" in line


def test_a_fresh_archive_opened_by_many_threads_at_once_is_migrated_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "archive.sqlite3"
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            Archive(path).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with sqlite3.connect(path) as db:
        applied = [name for (name,) in db.execute("SELECT name FROM _migrations ORDER BY name")]
    assert applied == sorted(name for name, _step in MIGRATIONS)


def test_processes_opening_a_fresh_storage_dir_at_once_all_succeed(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.toml", [("https://example.vn/rss", "Báo Thử")], http={}
    )
    monitors = [Monitor.start(config, "stats", "--format", "json") for _ in range(4)]
    for code, out, err in [monitor.finish() for monitor in monitors]:
        assert code == 0, err
        assert json.loads(out)["articles"] == 0
