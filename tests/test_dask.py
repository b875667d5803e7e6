"""`reextract --dask` and `reindex --dask` on a Dask LocalCluster of two worker processes: the
same archive, clusters and index as the local path, from two copies of one collected archive.

Two outlets on the local server: Báo A publishes ten stories, Báo B republishes four of them
(new title, a "Theo TTXVN" line), so that there are near-duplicate clusters to agree on. One
stored response is damaged after the run, so that one page fails on every path.
"""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from monitor.jobs.runners import batched
from tests.cli import Cli, write_config
from tests.localsite import LocalSite

distributed = pytest.importorskip("distributed", reason="Dask distributed is not installed")

TOPICS = ["mưa lũ miền Trung", "giá vàng", "thuế doanh nghiệp", "giao thông", "giáo dục"]
COPIED = (1, 4, 6, 9)


def story(n: int) -> tuple[str, list[str]]:
    topic = TOPICS[n % len(TOPICS)]
    words = " ".join(f"từ{n}x{k}" for k in range(40))
    paragraphs = [
        f"Đoạn {p} của bài {n} về {topic}: {words} và các địa phương kết thúc đoạn {p}."
        for p in range(5)
    ]
    return f"Tin số {n} về {topic}", paragraphs


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        '<meta property="article:published_time" content="2026-11-22T08:30:00+07:00"></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def rss(paths: list[str]) -> str:
    items = "".join(
        f"<item><title>{p}</title><link>{{base}}{p}</link><guid>{{base}}{p}</guid>"
        "<pubDate>Sun, 22 Nov 2026 01:30:00 GMT</pubDate></item>"
        for p in paths
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{items}</channel></rss>'
    )


@dataclass
class Copy(Cli):
    config: Path

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.config.parent / "data" / "archive.sqlite3") as db:
            return db.execute(sql).fetchall()


@dataclass
class Copies:
    local: Copy
    dask: Copy
    address: str


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A LocalCluster of two worker processes; its scheduler's address."""
    with distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        # The scheduler's web server always starts: on a free port, not on 8787, which another
        # cluster may hold (distributed then warns, and warnings fail tests).
        dashboard_address=":0",
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with a config and the archive `monitor run` collected from the local site."""
    site = LocalSite()
    a_paths, b_paths = [f"/a/{n}.html" for n in range(10)], [f"/b/{n}.html" for n in COPIED]
    for n, path in enumerate(a_paths):
        site.route(path, body=page(*story(n)))
    for n, path in zip(COPIED, b_paths, strict=True):
        title, paragraphs = story(n)
        site.route(path, body=page(f"Báo B: {title.lower()}", [*paragraphs, "Theo TTXVN"]))
    site.route("/a.rss", body=rss(a_paths), content_type="application/rss+xml")
    site.route("/b.rss", body=rss(b_paths), content_type="application/rss+xml")
    site.route("/robots.txt", body="User-agent: *\nAllow: /\n", content_type="text/plain")
    root = tmp_path_factory.mktemp("collected")
    config = write_config(
        root / "config.toml",
        [(site.url("/a.rss"), "Báo A"), (site.url("/b.rss"), "Báo B")],
        http={"per_host_delay": 0},
    )
    try:
        result = Copy(config)("run")
    finally:
        site.close()
    assert result.exit_code == 0, result.output
    damage_one_response(Copy(config))
    return root


def damage_one_response(copy: Copy) -> None:
    """Flip bytes inside the stored response of article 3: its re-extraction fails."""
    ((name, offset, length),) = copy.rows(
        "SELECT p.warc_file, p.warc_offset, p.warc_length FROM pages p "
        "JOIN articles a ON a.page_id = p.id WHERE a.id = 3"
    )
    (warc,) = (copy.config.parent / "data").rglob(name)
    with open(warc, "r+b") as fh:
        fh.seek(offset + length // 2)
        fh.write(b"\xff" * 16)


@pytest.fixture(scope="module")
def copies(collected: Path, scheduler: str, tmp_path_factory: pytest.TempPathFactory) -> Copies:
    made = []
    for name in ("local", "dask"):
        root = tmp_path_factory.mktemp(name)
        shutil.copytree(collected, root, dirs_exist_ok=True)
        made.append(Copy(root / "config.toml"))
    local, dask = made
    return Copies(local, dask, address=scheduler)


ARTICLES = "SELECT id, url, title, text, published, language, author, cluster_id FROM articles"


def test_reextract_on_the_cluster_makes_the_archive_the_local_path_makes(
    copies: Copies, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches: several are out at once, and come back in any order.
    monkeypatch.setattr("monitor.jobs.dask_runner.DaskRunner.batch_size", 2)
    before = copies.local.rows(ARTICLES + " ORDER BY id")
    local = copies.local.json("reextract", "--workers", "2")
    remote = copies.dask.json("reextract", "--dask", copies.address)
    assert remote == local
    assert (local["articles"], local["failed"], local["indexed"]) == (14, 1, 13)
    assert local["failures"][0]["id"] == 3 and "WARC record" in local["failures"][0]["reason"]
    assert local["clustered"] == 8
    after = copies.dask.rows(ARTICLES + " ORDER BY id")
    assert after == copies.local.rows(ARTICLES + " ORDER BY id") == before
    # Four clusters of two: each copy with its original.
    assert len({row[-1] for row in after if row[-1] is not None}) == 4


def test_reindex_on_the_cluster_makes_the_index_the_local_path_makes(
    copies: Copies, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("monitor.jobs.indexing.ANALYSIS_BATCH", 3)
    local, remote = copies.local("reindex"), copies.dask("reindex", "--dask", copies.address)
    assert local.exit_code == remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout == "indexed 14 articles with tantivy\n"
    for query in ("giá vàng", "mua lu", 'source:"Báo B"', "địa phương"):
        hits = [copy.json("search", query, "--limit", "50") for copy in (copies.local, copies.dask)]
        assert hits[0] == hits[1] and hits[0]["total"] > 0, query
    stats = [copy.json("stats") for copy in (copies.local, copies.dask)]
    assert stats[0]["indexed"] == stats[1]["indexed"] == 14


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_an_unreachable_scheduler_is_one_line_and_exit_2(
    collected: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("monitor.jobs.dask_runner.CONNECT_TIMEOUT", 1.0)
    address = f"tcp://127.0.0.1:{closed_port()}"
    for command in ("reextract", "reindex"):
        result = Copy(collected / "config.toml")(command, "--dask", address)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"Error: can't reach the Dask scheduler at {address}: ")
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_without_distributed_installed_the_error_says_what_to_install(
    collected: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails, as when not installed
    result = Copy(collected / "config.toml")("reextract", "--dask", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --dask needs Dask distributed: pip install 'press-monitor[dask]'\n"
    )


def test_workers_of_another_version_are_refused_before_any_work(
    copies: Copies, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.jobs import dask_runner

    here = {**dask_runner.versions(), "trafilatura": "0.0.1"}
    monkeypatch.setattr("monitor.jobs.dask_runner.versions", lambda: here)
    result = copies.dask("reextract", "--dask", copies.address)
    assert result.exit_code == 2
    assert re.fullmatch(
        r"Error: Dask worker tcp://127\.0\.0\.1:\d+ has trafilatura [\d.]+ \(here 0\.0\.1\): "
        r"install the same versions on every worker, or its articles would differ from this "
        r"machine's\n",
        result.stderr,
    )


def test_workers_and_dask_exclude_each_other(collected: Path) -> None:
    result = Copy(collected / "config.toml")(
        "reextract", "--workers", "2", "--dask", "tcp://127.0.0.1:8786"
    )
    assert result.exit_code == 2 and "exclude each other" in result.stderr


def half_of_each(numbers: list[int]) -> list[float]:
    """Runs on the workers; fails on a batch holding 13."""
    if 13 in numbers:
        raise ValueError("thirteen")
    return [n / 2 for n in numbers]


def test_results_come_back_in_order_and_a_failed_batch_is_handed_to_the_caller(
    scheduler: str,
) -> None:
    from monitor.jobs.dask_runner import dask_runner

    failed: list[tuple[list[int], str]] = []

    def on_failure(batch: list[int], exc: Exception) -> list[float]:
        failed.append((batch, str(exc)))
        return [-1.0] * len(batch)

    with dask_runner(scheduler) as runner:
        results = list(runner.run(half_of_each, batched(range(40), 3), on_failure))
    assert [batch for batch, _ in results] == list(batched(range(40), 3))
    assert failed == [([12, 13, 14], "thirteen")]
    assert [x for _, out in results for x in out] == [
        -1.0 if 12 <= n <= 14 else n / 2 for n in range(40)
    ]
