"""Tests of the local test site (tests/localsite.py) and of the fixture catalog's claims."""

from __future__ import annotations

import calendar
import re
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import feedparser
import httpx
import lxml.html
import pytest
import trafilatura
from protego import Protego

from tests.fixtures import catalog as cat
from tests.localsite import SITE_DIR, LocalSite, Reply, Request

VN_TIME = timezone(timedelta(hours=7))


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0, headers={"User-Agent": "press-monitor-tests/1"}) as c:
        yield c


# ============================================================================ the server


def test_static_feed_is_served_with_base_substituted(site: LocalSite, client: httpx.Client) -> None:
    response = client.get(site.url(cat.VNEXPRESS_FEED))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert "{base}" not in response.text
    assert f"<link>{site.url(cat.VNE_LAM_PHAT.path)}</link>" in response.text
    assert site.base_url.startswith("http://127.0.0.1:")
    assert site.port > 0


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (cat.VNEXPRESS_FEED, "application/rss+xml; charset=utf-8"),
        (cat.DANTRI_FEED, "application/atom+xml; charset=utf-8"),
        (cat.NOT_A_FEED_PATH, "text/html; charset=utf-8"),
        (cat.VNE_MUA_LU.path, "text/html; charset=utf-8"),
        (cat.ROBOTS_TXT_PATH, "text/plain; charset=utf-8"),
    ],
)
def test_content_type_by_extension_and_override(
    site: LocalSite, client: httpx.Client, path: str, content_type: str
) -> None:
    response = client.get(site.url(path))
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type


def test_default_robots_txt_disallows_private(site: LocalSite, client: httpx.Client) -> None:
    response = client.get(site.url("/robots.txt"))
    assert response.text == "User-agent: *\nDisallow: /private/\n"


def test_folder_path_serves_its_index(site: LocalSite, client: httpx.Client) -> None:
    assert client.get(site.url("/vnexpress/")).text == client.get(site.url(cat.HOMEPAGE_PATH)).text


def test_static_files_answer_conditional_get(site: LocalSite, client: httpx.Client) -> None:
    first = client.get(site.url(cat.DANTRI_FEED))
    etag = first.headers["etag"]
    assert first.headers["last-modified"]
    again = client.get(site.url(cat.DANTRI_FEED), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    since = client.get(
        site.url(cat.DANTRI_FEED), headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert since.status_code == 304
    changed = client.get(site.url(cat.DANTRI_FEED), headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


def test_head_request_has_headers_but_no_body(site: LocalSite, client: httpx.Client) -> None:
    response = client.head(site.url(cat.VNEXPRESS_FEED))
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 1000
    assert response.content == b""


def test_custom_route_with_status_body_and_headers(site: LocalSite, client: httpx.Client) -> None:
    site.route("/custom.rss", status=201, body="<a href='{base}/x'>", headers={"X-Test": "yes"})
    response = client.get(site.url("/custom.rss"))
    assert response.status_code == 201
    assert response.text == f"<a href='{site.base_url}/x'>"
    assert response.headers["x-test"] == "yes"
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"


def test_route_overrides_a_static_file(site: LocalSite, client: httpx.Client) -> None:
    site.route(cat.VNEXPRESS_FEED, status=503, headers={"Retry-After": "120"})
    response = client.get(site.url(cat.VNEXPRESS_FEED))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "120"


def test_route_to_404_is_not_unexpected(site: LocalSite, client: httpx.Client) -> None:
    site.route(cat.TUOITRE_FEED, status=404)
    assert client.get(site.url(cat.TUOITRE_FEED)).status_code == 404
    assert site.unexpected == []


def test_route_serves_a_fixture_file_with_its_content_type(
    site: LocalSite, client: httpx.Client
) -> None:
    site.route("/moved/feed", file="dantri/atom.xml", content_type="application/xml")
    response = client.get(site.url("/moved/feed"))
    assert response.headers["content-type"] == "application/xml"
    assert site.url(cat.DT_U23.path) in response.text


def test_route_with_query_string_matches_exactly_first(
    site: LocalSite, client: httpx.Client
) -> None:
    site.route("/q", body="bare")
    site.route("/q?page=2", body="second")
    assert client.get(site.url("/q?page=2")).text == "second"
    assert client.get(site.url("/q?page=3")).text == "bare"


def test_handler_route_for_conditional_get(site: LocalSite, client: httpx.Client) -> None:
    def handler(request: Request) -> tuple[int, dict[str, str], bytes]:
        if request.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"ETag": '"v1"', "Content-Type": "application/rss+xml"}, b"<rss/>"

    site.route("/cond.rss", handler=handler)
    first = client.get(site.url("/cond.rss"))
    assert (first.status_code, first.content) == (200, b"<rss/>")
    second = client.get(site.url("/cond.rss"), headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 304


def test_redirect_loop_is_served(site: LocalSite, client: httpx.Client) -> None:
    site.route("/loop/a", status=302, headers={"Location": "/loop/b"})
    site.route("/loop/b", status=301, headers={"Location": "/loop/a"})
    with pytest.raises(httpx.TooManyRedirects):
        client.get(site.url("/loop/a"), follow_redirects=True)
    assert site.hits("/loop/a") >= 2


def test_delay_holds_the_response(site: LocalSite, client: httpx.Client) -> None:
    site.route("/slow", body="late", delay=0.3)
    start = time.monotonic()
    assert client.get(site.url("/slow")).text == "late"
    assert time.monotonic() - start >= 0.25
    with pytest.raises(httpx.ReadTimeout):
        client.get(site.url("/slow"), timeout=0.1)


def test_drip_sends_the_body_slowly(site: LocalSite, client: httpx.Client) -> None:
    body = b"x" * 50
    site.route("/drip", body=body, drip=(10, 0.05))
    start = time.monotonic()
    assert client.get(site.url("/drip")).content == body
    assert time.monotonic() - start >= 0.15
    site.route("/drip-stall", handler=lambda r: Reply(200, {}, b"y" * 20, drip=(10, 1.0)))
    with pytest.raises(httpx.ReadTimeout):
        client.get(site.url("/drip-stall"), timeout=0.2)


def test_truncated_body_breaks_the_connection(site: LocalSite, client: httpx.Client) -> None:
    site.route("/truncated.rss", body=b"<rss>" + b" " * 95, content_length=1000)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(site.url("/truncated.rss"))
    # The server is still fine afterwards.
    assert client.get(site.url(cat.ROBOTS_TXT_PATH)).status_code == 200


def test_requests_log_records_method_path_and_headers(
    site: LocalSite, client: httpx.Client
) -> None:
    client.get(site.url(cat.ROBOTS_TXT_PATH))
    client.post(site.url("/robots.txt?x=1"), content=b"payload")
    first, second = site.requests
    assert (first.method, first.path) == ("GET", "/robots.txt")
    assert first.headers["User-Agent"] == "press-monitor-tests/1"
    assert first.headers["user-agent"] == "press-monitor-tests/1"
    assert "USER-AGENT" in first.headers
    assert (second.method, second.path, second.bare_path) == (
        "POST",
        "/robots.txt?x=1",
        "/robots.txt",
    )
    when, method, path, headers = first  # a plain 4-tuple too
    assert when == first.time
    assert (method, path, headers["host"]) == ("GET", "/robots.txt", site.base_url[7:])
    assert first.time <= second.time <= time.monotonic()
    assert site.hits("/robots.txt") == 2
    assert site.paths() == ["/robots.txt", "/robots.txt?x=1"]
    site.clear_requests()
    assert site.requests == []


def test_unknown_path_is_404_and_recorded() -> None:
    with LocalSite() as local, httpx.Client() as c:
        assert c.get(local.url("/nope.html")).status_code == 404
        assert [r.path for r in local.unexpected] == ["/nope.html"]
        assert "unexpected request: GET" in local.problems()[0]
        local.expect_404("/nope.html")
        assert local.unexpected == []
        assert local.problems() == []


def test_expect_404_declared_before_the_request() -> None:
    with LocalSite() as local, httpx.Client() as c:
        local.expect_404(cat.MISSING_PATH)
        assert c.get(local.url(cat.MISSING_PATH)).status_code == 404
        assert local.problems() == []


def test_allow_unknown_silences_problems_but_keeps_the_record() -> None:
    with LocalSite() as local, httpx.Client() as c:
        c.get(local.url("/favicon.ico"))
        local.allow_unknown()
        assert [r.path for r in local.unexpected] == ["/favicon.ico"]
        assert local.problems() == []


def test_handler_exception_is_a_500_and_a_problem() -> None:
    def broken(request: Request) -> Reply:
        raise RuntimeError("boom")

    with LocalSite() as local, httpx.Client() as c:
        local.route("/boom", handler=broken)
        assert c.get(local.url("/boom")).status_code == 500
        assert "RuntimeError: boom" in local.problems()[0]


def test_route_arguments_are_checked(site: LocalSite) -> None:
    with pytest.raises(ValueError):
        site.route("/x", body="a", handler=lambda r: Reply())
    with pytest.raises(ValueError):
        site.route("relative")
    with pytest.raises(FileNotFoundError):
        site.route("/x", file="no/such/file.rss")
    with pytest.raises(ValueError):
        site.url("no-slash")


def test_close_does_not_wait_for_idle_keepalive_clients() -> None:
    local = LocalSite()
    with httpx.Client() as c:
        assert c.get(local.url(cat.ROBOTS_TXT_PATH)).status_code == 200
        start = time.monotonic()
        local.close()
        local.close()  # idempotent
        assert time.monotonic() - start < 2.0
        assert local.problems() == []


def test_close_interrupts_a_slow_response() -> None:
    local = LocalSite()
    local.route("/very-slow", body="x", delay=30.0)
    with httpx.Client() as c:
        with pytest.raises(httpx.TimeoutException):
            c.get(local.url("/very-slow"), timeout=0.2)
        start = time.monotonic()
        local.close()
        assert time.monotonic() - start < 2.0


def test_wait_for_counts_requests(site: LocalSite, client: httpx.Client) -> None:
    assert not site.wait_for("/robots.txt", timeout=0.05)
    client.get(site.url("/robots.txt"))
    assert site.wait_for("/robots.txt", timeout=1.0)


def test_site2_serves_the_same_site_on_another_address(
    site: LocalSite, site2: LocalSite, client: httpx.Client
) -> None:
    assert site2.base_url.startswith("http://127.0.0.2:")
    feed = client.get(site2.url(cat.VNEXPRESS_FEED)).text
    assert site2.url(cat.VNE_LAM_PHAT.path) in feed
    assert site.base_url not in feed
    assert site.requests == []
    assert [r.path for r in site2.requests] == [cat.VNEXPRESS_FEED]


# ============================================================================ the catalog


def _body_text(article: cat.Article) -> str:
    tree = lxml.html.document_fromstring(cat.raw_page(article.path))
    (body,) = tree.xpath(cat.OUTLETS_BY_KEY[article.outlet].body_xpath)
    return cat.nfc(body.text_content())


def _page_text(article: cat.Article) -> str:
    return cat.nfc(cat.page_text(cat.raw_page(article.path)))


def _folded_tokens(article: cat.Article) -> list[str]:
    return [cat.fold(t) for t in cat.tokens(_page_text(article))]


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _pages_with_folded_phrase(phrase: str) -> set[str]:
    needle = [cat.fold(t) for t in cat.tokens(phrase)]
    return {a.key for a in cat.ALL_ARTICLES if _contains_run(_folded_tokens(a), needle)}


def _pages_with_exact_phrase(phrase: str) -> set[str]:
    needle = cat.tokens(phrase)
    return {a.key for a in cat.ALL_ARTICLES if _contains_run(cat.tokens(_page_text(a)), needle)}


def _keys(articles: tuple[cat.Article, ...] | list[cat.Article]) -> set[str]:
    return {a.key for a in articles}


def test_catalog_lists_every_served_page_once() -> None:
    served = {
        "/" + p.relative_to(SITE_DIR).as_posix() for p in SITE_DIR.rglob("*.html") if p.is_file()
    }
    assert len(cat.ARTICLES) == 12
    assert len(cat.ARTICLES_BY_PATH) == len(cat.ALL_ARTICLES)
    assert served == set(cat.ARTICLES_BY_PATH) | {cat.HOMEPAGE_PATH, cat.ROBOTS_DISALLOWED_PATH}
    assert {a.outlet for a in cat.ARTICLES} == {o.key for o in cat.OUTLETS}
    for outlet in cat.OUTLETS:
        assert sum(a.outlet == outlet.key for a in cat.ARTICLES) == 4
    assert all(m not in served for m in cat.EXPECTED_404_PATHS)
    assert len({a.topic for a in cat.ARTICLES}) >= 8


def test_every_catalog_page_is_served(site: LocalSite, client: httpx.Client) -> None:
    for path in [*cat.ARTICLES_BY_PATH, cat.ROBOTS_DISALLOWED_PATH, cat.HOMEPAGE_PATH]:
        response = client.get(site.url(path))
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "{base}" not in response.text
    site.expect_404(*cat.EXPECTED_404_PATHS)
    for path in cat.EXPECTED_404_PATHS:
        assert client.get(site.url(path)).status_code == 404


@pytest.mark.parametrize("article", cat.ALL_ARTICLES, ids=lambda a: a.key)
def test_article_page_matches_catalog(article: cat.Article) -> None:
    raw = cat.raw_page(article.path)
    assert (unicodedata.normalize("NFC", raw) != raw) is article.nfd
    tree = lxml.html.document_fromstring(cat.nfc(raw))
    outlet = cat.OUTLETS_BY_KEY[article.outlet]
    assert tree.findtext(".//title") == article.title + outlet.title_suffix
    assert tree.xpath("string(//meta[@property='og:title']/@content)") == article.title
    assert tree.xpath("string(//h1)") == article.title
    assert article.source == outlet.source
    text = _page_text(article)
    body = _body_text(article)
    assert article.lead in text
    assert article.must_contain in body
    assert article.must_not_contain in text
    assert article.must_not_contain not in body
    if article in cat.ARTICLES:
        assert 300 <= len(body.split()) <= 700


@pytest.mark.parametrize("article", cat.ALL_ARTICLES, ids=lambda a: a.key)
def test_page_dates_match_catalog(article: cat.Article) -> None:
    html = cat.nfc(cat.raw_page(article.path))
    if article.published is None:
        assert not re.search(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d\d-\d\d|\d{4}/\d\d", html)
        assert "published" not in html and "datePublished" not in html
        return
    local = article.published.astimezone(VN_TIME)
    iso = local.isoformat()
    if article.outlet in ("vnexpress", "broken"):
        assert f'<meta property="article:published_time" content="{iso}">' in html
    elif article.outlet == "tuoitre":
        assert f'<div data-role="publishdate">{local:%d/%m/%Y %H:%M} GMT+7</div>' in html
        assert "published_time" not in html and "datePublished" not in html
    else:
        assert f'"datePublished": "{iso}"' in html
        assert f"{local:%d/%m/%Y - %H:%M}</time>" in html


def test_all_dates_are_in_the_past_window() -> None:
    dates = [a.published for a in cat.ALL_ARTICLES if a.published is not None]
    assert all(d.tzinfo is not None and d.utcoffset() == timedelta(0) for d in dates)
    assert max(dates) <= cat.LATEST_PUBLISHED < cat.NOW
    assert min(dates) >= datetime(2026, 11, 21, tzinfo=VN_TIME)
    assert [a.key for a in cat.ALL_ARTICLES if a.published is None] == [cat.UNDATED_ARTICLE.key]


@pytest.mark.parametrize("article", cat.ALL_ARTICLES, ids=lambda a: a.key)
def test_trafilatura_keeps_the_body_and_drops_the_boilerplate(article: cat.Article) -> None:
    html = cat.nfc(cat.raw_page(article.path).replace("{base}", "http://127.0.0.1:9"))
    settings: list[dict[str, Any]] = [
        {},
        {"include_comments": False},
        {"fast": True, "include_comments": False},
    ]
    for options in settings:
        text = trafilatura.extract(html, url=article.url("http://127.0.0.1:9"), **options) or ""
        assert article.must_contain in text, options
        assert article.must_not_contain not in text, options


def _feed(site: LocalSite, client: httpx.Client, path: str) -> tuple[httpx.Response, Any]:
    response = client.get(site.url(path))
    assert response.status_code == 200
    parsed = feedparser.parse(
        response.content, response_headers={"content-type": response.headers["content-type"]}
    )
    return response, parsed


@pytest.mark.parametrize("feed", cat.FEEDS, ids=lambda f: f.path)
def test_feed_entries_match_catalog(site: LocalSite, client: httpx.Client, feed: cat.Feed) -> None:
    response, parsed = _feed(site, client, feed.path)
    assert response.headers["content-type"] == feed.content_type
    assert [e.get("link") for e in parsed.entries] == [site.url(p) for p in feed.entries]
    if feed.format == "html":
        assert (parsed.entries, parsed.version) == ([], "")  # bozo or not: not worth relying on
        return
    assert bool(parsed.bozo) is (feed.format == "malformed-rss")
    assert (
        parsed.version == {"rss": "rss20", "atom": "atom10", "malformed-rss": "rss20"}[feed.format]
    )
    for entry, path in zip(parsed.entries, feed.entries, strict=True):
        article = cat.ARTICLES_BY_PATH.get(path)
        if article is None:
            continue
        assert feed.path in article.feeds
        assert cat.nfc(entry.title) == article.title
        assert cat.nfc(entry.get("id", "")) == site.url(path)
        assert cat.nfc(article.lead) in cat.nfc(entry.summary)
        if feed.path == cat.TUOITRE_FEED:
            if article.published is None:
                assert "published" not in entry
            else:
                local = article.published.astimezone(VN_TIME)
                assert entry.published == local.strftime("%a, %d %b %Y %H:%M:%S GMT+7")
        else:
            assert article.published is not None
            parsed_date = datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)
            assert parsed_date == article.published


def test_feed_text_adds_no_search_words(site: LocalSite, client: httpx.Client) -> None:
    """Entry titles and summaries repeat their page; the entries without a page are neutral."""
    watched = {"ban", "viet", "hoa", "thuy", "khoe"}
    for feed in cat.FEEDS:
        _, parsed = _feed(site, client, feed.path)
        for entry in parsed.entries:
            text = (
                entry.get("title", "") + " " + cat.page_text(f"<p>{entry.get('summary', '')}</p>")
            )
            words = {cat.fold(t) for t in cat.tokens(text)}
            article = cat.ARTICLES_BY_PATH.get(entry.link.removeprefix(site.base_url))
            if article is None:
                assert not words & watched, entry.link
            else:
                assert words <= set(_folded_tokens(article)), entry.link


def test_every_article_is_in_the_feeds_the_catalog_names() -> None:
    for article in cat.ALL_ARTICLES:
        for path in article.feeds:
            assert article.path in cat.FEEDS_BY_PATH[path].entries
    for feed in cat.FEEDS:
        for path in feed.entries:
            if path in cat.ARTICLES_BY_PATH:
                assert feed.path in cat.ARTICLES_BY_PATH[path].feeds
    assert set(cat.GOOD_FEED_PATHS) == {p for o in cat.OUTLETS for p in o.feeds}


def test_duplicate_url_is_in_exactly_two_feeds() -> None:
    listing = [p for f in cat.GOOD_FEED_PATHS for p in cat.FEEDS_BY_PATH[f].entries]
    assert len(listing) == cat.GOOD_FEED_ENTRY_COUNT
    assert len(set(listing)) == len(cat.ARTICLES)
    assert [p for p in set(listing) if listing.count(p) > 1] == [cat.DUPLICATE_PATH]
    holders = tuple(
        f for f in cat.GOOD_FEED_PATHS if cat.DUPLICATE_PATH in cat.FEEDS_BY_PATH[f].entries
    )
    assert holders == cat.DUPLICATE_FEEDS == cat.DUPLICATE_ARTICLE.feeds


def test_undated_feed_item_has_no_date() -> None:
    root = ET.fromstring(cat.raw_page(cat.TUOITRE_FEED))
    items = {item.findtext("link"): item for item in root.iter("item")}
    undated = items["{base}" + cat.UNDATED_ARTICLE.path]
    assert undated.find("pubDate") is None
    assert sum(item.find("pubDate") is None for item in items.values()) == 1


def test_nfd_article_and_its_feed_title_are_decomposed() -> None:
    article = cat.NFD_ARTICLE
    raw = cat.raw_page(article.path)
    assert unicodedata.normalize("NFD", raw) == raw
    assert article.title not in raw
    assert unicodedata.normalize("NFD", article.title) in raw
    feed = cat.raw_page(cat.TUOITRE_FEED)
    assert unicodedata.normalize("NFD", article.title) in feed
    assert [a.key for a in cat.ALL_ARTICLES if a.nfd] == [article.key]
    for other in cat.ALL_ARTICLES:
        if other is not article:
            text = cat.raw_page(other.path)
            assert unicodedata.normalize("NFC", text) == text, other.key


def test_phrase5_occurs_in_exactly_one_page() -> None:
    assert len(cat.tokens(cat.PHRASE5)) == 5
    assert _pages_with_exact_phrase(cat.PHRASE5) == {cat.PHRASE5_ARTICLE.key}
    assert _pages_with_folded_phrase(cat.PHRASE5) == {cat.PHRASE5_ARTICLE.key}
    scattered = cat.tokens(_page_text(cat.PHRASE5_SCATTERED_ARTICLE))
    assert set(cat.tokens(cat.PHRASE5)) <= set(scattered)


def test_tone_placement_articles() -> None:
    for old, new in cat.TONE_PAIRS:
        assert _pages_with_exact_phrase(old) == {cat.OLD_TONE_ARTICLE.key}
        assert _pages_with_exact_phrase(new) == {cat.NEW_TONE_ARTICLE.key}
        assert cat.fold(old) == cat.fold(new)
        assert _pages_with_folded_phrase(old) == _keys(cat.TONE_ARTICLES)
    tone_words = {"hòa", "hoà", "thủy", "thuỷ", "khỏe", "khoẻ"}
    for article in cat.ALL_ARTICLES:
        if article not in cat.TONE_ARTICLES:
            assert not tone_words & set(cat.tokens(_page_text(article))), article.key


_OLD_STYLE = re.compile(r"(?:[òóỏõọ][ae]|(?<!q)[ùúủũụ]y)$")
_NEW_STYLE = re.compile(r"(?:o[àáảãạèéẻẽẹ]|(?<!q)u[ỳýỷỹỵ])$")


@pytest.mark.parametrize("article", cat.ALL_ARTICLES, ids=lambda a: a.key)
def test_each_page_keeps_one_tone_style(article: cat.Article) -> None:
    words = set(cat.tokens(_page_text(article)))
    old = {w for w in words if _OLD_STYLE.search(w)}
    new = {w for w in words if _NEW_STYLE.search(w)}
    if cat.OUTLETS_BY_KEY[article.outlet].tone_style == "old":
        assert not new, new
    else:
        assert not old, old


def test_ban_words_are_each_in_one_page() -> None:
    for word, article in cat.BAN_WORDS.items():
        assert _pages_with_exact_phrase(word) == {article.key}, word
    folded = {a.key for a in cat.ALL_ARTICLES if "ban" in _folded_tokens(a)}
    assert folded == _keys(list(cat.BAN_WORDS.values()))
    for word, article in cat.BAN_WORDS.items():
        variants = {t for t in cat.tokens(_page_text(article)) if cat.fold(t) == "ban"}
        assert variants == {word}


def test_viet_nam_articles() -> None:
    with_phrase = {a.key for a in cat.ALL_ARTICLES if "việt nam" in _page_text(a).casefold()}
    assert with_phrase == _keys(cat.VIET_NAM_ARTICLES)
    assert "VIỆT NAM" in cat.UPPERCASE_TITLE_ARTICLE.title
    assert [a.key for a in cat.ALL_ARTICLES if "VIỆT NAM" in a.title] == [
        cat.UPPERCASE_TITLE_ARTICLE.key
    ]
    for article in cat.ALL_ARTICLES:
        folded = _folded_tokens(article)
        for i, word in enumerate(folded):
            if word == "viet":
                assert folded[i + 1 : i + 2] == ["nam"], article.key
        assert ("viet" in folded) is (article in cat.VIET_NAM_ARTICLES)


@pytest.mark.parametrize("article", cat.ALL_ARTICLES, ids=lambda a: a.key)
def test_distinctive_words_are_in_one_page_only(article: cat.Article) -> None:
    assert article.words
    for word in article.words:
        assert _pages_with_folded_phrase(word) == {article.key}, word


def test_robots_txt_disallows_the_private_page_only() -> None:
    robots = Protego.parse(cat.raw_page(cat.ROBOTS_TXT_PATH))
    assert not robots.can_fetch("http://127.0.0.1:1" + cat.ROBOTS_DISALLOWED_PATH, "press-monitor")
    for path in [*cat.ARTICLES_BY_PATH, *cat.GOOD_FEED_PATHS, *cat.BAD_FEED_PATHS]:
        assert robots.can_fetch("http://127.0.0.1:1" + path, "press-monitor"), path
    assert cat.FEEDS_BY_PATH[cat.ROBOTS_FEED_PATH].entries == (cat.ROBOTS_DISALLOWED_PATH,)


def test_homepage_advertises_its_feed() -> None:
    tree = lxml.html.document_fromstring(cat.raw_page(cat.HOMEPAGE_PATH))
    hrefs = tree.xpath("//link[@rel='alternate'][@type='application/rss+xml']/@href")
    assert tuple(hrefs) == cat.HOMEPAGE_FEED_PATHS


def test_fixtures_never_point_outside_the_local_site() -> None:
    allowed = {
        "http://purl.org/rss/1.0/modules/slash/",
        "http://www.w3.org/2005/Atom",
        "https://schema.org",
    }
    for file in SITE_DIR.rglob("*"):
        if file.is_file():
            text = file.read_text(encoding="utf-8")
            found = set(re.findall(r"(?:https?:)?//[^\s\"'<>]+", text))
            assert found <= allowed, (file, found - allowed)
