"""A site or page URL → the feeds it offers, each one fetched and parsed to prove it is a feed.

Order: the URL itself when it is a feed; else the page's `<link rel="alternate">` feeds and its
`<a href>` links to feed-like URLs of the same site (an outlet's "/rss" page that lists every
section's feed is followed one level); else common feed and news-sitemap paths of the site.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import lxml.html
from lxml import etree

from monitor.collect.feed_parser import absolute_url, clean_text, looks_like_html, parse_feed
from monitor.collect.http import Response
from monitor.decoding import decode_markup
from monitor.errors import FeedError, FetchError

# Each candidate costs a polite request to the outlet; this bounds one discovery.
MAX_CANDIDATES = 20
COMMON_PATHS = (
    "/rss",
    "/feed",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.rss",
    "/rss/home.rss",
    "/rss/tin-moi-nhat.rss",
    "/sitemap-news.xml",
    "/news-sitemap.xml",
    "/sitemap_news.xml",
)
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/x-rss+xml",
    }
)
FEED_SUFFIXES = (".rss", ".atom", ".rdf")
FEED_WORDS = ("rss", "feed", "atom")

Kind = Literal["rss", "atom", "sitemap", "unknown"]
How = Literal["given", "link", "guess"]
Fetch = Callable[[str], Response]


@dataclass(frozen=True)
class DiscoveredFeed:
    url: str
    title: str | None
    kind: Kind
    entries: int
    how: How


@dataclass(frozen=True)
class _Candidate:
    url: str
    how: How
    title: str | None = None
    # A page of feed links ("/rss") is followed once; the pages it links to are not.
    follow: bool = False


def _key(url: str) -> str:
    """Identity of a candidate: without fragment, host lower-cased, "/" for an empty path."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _same_site(url: str, page_url: str) -> bool:
    a, b = _host(url), _host(page_url)
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def _html_root(response: Response) -> Any:
    text = decode_markup(response.body, response.content_type).text
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        return None
    try:
        return lxml.html.fromstring(text, parser=lxml.html.HTMLParser(no_network=True))
    except (etree.ParserError, ValueError):
        return None


def feed_links(response: Response) -> list[tuple[str, str | None, bool]]:
    """Feed links of an HTML page: (url, title, declared) in document order, declared first.

    Declared links are `<link rel="alternate">` with a feed type (any host); the others are
    `<a href>` to feed-like paths of the same site.
    """
    root = _html_root(response)
    if root is None:
        return []
    base = response.url
    base_href = root.xpath("string(//base/@href)")
    if base_href:
        base = absolute_url(base_href, base) or base
    declared: list[tuple[str, str | None, bool]] = []
    anchors: list[tuple[str, str | None, bool]] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        url = absolute_url(link.get("href"), base)
        if "alternate" in rel and kind in FEED_TYPES and url:
            declared.append((url, clean_text(link.get("title")), True))
    for anchor in root.iter("a"):
        url = absolute_url(anchor.get("href"), base)
        if url and _same_site(url, response.url) and _feedlike(urlsplit(url).path):
            text = clean_text(anchor.text_content()) or clean_text(anchor.get("title"))
            anchors.append((url, text, False))
    return declared + anchors


def _feedlike(path: str) -> bool:
    """Whether a path clearly names a feed: "/rss/thoi-su.rss", "/feed/", "/rss/home.xml"."""
    path = path.lower()
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return (
        path.endswith(FEED_SUFFIXES)
        or last in FEED_WORDS
        or (path.endswith(".xml") and any(word in path for word in FEED_WORDS))
    )


def _site_root(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def _is_html(response: Response) -> bool:
    kind = (response.content_type or "").split(";")[0].strip().lower()
    return kind in ("text/html", "application/xhtml+xml") or looks_like_html(
        decode_markup(response.body[:2048], response.content_type).text
    )


def _found(response: Response, how: How, title: str | None) -> DiscoveredFeed | None:
    try:
        parsed = parse_feed(response.body, url=response.url, content_type=response.content_type)
    except FeedError:
        return None
    entries = len(parsed.entries)
    return DiscoveredFeed(response.url, parsed.title or title, parsed.kind, entries, how)


def discover_feeds(
    url: str, fetch: Fetch, *, max_candidates: int = MAX_CANDIDATES
) -> list[DiscoveredFeed]:
    """The feeds `url` is or offers, each validated by fetching and parsing it.

    `fetch` raises FetchError on failure: for `url` itself that error propagates; a candidate
    that can't be fetched or parsed is skipped. At most `max_candidates` candidates are fetched.
    """
    page = fetch(url)
    given = _found(page, "given", None)
    if given is not None:
        return [given]
    results: list[DiscoveredFeed] = []
    seen = {_key(url), _key(page.url)}
    budget = max_candidates

    def check(candidates: Iterator[_Candidate]) -> None:
        nonlocal budget
        for candidate in candidates:
            if budget <= 0:
                return
            if _key(candidate.url) in seen:
                continue
            seen.add(_key(candidate.url))
            budget -= 1
            try:
                response = fetch(candidate.url)
            except FetchError:
                continue
            if _key(response.url) != _key(candidate.url):
                if _key(response.url) in seen:
                    continue  # a redirect to a URL already checked
                seen.add(_key(response.url))
            feed = _found(response, candidate.how, candidate.title)
            if feed is not None:
                results.append(feed)
            elif candidate.follow and _is_html(response):
                check(_linked(response, follow=False))

    def _linked(response: Response, *, follow: bool) -> Iterator[_Candidate]:
        for link, title, declared in feed_links(response):
            # An anchor to "/rss" is usually a page that lists the outlet's feeds.
            yield _Candidate(link, "link", title, follow=follow and not declared)

    if _is_html(page):
        check(_linked(page, follow=True))
    if not results:
        root = _site_root(page.url)
        check(_Candidate(root.rstrip("/") + path, "guess", follow=True) for path in COMMON_PATHS)
    return results
