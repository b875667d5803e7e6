from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from monitor.errors import FeedError
from monitor.feeds import absolute_url, parse_feed

FEED_URL = "https://bao.example.vn/rss/thoi-su.rss"


def rss(items: str, extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Thời sự</title>{extra}
{items}
</channel></rss>""".encode()


def item(title: str, link: str, date: str | None = None, guid: str | None = None) -> str:
    parts = [f"<title>{title}</title>", f"<link>{link}</link>"]
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    if guid:
        parts.append(f"<guid>{guid}</guid>")
    return "<item>" + "".join(parts) + "</item>"


@pytest.mark.parametrize(
    "written",
    [
        "Sun, 22 Nov 2026 20:15:00 +0700",
        "Sun, 22 Nov 2026 20:15:00 GMT+7",
        "22/11/2026 20:15",
        "Chủ nhật, 22/11/2026 - 20:15",
        "Chủ nhật, 22/11/2026 20:15 (GMT+7)",
    ],
)
def test_vietnamese_date_formats_parse_with_the_right_offset(written: str) -> None:
    feed = parse_feed(rss(item("Tin", "https://bao.example.vn/a.html", written)), url=FEED_URL)
    assert feed.entries[0].published == datetime(2026, 11, 22, 13, 15, tzinfo=UTC)


def test_entry_without_date_keeps_an_unknown_date() -> None:
    feed = parse_feed(rss(item("Tin", "https://bao.example.vn/a.html")), url=FEED_URL)
    assert feed.entries[0].published is None


def test_titles_are_nfc_and_html_is_stripped() -> None:
    nfd_title = unicodedata.normalize("NFD", "Hoà bình &amp; <b>phát triển</b>")
    feed = parse_feed(rss(item(nfd_title, "https://bao.example.vn/a.html")), url=FEED_URL)
    title = feed.entries[0].title
    assert title == "Hoà bình & phát triển"
    assert unicodedata.is_normalized("NFC", title or "")


def test_relative_and_scheme_relative_links_are_resolved() -> None:
    items = item("A", "/thoi-su/a.html") + item("B", "//cdn.example.vn/b.html")
    feed = parse_feed(rss(items), url=FEED_URL)
    assert [e.url for e in feed.entries] == [
        "https://bao.example.vn/thoi-su/a.html",
        "https://cdn.example.vn/b.html",
    ]


def test_html_instead_of_a_feed_is_refused_with_a_reason() -> None:
    page = b"<!DOCTYPE html><html><head><title>Trang chu</title></head><body>x</body></html>"
    with pytest.raises(FeedError, match="HTML page, not a feed"):
        parse_feed(page, url=FEED_URL, content_type="text/html")


def test_empty_body_is_refused() -> None:
    with pytest.raises(FeedError, match="empty"):
        parse_feed(b"  ", url=FEED_URL)


def test_malformed_feed_salvages_entries_with_a_warning() -> None:
    broken = rss(item("A", "https://bao.example.vn/a.html")).replace(
        b"</channel></rss>", b"<item><title>"
    )
    feed = parse_feed(broken, url=FEED_URL)
    assert [e.url for e in feed.entries] == ["https://bao.example.vn/a.html"]
    assert feed.warnings and "malformed" in feed.warnings[0]


def test_garbage_is_not_a_feed() -> None:
    with pytest.raises(FeedError):
        parse_feed(b"\x00\x01 not xml at all <<<", url=FEED_URL)


def test_guid_defaults_to_the_link() -> None:
    feed = parse_feed(rss(item("A", "https://bao.example.vn/a.html")), url=FEED_URL)
    assert feed.entries[0].guid == "https://bao.example.vn/a.html"


def test_absolute_url_rejects_non_http() -> None:
    assert absolute_url("javascript:alert(1)", FEED_URL) is None
    assert absolute_url("mailto:a@b.vn", FEED_URL) is None
    assert absolute_url("", FEED_URL) is None
