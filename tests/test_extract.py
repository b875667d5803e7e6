from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import lxml.html
import pytest
import trafilatura
from lxml.html import HtmlElement

from monitor.errors import ExtractError
from monitor.extract.article import decode_html, extract_article
from monitor.extract.boilerplate import strip_trailing_lists, unwrap_layout_tables
from monitor.extract.headline import strip_outlet_suffix
from monitor.models import FeedHints
from monitor.timestamps import VIETNAM

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


def test_the_headline_is_the_title_and_not_repeated_as_the_first_line_of_text() -> None:
    # The headline sits inside the article block, where trafilatura keeps it as a text line.
    html = page("Hà Nội tổng kết phòng chống thiên tai")
    article = extract_article(
        html.encode(), url="https://vnexpress.net/b.html", content_type=None, hints=FeedHints()
    )
    assert article.title == "Hà Nội tổng kết phòng chống thiên tai"
    assert article.text.startswith("Chiều 22/11")
    assert "phòng chống thiên tai" not in article.text.split("\n")[0][:40]


@pytest.mark.parametrize(
    "opening",
    [
        "<p>Thứ Tư, 26/12/2012 17:14</p>",
        "<p>Thứ năm, 20/12/2012, 10:18 GMT+7 Hà Nội tổng kết phòng chống thiên tai</p>",
        "<p>Cập nhật lúc 08:30 ngày 22/11/2026 (GMT+7)</p>",
    ],
)
def test_a_printed_date_opening_the_text_is_dropped(opening: str) -> None:
    html = page("Hà Nội tổng kết phòng chống thiên tai").replace("<article>", f"<article>{opening}")
    article = extract_article(
        html.encode(), url="https://vnexpress.net/d.html", content_type=None, hints=FeedHints()
    )
    assert article.text.startswith("Chiều 22/11")


def test_a_first_sentence_holding_a_date_is_kept() -> None:
    html = page("Hà Nội tổng kết phòng chống thiên tai").replace(
        "<article>", "<article><p>Sáng 22/11/2026, trời mưa.</p>"
    )
    article = extract_article(
        html.encode(), url="https://vnexpress.net/e.html", content_type=None, hints=FeedHints()
    )
    assert article.text.startswith("Sáng 22/11/2026, trời mưa.")


def test_navigation_links_under_the_text_are_dropped() -> None:
    # As Người Lao Động printed it in 2012: the byline, then a bare link after the article.
    html = page("Hà Nội tổng kết phòng chống thiên tai").replace(
        "</article>",
        '<div style="text-align:right">K. Miên</div>'
        '<a href="javascript: history.go(-1)" class="goback">[Quay lại]</a> [In bài]</article>',
    )
    article = extract_article(
        html.encode(), url="https://vnexpress.net/f.html", content_type=None, hints=FeedHints()
    )
    assert article.text.endswith("K. Miên")


def test_a_text_that_is_only_its_headline_keeps_it() -> None:
    html = (
        "<html><body><article><h1>Ảnh: Hoàng hôn trên vịnh Hạ Long lúc sáu giờ chiều</h1>"
        "</article></body></html>"
    )
    hints = FeedHints(summary="Ảnh: Hoàng hôn trên vịnh Hạ Long lúc sáu giờ chiều")
    article = extract_article(
        html.encode(), url="https://vnexpress.net/c.html", content_type="text/html", hints=hints
    )
    assert article.text


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


def test_contract_fields_method_versions_canonical_and_flags() -> None:
    html = page("Hà Nội tổng kết phòng chống thiên tai - VnExpress").replace(
        "</head>", '<link rel="canonical" href="/thoi-su/tong-ket-123.html"></head>'
    )
    article = extract_article(
        html.encode(), url="https://vnexpress.net/a.html", content_type=None, hints=FeedHints()
    )
    assert article.method == "trafilatura"
    assert article.canonical_url == "https://vnexpress.net/thoi-su/tong-ket-123.html"
    assert article.versions["trafilatura"] == trafilatura.__version__
    assert set(article.versions) >= {"trafilatura", "lxml", "press-monitor"}
    assert "no_date" in article.flags
    stored = article.as_dict()
    assert stored["flags"] == list(article.flags)
    assert stored["method"] == "trafilatura"
    assert stored["canonical_url"] == article.canonical_url
    assert stored["versions"] == article.versions


def test_og_url_is_the_canonical_url_when_there_is_no_link() -> None:
    html = page("Tin").replace(
        "</head>", '<meta property="og:url" content="https://x.vn/tin-1.html"></head>'
    )
    article = extract_article(
        html.encode(), url="https://x.vn/tin-1.html?utm=rss", content_type=None, hints=FeedHints()
    )
    assert article.canonical_url == "https://x.vn/tin-1.html"
    bare = extract_article(
        page("Tin").encode(), url="https://x.vn/a.html", content_type=None, hints=FeedHints()
    )
    assert bare.canonical_url is None


def test_the_feed_summary_is_a_recorded_fallback_for_a_page_with_little_text() -> None:
    summary = BODY * 2
    html = "<html><body><nav><a href='/'>Trang chủ</a></nav><p>Ảnh.</p></body></html>"
    article = extract_article(
        html.encode(),
        url="https://x.vn/a.html",
        content_type=None,
        hints=FeedHints(summary=summary),
    )
    assert article.method == "feed-summary"
    assert article.text == summary
    assert article.extractor.startswith("feed-summary (trafilatura")


def test_a_video_page_keeps_its_lead_and_is_flagged() -> None:
    """No body to speak of: the lead is the text, and the page is flagged, not dropped."""
    html = (
        '<html lang="vi"><head><title>Video: Lũ quét ở Hà Giang | VTV.VN</title>'
        '<meta property="og:type" content="video.other"></head><body>'
        '<video src="/v.mp4"></video><h1>Video: Lũ quét ở Hà Giang</h1>'
        '<div class="time">10/09/2024 18:45</div>'
        '<div class="sapo">Lũ quét chiều 10/9 cuốn trôi cầu tạm bắc qua suối ở xã Thượng Sơn, '
        "khiến hơn 200 hộ dân bị cô lập.</div></body></html>"
    )
    article = extract_article(
        html.encode(), url="https://vtv.vn/video/lu-quet.htm", content_type=None, hints=FeedHints()
    )
    assert article.title == "Video: Lũ quét ở Hà Giang"
    assert article.method in ("trafilatura", "lead-only")
    assert "khiến hơn 200 hộ dân bị cô lập." in article.text
    assert article.flags == ("not_article", "short")
    assert article.published == datetime(2024, 9, 10, 11, 45, tzinfo=UTC)


def test_the_printed_headline_beats_a_decorated_title_tag() -> None:
    html = (
        page("Tin")
        .replace(
            "<title>Tin</title>",
            "<title>Du học sinh Việt ở Nhật-du hoc sinh viet o nhat | Giáo dục | 24h</title>",
        )
        .replace("<h1>Tin</h1>", "<h1>Du học sinh Việt ở Nhật</h1>")
    )
    article = extract_article(
        html.encode(), url="https://24h.com.vn/a.html", content_type=None, hints=FeedHints()
    )
    assert article.title == "Du học sinh Việt ở Nhật"


@pytest.mark.parametrize(
    ("shown", "local"),
    [
        ("Thứ sáu, 28/12/2012, 14:46 GMT+7", (2012, 12, 28, 14, 46)),
        ("Thứ năm, 27/12/2012 - 7:45 AM", (2012, 12, 27, 7, 45)),
        ("Cập nhật thứ hai, ngày 24/12/12 11:05 tối", (2012, 12, 24, 23, 5)),
        ("08:00 8/11/2023", (2023, 11, 8, 8, 0)),
        ("Thứ Bảy, 09:45, 29/04/2023", (2023, 4, 29, 9, 45)),
        ("Thứ Hai, 14-11-2022, 19:52", (2022, 11, 14, 19, 52)),
        ("Thứ Ba, ngày 12/03/2024 14:20 PM (GMT+7)", (2024, 3, 12, 14, 20)),
        ("Chủ Nhật, 14/11/2021 - 10h30", (2021, 11, 14, 10, 30)),
    ],
)
def test_dates_printed_on_the_page_are_read_in_vietnam_time(
    shown: str, local: tuple[int, int, int, int, int]
) -> None:
    html = page("Tin").replace("<h1>Tin</h1>", f'<h1>Tin</h1><span class="x">{shown}</span>')
    article = extract_article(
        html.encode(), url="https://x.vn/a.html", content_type=None, hints=FeedHints()
    )
    assert article.published == datetime(*local, tzinfo=VIETNAM)
    assert article.date_source == "page"


def test_the_date_next_to_the_headline_beats_a_sidebar_of_other_articles_times() -> None:
    times = [f"1{i}:00 | 26/12/2012" for i in range(4)]
    sidebar = "".join(f'<li><label class="time">{t}</label></li>' for t in times)
    html = page("Tin").replace(
        "<article>", f"<ul>{sidebar}</ul><article><span class='spanTime'>20/12/2012, 10:18</span>"
    )
    article = extract_article(
        html.encode(), url="https://x.vn/a.html", content_type=None, hints=FeedHints()
    )
    assert article.published == datetime(2012, 12, 20, 10, 18, tzinfo=VIETNAM)


def test_declared_language_is_kept_apart_from_the_detected_one() -> None:
    english = " ".join(
        ["The city said it would study support policies for residents who switch."] * 6
    )
    html = f'<html lang="vi"><head><title>Hanoi</title></head><body><p>{english}</p></body></html>'
    article = extract_article(
        html.encode(), url="https://x.vn/a.html", content_type=None, hints=FeedHints()
    )
    assert (article.language, article.declared_language) == ("en", "vi")
    no_lang = page("Tin").replace(' lang="vi"', "")
    hinted = extract_article(
        no_lang.encode(),
        url="https://x.vn/a.html",
        content_type=None,
        hints=FeedHints(language="vi"),
    )
    assert hinted.declared_language == "vi"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Giá vàng tăng | Kinh doanh | Soha.vn", "Giá vàng tăng"),
        ("Thông xe cao tốc Mai Sơn - Quốc lộ 45 | VOV.VN", "Thông xe cao tốc Mai Sơn - Quốc lộ 45"),
        ("Xe khách lật | Thời sự trong nước | Người Lao Động Online", "Xe khách lật"),
        ("Hoa hậu làm đại sứ: Tin, Video clip, Hình ảnh Ngôi Sao", "Hoa hậu làm đại sứ"),
        ("Ông Phúc: Lạm phát sẽ dưới 4%", "Ông Phúc: Lạm phát sẽ dưới 4%"),
    ],
)
def test_outlet_and_section_suffixes(title: str, expected: str) -> None:
    names = {"Soha.vn": "Soha", "VOV": "VOV", "Người Lao Động": "Người Lao Động"}
    source = next((s for key, s in names.items() if key in title), "Ngôi Sao")
    assert strip_outlet_suffix(title, source, None) == expected


def _tree(body: str) -> HtmlElement:
    return lxml.html.fromstring(f"<html><body>{body}</body></html>")


def test_a_trailing_list_of_dated_headlines_is_cut_and_the_byline_kept() -> None:
    related = ["Học sinh tiểu học ngày càng ít chữ", "Một trường có ba lớp học ghép ở vùng cao"]
    tree = _tree(
        "<p>Bài văn của em được cô khen.</p><p>Theo Giáo dục</p><p>0912.34.56.78</p><ul>"
        + "".join(
            f'<li><a href="/a{i}">{t}</a> <span>Ngày 2{i}/11/2012</span></li>'
            for i, t in enumerate(related)
        )
        + "</ul>"
    )
    text = "\n".join(
        [BODY, "Theo Giáo dục", "0912.34.56.78"]
        + [f"{t} Ngày 2{i}/11/2012" for i, t in enumerate(related)]
    )
    assert strip_trailing_lists(text, tree) == f"{BODY}\nTheo Giáo dục"


def test_headed_teaser_lists_and_see_all_links_are_cut() -> None:
    tree = _tree(
        "<p>Đoạn cuối của bài.</p><h2>Thông tin cập nhật về Kindle</h2>"
        '<ul><li><a href="/1">Kindle mới có đèn nền sáng hơn</a></li>'
        '<li><a href="/2">Máy đọc sách giảm giá cuối năm</a></li></ul>'
        '<a href="/tag">Xem tất cả >></a>'
        '<div><h3>Xu hướng</h3><h4><a href="/3">Áo khoác dạ trở lại</a></h4>'
        "<p>(Xinh Xinh) - Mùa đông năm nay, áo khoác dạ dáng dài...</p></div>"
    )
    text = BODY + (
        "\nThông tin cập nhật về Kindle\n- Kindle mới có đèn nền sáng hơn\n"
        "- Máy đọc sách giảm giá cuối năm\nXem tất cả >>\nXu hướng\nÁo khoác dạ trở lại\n"
        "(Xinh Xinh) - Mùa đông năm nay, áo khoác dạ dáng dài..."
    )
    assert strip_trailing_lists(text, tree) == BODY


def test_pagers_and_calendar_rows_are_cut() -> None:
    tree = _tree("<p>Theo Hải Yến</p>")
    text = BODY + (
        "\nTheo Hải Yến (Tổng hợp)\nTHÔNG TIN DOANH NGHIỆP\nTrang trước, [1], 2, 3\n"
        "|  |  |  |  |  |  | X |\n| CN | T2 | T3 | T4 | T5 | T6 | T7 |"
    )
    assert strip_trailing_lists(text, tree) == f"{BODY}\nTheo Hải Yến (Tổng hợp)"


def test_an_article_ending_on_one_link_or_a_listing_is_left_whole() -> None:
    tree = _tree(
        '<p>Mời xem thêm <a href="/v">Video toàn cảnh vụ cháy chợ</a></p>'
        + "".join(f'<p><a href="/{i}">Tin số {i} trong ngày hôm nay</a></p>' for i in range(6))
    )
    ending_on_a_link = f"{BODY}\nVideo toàn cảnh vụ cháy chợ"
    assert strip_trailing_lists(ending_on_a_link, tree) == ending_on_a_link
    listing = "\n".join(["Trang chủ"] + [f"Tin số {i} trong ngày hôm nay" for i in range(6)])
    assert strip_trailing_lists(listing, tree) == listing


def test_layout_tables_become_divs_and_data_tables_stay() -> None:
    tree = _tree(
        "<table><tr><td><h1>Tiêu đề</h1><p>Nội dung</p>"
        "<table><tr><th>Năm</th><th>Sản lượng</th></tr><tr><td>2012</td><td>40</td></tr>"
        "</table></td><td>Cột phải</td></tr></table>"
    )
    assert unwrap_layout_tables(tree) == 1
    assert [t.tag for t in tree.iter("table", "tr", "td", "th")] == [
        "table",
        "tr",
        "th",
        "th",
        "tr",
        "td",
        "td",
    ]
    assert tree.find(".//h1").getparent().tag == "div"


def test_a_headline_printed_as_h3_under_a_logo_h1_is_the_title() -> None:
    html = (
        "<html><head><title>Chú mèo đi xe buýt - Ảnh | Trang tin giới trẻ - VnExpress iOne"
        '</title></head><body><h1 id="logo">Trang tin giới trẻ - VnExpress iOne</h1>'
        f"<h3 class=Title>Chú mèo đi xe buýt</h3><p>{BODY}</p><p>{BODY}</p></body></html>"
    )
    article = extract_article(
        html.encode(),
        url="http://ione.vnexpress.net/a.html",
        content_type=None,
        hints=FeedHints(source="VnExpress iOne"),
    )
    assert article.title == "Chú mèo đi xe buýt"


def test_a_linked_headline_holding_a_shorter_link_is_still_a_list_line() -> None:
    tree = _tree(
        '<h3><a href="/s">Nóng bỏng</a></h3><h4><a href="/1">Người mẫu Nóng bỏng từng centimet</a>'
        '</h4><h4><a href="/2">Bộ sưu tập mùa đông rực rỡ</a></h4>'
    )
    text = f"{BODY}\nNóng bỏng\nNgười mẫu Nóng bỏng từng centimet\nBộ sưu tập mùa đông rực rỡ"
    assert strip_trailing_lists(text, tree) == BODY
