"""Edits and takedowns on the local site, with the clock moved instead of waited for.

Three outlets publish eight of the sample site's articles. An hour after they were stored the
first checks come due (the run at +2 h): one article is rewritten (headline, a figure, a
paragraph gone, a sentence added), one only changes around its text (the date line, the
comment count, the most-read box), one is answered 304, one gets a new headline in two feeds,
and four are taken down (404, 410, a redirect to the home page, a "does not exist" page). At
+7 h the rewritten one is put back as it was (a return to version 1) and the 404 one is back.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from monitor.jobs.run import RunSummary
from tests.localsite import LocalSite
from tests.revision_site import Outlet, open_outlet, page

EDITED = "/vnexpress/lam-phat-nam-2026-du-bao-duoi-4-4961203.html"
CHROME = "/vnexpress/mua-lon-o-mien-trung-nhieu-ho-thuy-dien-xa-lu-4960588.html"
NOT_MODIFIED = "/vnexpress/da-lat-vao-mua-da-quy-du-khach-tang-manh-4961050.html"
REDIRECTED = "/vnexpress/nam-cach-giu-an-toan-tai-khoan-ngan-hang-tren-dien-thoai-4960911.html"
GONE_404 = "/tuoitre/ha-noi-ban-hanh-quy-dinh-vung-phat-thai-thap-trong-vanh-dai-1.html"
GONE_410 = "/tuoitre/kham-suc-khoe-mien-phi-cho-nguoi-dan-vung-ha-du-thuy-dien.html"
RETITLED = "/dantri/u23-viet-nam-thang-nguoc-uzbekistan-o-giai-giao-huu-quoc-te.html"
NOTICE = "/dantri/phat-hien-loai-ech-cay-moi-o-vung-nui-tay-nguyen.html"
FEEDS = {
    "/vnexpress/r.rss": ("VnExpress", [EDITED, CHROME, NOT_MODIFIED, REDIRECTED]),
    "/tuoitre/r.rss": ("Tuổi Trẻ", [GONE_404, GONE_410]),
    "/dantri/r.rss": ("Dân trí", [RETITLED, NOTICE]),
    "/dantri/the-thao.rss": ("Dân trí", [RETITLED]),
}
PATHS = (EDITED, CHROME, NOT_MODIFIED, REDIRECTED, GONE_404, GONE_410, RETITLED, NOTICE)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the default [report] timezone
NEW_TITLE = "U23 Việt Nam thắng ngược Uzbekistan 2-1, giành vé vào bán kết"


def edited(html: str) -> str:
    """The inflation story rewritten: headline, a figure, a paragraph cut, a sentence added."""
    html = html.replace("dự báo dưới 4%", "dự báo dưới 3,5%").replace("3,4-3,6%", "3,2-3,4%")
    html = re.sub(r'<p class="Normal">Một số tổ chức quốc tế.*?</p>', "", html, flags=re.S)
    return html.replace(
        "găm hàng, đẩy giá dịp Tết.",
        "găm hàng, đẩy giá dịp Tết. Bộ cũng đề nghị tăng kiểm tra giá tại các chợ đầu mối.",
    )


def rearranged(html: str) -> str:
    """The storm story with only what surrounds it changed."""
    for before, after in (
        ("Thứ bảy, 21/11/2026, 20:15 (GMT+7)", "Chủ nhật, 22/11/2026, 07:40 (GMT+7)"),
        ("Ý kiến (2)", "Ý kiến (17)"),
        ("Giá xăng dầu giảm nhẹ từ chiều nay", "Giá vàng miếng lập đỉnh mới"),
        ("© 1997-2026", "© 1997-2027"),
    ):
        assert before in html, before
        html = html.replace(before, after)
    return html


NOT_FOUND = page("Không tìm thấy trang - Dân trí", ["Bài viết không tồn tại hoặc đã bị gỡ bỏ."])


@dataclass
class World:
    outlet: Outlet
    first: RunSummary
    second: RunSummary
    third: RunSummary
    ids: dict[str, int]

    def json(self, *args: str) -> Any:
        return self.outlet.json(*args)


def collect(outlet: Outlet) -> dict[str, str]:
    """Serve the eight articles, list them in the feeds; returns their HTML by path."""
    originals = {path: outlet.demo_page(path) for path in PATHS}
    for path in PATHS:
        outlet.serve(path, originals[path], etag='"v1"' if path == NOT_MODIFIED else None)
    for feed, (_source, paths) in FEEDS.items():
        for path in paths:
            title = re.search(r'og:title" content="([^"]+)"', originals[path])
            assert title is not None
            outlet.feeds[feed].append((path, title.group(1), path))
    return originals


def take_down(outlet: Outlet, originals: dict[str, str]) -> None:
    outlet.answers[EDITED] = edited(originals[EDITED])
    outlet.answers[CHROME] = rearranged(originals[CHROME])
    for feed in ("/dantri/r.rss", "/dantri/the-thao.rss"):
        outlet.feeds[feed][0] = (RETITLED, NEW_TITLE, RETITLED)
    outlet.answers[GONE_404] = 404
    outlet.answers[GONE_410] = 410
    outlet.answers[REDIRECTED] = (301, {"Location": "/vnexpress/index.html"})
    outlet.answers[NOTICE] = NOT_FOUND
    outlet.site.expect_404(GONE_404)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with LocalSite() as site:
        feeds = {path: source for path, (source, _paths) in FEEDS.items()}
        outlet = open_outlet(site, tmp_path_factory.mktemp("revisions"), feeds)
        originals = collect(outlet)
        first = outlet.run_at(0)
        take_down(outlet, originals)
        second = outlet.run_at(2)
        outlet.answers[EDITED] = originals[EDITED]
        outlet.answers[GONE_404] = originals[GONE_404]
        third = outlet.run_at(7)
        ids = {path: outlet.article_id(path) for path in PATHS}
        yield World(outlet, first, second, third, ids)
        assert not site.problems(), site.problems()


def test_first_checks_come_due_an_hour_after_storing(world: World) -> None:
    assert world.first.articles_new == 8 and world.first.revisits.due == 0
    revisits = world.second.revisits
    assert (revisits.due, revisits.revisited, revisits.failed) == (8, 8, 0)
    assert (revisits.edited, revisits.gone, revisits.unchanged) == (1, 4, 3)
    assert revisits.retitled == 1  # two feeds, one new title: one event
    assert world.second.exit_code == 0


def test_a_text_edit_is_a_new_version_and_a_return_is_recorded_as_one(world: World) -> None:
    article = world.ids[EDITED]
    events = world.json("changes", "--kind", "edited")["changes"]
    assert [(e["from_version"], e["to_version"], e["returns_to"]) for e in events] == [
        (1, 2, None),
        (2, 3, 1),
    ]
    edit, back = events
    assert edit["id"] == article and edit["status"] == 200 and edit["source"] == "VnExpress"
    assert edit["title_before"] == "Lạm phát năm 2026 dự báo dưới 4%"
    assert edit["title_after"] == "Lạm phát năm 2026 dự báo dưới 3,5%"
    assert edit["words_added"] > 10 and edit["words_removed"] > 50  # a paragraph went
    assert (back["words_added"], back["words_removed"]) == (
        edit["words_removed"],
        edit["words_added"],
    )
    assert world.third.revisits.returned == 1
    shown = world.json("show", str(article))
    assert shown["version"] == 3 and shown["version_count"] == 3 and shown["returns_to"] == 1
    assert "3,4-3,6%" in shown["text"] and "ADB" in shown["text"]
    second = world.json("show", str(article), "--version", "2")
    assert "3,2-3,4%" in second["text"] and "ADB" not in second["text"]
    assert second["title"] == "Lạm phát năm 2026 dự báo dưới 3,5%" and second["version"] == 2
    first = world.json("show", str(article), "--version", "1")
    assert first["text"] == shown["text"]
    assert first["version_fetched_at"] < second["version_fetched_at"]
    # Published date, author and source are the article's: counts by day do not move.
    assert first["published"] == second["published"] == shown["published"]
    text = world.outlet("show", str(article), "--version", "2").output
    assert "3; this is version 2" in text and "3,2-3,4%" in text
    assert "returns to version 1" not in text and "edited" in text


def test_show_says_an_article_is_gone(world: World) -> None:
    text = world.outlet("show", str(world.ids[GONE_410])).output
    assert "gone" in text and "the last good copy is shown" in text and "HTTP 410" in text
    assert "versions" not in text  # one version: nothing to say


def test_changes_around_the_text_and_304_are_no_version(world: World) -> None:
    for path in (CHROME, NOT_MODIFIED, RETITLED):
        assert world.json("show", str(world.ids[path]))["version_count"] == 1
    assert world.json("changes", 'title:"xả lũ"')["changes"] == []
    # The 304 cost one conditional request and nothing was written for it.
    asked = world.outlet.site.requests_for(NOT_MODIFIED)
    assert [r.headers.get("if-none-match") for r in asked] == [None, '"v1"', '"v1"']
    rows = world.outlet.sql(
        "SELECT outcome, status, warc_file FROM fetch_log WHERE kind='revisit' AND url LIKE ?",
        "%" + NOT_MODIFIED,
    )
    assert rows == [("unchanged", 304, None), ("unchanged", 304, None)]


def test_a_new_title_in_the_feeds_is_one_retitled_event_without_a_request(world: World) -> None:
    (event,) = world.json("changes", "--kind", "retitled")["changes"]
    assert event["id"] == world.ids[RETITLED] and event["source"] == "Dân trí"
    assert event["title_before"] == "U23 VIỆT NAM thắng ngược Uzbekistan ở giải giao hữu quốc tế"
    assert event["title_after"] == NEW_TITLE
    assert event["from_version"] == event["to_version"] == 1
    # Stored, then revisited at +2 h and +7 h: the new title asked for nothing more.
    assert len(world.outlet.site.requests_for(RETITLED)) == 3


def test_takedowns_are_gone_events_and_stay_searchable(world: World) -> None:
    gone = {e["id"]: e for e in world.json("changes", "--kind", "gone")["changes"]}
    ids = world.ids
    assert set(gone) == {ids[GONE_404], ids[GONE_410], ids[REDIRECTED], ids[NOTICE]}
    assert (gone[ids[GONE_404]]["status"], gone[ids[GONE_410]]["status"]) == (404, 410)
    assert gone[ids[GONE_404]]["from_version"] == 1 and gone[ids[GONE_404]]["to_version"] is None
    redirect = gone[ids[REDIRECTED]]
    assert redirect["location"] == world.outlet.site.url("/vnexpress/index.html")
    assert (
        redirect["status"] == 200 and redirect["reason"] == "redirected to a home or section page"
    )
    assert gone[ids[NOTICE]]["reason"].startswith("no longer an article")
    found = world.json("search", "status:gone", "--limit", "20")
    assert {h["id"] for h in found["hits"]} == {ids[GONE_410], ids[REDIRECTED], ids[NOTICE]}
    assert all(h["gone_at"] for h in found["hits"])
    kept = world.json("show", str(ids[GONE_410]))
    assert kept["gone_at"] and "khám sức khoẻ" in kept["text"].lower()  # the last good copy
    assert world.json("search", "* -status:gone", "--limit", "20")["total"] == 5
    assert world.json("search", "khám sức khoẻ")["hits"][0]["gone_at"] == kept["gone_at"]


def test_an_article_found_again_is_restored(world: World) -> None:
    (event,) = world.json("changes", "--kind", "restored")["changes"]
    assert event["id"] == world.ids[GONE_404] and event["status"] == 200
    assert world.third.revisits.restored == 1
    shown = world.json("show", str(world.ids[GONE_404]))
    assert shown["gone_at"] is None
    assert [e["kind"] for e in shown["events"]] == ["gone", "restored"]


def test_changes_as_table_and_csv(world: World) -> None:
    typo = world.outlet("changes", "* -source:nothing")
    assert typo.exit_code == 2 and "no source 'nothing'" in typo.output
    table = world.outlet("changes", "*")
    assert table.exit_code == 0, table.output
    assert "restored" in table.output and "HTTP 410" in table.output
    assert "dưới 4% → Lạm phát năm 2026 dự báo dưới 3,5%" in table.output
    rows = list(csv.DictReader(io.StringIO(world.outlet("changes", "--format", "csv").output)))
    assert len(rows) == 8 and rows[0]["kind"] == "retitled"
    assert list(rows[0])[:12] == [
        "id", "url", "source", "kind", "at", "from_version", "to_version", "title_before",
        "title_after", "words_added", "words_removed", "status",
    ]  # fmt: skip
    tuoi_tre = world.json("changes", 'source:"Tuổi Trẻ"', "--kind", "gone", "--kind", "restored")
    assert [e["kind"] for e in tuoi_tre["changes"]] == ["gone", "gone", "restored"]
    assert world.json("changes", "--since", "2000-01-01", "--until", "2000-01-02")["changes"] == []


def test_diff_shows_the_words_that_changed(world: World) -> None:
    article = str(world.ids[EDITED])
    data = world.json("diff", article, "--from", "1", "--to", "2")
    removed = "".join(s["text"] for s in data["segments"] if s["op"] == "delete")
    added = "".join(s["text"] for s in data["segments"] if s["op"] == "insert")
    later = "".join(s["text"] for s in data["segments"] if s["op"] != "delete")
    assert "ADB" in removed and "chợ đầu mối" in added
    assert "3,2-3,4%" in later and "ADB" not in later
    assert (data["from_version"], data["to_version"]) == (1, 2)
    assert [(s["op"], s["text"]) for s in data["title_segments"]][1:3] == [
        ("delete", "4"),
        ("insert", "3,5"),
    ]
    plain = world.outlet("diff", article, "--from", "1", "--to", "2").output
    assert "dự báo dưới [-4-]{+3,5+}%" in plain and "version 1" in plain
    latest = world.outlet("diff", article).output  # version 2 → 3, the return
    assert "returns to the text of version 1" in latest
    unified = world.outlet("diff", article, "--format", "unified", "--from", "1", "--to", "2")
    assert "\n-# Lạm phát năm 2026 dự báo dưới 4%\n+# Lạm phát" in unified.output
    missing = world.outlet("diff", article, "--to", "9")
    assert missing.exit_code == 2 and "has no version 9" in missing.output
    one = world.outlet("diff", str(world.ids[CHROME]))
    assert one.exit_code == 0 and "one version" in one.output


def test_report_counts_events_of_a_kind_per_day_and_source(world: World) -> None:
    data = world.json("report", "--kind", "gone")
    assert data["counted"] == "events" and data["kind"] == "gone"
    assert data["total"] == 4 and data["articles"] == 4
    assert data["by_source"] == [
        {"source": "Tuổi Trẻ", "count": 2, "articles": 2},
        {"source": "Dân trí", "count": 1, "articles": 1},
        {"source": "VnExpress", "count": 1, "articles": 1},
    ]
    assert sum(row["count"] for row in data["by_day"]) == 4
    assert sum(row["count"] for row in data["by_source_day"]) == 4
    snapshot = data["snapshot"]
    assert (snapshot["events"], snapshot["versions"], snapshot["max_article_id"]) == (8, 10, 8)
    edits = world.json("report", "--kind", "edited")
    assert (edits["total"], edits["articles"]) == (2, 1)
    earlier = world.json("report", "--kind", "edited", "--snapshot-events", "7")
    assert earlier["total"] == 1  # the return came later
    assert earlier["snapshot"]["max_event_id"] == 7
    assert "takedowns of 4 articles" in world.outlet("report", "--kind", "gone").output


def test_the_schedule_moves_on_to_the_next_check(world: World) -> None:
    def ages() -> set[tuple[float, int]]:
        rows = world.outlet.sql("SELECT first_at, next_at, checks_done FROM revisits")
        return {
            ((datetime.fromisoformat(n) - datetime.fromisoformat(f)).total_seconds(), done)
            for f, n, done in rows
        }

    assert ages() == {(24 * 3600, 2)}  # checked at +2 h (the 1 h check) and +7 h (6 h): next 24 h
    # At +30 h the 24 h check is made; the next is 3 days after the article was stored.
    assert world.outlet.run_at(30).revisits.due == 8
    assert ages() == {(3 * 86400, 3)}
    # A check whose time has passed is not made up for: at +5 d the 3 d check is made, then 7 d.
    assert world.outlet.run_at(5 * 24).revisits.due == 8
    assert ages() == {(7 * 86400, 4)}


def test_times_of_changes_versions_and_diffs_are_in_the_display_zone(world: World) -> None:
    """Vietnam time (the default `[report] timezone`), named "+07"; JSON stays in UTC."""

    def vietnam(iso: str) -> str:
        return datetime.fromisoformat(iso).astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M")

    events = world.json("changes")["changes"]
    assert all(e["at"].endswith("+00:00") for e in events)
    lines = world.outlet("changes").output.splitlines()
    assert lines[1].split("\t")[0] == "at (+07)"
    assert [line.split("\t")[0] for line in lines[2:]] == [vietnam(e["at"]) for e in events]
    article = str(world.ids[EDITED])
    diff = world.json("diff", article, "--from", "1", "--to", "2")
    header = world.outlet("diff", article, "--from", "1", "--to", "2").output.splitlines()[0]
    assert f"version 1 ({vietnam(diff['from_fetched_at'])} +07)" in header
    assert f"version 2 ({vietnam(diff['to_fetched_at'])} +07)" in header
    shown = world.json("show", article, "--version", "2")
    text = world.outlet("show", article, "--version", "2").output
    assert f"fetched {vietnam(shown['version_fetched_at'])} +07" in text
    assert "published (+07)" in text
