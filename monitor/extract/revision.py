"""When a revisited page says the article changed, and when it says the article is gone.

An outlet's page changes all the time without the article changing: view and comment counters
tick, a "Cập nhật 10:35" line moves, a comma or a capital is fixed, the related-links box
changes (trafilatura leaves that box out already). A new version is kept only when the *normal
form* of the title and text changed:

* NFC, old and new tone placement unified (hòa = hoà), case folded;
* punctuation and whitespace dropped: only the words count, in order;
* lines that are only a date or a time ("Thứ hai, 23/11/2026, 08:30 (GMT+7)"), with or
  without an "updated" / "cập nhật" / "đăng lúc" note, dropped, and such notes inside a line;
* counters dropped: a number next to "lượt xem", "bình luận", "chia sẻ", "views", "likes"...

Every other number counts: a death toll raised from 3 to 5 is an edit. A page is *gone* when
its text is a notice that the article does not exist (a soft 404) or it is no longer an
article (`looks_removed`); where a redirect lands is judged by `quality.listing_address`.
"""

from __future__ import annotations

import hashlib
import re

from index.analysis import exact_tokens, normalize
from monitor.extract.quality import SHORT_CHARS
from monitor.models import Article

# Words of a line that only dates something: weekdays, months, "giờ", "GMT", "ago"...
_DATE_WORDS = frozenset(
    """
    thứ hai ba tư năm sáu bảy chủ nhật cn ngày tháng giờ phút giây lúc sáng trưa chiều tối
    đêm hôm nay qua trước gmt utc ict am pm h g at on ago hour hours minute minutes min mins
    second seconds day days week weeks month months year years today yesterday
    monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
# Notes that say when a page was published or updated; alone or before a date they are noise.
_NOTES = (
    ("cập", "nhật"),
    ("cập", "nhật", "lúc"),
    ("đăng", "lúc"),
    ("ngày", "đăng"),
    ("đăng", "ngày"),
    ("xuất", "bản"),
    ("updated",),
    ("last", "updated"),
    ("published",),
    ("posted",),
)
# An "updated" note inside a line: its words, then what it says of when ("lúc 10:35, 24/11").
_NOTE_RE = re.compile(
    r"\b(?:cập nhật|đăng lúc|ngày đăng|xuất bản|last updated|updated|published|posted)"
    r"(?:[\s,:;-]+(?:lúc|ngày|at|on|\d{1,2}[:h]\d{2}(?::\d{2})?|\d{1,2}[/.-]\d{1,2}"
    r"(?:[/.-]\d{2,4})?|\(?gmt[+-]?\d*\)?|sáng|chiều|tối|am|pm))+"
)
# What makes a note a date: a time (10:35, 8h30) or a day (24/11, 24-11-2026).
_WHEN_RE = re.compile(r"\d{1,2}[:h]\d{2}|\d{1,2}[/.-]\d{1,2}")
# A line this short is the page's furniture (a counter, a date), not a sentence of the story.
UI_LINE = 4
# Counters a page shows beside an article: the number is no part of the story.
_COUNTERS = (
    ("lượt", "xem"),
    ("lượt", "đọc"),
    ("lượt", "thích"),
    ("lượt", "chia", "sẻ"),
    ("bình", "luận"),
    ("chia", "sẻ"),
    ("thích",),
    ("views",),
    ("view",),
    ("comments",),
    ("comment",),
    ("likes",),
    ("like",),
    ("shares",),
    ("share",),
    ("reads",),
)
# A notice that the page is no article: what outlets serve, with 200, for a removed one.
_REMOVED_RE = re.compile(
    r"không tồn tại|đã bị (gỡ|xoá|xóa)|đã (gỡ|xoá|xóa) bài|không tìm thấy (trang|bài|nội dung)"
    r"|bài viết (đã )?không còn|trang bạn (tìm|yêu cầu)|page not found|404 not found"
    r"|(article|page|story) (is )?no longer available|could not be found|does not exist",
    re.IGNORECASE,
)


def normal_form(title: str, text: str) -> str:
    """The words of the title and text that make the article, in order, one space apart."""
    words: list[str] = []
    for line in (title + "\n" + text).splitlines():
        tokens = exact_tokens(line)
        if not tokens or _only_date(tokens[_note_at(tokens, 0) :]):
            continue
        tokens = exact_tokens(_without_notes(normalize(line).lower()))
        words += _without_counters(tokens, whole_line=len(tokens) <= UI_LINE)
    return " ".join(words)


def text_hash(title: str, text: str) -> str:
    """The hash of `normal_form`: equal hashes are the same version."""
    digest = hashlib.sha256(normal_form(title, text).encode("utf-8")).hexdigest()
    return "nf1:" + digest[:32]


def looks_removed(article: Article) -> bool:
    """The page is a notice that the article is gone, or is no article at all."""
    if "not_article" in article.flags:
        return True
    # A long text that mentions "không tồn tại" is an article that uses the phrase.
    return len(article.text) < SHORT_CHARS and bool(
        _REMOVED_RE.search(article.title) or _REMOVED_RE.search(article.text)
    )


def _only_date(tokens: list[str]) -> bool:
    return all(t.isdigit() or t in _DATE_WORDS for t in tokens)


def _by_first_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[str, ...]]]:
    """Phrases by their first word, longest first: one dict lookup per token."""
    table: dict[str, list[tuple[str, ...]]] = {}
    for phrase in sorted(phrases, key=len, reverse=True):
        table.setdefault(phrase[0], []).append(phrase)
    return table


_NOTES_BY_WORD = _by_first_word(_NOTES)
_COUNTERS_BY_WORD = _by_first_word(_COUNTERS)


def _phrase_at(table: dict[str, list[tuple[str, ...]]], tokens: list[str], i: int) -> int:
    """The length of the phrase of `table` that starts at `tokens[i]`, or 0."""
    for phrase in table.get(tokens[i], ()):
        if tuple(tokens[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _note_at(tokens: list[str], i: int) -> int:
    return _phrase_at(_NOTES_BY_WORD, tokens, i) if i < len(tokens) else 0


def _without_notes(line: str) -> str:
    """`line` (lowercase NFC) less each "updated" note that gives a time or a date."""
    return _NOTE_RE.sub(lambda m: " " if _WHEN_RE.search(m.group(0)) else m.group(0), line)


def _without_counters(tokens: list[str], *, whole_line: bool) -> list[str]:
    """`tokens` less each counter: a number before a counter's words ("1.234 lượt xem"), or,
    on a short line of the page's furniture, after them ("Lượt xem: 1234")."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        counter = _phrase_at(_COUNTERS_BY_WORD, tokens, i)
        after = i + counter
        if counter and out and out[-1].isdigit():
            while out and out[-1].isdigit():  # every group of "1.234"
                out.pop()
            i = after
            continue
        if counter and whole_line and i == 0 and after < len(tokens) and tokens[after].isdigit():
            i = after
            while i < len(tokens) and tokens[i].isdigit():
                i += 1
            continue
        out.append(tokens[i])
        i += 1
    return out
