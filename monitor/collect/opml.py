"""Subscription lists in OPML 2.0: read what feed readers export, write what they import.

Reading: every outline with an `xmlUrl` is a feed; outlines without one are folders, and the
texts of the folders around a feed become its tags, after those of its `category` attribute
("/Thời sự/Trong nước,Kinh tế" → "Thời sự", "Trong nước", "Kinh tế").
Writing: one flat list; tags go to `category`, the outlet name to `pm:source` (readers ignore
attributes they don't know), so that reading what was written gives the same feeds back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from monitor.errors import FeedError

NAMESPACE = "urn:press-monitor:opml"
_SOURCE = f"{{{NAMESPACE}}}source"
# Tags that `category` can't carry (they contain "," or "/") are written here as JSON.
_TAGS = f"{{{NAMESPACE}}}tags"
# No network, no entities, no DTD: an OPML file often comes from somewhere else.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None = None
    source: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    html_url: str | None = None


def _attr(outline: Any, name: str) -> str | None:
    """An attribute, its name matched without case (exports write xmlUrl, xmlurl, XMLURL)."""
    value = outline.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in outline.attrib.items() if k.lower() == lowered), None)
    return (value.strip() or None) if value else None


def _category_tags(category: str | None) -> list[str]:
    tags: list[str] = []
    for path in (category or "").split(","):
        tags.extend(part.strip() for part in path.split("/") if part.strip())
    return tags


def _unique(tags: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tags))


def _fail(message: str, line: int | None = None) -> FeedError:
    return FeedError(f"not a usable OPML file: {f'line {line}: ' if line else ''}{message}")


def _feed(outline: Any, folders: list[str]) -> OpmlFeed:
    url = _attr(outline, "xmlUrl") or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _fail(f"xmlUrl {url!r} is not an http(s) URL", outline.sourceline)
    exact = outline.get(_TAGS)
    if exact is not None:
        try:
            listed = json.loads(exact)
        except ValueError:
            listed = None
        if not isinstance(listed, list) or not all(isinstance(t, str) for t in listed):
            raise _fail("pm:tags is not a JSON list of strings", outline.sourceline)
        tags = [*folders, *listed]
    else:
        tags = [*folders, *_category_tags(_attr(outline, "category"))]
    return OpmlFeed(
        url=url,
        title=_attr(outline, "title") or _attr(outline, "text"),
        source=_attr(outline, _SOURCE),
        language=_attr(outline, "language"),
        tags=_unique(tags),
        html_url=_attr(outline, "htmlUrl"),
    )


def read_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML file, in document order; a feed listed twice merges its tags.

    Raises FeedError naming the line when the file is not OPML or a feed's xmlUrl is unusable.
    """
    if not data.strip():
        raise _fail("the file is empty")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _fail(str(exc.msg), exc.lineno) from exc
    if etree.QName(root).localname != "opml":
        raise _fail(f"the document is <{etree.QName(root).localname}>, not <opml>", root.sourceline)
    body = next((c for c in root if c.tag == "body"), None)
    if body is None:
        raise _fail("no <body> element", root.sourceline)
    feeds: dict[str, OpmlFeed] = {}

    def walk(parent: Any, folders: list[str]) -> None:
        for outline in parent:
            if outline.tag != "outline":
                continue
            if _attr(outline, "xmlUrl") is None:
                name = _attr(outline, "text") or _attr(outline, "title")
                walk(outline, [*folders, name] if name else folders)
                continue
            feed = _feed(outline, folders)
            known = feeds.get(feed.url)
            if known is None:
                feeds[feed.url] = feed
            else:
                feeds[feed.url] = replace(known, tags=_unique([*known.tags, *feed.tags]))

    walk(body, [])
    return list(feeds.values())


def _safe_tag(tag: str) -> bool:
    return bool(tag) and tag == tag.strip() and "," not in tag and "/" not in tag


def write_opml(feeds: Iterable[OpmlFeed], *, title: str) -> bytes:
    """An OPML 2.0 document (UTF-8) listing `feeds` flat, in order."""
    root = etree.Element("opml", version="2.0", nsmap={"pm": NAMESPACE})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    for feed in feeds:
        outline = etree.SubElement(body, "outline", type="rss", text=feed.title or "")
        if feed.title:
            outline.set("title", feed.title)
        outline.set("xmlUrl", feed.url)
        if feed.html_url:
            outline.set("htmlUrl", feed.html_url)
        if feed.language:
            outline.set("language", feed.language)
        safe = [t for t in feed.tags if _safe_tag(t)]
        if safe:
            outline.set("category", ",".join(safe))
        if len(safe) < len(feed.tags):
            outline.set(_TAGS, json.dumps(list(feed.tags), ensure_ascii=False))
        if feed.source:
            outline.set(_SOURCE, feed.source)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
