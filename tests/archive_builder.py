"""Archives written directly for tests of analyses: articles stored as a run stores them (feed
entries, pages, articles), without fetching anything, then indexed by `monitor reindex`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from monitor.archive import Archive
from monitor.config import FeedConfig
from monitor.models import Article, EntryData, FeedRow


@dataclass(frozen=True)
class Item:
    """One article: its source, the feeds (by URL) that list it, when, and its words."""

    source: str
    title: str
    text: str
    published: datetime | None
    feeds: tuple[str, ...]
    flags: tuple[str, ...] = ()


@dataclass
class Builder:
    """Stores items in the archive of `path`; feeds are declared first with their tags."""

    path: Path
    feeds: list[FeedConfig] = field(default_factory=list)
    stored: int = 0

    def feed(self, url: str, source: str, *tags: str) -> str:
        self.feeds.append(FeedConfig(url=url, source=source, tags=tuple(tags)))
        return url

    def store(self, items: Iterable[Item]) -> list[int]:
        """Store the items; returns their article ids, in order."""
        ids: list[int] = []
        with Archive(self.path) as archive:
            rows = {row.url: row for row in archive.sync_feeds(self.feeds)}
            for item in items:
                ids.append(self._store(archive, rows, item))
        return ids

    def _store(self, archive: Archive, rows: dict[str, FeedRow], item: Item) -> int:
        self.stored += 1
        url = f"https://{_host(item.source)}/bai-{self.stored}.html"
        entry = EntryData(
            guid=url,
            url=url,
            title=item.title,
            summary=None,
            author=None,
            published=item.published,
        )
        for feed in item.feeds:
            archive.add_entries(rows[feed], [entry])
        page = next(p for p in archive.pending_pages() if p.url == url)
        article = Article(
            title=item.title,
            text=item.text,
            author=None,
            published=item.published,
            date_source="page" if item.published else "none",
            language="vi",
            declared_language="vi",
            extractor="trafilatura",
            flags=item.flags,
        )
        stored = archive.store_article(
            page.id,
            status=200,
            final_url=url,
            content_type="text/html; charset=utf-8",
            headers={},
            body=b"<html></html>",
            body_sha256="0" * 64,
            article=article,
        )
        return stored.article_id


def _host(source: str) -> str:
    return "".join(c for c in source.lower() if c.isalnum()) + ".vn"
