"""A search node with its own `[index] dir` following a collector's archive through the real
CLI and real processes (`monitor index [--follow]`): what the collector stores and changes
reaches the node's index once, and a node stopped anywhere resumes without missing or
duplicating anything."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.engine import open_engine
from monitor.archive import Archive
from monitor.jobs import follow as follow_job
from monitor.jobs.follow import Position, catch_up, position_path, read_position
from tests.cli import Cli, write_config
from tests.localsite import LocalSite
from tests.processes import (
    RSS,
    USER_AGENT,
    Monitor,
    article_page,
    config_for,
    rss_of,
    run_monitor,
    serve_articles,
    wait_until,
)

ARTICLES = 12
HTML = "text/html; charset=utf-8"


@dataclass
class Node(Cli):
    """A collector's config and a search node's config over the same archive."""

    site: LocalSite
    collector: Path
    config: Path  # the node's: the collector's storage dir, its own `[index] dir`
    index_dir: Path

    def collect(self, *args: str) -> None:
        code, _out, err = run_monitor(self.collector, *args)
        assert code == 0, err

    @property
    def position(self) -> Path:
        return position_path(self.index_dir)

    def doc_count(self) -> int:
        engine = open_engine("tantivy", self.index_dir)
        try:
            return engine.doc_count()
        finally:
            engine.close()

    def articles(self) -> int:
        with Archive(self.collector.parent / "data" / "archive.sqlite3") as archive:
            return archive.article_count()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    site = LocalSite()
    serve_articles(site, ARTICLES)
    try:
        (tmp_path / "collector").mkdir()
        (tmp_path / "node").mkdir()
        collector = config_for(tmp_path / "collector", [site.url("/tin.rss")])
        index_dir = tmp_path / "node" / "index"
        config = write_config(
            tmp_path / "node" / "config.toml",
            [],
            storage={"dir": str(tmp_path / "collector" / "data")},
            index={"dir": "index"},
            http={"user_agent": USER_AGENT},
        )
        yield Node(site, collector, config, index_dir)
    finally:
        site.close()


def test_the_node_indexes_what_the_collector_stored_and_searches_alike(node: Node) -> None:
    node.collect("run")
    assert node.articles() == ARTICLES

    done = node.json("index")

    assert done["indexed"] == ARTICLES and done["restarted"] is False
    assert done["index"] == str(node.index_dir)
    assert node.doc_count() == ARTICLES
    on_node = node.json("search", "thời tiết", "--limit", "50")
    collector = Cli()
    collector.config = node.collector
    on_collector = collector.json("search", "thời tiết", "--limit", "50")
    assert on_node["total"] == on_collector["total"] == ARTICLES
    assert {h["id"] for h in on_node["hits"]} == {h["id"] for h in on_collector["hits"]}
    assert node.position.is_file()
    # Nothing new: nothing indexed, the position stays.
    again = node.json("index")
    assert again["indexed"] == 0 and again["position"] == done["position"]


def test_changes_reach_the_node_once(node: Node) -> None:
    node.collect("run")
    first = node.json("index")
    # A re-extraction changes every article's row: each is indexed again, replaced in place.
    node.collect("reextract", "--workers", "1")

    second = node.json("index")

    assert second["indexed"] == ARTICLES
    assert second["position"] > first["position"]
    assert node.doc_count() == ARTICLES


def test_a_node_stopped_between_commit_and_position_resumes_without_duplicates(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    node.collect("run")
    real_write = follow_job.write_position
    writes: list[Position] = []

    def dies_on_second_write(path: Path, position: Position) -> None:
        writes.append(position)
        if len(writes) == 2:
            raise KeyboardInterrupt  # the process ends after the index committed
        real_write(path, position)

    monkeypatch.setattr(follow_job, "write_position", dies_on_second_write)
    with Archive(node.collector.parent / "data" / "archive.sqlite3") as archive:
        engine = open_engine("tantivy", node.index_dir)
        try:
            with pytest.raises(KeyboardInterrupt):
                catch_up(archive, engine, node.position, batch=5)
            assert engine.doc_count() == 10  # two batches committed, one position written
            assert read_position(node.position) == writes[0]
            monkeypatch.setattr(follow_job, "write_position", real_write)

            resumed = catch_up(archive, engine, node.position, batch=5)

            assert resumed.indexed == ARTICLES - 5  # from the last position written
            assert engine.doc_count() == ARTICLES
            assert read_position(node.position).seq == archive.changes.last()
        finally:
            engine.close()


def test_an_emptied_index_or_another_archive_starts_from_the_top(node: Node) -> None:
    node.collect("run")
    node.json("index")
    engine = open_engine("tantivy", node.index_dir)
    engine.clear()
    engine.commit()
    engine.close()

    emptied = node.json("index")

    assert emptied["restarted"] is True and emptied["indexed"] == ARTICLES
    # A position past the end of the log belongs to another archive.
    node.position.write_text(json.dumps({"change_seq": 10**6, "article_id": 1}), "utf-8")
    foreign = node.json("index")
    assert foreign["restarted"] is True and foreign["indexed"] == ARTICLES
    assert node.doc_count() == ARTICLES


def test_follow_keeps_indexing_until_sigterm(node: Node) -> None:
    node.collect("run")
    follower = Monitor.start(node.config, "index", "--follow", "--interval", "0.2")
    try:
        wait_until(lambda: read_position(node.position) != Position())
        wait_until(lambda: node.doc_count() == ARTICLES)
        # The outlet publishes more; the collector stores it; the node follows.
        more = [f"/moi/{n}.html" for n in range(3)]
        for n, path in enumerate(more):
            node.site.route(path, body=article_page(ARTICLES + n), content_type=HTML)
        node.site.route("/tin.rss", body=rss_of(node.site, more), content_type=RSS)
        node.collect("run", "--all")
        wait_until(lambda: node.doc_count() == ARTICLES + len(more))
    finally:
        follower.signal(signal.SIGTERM)
        code, _out, err = follower.finish()
    assert code == 130, err
    assert "following" in err and "stopped after" in err
    assert node.articles() == node.doc_count() == ARTICLES + 3


def test_index_dir_in_the_config_is_relative_to_the_config(node: Node) -> None:
    result = node("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    node.collect("run")
    assert node("index").exit_code == 0
    assert (node.config.parent / "index").is_dir()
    assert not (node.collector.parent / "data" / "index-tantivy" / "index").exists()
