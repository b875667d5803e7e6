"""`monitor feeds list|remove|health` on a real archive."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.archive import Archive
from monitor.config import FeedConfig
from monitor.timestamps import to_iso
from tests.cli import Cli, write_config
from tests.localsite import LocalSite

EMPTY_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title></channel></rss>"""


class Feeds(Cli):
    def __init__(self, tmp_path: Path, urls: list[tuple[str, str]]) -> None:
        self.config = write_config(
            tmp_path / "config.toml", urls, http={"per_host_delay": 0, "timeout": 5}
        )
        self.archive_path = tmp_path / "data" / "archive.sqlite3"


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
    assert unknown.exit_code == 2 and "no feed 'Báo Z'" in unknown.output


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


def test_health_problems_with_none_says_so(tmp_path: Path) -> None:
    feeds = Feeds(tmp_path, [("https://steady.vn/rss", "Steady")])
    assert feeds("feeds", "list").exit_code == 0
    seed_history(feeds.archive_path, "https://steady.vn/rss", [8] * 30, now=datetime.now(UTC))
    calm = feeds("feeds", "health", "--problems")
    assert calm.exit_code == 0
    assert calm.output.strip() == "no problems: every feed is ok over the last 14 days"


HOMEPAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Báo Thử</title>
<link rel="alternate" type="application/rss+xml" title="Tin mới" href="/rss/tin-moi.rss">
<link rel="alternate" type="application/rss+xml" title="Thời sự" href="/rss/thoi-su.rss">
</head><body><a href="/">Trang chủ</a></body></html>"""


def test_add_finds_the_feeds_of_a_homepage_and_adds_them(tmp_path: Path, site: LocalSite) -> None:
    site.route("/", body=HOMEPAGE, content_type="text/html; charset=utf-8")
    site.route("/rss/tin-moi.rss", body=EMPTY_RSS.format(title="Tin mới"))
    site.route("/rss/thoi-su.rss", body=EMPTY_RSS.format(title="Thời sự"))
    feeds = Feeds(tmp_path, [])
    several = feeds("feeds", "add", site.url("/"))
    assert several.exit_code == 1
    assert "2 feeds found" in several.output and "--all-found" in several.output
    assert feeds.json("feeds", "list") == []
    added = feeds.json("feeds", "add", site.url("/"), "--all-found", "--source", "Báo Thử")
    assert [f["how"] for f in added["found"]] == ["link", "link"]
    assert [(f["source"], f["origin"]) for f in added["added"]] == [("Báo Thử", "cli")] * 2
    one = feeds.json("feeds", "add", site.url("/rss/thoi-su.rss"))
    assert one["added"] == [] and one["found"][0]["how"] == "given"  # already there
    again = feeds("feeds", "add", site.url("/rss/thoi-su.rss"))
    assert again.exit_code == 0
    assert "is already there (feed" in again.output and "nothing added" in again.output
    listed = feeds.json("feeds", "list")
    assert {f["url"].removeprefix(site.base_url) for f in listed} == {
        "/rss/tin-moi.rss",
        "/rss/thoi-su.rss",
    }
    run = feeds("run", "--format", "json")
    assert run.exit_code == 0 and json.loads(run.output)["feeds_ok"] == 2


def test_add_says_clearly_when_nothing_is_found(tmp_path: Path, site: LocalSite) -> None:
    site.route("/", body="<html><body>Không có gì</body></html>", content_type="text/html")
    site.allow_unknown()  # the common feed paths are tried and are not there
    result = Feeds(tmp_path, [])("feeds", "add", site.url("/"))
    assert result.exit_code == 2
    assert "no feed found at" in result.output


def test_opml_export_then_import_round_trips_the_feed_list(tmp_path: Path, site: LocalSite) -> None:
    (tmp_path / "one").mkdir()
    first = Feeds(tmp_path / "one", [(site.url("/a.rss"), "Báo A")])
    with Archive(first.archive_path) as archive:
        archive.sync_feeds([FeedConfig(url=site.url("/a.rss"), source="Báo A")])
        archive.feeds.add(
            FeedConfig(url="https://b.vn/rss", source="Báo B", language="vi", tags=("kinh-te",)),
            origin="cli",
        )
    opml = tmp_path / "feeds.opml"
    assert first("feeds", "export", "-o", str(opml)).exit_code == 0
    assert opml.read_text("utf-8").startswith("<?xml")
    (tmp_path / "two").mkdir()
    second = Feeds(tmp_path / "two", [])
    imported = second("feeds", "import", str(opml))
    assert imported.exit_code == 0 and "2 added" in imported.output
    again = second("feeds", "import", str(opml))
    assert "0 added, 2 already there" in again.output
    assert [
        (f["url"], f["source"], f["language"], f["tags"], f["origin"])
        for f in second.json("feeds", "list")
    ] == [
        (site.url("/a.rss"), "Báo A", None, [], "opml"),
        ("https://b.vn/rss", "Báo B", "vi", ["kinh-te"], "opml"),
    ]
    bad = tmp_path / "bad.opml"
    bad.write_text("<html><body>not opml</body></html>", encoding="utf-8")
    failed = second("feeds", "import", str(bad))
    assert failed.exit_code == 1 and "not a usable OPML file" in failed.output
