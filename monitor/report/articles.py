"""Stored articles as plain data: one as `monitor show` gives it, many as `monitor export` does.

The two shapes are contracts documented in the README and differ on purpose: `show` names the
extraction (`extractor`, `versions`, `extracted_at`), an export row the corpus fields a
researcher filters on (`canonical_url`, `method`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from monitor.archive import Archive
from monitor.models import ArticleExtras, ArticleRecord
from monitor.timestamps import to_iso

# Export rows are read a page of articles at a time, so memory stays flat.
EXPORT_BATCH = 500


def article_json(article: ArticleRecord, extras: ArticleExtras) -> dict[str, Any]:
    """One article with its metadata and full text, as `monitor show --format json` prints it."""
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "source": article.source,
        "published": to_iso(article.published),
        "date_source": article.date_source,
        "author": article.author,
        "language": article.language,
        "declared_language": article.declared_language,
        "extractor": article.extractor,
        "method": article.extractor,
        "versions": article.versions,
        "canonical_url": article.canonical_url,
        "words": article.words,
        "extracted_at": article.extracted_at,
        "feeds": list(article.feeds),
        "flags": list(extras.flags),
        "cluster": extras.cluster,
        "also_published_by": list(extras.also_published_by),
        "text": article.text,
        "gone_at": article.gone_at,
    }


def export_rows(archive: Archive, ids: list[int] | None) -> Iterator[dict[str, object]]:
    """The export rows of the articles `ids` (all of them when None), in id order."""
    batch: list[ArticleRecord] = []
    for article in archive.articles(ids):
        batch.append(article)
        if len(batch) == EXPORT_BATCH:
            yield from _batch_rows(archive, batch)
            batch = []
    yield from _batch_rows(archive, batch)


def _batch_rows(archive: Archive, batch: list[ArticleRecord]) -> Iterator[dict[str, object]]:
    ids = [a.id for a in batch]
    extras = archive.clusters.extras(ids)
    feeds = archive.feeds_of(ids)
    for a in batch:
        extra = extras.get(a.id)
        yield {
            "id": a.id,
            "url": a.url,
            "canonical_url": a.canonical_url,
            "source": a.source,
            "feeds": feeds.get(a.id, []),
            "title": a.title,
            "author": a.author,
            "published": a.published,
            "date_source": a.date_source,
            "language": a.language,
            "declared_language": a.declared_language,
            "method": a.extractor,
            "flags": list(a.flags),
            "cluster": a.cluster_id,
            "also_published_by": list(extra.also_published_by) if extra else [],
            "words": a.words,
            "text": a.text,
        }
