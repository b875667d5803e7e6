"""`monitor run` polls due feeds only, honours publisher hints and a host's Retry-After."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.cli import Cli, write_config
from tests.localsite import LocalSite

EMPTY_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title>{extra}</channel></rss>"""


class Runner(Cli):
    def __init__(self, tmp_path: Path, site: LocalSite, feeds: list[str]) -> None:
        self.site = site
        self.config = write_config(
            tmp_path / "config.toml",
            [(site.url(path), "Báo Thử") for path in feeds],
            http={"per_host_delay": 0, "timeout": 5},
        )
        self.archive = tmp_path / "data" / "archive.sqlite3"

    def run(self, *args: str) -> dict[str, Any]:
        result = self("run", "--format", "json", *args)
        assert result.exit_code in (0, 1), result.output
        summary: dict[str, Any] = json.loads(result.output)
        return summary

    def feed(self, path: str) -> sqlite3.Row:
        with sqlite3.connect(self.archive) as db:
            db.row_factory = sqlite3.Row
            row: sqlite3.Row = db.execute(
                "SELECT * FROM feeds WHERE url = ?", (self.site.url(path),)
            ).fetchone()
            return row

    def outcomes(self) -> list[tuple[str, str]]:
        with sqlite3.connect(self.archive) as db:
            rows = db.execute("SELECT url, outcome FROM fetch_log ORDER BY id").fetchall()
        return [(url.removeprefix(self.site.base_url), outcome) for url, outcome in rows]


def seconds_until(iso: str) -> float:
    return (datetime.fromisoformat(iso) - datetime.now(UTC)).total_seconds()


def test_a_429_with_retry_after_holds_off_the_feed_and_the_rest_of_its_host(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route("/a.rss", status=429, headers={"Retry-After": "7200"}, body="slow down")
    site.route("/b.rss", body=EMPTY_RSS.format(title="B", extra=""))
    runner = Runner(tmp_path, site, ["/a.rss", "/b.rss"])
    summary = runner.run()
    assert summary["exit_code"] == 1
    assert summary["feeds_failed"] == 1 and summary["feeds_deferred"] == 1
    assert site.hits("/b.rss") == 0  # the host asked us to wait: not even asked
    assert runner.outcomes() == [("/a.rss", "failed"), ("/b.rss", "deferred")]
    a, b = runner.feed("/a.rss"), runner.feed("/b.rss")
    assert 7200 - 60 <= seconds_until(a["next_poll_at"]) <= 7200 * 1.2 + 60
    assert "Retry-After" in a["last_error"] and a["consecutive_failures"] == 1
    assert b["consecutive_failures"] == 0 and seconds_until(b["next_poll_at"]) > 7000
    # Nothing is due before the server's time: the next run asks nobody.
    assert runner.run()["feeds_due"] == 0
    assert site.hits("/a.rss") == 1


def test_publisher_hints_in_the_document_and_the_headers_set_the_interval(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route("/ttl.rss", body=EMPTY_RSS.format(title="T", extra="<ttl>180</ttl>"))
    site.route(
        "/cached.rss",
        body=EMPTY_RSS.format(title="C", extra=""),
        headers={"Cache-Control": "max-age=14400"},
    )
    site.route("/plain.rss", body=EMPTY_RSS.format(title="P", extra=""))
    runner = Runner(tmp_path, site, ["/ttl.rss", "/cached.rss", "/plain.rss"])
    assert runner.run()["feeds_ok"] == 3
    ttl, cached, plain = (runner.feed(p) for p in ("/ttl.rss", "/cached.rss", "/plain.rss"))
    assert (ttl["hint_source"], ttl["poll_interval"]) == ("ttl", 10800)
    assert (cached["hint_source"], cached["poll_interval"]) == ("cache-control", 14400)
    assert plain["hint_source"] is None and plain["poll_interval"] == 1800
    assert 10800 * 0.8 - 60 <= seconds_until(ttl["next_poll_at"]) <= 10800 * 1.2


def test_run_all_polls_every_feed_and_feed_polls_just_one(tmp_path: Path, site: LocalSite) -> None:
    for name in ("one", "two"):
        site.route(f"/{name}.rss", body=EMPTY_RSS.format(title=name, extra=""))
    runner = Runner(tmp_path, site, ["/one.rss", "/two.rss"])
    assert runner.run()["feeds_due"] == 2
    assert runner.run()["feeds_due"] == 0
    assert runner.run("--feed", site.url("/two.rss"))["feeds_due"] == 1
    assert (site.hits("/one.rss"), site.hits("/two.rss")) == (1, 2)
    assert runner.run("--all")["feeds_due"] == 2
    assert (site.hits("/one.rss"), site.hits("/two.rss")) == (2, 3)
    wrong = runner("run", "--feed", "nowhere")
    assert wrong.exit_code == 2 and "no feed 'nowhere'" in wrong.output


@pytest.mark.parametrize(("status", "weight"), [(500, 0.5), (404, 1.0)])
def test_a_failing_feed_waits_longer_after_each_failure_and_is_never_disabled(
    tmp_path: Path, site: LocalSite, status: int, weight: float
) -> None:
    site.route("/down.rss", status=status, body="no")
    runner = Runner(tmp_path, site, ["/down.rss"])
    for failures in range(1, 5):
        assert runner.run("--all")["feeds_failed"] == 1
        row = runner.feed("/down.rss")
        assert row["consecutive_failures"] == failures
        assert row["failure_score"] == weight * failures
        wait = 1800 * weight * failures  # the initial interval times the score, ±20% jitter
        assert wait * 0.8 - 60 <= seconds_until(row["next_poll_at"]) <= wait * 1.2 + 60
        assert row["removed_at"] is None
    assert site.hits("/down.rss") == 4


ARTICLE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
</head><body><article><h1>{title}</h1><p>{text}</p></article></body></html>"""


def test_robots_txt_is_read_once_a_day_not_once_a_run(tmp_path: Path, site: LocalSite) -> None:
    text = "Người dân phấn khởi khi con đường mới được thông xe sau nhiều tháng thi công. " * 6
    for n in (1, 2):
        site.route(f"/bai-{n}.html", body=ARTICLE.format(title=f"Bài số {n}", text=text))

    def feed(*numbers: int) -> str:
        items = "".join(
            f"<item><title>Bài {n}</title><link>{{base}}/bai-{n}.html</link></item>"
            for n in numbers
        )
        return EMPTY_RSS.format(title="Tin", extra=items)

    site.route("/tin.rss", body=feed(1))
    runner = Runner(tmp_path, site, ["/tin.rss"])
    assert runner.run()["articles_new"] == 1
    site.route("/tin.rss", body=feed(1, 2))
    assert runner.run("--all")["articles_new"] == 1  # a new process, a new page, same host
    assert site.hits("/robots.txt") == 1
    with sqlite3.connect(runner.archive) as db:
        assert db.execute("SELECT COUNT(*) FROM robots").fetchone()[0] == 1
