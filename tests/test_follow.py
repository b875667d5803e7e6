"""A search node following the archive's change sequence (`monitor index [--follow]`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.engine import Engine, open_engine
from monitor.archive import Archive
from monitor.archive.lock import StorageLock
from monitor.cli import cli
from monitor.config import FeedConfig
from monitor.jobs.follow import Position, catch_up, follow, position_path, read_position
from monitor.models import Article, EntryData
from tests.backends import ArchiveTarget
from tests.cli import WIDE, write_config
from tests.test_revisions import store


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    opened = open_engine("tantivy", tmp_path / "node" / "index-tantivy")
    try:
        yield opened
    finally:
        opened.close()


def node(tmp_path: Path) -> Path:
    return position_path(tmp_path / "node" / "index-tantivy")


def test_a_node_indexes_what_is_new_once_and_what_changed_again(
    archive: Archive, engine: Engine, tmp_path: Path
) -> None:
    ids = store(archive, 5)
    assert catch_up(archive, engine, node(tmp_path), batch=2).indexed == 5
    assert engine.doc_count() == 5
    assert catch_up(archive, engine, node(tmp_path)).indexed == 0
    edited = Article("Bài mới", "Nội dung khác hẳn. " * 50, None, None, "none", "vi", "vi", "t")
    archive.update_article(ids[1], edited, fingerprint=None)
    archive.revisions.gone(ids[3], at=datetime.now(UTC), status=404, location=None, reason="404")
    more = store_new(archive, 2)
    assert catch_up(archive, engine, node(tmp_path)).indexed == 2 + len(more)
    assert engine.doc_count() == 7
    assert read_position(node(tmp_path)) == Position(archive.changes.last(), max(more))


def test_a_node_that_stopped_before_saving_its_position_indexes_nothing_twice(
    archive: Archive, engine: Engine, tmp_path: Path
) -> None:
    store(archive, 4)
    catch_up(archive, engine, node(tmp_path))
    node(tmp_path).unlink()  # as if it died after the index's commit, before the position
    assert catch_up(archive, engine, node(tmp_path)).indexed == 4
    assert engine.doc_count() == 4


def test_a_retagged_feed_is_a_change_of_each_of_its_articles(
    archive: Archive, engine: Engine, tmp_path: Path
) -> None:
    store(archive, 3)
    catch_up(archive, engine, node(tmp_path))
    archive.sync_feeds([FeedConfig(url="https://a.vn/rss", source="A", tags=("thoi-su",))])
    assert catch_up(archive, engine, node(tmp_path)).indexed == 3
    assert engine.doc_count() == 3


def test_follow_runs_until_stopped_holding_the_lock_a_round_at_a_time(
    archive: Archive, tmp_path: Path
) -> None:
    store(archive, 3)
    lock = StorageLock(tmp_path, name=".node.lock")
    held: list[bool] = []

    def open_index() -> Engine:
        held.append(lock.held)
        return open_engine("tantivy", tmp_path / "node" / "index-tantivy")

    stop = threading.Event()
    stop.set()
    assert follow(archive, open_index, node(tmp_path), lock, stop=stop, interval=0.1).rounds == 0
    stop.clear()
    timer = threading.Timer(0.3, stop.set)
    timer.start()
    summary = follow(archive, open_index, node(tmp_path), lock, stop=stop, interval=0.05)
    timer.join()
    assert summary.indexed == 3 and summary.rounds >= 2
    assert all(held) and not lock.held  # held for each round, free once stopped


def test_monitor_index_on_a_search_node(backend: ArchiveTarget, tmp_path: Path) -> None:
    with backend.open() as archive:
        store(archive, 3)
    config = write_config(
        tmp_path / "node.toml",
        [],
        storage={"dir": str(backend.path.parent)},
    )
    runner = CliRunner(env={**WIDE, **backend.env()})
    result = runner.invoke(cli, ["--config", str(config), "index"])
    assert result.exit_code == 0, result.output
    assert "indexed 3 new or changed articles" in result.output
    again = runner.invoke(cli, ["--config", str(config), "index"])
    assert "indexed 0 new or changed articles" in again.output
    found = runner.invoke(cli, ["--config", str(config), "search", "*", "--format", "json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["total"] == 3


def store_new(archive: Archive, count: int) -> list[int]:
    """`count` more articles of the feed `store` made."""
    (feed,) = archive.feeds.select(["https://a.vn/rss"])
    entries = [
        EntryData(f"m{n}", f"https://a.vn/moi-{n}.html", None, None, None, None)
        for n in range(count)
    ]
    archive.add_entries(feed, entries)
    ids = []
    for task in archive.pending_pages():
        article = Article(f"Mới {task.id}", "Tin mới. " * 50, None, None, "none", "vi", "vi", "t")
        stored = archive.store_article(
            task.id,
            status=200,
            final_url=task.url,
            content_type="text/html",
            headers={},
            body=b"<html></html>",
            body_sha256="sha256:y",
            article=article,
        )
        ids.append(stored.article_id)
    return ids
