"""When an article was published, as its page says: the metadata, the date printed near the
headline ("Thứ hai, 12/8/2024 - 10:30 (GMT+7)"), with provenance, in UTC."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from lxml.etree import XPath
from lxml.html import HtmlElement

from monitor.extract.markup import squash
from monitor.timestamps import VIETNAM

# Vietnamese outlets publish in Indochina Time; a date with no offset is read as such.
_VIETNAM_OFFSET = timedelta(hours=7)
# A page date more than this far ahead of the fetch is a wrong date (e.g. a cookie expiry).
MAX_FUTURE = timedelta(days=1)
# Publication timestamps that outlets put in the page head; trafilatura keeps only the day.
_META_DATE_RE = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)\s*=\s*["']"""
    r"""(?:article:published_time|og:published_time|datePublished|pubdate|publishdate|"""
    r"""dc\.date\.issued|dcterms\.created)["'][^>]*?content\s*=\s*["']([^"']+)["']"""
    r"""|<meta[^>]+content\s*=\s*["']([^"']+)["'][^>]*?(?:property|name|itemprop)\s*=\s*["']"""
    r"""(?:article:published_time|og:published_time|datePublished|pubdate|publishdate)["']"""
    r'|"datePublished"\s*:\s*"([^"]+)"',
    re.IGNORECASE,
)
# Where outlets print "Thứ hai, 12/8/2024": elements whose class or id names a date or time
# (checked in Python: XPath's string functions on every element cost ~5 ms a page), <time>, and
# short texts with a four-digit year after a separator or a weekday ("Thứ Ba, 25/12/2012").
_NAMED_OR_TIMED = XPath(
    "//body//*[@class or @id] | //body//time | //body//*[@itemprop='datePublished']"
)
_DATED_TEXTS = XPath(
    "//body//text()[contains(., '/20') or contains(., '-20') or contains(., '.20')"
    " or contains(., 'hứ ') or contains(., 'HỨ ')]"
)
_DATE_NAMES = ("date", "time", "publish", "updtm")
_SHOWN_DATE_MAX_CHARS = 90
_DAY_RE = re.compile(r"(?<![\d/])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?![\d/])")
_CLOCK_RE = re.compile(
    r"(?<!\d)(\d{1,2})\s*[:h]\s*(\d{2})(?::\d{2})?(?!\d)\s*(am|pm|sáng|chiều|tối|trưa|đêm)?",
    re.IGNORECASE,
)
_CLOCK_WINDOW = 25
# What a printed date line holds besides the date and the time.
_DATE_LINE_WORDS_RE = re.compile(
    r"thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|cập\s+nhật|đăng|ngày|lúc|"
    r"gmt\s*[+-]\s*\d{1,2}|\b(?:cn|am|pm)\b",
    re.IGNORECASE,
)
_DATE_LINE_PUNCTUATION_RE = re.compile(r"[\s,|()\[\]\-–—/:.]+")


def shown_date(tree: HtmlElement, *, near: HtmlElement | None = None) -> datetime | None:
    """The publication time printed on the page ("Thứ hai, 12/8/2024 - 10:30 (GMT+7)").

    Candidates are elements whose class or id names a date or time, and short texts holding a
    date. A date with a time of day beats a day alone (headers print today's date), then the
    one closest to the headline `near` wins: sidebars list other articles' times too.
    """
    candidates: list[tuple[bool, HtmlElement, datetime]] = []
    seen: set[HtmlElement] = set()
    for element in _date_candidates(tree):
        if element in seen:
            continue
        seen.add(element)
        parsed = _parse_shown(element.get("datetime") or "")
        if parsed is None:
            text = squash(element.text_content())
            if not text or len(text) > _SHOWN_DATE_MAX_CHARS:
                continue
            parsed = _parse_shown(text)
        if parsed is not None:
            candidates.append((parsed[1], element, parsed[0]))
    if not candidates:
        return None
    positions = {element: i for i, element in enumerate(tree.iter())}
    anchor = positions.get(near) if near is not None else None
    # Of two as near, the first on the page.
    candidates.sort(key=lambda candidate: positions.get(candidate[1], 0))

    def rank(candidate: tuple[bool, HtmlElement, datetime]) -> tuple[bool, int]:
        has_time, element, _ = candidate
        position = positions.get(element, 0)
        return (not has_time, abs(position - anchor) if anchor is not None else position)

    return min(candidates, key=rank)[2]


def _date_candidates(tree: HtmlElement) -> list[HtmlElement]:
    found = [
        element
        for element in _NAMED_OR_TIMED(tree)
        if element.tag == "time"
        or element.get("itemprop") == "datePublished"
        or _names_date(element.get("class", ""), element.get("id", ""))
    ]
    for text in _DATED_TEXTS(tree):
        parent = text.getparent()
        # A tail's text belongs to the element around the one it follows.
        holder = parent.getparent() if text.is_tail and parent is not None else parent
        if holder is not None and holder.tag not in ("script", "style"):
            found.append(holder)
    return found


@lru_cache(maxsize=8192)
def _names_date(class_: str, id_: str) -> bool:
    names = f"{class_} {id_}".lower()
    return any(name in names for name in _DATE_NAMES)


def _parse_shown(text: str) -> tuple[datetime, bool] | None:
    """A Vietnamese day-first date with an optional time before or after it; Vietnam time."""
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        value = as_utc(text.replace(" ", "T", 1) if "T" not in text else text)
        return (value, ":" in text) if value else None
    day = _DAY_RE.search(text)
    if day is None:
        return None
    d, m, y = (int(g) for g in day.groups())
    year = y + 2000 if y < 100 else y
    clock = _CLOCK_RE.search(text, day.end(), day.end() + _CLOCK_WINDOW) or _CLOCK_RE.search(
        text[max(0, day.start() - _CLOCK_WINDOW) : day.start()]
    )
    hour = minute = 0
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        hour = _twenty_four_hour(hour, (clock.group(3) or "").casefold())
    try:
        local = datetime(year, m, d, hour, minute, tzinfo=VIETNAM)
    except ValueError:
        return None
    return local.astimezone(UTC), clock is not None


def _twenty_four_hour(hour: int, meridiem: str) -> int:
    if meridiem in ("pm", "chiều", "tối") and hour < 12:
        return hour + 12
    if meridiem == "đêm" and 6 <= hour < 12:
        return hour + 12
    if meridiem in ("am", "sáng", "đêm") and hour == 12:
        return 0
    return hour


def is_date_line(line: str) -> bool:
    """A short line made of a date and its decorations only: weekday, time, time zone."""
    if not line or len(line) > _SHOWN_DATE_MAX_CHARS or not _DAY_RE.search(line):
        return False
    rest = _DAY_RE.sub(" ", _CLOCK_RE.sub(" ", _DATE_LINE_WORDS_RE.sub(" ", line)))
    return not _DATE_LINE_PUNCTUATION_RE.sub("", rest)


def meta_date(html: str) -> str | None:
    """The first publication timestamp declared in the page's metadata, as written."""
    for m in _META_DATE_RE.finditer(html[:200_000]):
        value = next(g for g in m.groups() if g)
        try:
            datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        return value.strip().replace("Z", "+00:00")
    return None


def page_date(
    meta_value: str | None,
    shown: datetime | None,
    search: Callable[[], str | None],
    feed_date: datetime | None,
    fetched_at: datetime | None,
    *,
    vietnamese: bool = False,
) -> tuple[datetime | None, str]:
    """Page metadata, then the date printed on the page, then the feed, then trafilatura's
    search of the page, else unknown.

    Never the fetch time: that would invent a spike on the collection day. A date beyond the
    fetch time (plus a day of clock slack) is wrong and skipped. A Vietnamese page whose
    metadata says 19:00 UTC where it prints 19:00 had its CMS write Vietnam time as UTC: the
    printed time wins.
    """
    limit = (fetched_at or datetime.now(UTC)) + MAX_FUTURE
    meta = as_utc(meta_value)
    if (
        vietnamese
        and meta is not None
        and shown is not None
        and meta - shown == _VIETNAM_OFFSET
        and datetime.fromisoformat(meta_value or "").utcoffset() == timedelta(0)
    ):
        meta = shown
    for candidate, source in ((meta, "page"), (shown, "page"), (feed_date, "feed")):
        if candidate is not None and candidate <= limit:
            return candidate, source
    # htmldate's search of the markup costs a few milliseconds: only when all else failed.
    searched = as_utc(search())
    if searched is not None and searched <= limit:
        return searched, "search"
    return None, "none"


def as_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VIETNAM)
    return parsed.astimezone(UTC)
