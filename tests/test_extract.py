from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from monitor.errors import ExtractError
from monitor.extract import FeedHints, decode_html, extract_article, strip_outlet_suffix

BODY = " ".join(
    [
        "Chiều 22/11, Ủy ban nhân dân thành phố Hà Nội tổ chức hội nghị tổng kết công tác",
        "phòng chống thiên tai năm 2026 với sự tham gia của các sở, ngành và quận, huyện.",
        "Theo báo cáo, mùa mưa bão năm nay gây thiệt hại cho hơn ba nghìn hộ dân ở ngoại thành.",
    ]
)


def page(title: str, *, meta_date: str | None = None, charset: str = "utf-8") -> str:
    date = f'<meta property="article:published_time" content="{meta_date}">' if meta_date else ""
    paragraphs = "".join(f"<p>{BODY}</p>" for _ in range(3))
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="{charset}">'
        f"<title>{title}</title>{date}</head><body>"
        f'<nav><a href="/">Trang chủ</a> <a href="/the-thao">Thể thao</a></nav>'
        f"<article><h1>{title.split(' - ')[0]}</h1>{paragraphs}</article>"
        f"<footer>Bản quyền thuộc về báo</footer></body></html>"
    )


def test_extracts_text_title_and_page_date_with_provenance() -> None:
    html = page(
        "Hà Nội tổng kết phòng chống thiên tai - VnExpress", meta_date="2026-11-22T20:15:00+07:00"
    )
    article = extract_article(
        html.encode(),
        url="https://vnexpress.net/a.html",
        content_type="text/html",
        hints=FeedHints(source="VnExpress"),
    )
    assert article.title == "Hà Nội tổng kết phòng chống thiên tai"
    assert "mùa mưa bão năm nay" in article.text
    assert "Bản quyền" not in article.text
    assert article.published == datetime(2026, 11, 22, 13, 15, tzinfo=UTC)
    assert article.date_source == "page"
    assert article.language == "vi"
    assert article.declared_language == "vi"
    assert article.extractor.startswith("trafilatura")


def test_feed_date_is_used_when_the_page_has_none_and_never_the_fetch_time() -> None:
    feed_date = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    html = page("Tin không ngày")
    dated = extract_article(
        html.encode(),
        url="https://x.vn/a.html",
        content_type=None,
        hints=FeedHints(published=feed_date),
    )
    assert (dated.published, dated.date_source) == (feed_date, "feed")
    undated = extract_article(
        html.encode(), url="https://x.vn/a.html", content_type=None, hints=FeedHints()
    )
    assert (undated.published, undated.date_source) == (None, "none")


def test_future_page_dates_are_rejected() -> None:
    html = page("Tin", meta_date="2031-01-01T00:00:00+07:00")
    article = extract_article(
        html.encode(),
        url="https://x.vn/a.html",
        content_type=None,
        hints=FeedHints(),
        fetched_at=datetime(2026, 11, 23, tzinfo=UTC),
    )
    assert article.date_source != "page"


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: precomposed vowels, tone marks as combining characters."""
    out: list[bytes] = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            out.append((base + "".join(c for c in parts if c in TONE_MARKS)).encode("cp1258"))
    return b"".join(out)


def test_decoding_prefers_the_http_charset_then_meta() -> None:
    text = "Thủ tướng: hoà bình"
    assert decode_html(text.encode("utf-16"), "text/html; charset=utf-16") == text
    cp1258 = to_cp1258(page(text, charset="windows-1258"))
    assert text in decode_html(cp1258, "text/html")


def test_a_page_without_text_is_an_extract_error() -> None:
    with pytest.raises(ExtractError):
        extract_article(
            b"<html><body></body></html>", url="https://x.vn/", content_type=None, hints=FeedHints()
        )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Giá vàng tăng mạnh - VnExpress", "Giá vàng tăng mạnh"),
        ("Giá vàng tăng mạnh | Báo Dân trí", "Giá vàng tăng mạnh"),
        ("Giá vàng tăng mạnh - Tuoitre.vn", "Giá vàng tăng mạnh"),
        ("Hà Nội - Hải Phòng thông xe cao tốc", "Hà Nội - Hải Phòng thông xe cao tốc"),
    ],
)
def test_outlet_suffixes_are_removed_but_real_dashes_kept(title: str, expected: str) -> None:
    assert strip_outlet_suffix(title, "VnExpress", None) == expected
