from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.collect.discovery import COMMON_PATHS, DiscoveredFeed, discover_feeds
from monitor.collect.http import Fetcher
from monitor.config import parse_config
from monitor.errors import FetchError
from tests.localsite import LocalSite

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
HTML = "text/html; charset=utf-8"
LATEST = "/vnexpress/rss/tin-moi-nhat.rss"
LATEST_TITLE = "Tin mới nhất - VnExpress RSS"
# The packaged defaults, for settings the test does not care about.
DEFAULTS = parse_config("", None, base=Path("."))


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    http = replace(
        DEFAULTS.http,
        per_host_delay=0,
        timeout=5.0,
        user_agent="pm-test/1",
        allow_private_addresses=True,
    )
    with Fetcher(http) as client:
        yield client


def discover(site: LocalSite, fetcher: Fetcher, path: str, **kw: int) -> list[DiscoveredFeed]:
    return discover_feeds(site.url(path), fetcher.get, **kw)


def test_a_feed_url_is_returned_alone(site: LocalSite, fetcher: Fetcher) -> None:
    found = discover(site, fetcher, LATEST)
    assert found == [DiscoveredFeed(site.url(LATEST), LATEST_TITLE, "rss", 4, "given")]
    assert site.paths() == [LATEST]


def test_page_link_tags_and_same_site_anchors(site: LocalSite, fetcher: Fetcher) -> None:
    site.route("/", file=FIXTURES / "home.html", content_type=HTML)
    found = discover(site, fetcher, "/")
    assert found == [
        DiscoveredFeed(site.url(LATEST), LATEST_TITLE, "rss", 4, "link"),
        DiscoveredFeed(
            site.url("/dantri/atom.xml"), "Báo Dân trí - Tin tức mới nhất", "atom", 4, "link"
        ),
        DiscoveredFeed(
            site.url("/tuoitre/rss/thoi-su.rss"), "Thời sự - Tuổi Trẻ Online", "rss", 4, "link"
        ),
    ]
    # Each feed fetched once (the "#top" copy is the same URL); no guesses, no other host.
    assert site.paths() == ["/", LATEST, "/dantri/atom.xml", "/tuoitre/rss/thoi-su.rss"]


def test_an_outlet_rss_page_lists_its_feeds(site: LocalSite, fetcher: Fetcher) -> None:
    site.route("/rss", file=FIXTURES / "rss-listing.html", content_type=HTML)
    site.expect_404("/rss/the-gioi.rss")
    site.route("/rss/giai-tri.rss", body="<html><body>Đang bảo trì</body></html>")
    found = discover(site, fetcher, "/rss")
    assert [(f.url, f.title, f.how) for f in found] == [
        (site.url(LATEST), LATEST_TITLE, "link"),
        (site.url("/tuoitre/rss/thoi-su.rss"), "Thời sự - Tuổi Trẻ Online", "link"),
        (site.url("/vnexpress/rss/kinh-doanh.rss"), "Kinh doanh - VnExpress RSS", "link"),
    ]
    # The dead and the HTML link were tried and skipped.
    assert site.hits("/rss/the-gioi.rss") == site.hits("/rss/giai-tri.rss") == 1


def test_common_paths_are_guessed_when_the_page_offers_nothing(
    site: LocalSite, fetcher: Fetcher
) -> None:
    site.route("/", body="<!DOCTYPE html><html><body><p>Trang chủ</p></body></html>")
    site.route("/rss", file=FIXTURES / "rss-listing.html", content_type=HTML)
    site.route("/sitemap-news.xml", file=FIXTURES / "news-sitemap.xml")
    site.route("/feed", body="<rss><channel><<<>>> ?? </", content_type="application/rss+xml")
    site.expect_404(*COMMON_PATHS, "/rss/the-gioi.rss", "/rss/giai-tri.rss")
    found = discover(site, fetcher, "/")
    assert [(f.url, f.kind, f.entries, f.how) for f in found] == [
        (site.url(LATEST), "rss", 4, "link"),
        (site.url("/tuoitre/rss/thoi-su.rss"), "rss", 4, "link"),
        (site.url("/vnexpress/rss/kinh-doanh.rss"), "rss", 1, "link"),
        (site.url("/sitemap-news.xml"), "sitemap", 3, "guess"),
    ]
    assert found[-1].title == "Báo Điện tử Miền Trung"
    # Every common path was tried once, right after the listing page's links.
    assert all(site.hits(path) == 1 for path in COMMON_PATHS)


def test_guesses_start_from_the_site_root(site: LocalSite, fetcher: Fetcher) -> None:
    site.route("/thoi-su/bai-viet.html", body="<html><body>Bài viết</body></html>")
    site.route("/rss.xml", file=FIXTURES / "utf-8.rss")
    site.expect_404(*COMMON_PATHS)
    found = discover(site, fetcher, "/thoi-su/bai-viet.html")
    assert [(f.url, f.title, f.how) for f in found] == [
        (site.url("/rss.xml"), "Thời sự - Báo Điện tử Miền Trung", "guess")
    ]


def test_the_number_of_candidates_fetched_is_capped(site: LocalSite, fetcher: Fetcher) -> None:
    links = "".join(f'<a href="/rss/muc-{i}.rss">Mục {i}</a>' for i in range(30))
    site.route("/rss", body=f"<html><body>{links}</body></html>", content_type=HTML)
    for i in range(30):
        site.route(f"/rss/muc-{i}.rss", file=FIXTURES / "utf-8.rss")
    found = discover(site, fetcher, "/rss", max_candidates=7)
    assert [f.url for f in found] == [site.url(f"/rss/muc-{i}.rss") for i in range(7)]
    assert len(site.requests) == 1 + 7


def test_redirects_to_a_known_feed_are_not_listed_twice(site: LocalSite, fetcher: Fetcher) -> None:
    page = f"""<html><head>
<base href="{site.url("/vnexpress/")}">
<link rel="alternate" type="application/rss+xml" href="rss/tin-moi-nhat.rss">
<link rel="alternate" type="application/rss+xml" href="/old/feed.rss">
</head></html>"""
    site.route("/", body=page, content_type=HTML)
    site.route("/old/feed.rss", status=301, headers={"Location": LATEST})
    found = discover(site, fetcher, "/")
    assert [f.url for f in found] == [site.url(LATEST)]
    assert site.paths() == ["/", LATEST, "/old/feed.rss", LATEST]


def test_an_unreachable_url_raises_fetch_error(site: LocalSite, fetcher: Fetcher) -> None:
    site.expect_404("/khong-co")
    with pytest.raises(FetchError, match="HTTP 404"):
        discover(site, fetcher, "/khong-co")


def test_windows_1258_page_titles_come_out_nfc(site: LocalSite, fetcher: Fetcher) -> None:
    page = """<html><head><meta charset="windows-1258">
<link rel="alternate" type="application/rss+xml" title="Tin m\u01a1\u0301i" href="/a.rss">
</head></html>"""
    # windows-1258 has "ơ" but no "ớ": the tone mark is a combining character after it.
    site.route("/", body=page.encode("cp1258"), content_type="text/html")
    site.route("/a.rss", body=b"<rss><channel><item><link>/x.html</link></item></channel></rss>")
    (found,) = discover(site, fetcher, "/")
    assert (found.url, found.title, found.entries) == (site.url("/a.rss"), "Tin mới", 1)
