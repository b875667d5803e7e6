from __future__ import annotations

import lxml.html
import pytest

from monitor.extract.quality import (
    SHORT_CHARS,
    has_paywall,
    is_not_article,
    looks_truncated,
    quality_flags,
)

SENTENCE = "Ủy ban nhân dân thành phố tổ chức hội nghị tổng kết công tác phòng chống thiên tai."
LONG = "\n".join([SENTENCE * 2] * 4)


def test_a_complete_article_has_no_flags() -> None:
    text = f"{LONG}\nPhương Linh"
    assert quality_flags(text, dated=True, not_article=False, paywalled=False) == ()


def test_flags_are_sorted_and_combine() -> None:
    flags = quality_flags("Tin vắn.", dated=False, not_article=True, paywalled=True)
    assert flags == ("no_date", "not_article", "probably_truncated", "short")
    assert len(SENTENCE * 5) >= SHORT_CHARS > len(SENTENCE)


@pytest.mark.parametrize(
    "ending",
    [
        "Lực lượng cứu hộ đã tiếp cận hiện trường nhưng gặp nhiều khó khăn do đường bị chia cắt và",
        "Đọc tiếp tại nguồn VietnamPlus",
        "Xem thêm >>",
        "Nội dung dành cho thành viên. Đăng ký gói thành viên để đọc toàn bộ bài viết.",
        "Các chuyên gia cho rằng giá vàng sẽ còn biến động mạnh trong những tháng tới…",
    ],
)
def test_truncated_endings(ending: str) -> None:
    assert looks_truncated(f"{LONG}\n{ending}")


@pytest.mark.parametrize(
    "ending",
    [
        "Theo Infonet",
        "Minh Đức/VOV.VN",
        "(Vietnam+)",
        '"Tôi sẽ tiếp tục theo dõi", ông nói.',
        "Người dân dắt xe qua đoạn ngập trên đường Nguyễn Hữu Cảnh. Ảnh: Hoàng Triều",
        "Theo Sầm Hoa (Vietnamnet) | SỰ KIỆN TIÊU ĐIỂM |",
    ],
)
def test_complete_endings(ending: str) -> None:
    assert not looks_truncated(f"{LONG}\n{ending}")


def test_a_related_link_named_xem_them_is_not_a_read_more_marker() -> None:
    related = "Xem thêm: Giá vàng hôm nay tăng mạnh khi nhu cầu mua tích trữ dịp cuối năm tăng."
    text = f"{LONG}\n{related}"
    assert not looks_truncated(text)


def test_paywall_markup() -> None:
    locked = lxml.html.fromstring('<html><body><div class="premium-lock">x</div></body></html>')
    tier = lxml.html.fromstring(
        '<html><head><meta property="article:content_tier" content="locked"></head><body></body>'
        "</html>"
    )
    free = lxml.html.fromstring("<html><body><p>Bài viết</p></body></html>")
    assert has_paywall(locked) and has_paywall(tier) and not has_paywall(free)


def test_paywall_with_the_source_at_hand_agrees_with_the_tree_search() -> None:
    pages = [
        '<html><body><div id="box-paywall-2">x</div></body></html>',
        '<html><body><section class="a member-only b">x</section></body></html>',
        '<html><head><meta property="article:content_tier" content="metered"></head></html>',
        '<html><head><meta property="article:content_tier" content="free"></head></html>',
        "<html><body><p>Bài viết về paywall của báo chí</p></body></html>",
        "<html><body><p>Bài viết</p></body></html>",
    ]
    found = [has_paywall(lxml.html.fromstring(page), page) for page in pages]
    assert found == [has_paywall(lxml.html.fromstring(page)) for page in pages]
    assert found == [True, True, True, False, False, False]


def _listing(items: int) -> tuple[lxml.html.HtmlElement, str]:
    headlines = [f"Tin thứ {i} về giá vàng hôm nay tăng mạnh" for i in range(items)]
    body = "".join(f'<h3><a href="/{i}.html">{h}</a></h3>' for i, h in enumerate(headlines))
    tree = lxml.html.fromstring(f"<html><body>{body}</body></html>")
    return tree, "\n".join(headlines)


def test_listings_homepages_and_video_pages_are_not_articles() -> None:
    tree, text = _listing(8)
    assert is_not_article(tree, url="https://x.vn/kinh-doanh", og_type=None, text=text)
    article = lxml.html.fromstring(f"<html><body><p>{LONG}</p></body></html>")
    assert is_not_article(article, url="https://x.vn/", og_type="website", text=LONG)
    assert is_not_article(article, url="https://x.vn/v.html", og_type="video.other", text=LONG)
    player = lxml.html.fromstring("<html><body><video></video><p>Lũ quét.</p></body></html>")
    assert is_not_article(player, url="https://x.vn/video/lu-quet.htm", og_type=None, text="Lũ.")


def test_an_article_with_a_few_linked_lines_is_an_article() -> None:
    tree, _ = _listing(3)
    text = f"{LONG}\nTin thứ 1 về giá vàng hôm nay tăng mạnh"
    assert not is_not_article(tree, url="https://x.vn/a-123.html", og_type="article", text=text)
