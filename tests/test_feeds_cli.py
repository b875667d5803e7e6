"""`monitor feeds list|remove|health` on a real archive."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from monitor.archive import Archive
from monitor.cli import cli
from monitor.clock import to_iso
from tests.localsite import LocalSite

EMPTY_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title></channel></rss>"""


class Feeds:
    def __init__(self, tmp_path: Path, urls: list[tuple[str, str]]) -> None:
        self.config = tmp_path / "config.toml"
        lines = ["[storage]", 'dir = "data"', "[http]", "per_host_delay = 0", "timeout = 5"]
        for url, source in urls:
            lines += ["[[feeds]]", f'url = "{url}"', f'source = "{source}"']
        self.config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.archive_path = tmp_path / "data" / "archive.sqlite3"

    def __call__(self, *args: str) -> Result:
        return CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["--config", str(self.config), *args])

    def json(self, *args: str) -> Any:
        result = self(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)


def test_list_shows_config_feeds_and_remove_stops_polling_one(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route("/a.rss", body=EMPTY_RSS.format(title="Tin A"))
    site.route("/b.rss", body=EMPTY_RSS.format(title="Tin B"))
    feeds = Feeds(tmp_path, [(site.url("/a.rss"), "Báo A"), (site.url("/b.rss"), "Báo B")])
    listed = feeds.json("feeds", "list")
    assert [(f["source"], f["origin"], f["last_success_at"]) for f in listed] == [
        ("Báo A", "config", None),
        ("Báo B", "config", None),
    ]
    assert feeds("run").exit_code == 0
    removed = feeds("feeds", "remove", "báo b")
    assert removed.exit_code == 0
    assert "removed feed" in removed.output and "also in the config file" in removed.output
    assert [f["source"] for f in feeds.json("feeds", "list")] == ["Báo A"]
    assert [f["removed_at"] is not None for f in feeds.json("feeds", "list", "--removed")] == [
        False,
        True,
    ]
    feeds("run", "--all")
    assert (site.hits("/a.rss"), site.hits("/b.rss")) == (2, 1)
    table = feeds("feeds", "list")
    assert "Báo A" in table.output and "Báo B" not in table.output
    unknown = feeds("feeds", "remove", "Báo Z")
    assert unknown.exit_code == 1 and "no feed 'Báo Z'" in unknown.output


def seed_history(path: Path, feed_url: str, per_day: list[int], *, now: datetime) -> None:
    """Entries first seen on past days: per_day[0] is the oldest day, per_day[-1] is today."""
    with Archive(path) as archive:
        (feed,) = archive.feeds.select([feed_url])
        start = now - timedelta(days=len(per_day) - 1)
        archive.db.execute(
            "UPDATE feeds SET added_at=?, last_polled_at=?, last_success_at=? WHERE id=?",
            (to_iso(start - timedelta(days=1)), to_iso(now), to_iso(now), feed.id),
        )
        for day, count in enumerate(per_day):
            at = to_iso(start + timedelta(days=day))
            for n in range(count):
                archive.db.execute(
                    """INSERT INTO entries (feed_id, guid, url, first_seen_at)
                       VALUES (?, ?, ?, ?)""",
                    (feed.id, f"{feed.id}-{day}-{n}", f"https://x.vn/{feed.id}/{day}/{n}", at),
                )


@pytest.fixture
def history(tmp_path: Path) -> Feeds:
    feeds = Feeds(
        tmp_path,
        [
            ("https://steady.vn/rss", "Steady"),
            ("https://silent.vn/rss", "Silent"),
            ("https://trickle.vn/rss", "Trickle"),
            ("https://young.vn/rss", "Young"),
        ],
    )
    assert feeds("feeds", "list").exit_code == 0  # creates the archive and syncs the feeds
    now = datetime.now(UTC)
    seed_history(feeds.archive_path, "https://steady.vn/rss", [8] * 30, now=now)
    seed_history(feeds.archive_path, "https://silent.vn/rss", [8] * 27 + [0, 0, 0], now=now)
    seed_history(feeds.archive_path, "https://trickle.vn/rss", [20] * 27 + [1, 0, 1], now=now)
    seed_history(feeds.archive_path, "https://young.vn/rss", [0, 0], now=now)
    return feeds


def test_health_flags_feeds_that_went_silent_or_far_below_their_usual_volume(
    history: Feeds,
) -> None:
    report = history.json("feeds", "health")
    assert report["days"] == 14 and report["timezone"] == "Asia/Ho_Chi_Minh"
    by_source = {f["source"]: f for f in report["feeds"]}
    assert {s: f["volume_flag"] for s, f in by_source.items()} == {
        "Steady": None,
        "Silent": "zero",
        "Trickle": "low",
        "Young": None,
    }
    steady = by_source["Steady"]
    assert len(steady["days"]) == 14
    assert sum(d["entries"] for d in steady["days"]) == steady["entries"]
    assert steady["entries"] in (8 * 14, 8 * 13)  # the window edge may fall mid-day in local time
    assert steady["usual_per_day"] == pytest.approx(8, abs=0.5)
    assert "usually 8.0 a day" in by_source["Silent"]["flag_reason"]
    assert by_source["Young"]["usual_per_day"] is None or by_source["Young"]["entries"] == 0
    assert all(f["status"] == "ok" for f in report["feeds"])


def test_health_problems_only_and_the_table(history: Feeds) -> None:
    problems = history.json("feeds", "health", "--problems")
    assert {f["source"] for f in problems["feeds"]} == {"Silent", "Trickle"}
    table = history("feeds", "health", "--days", "7")
    assert table.exit_code == 0
    assert "feed health, last 7 days" in table.output
    assert "zero: no new entries in 3 days" in table.output
