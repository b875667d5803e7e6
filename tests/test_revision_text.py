"""What counts as a new version of an article, and the word-level diff of two versions."""

from __future__ import annotations

import pytest

from monitor.extract.revision import looks_removed, normal_form, text_hash
from monitor.extract.word_diff import word_diff
from monitor.models import Article

TEXT = (
    "Thứ hai, 23/11/2026, 08:30 (GMT+7)\n"
    "Bão số 3 đổ bộ vào Quảng Ninh, 3 người chết.\n"
    "Ông Nguyễn Văn A chia sẻ 2 câu chuyện về trận lũ năm 2008."
)


def same(before: str, after: str, *, title: str = "Bão số 3") -> bool:
    return text_hash(title, before) == text_hash(title, after)


@pytest.mark.parametrize(
    "after",
    [
        TEXT.replace("Quảng Ninh, 3", "Quảng  Ninh ,  3"),  # whitespace
        TEXT.replace("chết.", "chết!").replace("chuyện về", "chuyện, về"),  # punctuation
        TEXT.upper(),  # case
        TEXT.replace("Quảng", "Quảng"),  # NFD
        TEXT.replace("trận lũ", "trận lũ").replace("chia sẻ", "chia sẻ"),  # nothing
        TEXT.replace("Thứ hai, 23/11/2026, 08:30 (GMT+7)", "Thứ ba, 24/11/2026, 10:05"),
        TEXT.replace("Thứ hai, 23/11/2026, 08:30 (GMT+7)", "Cập nhật lúc 10:35 ngày 24/11/2026"),
        TEXT + "\nCập nhật: 24/11/2026 10:35",
        TEXT + "\nUpdated 3 hours ago",
        TEXT.replace("Quảng Ninh,", "Quảng Ninh (cập nhật 10:35),"),
        TEXT + "\n1.234 lượt xem · 25 bình luận",
        TEXT + "\nLượt xem: 1234",
    ],
)
def test_what_does_not_make_a_new_version(after: str) -> None:
    assert same(TEXT, after)


@pytest.mark.parametrize(
    "after",
    [
        TEXT.replace("3 người chết", "5 người chết"),  # a figure is news
        TEXT.replace("Quảng Ninh", "Hải Phòng"),
        TEXT.replace("chia sẻ 2 câu", "chia sẻ 3 câu"),  # "chia sẻ" is also a verb
        TEXT + "\nBộ Y tế cập nhật 125 ca mắc mới.",  # an "updated" word before one figure
        TEXT.replace(" 3 người chết", ""),
    ],
)
def test_what_makes_a_new_version(after: str) -> None:
    assert not same(TEXT, after)


def test_the_title_counts_and_tone_placement_does_not() -> None:
    assert text_hash("Bão số 3", TEXT) != text_hash("Bão số 4", TEXT)
    assert same("hòa bình, thủy điện", "hoà bình, thuỷ điện")
    assert normal_form("Bão", "Có 3 người chết. 1.234 lượt xem") == "bão có 3 người chết"


def test_removed_notices_and_non_articles_look_removed() -> None:
    def article(title: str, text: str, flags: tuple[str, ...] = ()) -> Article:
        return Article(title, text, None, None, "none", "vi", "vi", "t", flags=flags)

    assert looks_removed(article("Trang không tồn tại", "Bài viết không tồn tại hoặc đã bị xóa."))
    assert looks_removed(article("404", "Page not found"))
    assert looks_removed(article("Thời sự", "x " * 400, flags=("not_article",)))
    long_story = "Người dân nói ngôi làng cũ không tồn tại nữa sau trận lũ. " * 20
    assert not looks_removed(article("Làng cũ", long_story))


def test_word_diff_marks_syllables_and_counts_words() -> None:
    diff = word_diff(
        "Bão số 3 đổ bộ vào Quảng Ninh.\nCó 3 người chết.",
        "Bão số 3 đổ bộ vào Hải Phòng.\nCó 5 người chết, 2 người mất tích.",
    )
    assert (diff.added, diff.removed) == (7, 3)
    ops = [(s.op, s.text.strip()) for s in diff.segments if s.op != "equal"]
    assert ops == [
        ("delete", "Quảng Ninh"),
        ("insert", "Hải Phòng"),
        ("delete", "3"),
        ("insert", "5"),
        ("insert", ", 2 người mất tích"),
    ]
    # The later version is the equal and inserted segments, whitespace and all.
    later = "".join(s.text for s in diff.segments if s.op != "delete")
    assert later == "Bão số 3 đổ bộ vào Hải Phòng.\nCó 5 người chết, 2 người mất tích."


def test_word_diff_of_equal_texts_and_of_tone_placement_is_empty() -> None:
    assert not word_diff("Hoà bình.", "Hòa bình.").changed
    assert not word_diff("", "").changed
    assert word_diff("", "Một câu mới.").added == 3
