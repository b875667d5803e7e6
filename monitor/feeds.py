"""Feed documents (bytes) → entries: feedparser plus what it gets wrong for Vietnamese feeds."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

import feedparser
from feedparser.datetimes import _parse_date_rfc822

from index.analysis import nfc
from monitor.archive import EntryData
from monitor.errors import FeedError
from monitor.extract import VIETNAM

MAX_ENTRIES = 2000
MAX_URL = 2048

_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")
# "22/11/2026 20:15", "Thứ bảy, 22/11/2026 - 20:15", "22-11-2026 20:15:05 GMT+7"
_VN_DATE_RE = re.compile(
    r"(?P<d>\d{1,2})[/\-.](?P<m>\d{1,2})[/\-.](?P<y>\d{4})"
    r"(?:\D{1,4}(?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    r"(?:\s*\(?(?:GMT|UTC)\s*(?P<off>[+-]\d{1,2})(?::?(?P<offm>\d{2}))?\)?)?",
)
_GMT_OFFSET_RE = re.compile(r"(GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$")


def _vietnamese_date(value: str) -> time.struct_time | None:
    """feedparser handler for dd/mm/yyyy dates; without an offset, Vietnam time is assumed."""
    m = _VN_DATE_RE.search(value)
    if not m:
        return None
    offset = VIETNAM
    if m.group("off"):
        hours = int(m.group("off"))
        minutes = int(m.group("offm") or 0) * (1 if hours >= 0 else -1)
        offset = timezone(timedelta(hours=hours, minutes=minutes))
    try:
        local = datetime(
            int(m.group("y")),
            int(m.group("m")),
            int(m.group("d")),
            int(m.group("H") or 0),
            int(m.group("M") or 0),
            int(m.group("S") or 0),
            tzinfo=offset,
        )
    except ValueError:
        return None
    return local.astimezone(UTC).timetuple()


def _gmt_offset_date(value: str) -> time.struct_time | None:
    """RFC 822 dates with "GMT+7" in place of "+0700"."""
    m = _GMT_OFFSET_RE.search(value)
    if not m:
        return None
    sign, hours, minutes = m.group(2), int(m.group(3)), int(m.group(4) or 0)
    fixed = value[: m.start()] + f"{sign}{hours:02d}{minutes:02d}"
    parsed: time.struct_time | None = _parse_date_rfc822(fixed)
    return parsed


feedparser.registerDateHandler(_gmt_offset_date)
feedparser.registerDateHandler(_vietnamese_date)


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: list[EntryData]
    warnings: list[str]


def clean_text(value: str | None) -> str | None:
    """HTML fragment → plain NFC text on one line."""
    if not value:
        return None
    text = _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", value))).strip()
    return nfc(text) or None


def absolute_url(link: str | None, base: str) -> str | None:
    """Resolve relative and scheme-relative links; reject what is not http(s) or too long."""
    if not link:
        return None
    link = link.strip()
    url = urljoin(base, link)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > MAX_URL:
        return None
    return url


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300]


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed document. Raises FeedError when it is not a feed or yields nothing usable."""
    if not body.strip():
        raise FeedError("empty response")
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers, resolve_relative_uris=False)
    warnings: list[str] = []
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        if _looks_like_html(body):
            raise FeedError("got an HTML page, not a feed (is the feed URL right?)")
        reason = str(parsed.get("bozo_exception") or "no feed elements found")
        raise FeedError(f"not a feed: {reason}")
    if parsed.get("bozo"):
        reason = str(parsed.get("bozo_exception") or "malformed")
        if not parsed.entries:
            raise FeedError(f"malformed feed with no usable entries: {reason}")
        warnings.append(f"malformed feed, {len(parsed.entries)} entries salvaged: {reason}")
    base = url  # relative entry links resolve against the feed's own URL
    entries: list[EntryData] = []
    for raw in parsed.entries[:MAX_ENTRIES]:
        link = absolute_url(raw.get("link"), base)
        if link is None:
            warnings.append(f"entry without a usable link skipped: {raw.get('title')!r}")
            continue
        published = None
        for key in ("published_parsed", "updated_parsed"):
            stamp = raw.get(key)
            if stamp:
                published = datetime.fromtimestamp(calendar.timegm(stamp), UTC)
                break
        guid = raw.get("id") or link
        entries.append(
            EntryData(
                guid=guid if len(guid) <= MAX_URL else hashlib.sha256(guid.encode()).hexdigest(),
                url=link,
                title=clean_text(raw.get("title")),
                summary=clean_text(raw.get("summary")),
                author=clean_text(raw.get("author")),
                published=published,
            )
        )
    if len(parsed.entries) > MAX_ENTRIES:
        warnings.append(f"only the first {MAX_ENTRIES} of {len(parsed.entries)} entries kept")
    return ParsedFeed(
        title=clean_text(parsed.feed.get("title")), entries=entries, warnings=warnings
    )
