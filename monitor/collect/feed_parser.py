"""Feed documents (bytes) → entries: RSS/Atom through feedparser, news sitemaps through lxml.

What feedparser gets wrong for Vietnamese feeds is handled here: the charset is decided before
parsing (wrong HTTP charsets, lying XML declarations, windows-1258 with combining tone marks),
dates are read with Vietnamese formats and Indochina Time in mind, and titles come out NFC.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin

import feedparser
from lxml import etree

from index.analysis import nfc
from monitor.collect.feed_dates import is_vietnamese, parse_date
from monitor.collect.guard import MAX_URL, fetchable_url
from monitor.decoding import XML_DECL_RE, decode_markup
from monitor.errors import FeedError, InvalidUrl
from monitor.models import EntryData
from monitor.safe_text import one_line
from monitor.timestamps import VIETNAM

MAX_ENTRIES = 2000
# How many child sitemaps an index error message names, and skipped entries a warning.
INDEX_EXAMPLES = 3
SKIPPED_EXAMPLES = 3

FeedKind = Literal["rss", "atom", "sitemap", "unknown"]

_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: list[EntryData]
    warnings: list[str]
    kind: FeedKind = "unknown"
    language: str | None = None


def clean_text(value: str | None) -> str | None:
    """HTML fragment → plain NFC text on one line, without control characters."""
    if not value:
        return None
    text = _SPACE_RE.sub(" ", one_line(html.unescape(_TAG_RE.sub(" ", value)))).strip()
    return nfc(text) or None


def resolve_link(link: str | None, base: str) -> tuple[str | None, str | None]:
    """A link made absolute (relative and `//` links resolved) and checked as a fetchable URL:
    (url, None), or (None, why it can't be used)."""
    if not link or not link.strip():
        return None, "no link"
    try:
        return fetchable_url(urljoin(base, link.strip())), None
    except ValueError as exc:  # urljoin on a broken IPv6 literal
        return None, f"not a valid URL ({exc})"
    except InvalidUrl as exc:
        return None, str(exc)


def absolute_url(link: str | None, base: str) -> str | None:
    """`resolve_link` without the reason."""
    return resolve_link(link, base)[0]


# ---------------------------------------------------------------------------- sniffing

_PROLOG_RE = re.compile(
    r"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*", re.DOTALL | re.I
)
_ROOT_RE = re.compile(r"<([A-Za-z_][\w.:-]*)")
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.DOTALL | re.IGNORECASE)


def root_name(text: str) -> str | None:
    """Local name of the document's first element, lower-cased ("rss", "feed", "urlset"...)."""
    prolog = _PROLOG_RE.match(text)
    m = _ROOT_RE.match(text, prolog.end() if prolog else 0)
    return m.group(1).rsplit(":", 1)[-1].lower() if m else None


def looks_like_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<html" in head[:300]


def _not_a_feed_html(text: str, content_type: str | None) -> FeedError:
    m = _TITLE_RE.search(text[:65536])
    title = clean_text(m.group(1)) if m else None
    what = ", ".join(
        part
        for part in (content_type and content_type.split(";")[0], title and f"titled {title!r}")
        if part
    )
    return FeedError(
        "got an HTML page, not a feed (is the feed URL right?)" + (f": {what}" if what else "")
    )


# ---------------------------------------------------------------------------- sitemaps

# No network, no entities, no DTD: a sitemap is data from a stranger.
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)
_XML_SALVAGE = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
)


def _local(element: Any) -> str:
    tag = element.tag
    return str(etree.QName(tag).localname) if isinstance(tag, str) else ""


def _child(element: Any, *names: str) -> Any:
    """First descendant along a path of local names (namespaces vary between sites)."""
    for name in names:
        element = next((c for c in element if _local(c) == name), None)
        if element is None:
            return None
    return element


def _child_text(element: Any, *names: str) -> str | None:
    found = _child(element, *names)
    text = found.text if found is not None else None
    return (text.strip() or None) if text else None


def parse_xml(data: bytes) -> tuple[Any, str | None]:
    """Parse XML safely; returns the root and, when it had to be salvaged, why."""
    try:
        return etree.fromstring(data, _XML_PARSER), None
    except etree.XMLSyntaxError as exc:
        reason = str(exc)
    root = etree.fromstring(data, _XML_SALVAGE)
    if root is None:
        raise FeedError(f"malformed XML: {reason}")
    return root, reason


def _sitemap_index_error(root: Any) -> FeedError:
    locs = [loc for loc in (_child_text(s, "loc") for s in root if _local(s) == "sitemap") if loc]
    shown = ", ".join(locs[:INDEX_EXAMPLES]) + (", ..." if len(locs) > INDEX_EXAMPLES else "")
    return FeedError(
        f"a sitemap index, not a feed: it lists {len(locs)} sitemaps"
        + (f" ({shown}); use one of those" if locs else "")
    )


def _parse_sitemap(data: bytes, url: str) -> ParsedFeed:
    root, salvaged = parse_xml(data)
    if _local(root) == "sitemapindex":
        raise _sitemap_index_error(root)
    urls = [u for u in root if _local(u) == "url"]
    warnings: list[str] = []
    if salvaged:
        warnings.append(f"malformed sitemap, {len(urls)} URLs salvaged: {salvaged}")
    title: str | None = None
    language: str | None = None
    entries: list[EntryData] = []
    seen: set[str] = set()
    undated = 0
    for node in urls[:MAX_ENTRIES]:
        link = absolute_url(_child_text(node, "loc"), url)
        news = _child(node, "news")
        if link is None or link in seen:
            continue
        if news is None and _child_text(node, "lastmod") is None:
            undated += 1
            continue
        seen.add(link)
        if news is not None:
            title = title or clean_text(_child_text(news, "publication", "name"))
            language = language or _child_text(news, "publication", "language")
            when = _child_text(news, "publication_date")
        else:
            when = _child_text(node, "lastmod")
        naive = VIETNAM if is_vietnamese(language, url) else UTC
        entries.append(
            EntryData(
                guid=link,
                url=link,
                title=clean_text(_child_text(news, "title")) if news is not None else None,
                summary=None,
                author=None,
                published=parse_date(when, naive=naive),
            )
        )
    if not entries:
        raise FeedError(
            f"a sitemap of {len(urls)} URLs without news tags or lastmod dates: not a news feed"
        )
    if undated:
        warnings.append(f"{undated} sitemap URLs without news tags or lastmod skipped")
    if len(urls) > MAX_ENTRIES:
        warnings.append(f"only the first {MAX_ENTRIES} of {len(urls)} URLs kept")
    return ParsedFeed(title, entries, warnings, "sitemap", language)


# ---------------------------------------------------------------------------- feeds

# feedparser's complaints about charsets and media types: decode_markup settled those.
_HARMLESS_BOZO = (
    feedparser.CharacterEncodingOverride,
    feedparser.CharacterEncodingUnknown,
    feedparser.NonXMLContentType,
)


_UTF8_XML = "application/xml; charset=utf-8"


def _kind(version: str) -> FeedKind:
    if version.startswith("rss"):
        return "rss"
    if version.startswith("atom"):
        return "atom"
    return "unknown"


def _raw_date(raw: Any) -> tuple[str | None, Any]:
    """The entry's date text and feedparser's reading of it (published, else updated).

    dict.get: FeedParserDict.get("updated_parsed") falls back to "published_parsed" with a
    DeprecationWarning.
    """
    for key in ("published", "updated"):
        text = dict.get(raw, key)
        if text:
            return text, dict.get(raw, f"{key}_parsed")
    return None, None


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse an RSS/Atom feed or a (news) sitemap.

    Raises FeedError when the bytes are not a feed (an HTML page, a sitemap index, garbage) or
    yield nothing usable. Salvaged damage, duplicate GUIDs and skipped entries are `warnings`.
    """
    if not body.strip():
        raise FeedError("empty response")
    decoded = decode_markup(body, content_type)
    text = decoded.text
    root = root_name(text)
    if root == "html" or (root is None and looks_like_html(text)):
        raise _not_a_feed_html(text, content_type)
    # Re-encoded as UTF-8 with a declaration that says so: the charset question is settled.
    data = XML_DECL_RE.sub("", text, count=1).lstrip("\ufeff").encode("utf-8")
    data = b'<?xml version="1.0" encoding="utf-8"?>\n' + data.lstrip()
    if root in ("urlset", "sitemapindex"):
        parsed = _parse_sitemap(data, url)
        return ParsedFeed(
            parsed.title, parsed.entries, decoded.warnings + parsed.warnings, "sitemap",
            parsed.language,
        )  # fmt: skip
    # A stream, never bytes: feedparser opens bytes that name an existing file as that file.
    result = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-type": _UTF8_XML, "content-location": url},
        resolve_relative_uris=False,
    )
    return _entries(result, url, content_type, decoded.warnings)


def _entries(result: Any, url: str, content_type: str | None, warnings: list[str]) -> ParsedFeed:
    warnings = list(warnings)
    version = result.get("version") or ""
    if not version and not result.entries:
        reason = str(result.get("bozo_exception") or "no feed elements found")
        received = f" ({content_type.split(';')[0]})" if content_type else ""
        raise FeedError(f"not a feed{received}: {reason}")
    problem = result.get("bozo_exception")
    if result.get("bozo") and not isinstance(problem, _HARMLESS_BOZO):
        if not result.entries:
            raise FeedError(f"malformed feed with no usable entries: {problem}")
        warnings = [*warnings, f"malformed feed, {len(result.entries)} entries salvaged: {problem}"]
    language = clean_text(result.feed.get("language"))
    naive = VIETNAM if is_vietnamese(language, url) else UTC
    entries: list[EntryData] = []
    seen: set[str] = set()
    repeated: list[str] = []
    unusable: list[str] = []
    for raw in result.entries[:MAX_ENTRIES]:
        link, problem = resolve_link(raw.get("link"), url)
        if link is None:
            unusable.append(f"{clean_text(raw.get('title')) or '(untitled)'!r} ({problem})")
            continue
        guid = raw.get("id") or link
        if len(guid) > MAX_URL:
            guid = hashlib.sha256(guid.encode()).hexdigest()
        if guid in seen:
            repeated.append(guid)
            continue
        seen.add(guid)
        text, understood = _raw_date(raw)
        published = parse_date(text, naive=naive)
        if published is None and understood:
            published = datetime.fromtimestamp(calendar.timegm(understood), UTC)
        entries.append(
            EntryData(
                guid=guid,
                url=link,
                title=clean_text(raw.get("title")),
                summary=clean_text(raw.get("summary")),
                author=clean_text(raw.get("author")),
                published=published,
            )
        )
    if unusable:
        warnings.append(
            f"{len(unusable)} entries without a usable link skipped: "
            + "; ".join(unusable[:SKIPPED_EXAMPLES])
            + ("; …" if len(unusable) > SKIPPED_EXAMPLES else "")
        )
    if repeated:
        warnings.append(
            f"{len(repeated)} entries with a repeated guid skipped (the first kept): "
            + ", ".join(repr(g) for g in repeated[:3])
        )
    if len(result.entries) > MAX_ENTRIES:
        warnings.append(f"only the first {MAX_ENTRIES} of {len(result.entries)} entries kept")
    title = clean_text(result.feed.get("title"))
    return ParsedFeed(title, entries, warnings, _kind(version), language)
