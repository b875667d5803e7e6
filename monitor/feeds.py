"""Feed documents (bytes) → entries: RSS/Atom through feedparser, news sitemaps through lxml.

What feedparser gets wrong for Vietnamese feeds is handled here: the charset is decided before
parsing (wrong HTTP charsets, lying XML declarations, windows-1258 with combining tone marks),
dates are read with Vietnamese formats and Indochina Time in mind, and titles come out NFC.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

from index.analysis import nfc
from monitor.archive import EntryData
from monitor.errors import FeedError
from monitor.extract import VIETNAM

MAX_ENTRIES = 2000
MAX_URL = 2048
# How many child sitemaps an index error message names.
INDEX_EXAMPLES = 3

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


# ---------------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTTP_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
# Tried when no declared charset fits: Vietnamese legacy pages first, then Western ones.
_FALLBACKS = ("cp1258", "cp1252")
# Charset names that servers and CMSs put by default: the weakest evidence.
_WESTERN = ("ascii", "iso8859-1", "iso8859-15", "cp1252")
# windows-1258 bytes of a tone mark (combining) and of ơ ư đ ă (upper and lower case).
_CP1258_TONES = re.compile(rb"[\xcc\xec\xd2\xde\xf2]")
_CP1258_LETTERS = re.compile(rb"[\xd5\xf5\xdd\xfd\xd0\xf0\xc3\xe3]")


def _vietnamese_legacy(body: bytes) -> bool:
    """Whether 8-bit bytes read as Vietnamese windows-1258 (tone marks and ơ ư đ ă abound)."""
    return len(_CP1258_TONES.findall(body)) >= 3 and len(_CP1258_LETTERS.findall(body)) >= 3


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warnings: list[str]


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _sniff_utf16(body: bytes) -> str | None:
    """UTF-16 without a BOM: the first character of an XML document is ASCII ("<")."""
    if body[:1] == b"<" and body[1:2] == b"\x00":
        return "utf-16-le"
    if body[:1] == b"\x00" and body[1:2] == b"<":
        return "utf-16-be"
    return None


def decode_markup(body: bytes, content_type: str | None = None) -> Decoded:
    """Bytes of an XML or HTML document → text, trusting the bytes over what is declared.

    A BOM decides; then bytes that are valid UTF-8 (or nearly: truncated) are UTF-8 whatever
    the HTTP header or the document says (servers default to iso-8859-1, CMSs copy
    declarations); then the declared charsets (a document's own before a Western default, and
    Vietnamese-looking bytes under a Western name as windows-1258); then windows-1258, 1252.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom) :].decode(encoding, "replace"), encoding, [])
    sniffed = _sniff_utf16(body)
    if sniffed:
        return Decoded(body.decode(sniffed, "replace"), sniffed, [])
    header = _HTTP_CHARSET_RE.search(content_type or "")
    in_document = _XML_ENCODING_RE.search(body[:512]) or _META_CHARSET_RE.search(body[:4096])
    declared: list[str] = []
    for name in (header and header.group(1), in_document and in_document.group(1).decode()):
        codec = _codec(name)
        # No BOM and no NUL beside the first "<": not UTF-16/32, whatever is declared.
        if codec and not codec.startswith(("utf-16", "utf-32")) and codec not in declared:
            declared.append(codec)
    try:
        return Decoded(body.decode("utf-8"), "utf-8", [])
    except UnicodeDecodeError:
        pass
    # Truncated or slightly damaged UTF-8: legacy 8-bit text almost never forms valid multibyte
    # sequences, so many of them and few errors mean UTF-8 whatever was declared.
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    if sum(not c.isascii() for c in text) - bad >= 10 * bad:
        return Decoded(text, "utf-8", [f"{bad} invalid UTF-8 sequences replaced"])
    declared.sort(key=lambda codec: codec in _WESTERN)
    for codec in [c for c in declared if c != "utf-8"]:
        if codec in _WESTERN and _vietnamese_legacy(body):
            return Decoded(body.decode("cp1258"), "cp1258", [f"declared {codec}, read as cp1258"])
        try:
            return Decoded(body.decode(codec), codec, [])
        except UnicodeDecodeError:
            continue
    said = " or ".join(declared) or "nothing"
    for codec in _FALLBACKS:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        return Decoded(text, codec, [f"bytes are not {said} as declared; read as {codec}"])
    text = body.decode("cp1252", "replace")
    return Decoded(text, "cp1252", [f"bytes are not {said} as declared; undecodable bytes lost"])


# ---------------------------------------------------------------------------- dates

_OFFSET = r"[+-]\d{1,2}(?::?\d{2})?"
_ZONE = rf"(?:\s*\(?\s*(?P<zone>Z|{_OFFSET}|(?:GMT|UTC|UT)(?:\s*{_OFFSET})?|[A-Z]{{2,5}})\s*\)?)?"
_TIME = r"(?P<H>\d{1,2})[:hg](?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
# "22/11/2026 20:15", "Thứ bảy, 22/11/2026 - 20:15", "20:15 22/11/2026", "22-11-2026 20:15 GMT+7"
_VN_DATE_RE = re.compile(
    rf"^(?:[^\d]*?,\s*)?(?:(?P<H0>\d{{1,2}})[:hg](?P<M0>\d{{2}})\D{{1,6}})?"
    rf"(?P<d>\d{{1,2}})[/\-.](?P<m>\d{{1,2}})[/\-.](?P<y>\d{{4}})(?:\D{{1,6}}?{_TIME})?{_ZONE}\s*$"
)
# "2026-11-22T20:15:00+07:00", "2026-11-22 20:15", "2026/11/22 20:15:00 GMT+7"
_ISO_DATE_RE = re.compile(
    rf"^(?P<y>\d{{4}})[/\-.](?P<m>\d{{1,2}})[/\-.](?P<d>\d{{1,2}})(?:(?:T|\s+){_TIME})?{_ZONE}\s*$"
)
# "Sun, 22 Nov 2026 20:15:00 GMT+7", "22 Nov 2026 20:15" (RFC 822 and its usual mistakes)
_RFC822_RE = re.compile(
    rf"^(?:[^\d,]+,\s*)?(?P<d>\d{{1,2}})\s+(?P<mon>[A-Za-z]{{3}})[A-Za-z]*\.?\s+(?P<y>\d{{4}})"
    rf"(?:\s+{_TIME})?{_ZONE}\s*$"
)
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
# Zone names seen in feeds; an unknown name leaves the date to feedparser.
_ZONE_NAMES = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "ICT": 7,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
_OFFSET_RE = re.compile(r"^(?P<name>[A-Z]*)\s*(?:(?P<sign>[+-])(?P<h>\d{1,2}):?(?P<m>\d{2})?)?$")


def _zone(text: str | None, naive: tzinfo) -> tzinfo | None:
    if not text:
        return naive
    m = _OFFSET_RE.match(text.upper())
    if not m or (m.group("name") and m.group("name") not in _ZONE_NAMES):
        return None
    hours = _ZONE_NAMES.get(m.group("name"), 0)
    if m.group("sign"):
        sign = 1 if m.group("sign") == "+" else -1
        hours += sign * int(m.group("h"))
        minutes = sign * int(m.group("m") or 0)
    else:
        minutes = 0
    if abs(hours) > 14:
        return None
    return timezone(timedelta(hours=hours, minutes=minutes))


def parse_date(value: str | None, *, naive: tzinfo = UTC) -> datetime | None:
    """A feed's date text → aware UTC datetime, or None when it is not understood.

    A Vietnamese dd/mm/yyyy date without an offset is Indochina Time; other formats without one
    are in `naive` (the feed's own zone: Vietnam for Vietnamese feeds, else UTC).
    """
    if not value:
        return None
    value = _SPACE_RE.sub(" ", value).strip()
    for pattern, default in ((_VN_DATE_RE, VIETNAM), (_ISO_DATE_RE, naive), (_RFC822_RE, naive)):
        m = pattern.match(value)
        if not m:
            continue
        zone = _zone(m.group("zone"), default)
        if zone is None:
            return None
        fields = m.groupdict()
        month = _MONTHS.get(fields["mon"].title(), 0) if "mon" in fields else int(fields["m"])
        hour, minute = fields["H"], fields["M"]
        if fields.get("H0"):
            hour, minute = fields["H0"], fields["M0"]
        try:
            local = datetime(
                int(fields["y"]),
                month,
                int(fields["d"]),
                int(hour or 0),
                int(minute or 0),
                int(fields["S"] or 0),
                tzinfo=zone,
            )
        except ValueError:
            return None
        return local.astimezone(UTC)
    return None


def _is_vietnamese(language: str | None, url: str) -> bool:
    if language:
        return language.strip().lower().startswith("vi")
    host = urlsplit(url).hostname or ""
    return host.endswith(".vn")


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
    locs = [
        loc for loc in (_child_text(s, "loc") for s in root if _local(s) == "sitemap") if loc
    ]
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
        naive = VIETNAM if _is_vietnamese(language, url) else UTC
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
    data = _XML_DECL_RE.sub("", text, count=1).lstrip("\ufeff").encode("utf-8")
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


def _entries(
    result: Any, url: str, content_type: str | None, warnings: list[str]
) -> ParsedFeed:
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
    naive = VIETNAM if _is_vietnamese(language, url) else UTC
    entries: list[EntryData] = []
    seen: set[str] = set()
    repeated: list[str] = []
    for raw in result.entries[:MAX_ENTRIES]:
        link = absolute_url(raw.get("link"), url)
        if link is None:
            warnings.append(f"entry without a usable link skipped: {raw.get('title')!r}")
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
    if repeated:
        warnings.append(
            f"{len(repeated)} entries with a repeated guid skipped (the first kept): "
            + ", ".join(repr(g) for g in repeated[:3])
        )
    if len(result.entries) > MAX_ENTRIES:
        warnings.append(f"only the first {MAX_ENTRIES} of {len(result.entries)} entries kept")
    title = clean_text(result.feed.get("title"))
    return ParsedFeed(title, entries, warnings, _kind(version), language)
