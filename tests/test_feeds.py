from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest

from monitor.collect.feed_dates import parse_date
from monitor.collect.feed_parser import absolute_url, parse_feed
from monitor.decoding import decode_markup
from monitor.errors import FeedError
from monitor.timestamps import VIETNAM

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


# ---------------------------------------------------------------------------- fixture files

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
TITLES = ["Mưa lớn ở miền Trung, nhiều hồ thuỷ điện xả lũ", "Người trẻ ở Huế giữ nghề làm nón lá"]
LEAD = "Nước sông Vu Gia dâng cao, hàng trăm hộ dân ở Đại Lộc phải sơ tán trong đêm."


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("utf-8.rss", "application/rss+xml; charset=utf-8"),
        ("utf-8.rss", None),
        ("utf-16-bom.rss", "application/rss+xml"),
        ("utf-16le-no-bom.rss", None),
        ("utf-16be-no-bom.rss", "text/xml"),
        ("windows-1258.rss", "application/rss+xml; charset=windows-1258"),
        ("windows-1258.rss", None),
        # The server's default charset is wrong; the XML declaration is right.
        ("windows-1258.rss", "text/xml; charset=iso-8859-1"),
        ("utf-8.rss", "application/rss+xml; charset=iso-8859-1"),
        # The XML declaration is wrong, about UTF-8 bytes and about windows-1258 bytes.
        ("utf-8-declared-iso-8859-1.rss", None),
        ("utf-8-declared-iso-8859-1.rss", "application/xml; charset=iso-8859-1"),
        ("windows-1258-declared-utf-8.rss", None),
        ("windows-1258-declared-utf-8.rss", "application/rss+xml; charset=iso-8859-1"),
    ],
)
def test_every_encoding_gives_the_same_nfc_text(name: str, content_type: str | None) -> None:
    body = fixture(name)
    feed = parse_feed(body, url=FEED_URL, content_type=content_type)
    assert feed.title == "Thời sự - Báo Điện tử Miền Trung"
    assert [e.title for e in feed.entries] == TITLES
    assert feed.entries[0].summary == LEAD
    for text in [feed.title, *TITLES, LEAD]:
        assert unicodedata.is_normalized("NFC", text)
    assert (feed.kind, feed.language) == ("rss", "vi")


def test_windows_1258_fixture_really_carries_combining_tone_marks() -> None:
    # "ờ" of "Người" is "ơ" (0xF5) followed by a combining grave accent (0xCC) in windows-1258.
    assert "Ngu\u031b\u01a1\u0300i".encode("cp1258", "replace") not in fixture("windows-1258.rss")
    assert b"Ng\xfd\xf5\xcci" in fixture("windows-1258.rss")
    decoded = fixture("windows-1258.rss").decode("cp1258")
    assert not unicodedata.is_normalized("NFC", decoded)


def test_a_wrong_declaration_read_as_windows_1258_is_reported() -> None:
    feed = parse_feed(fixture("windows-1258-declared-utf-8.rss"), url=FEED_URL)
    assert feed.warnings == ["bytes are not utf-8 as declared; read as cp1258"]


def test_decode_markup_prefers_the_bytes_to_a_latin_1_header() -> None:
    decoded = decode_markup("<p>Hoà</p>".encode(), "text/html; charset=ISO-8859-1")
    assert (decoded.text, decoded.encoding, decoded.warnings) == ("<p>Hoà</p>", "utf-8", [])


def test_feed_links_resolve_against_the_feed_url() -> None:
    feed = parse_feed(fixture("utf-8.rss"), url=FEED_URL)
    assert [e.url for e in feed.entries] == [
        "https://bao.example.vn/thoi-su/mua-lon-o-mien-trung-4960588.html",
        "https://bao.example.vn/van-hoa/nguoi-tre-o-hue-giu-nghe-lam-non-la.html",
    ]
    # The first item has a guid; the second none, so its link stands in.
    assert [e.guid for e in feed.entries] == [e.url for e in feed.entries]


def test_links_resolve_against_xml_base() -> None:
    feed = parse_feed(fixture("xml-base.atom"), url="https://bao.example.vn/atom.xml")
    assert feed.kind == "atom"
    assert [e.url for e in feed.entries] == [
        "https://cdn.example.vn/tin/da-lat-vao-mua-da-quy-4961050.html",
        "https://cdn.example.vn/du-lich/an-toan-tai-khoan-4960911.html",
    ]
    assert [e.published for e in feed.entries] == [
        datetime(2026, 11, 23, 9, 50, tzinfo=UTC),
        datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
    ]


def test_duplicate_guids_keep_the_first_entry_and_warn() -> None:
    feed = parse_feed(fixture("duplicate-guids.rss"), url=FEED_URL)
    assert [(e.guid, e.title) for e in feed.entries] == [
        ("4961203", "Lạm phát năm 2026 dự báo dưới 4%"),
        ("4961210", "Giá vàng hôm nay"),
    ]
    assert feed.warnings == ["1 entries with a repeated guid skipped (the first kept): '4961203'"]


def test_truncated_feed_is_salvaged_even_cut_inside_a_character() -> None:
    body = fixture("truncated.rss")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    feed = parse_feed(body, url=FEED_URL, content_type="application/rss+xml; charset=iso-8859-1")
    assert [e.title for e in feed.entries] == TITLES
    assert feed.entries[0].summary == LEAD
    assert feed.entries[1].published is None  # its pubDate was cut off
    assert "1 invalid UTF-8 sequences replaced" in feed.warnings
    assert any(w.startswith("malformed feed, 2 entries salvaged") for w in feed.warnings)


def test_undefined_entities_and_bare_ampersands_are_salvaged() -> None:
    feed = parse_feed(fixture("malformed-entities.rss"), url=FEED_URL)
    assert [e.title for e in feed.entries] == [
        "Khám sức khoẻ miễn phí cho người dân",
        "Hà Nội & TP HCM đón đợt không khí lạnh",
    ]
    assert (
        feed.entries[0].url == "https://bao.example.vn/xa-hoi/kham-suc-khoe.html?id=4961150&src=rss"
    )
    assert feed.warnings[0].startswith("malformed feed, 2 entries salvaged")


def test_html_error_names_the_content_type_and_the_page_title() -> None:
    page = "<!-- x --><html lang='vi'><head><title>Trang chủ | Báo</title></head></html>"
    with pytest.raises(FeedError) as info:
        parse_feed(page.encode(), url=FEED_URL, content_type="text/html; charset=utf-8")
    assert str(info.value) == (
        "got an HTML page, not a feed (is the feed URL right?): text/html, titled 'Trang chủ | Báo'"
    )


def test_a_feed_that_names_a_local_file_is_not_read_from_disk(tmp_path: Path) -> None:
    secret = tmp_path / "feed.rss"
    secret.write_bytes(fixture("utf-8.rss"))
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(str(secret).encode(), url=FEED_URL)


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("written", "naive", "expected"),
    [
        ("Thứ bảy, 22/11/2026 - 20:15", UTC, datetime(2026, 11, 22, 13, 15, tzinfo=UTC)),
        ("20:15 22/11/2026", UTC, datetime(2026, 11, 22, 13, 15, tzinfo=UTC)),
        ("22-11-2026 20:15:30 GMT+8", UTC, datetime(2026, 11, 22, 12, 15, 30, tzinfo=UTC)),
        ("22/11/2026", UTC, datetime(2026, 11, 21, 17, 0, tzinfo=UTC)),
        ("2026-11-22T20:15:00", UTC, datetime(2026, 11, 22, 20, 15, tzinfo=UTC)),
        ("2026-11-22 20:15:00", VIETNAM, datetime(2026, 11, 22, 13, 15, tzinfo=UTC)),
        ("2026/11/22 20:15", VIETNAM, datetime(2026, 11, 22, 13, 15, tzinfo=UTC)),
        ("2026-11-22T20:15:00.123Z", VIETNAM, datetime(2026, 11, 22, 20, 15, tzinfo=UTC)),
        ("2026-11-22 20:15:00 GMT+7", UTC, datetime(2026, 11, 22, 13, 15, tzinfo=UTC)),
        ("Sun, 22 Nov 2026 20:15:00", VIETNAM, datetime(2026, 11, 22, 13, 15, tzinfo=UTC)),
        ("Sun, 22 Nov 2026 20:15:00 ICT", UTC, datetime(2026, 11, 22, 13, 15, tzinfo=UTC)),
        ("Sun, 22 Nov 2026 20:15:00 GMT+07:00", UTC, datetime(2026, 11, 22, 13, 15, tzinfo=UTC)),
        ("22 November 2026 08:15 -0500", UTC, datetime(2026, 11, 22, 13, 15, tzinfo=UTC)),
        ("31/02/2026 10:00", UTC, None),
        ("hôm qua", UTC, None),
        ("Sun, 22 Nov 2026 20:15:00 XYZT", UTC, None),
    ],
)
def test_parse_date(written: str, naive: tzinfo, expected: datetime | None) -> None:
    assert parse_date(written, naive=naive) == expected


def test_zone_less_dates_are_vietnam_time_in_vietnamese_feeds_only() -> None:
    entry = item("Tin", "https://bao.example.vn/a.html", "2026-11-22 20:15:00")
    vietnamese = parse_feed(rss(entry, "<language>vi-VN</language>"), url="https://x.example/a")
    english = parse_feed(rss(entry, "<language>en</language>"), url=FEED_URL)
    by_host = parse_feed(rss(entry), url=FEED_URL)
    assert vietnamese.entries[0].published == datetime(2026, 11, 22, 13, 15, tzinfo=UTC)
    assert english.entries[0].published == datetime(2026, 11, 22, 20, 15, tzinfo=UTC)
    assert by_host.entries[0].published == vietnamese.entries[0].published


def test_a_date_only_feedparser_understands_is_still_used() -> None:
    # asctime() is beyond parse_date; feedparser reads it (as UTC).
    entry = item("Tin", "https://bao.example.vn/a.html", "Sun Nov 22 20:15:00 2026")
    assert parse_date("Sun Nov 22 20:15:00 2026") is None
    feed = parse_feed(rss(entry), url=FEED_URL)
    assert feed.entries[0].published == datetime(2026, 11, 22, 20, 15, tzinfo=UTC)


def test_an_updated_date_stands_in_for_a_missing_published_one() -> None:
    entry = (
        "<item><title>T</title><link>https://bao.example.vn/a.html</link>"
        "<dc:date>2026-11-22T20:15:00+07:00</dc:date></item>"
    )
    dc = b'<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    body = rss(entry).replace(b'<rss version="2.0">', dc)
    feed = parse_feed(body, url=FEED_URL)
    assert feed.entries[0].published == datetime(2026, 11, 22, 13, 15, tzinfo=UTC)


# ---------------------------------------------------------------------------- sitemaps


def test_news_sitemap_is_a_feed() -> None:
    feed = parse_feed(fixture("news-sitemap.xml"), url="https://bao.example.vn/sitemap-news.xml")
    assert (feed.kind, feed.title, feed.language, feed.warnings) == (
        "sitemap",
        "Báo Điện tử Miền Trung",
        "vi",
        [],
    )
    first = feed.entries[0]
    assert (
        first.guid
        == first.url
        == (
            "https://bao.example.vn/thoi-su/ha-noi-ban-hanh-quy-dinh-vung-phat-thai-thap-4961301.html"
        )
    )
    assert [e.title for e in feed.entries] == [
        "Hà Nội ban hành quy định vùng phát thải thấp trong vành đai 1",
        "Thi tốt nghiệp THPT sẽ thí điểm làm bài trên máy tính",
        "Giá rau xanh tăng gấp đôi sau mùa lũ",
    ]
    # With an offset; without one in a Vietnamese sitemap; a bare day (Vietnam's midnight).
    assert [e.published for e in feed.entries] == [
        datetime(2026, 11, 22, 23, 30, tzinfo=UTC),
        datetime(2026, 11, 22, 14, 45, tzinfo=UTC),
        datetime(2026, 11, 21, 17, 0, tzinfo=UTC),
    ]


def test_plain_sitemap_with_lastmod_is_a_feed_without_titles() -> None:
    feed = parse_feed(fixture("sitemap-lastmod.xml"), url="https://bao.example.vn/sitemap.xml")
    assert feed.kind == "sitemap" and feed.title is None
    assert [e.url.rsplit("/", 1)[1] for e in feed.entries] == [
        "trien-lam-tranh-son-mai-4961100.html",
        "u23-viet-nam-thang-nguoc-uzbekistan-4961090.html",
    ]
    assert [e.title for e in feed.entries] == [None, None]
    # The bare day of the second is midnight in Vietnam: the sitemap is on a .vn host.
    assert [e.published for e in feed.entries] == [
        datetime(2026, 11, 21, 7, 20, tzinfo=UTC),
        datetime(2026, 11, 20, 17, tzinfo=UTC),
    ]
    elsewhere = parse_feed(fixture("sitemap-lastmod.xml"), url="https://example.com/sitemap.xml")
    assert elsewhere.entries[1].published == datetime(2026, 11, 21, tzinfo=UTC)
    assert feed.warnings == ["1 sitemap URLs without news tags or lastmod skipped"]


def test_sitemap_without_dates_is_not_a_news_feed() -> None:
    with pytest.raises(FeedError, match="3 URLs without news tags or lastmod dates"):
        parse_feed(fixture("sitemap-plain.xml"), url="https://bao.example.vn/sitemap.xml")


def test_sitemap_index_names_its_first_children() -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(fixture("sitemap-index.xml"), url="https://bao.example.vn/sitemap.xml")
    message = str(info.value)
    assert message.startswith("a sitemap index, not a feed: it lists 5 sitemaps")
    assert "https://bao.example.vn/sitemaps/news.xml" in message
    assert "https://bao.example.vn/sitemaps/2026-10.xml, ..." in message
    assert "categories.xml" not in message


def test_truncated_sitemap_is_salvaged_with_a_warning() -> None:
    body = fixture("news-sitemap.xml")
    cut = body[: body.index(b"<url>", body.index(b"</url>"))]  # ends after the first </url>
    feed = parse_feed(cut + b"<url><loc>https://bao.exa", url="https://bao.example.vn/s.xml")
    assert len(feed.entries) == 1
    assert feed.warnings[0].startswith("malformed sitemap, 2 URLs salvaged")


def test_sitemap_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("bí mật")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY s SYSTEM "file://{secret}">]>
<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>
<loc>https://bao.example.vn/a.html</loc>
<news:news><news:title>Tin &s;</news:title>
<news:publication_date>2026-11-22T20:15:00+07:00</news:publication_date></news:news>
</url></urlset>""".encode()
    feed = parse_feed(body, url="https://bao.example.vn/s.xml")
    assert "bí mật" not in (feed.entries[0].title or "")
