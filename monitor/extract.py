"""A fetched page → article fields: decoded, extracted with trafilatura, NFC, dated with provenance.

Pure functions: no network, no database. `extract_article` is what `monitor run` calls for each
page, and what a future re-extraction over stored pages will call again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import lxml.html
import trafilatura
from charset_normalizer import from_bytes
from trafilatura.settings import use_config

from index.analysis import nfc
from monitor.errors import ExtractError

MIN_TEXT_CHARS = 200
# Vietnamese outlets publish in Indochina Time; a date with no offset is read as such.
VIETNAM = timezone(timedelta(hours=7))
# A page date more than this far ahead of the fetch is a wrong date (e.g. a cookie expiry).
MAX_FUTURE = timedelta(days=1)
EXTRACTOR = f"trafilatura {trafilatura.__version__}"
# htmldate's extensive search guesses from any number in the text ("năm 2026" → 1 January)
# and costs ~350 ms a page: dates come from markup, then the feed, and are otherwise unknown.
_TRAFILATURA_CONFIG = use_config()
_TRAFILATURA_CONFIG.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)
_HTTP_CHARSET_RE = re.compile(r"charset=[\"']?([\w-]+)", re.IGNORECASE)
_LANG_RE = re.compile(rb"""<html[^>]*\blang=["']?([A-Za-z]{2,3})""", re.IGNORECASE)
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
# The lead paragraph ("sapo") that Vietnamese outlets print in its own block above the body;
# trafilatura often drops it as boilerplate.
_LEAD_XPATH = (
    "//*[self::p or self::h2 or self::div or self::h3]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' description ')"
    " or contains(@class, 'sapo') or contains(concat(' ', normalize-space(@class), ' '), ' lead ')]"
)
_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ")
# Letters only Vietnamese uses among Latin scripts: a cheap, dependable signal for "vi".
_VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


@dataclass(frozen=True)
class FeedHints:
    """What the feed said about an entry, used when the page says less."""

    title: str | None = None
    summary: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str
    author: str | None
    published: datetime | None
    date_source: str  # page | feed | search | none
    language: str | None
    declared_language: str | None
    extractor: str

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "text": self.text,
            "author": self.author,
            "published": self.published,
            "date_source": self.date_source,
            "language": self.language,
            "declared_language": self.declared_language,
            "extractor": self.extractor,
        }


def decode_html(body: bytes, content_type: str | None) -> str:
    """Bytes → NFC text: BOM, then the HTTP charset, then <meta charset>, then a guess."""
    if body.startswith(b"\xef\xbb\xbf"):
        return nfc(body[3:].decode("utf-8", "replace"))
    candidates: list[str] = []
    if content_type and (m := _HTTP_CHARSET_RE.search(content_type)):
        candidates.append(m.group(1))
    if m2 := _CHARSET_RE.search(body[:4096]):
        candidates.append(m2.group(1).decode("ascii", "ignore"))
    for encoding in candidates:
        try:
            return nfc(body.decode(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return nfc(body.decode("utf-8"))
    except UnicodeDecodeError:
        best = from_bytes(body).best()
        return nfc(str(best) if best else body.decode("utf-8", "replace"))


def strip_outlet_suffix(title: str, source: str | None, sitename: str | None) -> str:
    """Remove "… - VnExpress" / "… | Báo Dân trí" style suffixes naming the outlet."""
    names = {n.casefold() for n in (source, sitename) if n}
    for sep in _TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        tail_key = tail.strip().casefold()
        if head.strip() and (
            any(name in tail_key or tail_key in name for name in names)
            or tail_key.startswith(("báo ", "tin tức", "tạp chí"))
            or "." in tail_key
        ):
            return head.strip()
    return title.strip()


def detect_language(text: str) -> str | None:
    letters = [c for c in text[:5000] if c.isalpha()]
    if not letters:
        return None
    share = sum(c in _VI_LETTERS for c in letters) / len(letters)
    return "vi" if share > 0.03 else None


def extract_article(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    hints: FeedHints,
    fetched_at: datetime | None = None,
) -> Extracted:
    """Extract an article. Raises ExtractError when the page holds no article text."""
    html = decode_html(body, content_type)
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        config=_TRAFILATURA_CONFIG,
    )
    if document is None:
        raise ExtractError("no article text found on the page")
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = nfc((data.get("text") or "").strip())
    extractor = EXTRACTOR
    if len(text) < MIN_TEXT_CHARS and hints.summary and len(hints.summary) > len(text):
        text, extractor = hints.summary, f"feed summary ({EXTRACTOR} gave {len(text)} chars)"
    if not text:
        raise ExtractError("no article text found on the page")
    lead = find_lead(html)
    if lead and lead not in _squash(text[: len(lead) * 3]):
        text = f"{lead}\n{text}"
    raw_title = nfc(data.get("title") or hints.title or "").strip()
    title = strip_outlet_suffix(raw_title, hints.source, data.get("sitename")) or (
        hints.title or url
    )

    published, date_source = _page_date(
        _meta_date(html), data.get("date"), hints.published, fetched_at
    )
    declared = None
    if m := _LANG_RE.search(body[:4096]):
        declared = m.group(1).decode("ascii").lower()
    language = detect_language(text) or declared or hints.language
    return Extracted(
        title=title,
        text=text,
        author=nfc(data["author"]) if data.get("author") else hints.author,
        published=published,
        date_source=date_source,
        language=language,
        declared_language=declared,
        extractor=extractor,
    )


def find_lead(html: str) -> str | None:
    """The text of the page's lead block, if it has one of a plausible length."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for element in tree.xpath(_LEAD_XPATH)[:3]:
        lead = nfc(_squash(element.text_content()))
        if 40 <= len(lead) <= 1000:
            return lead
    return None


def _squash(text: str) -> str:
    return " ".join(text.split())


def _meta_date(html: str) -> str | None:
    """The first publication timestamp declared in the page's metadata, as written."""
    for m in _META_DATE_RE.finditer(html[:200_000]):
        value = next(g for g in m.groups() if g)
        try:
            datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        return value.strip().replace("Z", "+00:00")
    return None


def _page_date(
    meta_value: str | None,
    guessed: str | None,
    feed_date: datetime | None,
    fetched_at: datetime | None,
) -> tuple[datetime | None, str]:
    """Page metadata, else the feed, else trafilatura's search of the page, else unknown.

    Never the fetch time: that would invent a spike on the collection day. A date beyond the
    fetch time (plus a day of clock slack) is wrong and skipped.
    """
    limit = (fetched_at or datetime.now(UTC)) + MAX_FUTURE
    page_date = _as_utc(meta_value)
    if page_date is not None and page_date <= limit:
        return page_date, "page"
    if feed_date is not None and feed_date <= limit:
        return feed_date, "feed"
    guessed_date = _as_utc(guessed)
    if guessed_date is not None and guessed_date <= limit:
        return guessed_date, "search"
    return None, "none"


def _as_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VIETNAM)
    return parsed.astimezone(UTC)
