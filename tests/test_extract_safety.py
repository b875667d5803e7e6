"""Extraction never loses the article to its own cleaning: patterns met on real pages.

Each page here reproduces, in markup written for the test, a way real pages broke the former
extractor (pruning a body named like an ad box, inserting an author's bio as the lead, cutting a
related box's headline that the body quotes, reading a CMS's local time as UTC…). The real
pages themselves are scored by bench/extraction_eval.py --real, beside bare trafilatura.
"""

from __future__ import annotations

from datetime import UTC, datetime

import trafilatura

from monitor.extract.article import STEPS, decode_html, extract_article
from monitor.extract.boilerplate import _names_box
from monitor.models import Article, FeedHints

SENTENCES = (
    "Ủy ban nhân dân thành phố Hà Nội vừa tổ chức hội nghị tổng kết công tác phòng chống thiên "
    "tai năm 2026 với sự tham gia của các sở, ngành và quận, huyện trên địa bàn.",
    "Theo báo cáo, mùa mưa bão năm nay gây thiệt hại cho hơn ba nghìn hộ dân ở các xã ngoại "
    "thành, nhiều tuyến đường bị ngập sâu trong nhiều ngày liền.",
    "Lãnh đạo thành phố yêu cầu các đơn vị rà soát hệ thống thoát nước, chuẩn bị phương án sơ "
    "tán dân và dự trữ lương thực trước mùa mưa năm sau.",
    "Các chuyên gia cho rằng việc quy hoạch lại các vùng trũng và mở rộng hồ điều hòa là giải "
    "pháp lâu dài để giảm ngập cho khu vực nội đô.",
)
HEADLINE = "Hà Nội tổng kết công tác phòng chống thiên tai năm 2026"
LEAD = (
    "Mùa mưa bão năm nay gây thiệt hại cho hơn ba nghìn hộ dân, thành phố yêu cầu rà soát hệ "
    "thống thoát nước."
)
RELATED = ("Giá vàng hôm nay tăng mạnh phiên đầu tuần", "Bão số 9 đổ bộ vào miền Trung chiều nay")


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def related_box(css: str) -> str:
    items = "".join(f'<li><a href="/tin-{i}.html">{t}</a></li>' for i, t in enumerate(RELATED))
    return f'<div class="{css}"><h3>Tin liên quan</h3><ul>{items}</ul></div>'


def page(body: str, *, head: str = "", before: str = "", after: str = "") -> bytes:
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{HEADLINE} - Báo Mẫu</title>{head}</head><body>"
        '<nav class="menu"><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a></nav>'
        f"{before}{body}{after}<footer>Bản quyền thuộc về Báo Mẫu</footer></body></html>"
    ).encode()


def extract(html: bytes, url: str = "https://baomau.vn/ha-noi-tong-ket-123456.html") -> Article:
    return extract_article(
        html,
        url=url,
        content_type="text/html",
        hints=FeedHints(source="Báo Mẫu"),
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
    )


def test_box_names_are_whole_words_of_a_box_not_fragments_of_a_longer_name() -> None:
    for name in ("box-ads", "relatedNewsBox", "hotNews", "most-read", "detail__related"):
        assert _names_box(name, ""), name
    assert _names_box("", "box-tinlienquanv2")
    # VnExpress 2019–2021 named its article body this way.
    assert not _names_box("content_detail fck_detail width_common block_ads_connect", "")
    assert not _names_box("content-detail", "main-content")


def test_an_article_element_named_like_an_ad_box_keeps_its_whole_text() -> None:
    body = (
        f'<article class="content_detail fck_detail width_common block_ads_connect">'
        f"<h1>{HEADLINE}</h1>{paragraphs(*SENTENCES)}</article>"
    )
    article = extract(page(body))
    for sentence in SENTENCES:
        assert sentence in article.text


def test_a_related_box_inside_the_body_is_cut_but_a_sentence_the_body_shares_with_it_stays() -> (
    None
):
    quoted = f"Trước đó, bài {RELATED[0]} đã được nhiều bạn đọc quan tâm và chia sẻ rộng rãi."
    body = (
        f"<article><h1>{HEADLINE}</h1>{paragraphs(*SENTENCES[:2])}"
        f"{related_box('box-tinlienquan')}{paragraphs(SENTENCES[2], quoted, SENTENCES[3])}"
        "</article>"
    )
    text = extract(page(body)).text
    assert all(sentence in text for sentence in SENTENCES)
    assert quoted in text
    assert RELATED[1] not in text
    assert "Tin liên quan" not in text


def test_a_lead_block_below_the_headline_is_kept_and_a_bio_or_tagline_elsewhere_is_not() -> None:
    tagline = "Trang tin tức tổng hợp của Báo Mẫu, cập nhật liên tục suốt ngày đêm."
    bio = "Nguyễn Văn An là phóng viên ban thời sự, chuyên viết về đô thị và môi trường."
    body = (
        f'<p class="site-description">{tagline}</p>'
        f'<div class="main"><h1>{HEADLINE}</h1><h2 class="sapo">{LEAD}</h2>'
        f"{paragraphs(*SENTENCES)}"
        f'<div class="author-box"><p class="author-description">{bio}</p></div></div>'
    )
    text = extract(page(body)).text
    assert text.startswith(LEAD)
    assert tagline not in text
    assert not text.startswith(bio) and bio not in text.split("\n")[0]


def test_a_paragraph_trafilatura_skips_inside_the_article_is_put_back_in_its_place() -> None:
    quotation = (
        '"Tôi trộm nghĩ, chiếc điện thoại của cô giáo đã làm được một việc vô cùng ý nghĩa, '
        'khi cho cả xã hội thấy các em phải vượt sông như thế nào để đến trường."'
    )
    body = (
        f'<div class="detail"><h1>{HEADLINE}</h1>'
        + "".join(f'<div align="justify">{s}</div>' for s in SENTENCES[:2])
        + f'<div align="justify"><em>{quotation}</em></div>'
        + "".join(f'<div align="justify">{s}</div>' for s in SENTENCES[2:])
        + "</div>"
    )
    text = extract(page(body)).text
    assert quotation in text
    lines = text.split("\n")
    assert lines.index(quotation) < lines.index(SENTENCES[2])


def test_teasers_after_the_article_section_are_cut() -> None:
    teasers = "".join(
        f'<div class="item"><h3><a href="/x{i}.html" title="{t}"></a>{t}</h3>'
        f"<p>{t} là tin được nhiều người đọc nhất trong tuần qua ở chuyên mục kinh tế.</p></div>"
        for i, t in enumerate(RELATED)
    )
    body = (
        f'<section class="detail-page"><h1>{HEADLINE}</h1>{paragraphs(*SENTENCES)}</section>'
        f'<section class="job-same">{teasers}</section>'
    )
    text = extract(page(body)).text
    assert all(sentence in text for sentence in SENTENCES)
    assert not any(t in text for t in RELATED)


def test_a_cms_writing_vietnam_time_as_utc_is_read_by_the_printed_time() -> None:
    head = '<meta property="article:published_time" content="2026-03-20T19:00:00Z">'
    body = f'<article><h1>{HEADLINE}</h1><div class="date">20/03/2026, 19:00</div>'
    body += f"{paragraphs(*SENTENCES)}</article>"
    article = extract(page(body, head=head))
    assert article.published == datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    # Without the printed time, the metadata stands as written.
    plain = extract(
        page(f"<article><h1>{HEADLINE}</h1>{paragraphs(*SENTENCES)}</article>", head=head)
    )
    assert plain.published == datetime(2026, 3, 20, 19, 0, tzinfo=UTC)


def test_valid_utf8_is_read_as_utf8_whatever_the_page_declares() -> None:
    html = page(f"<article><h1>{HEADLINE}</h1>{paragraphs(*SENTENCES)}</article>")
    wrong = html.replace(b'charset="utf-8"', b'charset="windows-1252"')
    assert HEADLINE in decode_html(wrong, "text/html; charset=iso-8859-1")
    assert SENTENCES[0] in extract(wrong).text


def test_a_section_front_page_is_flagged_not_article_and_an_article_is_not() -> None:
    teasers = "".join(
        f'<article class="item-news"><h3><a href="/bai-{i}-{i}12345.html">{t}</a></h3>'
        f"<p>{t} và những diễn biến mới nhất được cập nhật liên tục trong ngày.</p></article>"
        for i, t in enumerate(RELATED * 4)
    )
    listing = page(f"<h1>Kinh doanh</h1>{teasers}")
    assert "not_article" in extract(listing, url="https://baomau.vn/kinh-doanh.htm").flags
    article = page(f"<article><h1>{HEADLINE}</h1>{paragraphs(*SENTENCES)}</article>")
    assert "not_article" not in extract(article).flags


def test_with_every_step_off_the_text_is_bare_trafilaturas() -> None:
    html = page(
        f"<article><h1>{HEADLINE}</h1>{paragraphs(*SENTENCES[:2])}{related_box('related')}"
        f"{paragraphs(*SENTENCES[2:])}</article>"
    )
    bare = trafilatura.extract(html.decode(), include_comments=False, include_tables=True)
    article = extract_article(
        html,
        url="https://baomau.vn/ha-noi-tong-ket-123456.html",
        content_type="text/html",
        hints=FeedHints(),
        steps=frozenset(),
    )
    assert article.text == bare
    assert "fallbacks" in STEPS and "boxes" in STEPS
