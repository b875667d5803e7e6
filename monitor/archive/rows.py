"""How the archive's rows map to the models and back: articles, and pages with their entry."""

from __future__ import annotations

import json
import zlib

from monitor.archive.backend import Row
from monitor.models import Article, ArticleRecord, PageTask, StoredPage, WarcLocation
from monitor.timestamps import from_iso, to_iso

# Columns of `articles` that extraction fills, in the order `article_values` gives them.
ARTICLE_COLUMNS = (
    "title",
    "text",
    "author",
    "published",
    "date_source",
    "language",
    "declared_language",
    "extractor",
    "flags",
    "versions",
    "canonical_url",
    "words",
)


def article_values(article: Article) -> tuple[object, ...]:
    """What an article puts in the ARTICLE_COLUMNS."""
    return (
        article.title,
        article.text,
        article.author,
        to_iso(article.published),
        article.date_source,
        article.language,
        article.declared_language,
        # The method is what is stored: the versions are kept beside it.
        article.method,
        json.dumps(sorted(article.flags)),
        json.dumps(article.versions, sort_keys=True),
        article.canonical_url,
        article.words,
    )


def page_task(row: Row) -> PageTask:
    """A page with what its first feed entry said (columns page_id, url, source, attempts,
    title, summary, author, published, language)."""
    return PageTask(
        id=row["page_id"],
        url=row["url"],
        source=row["source"],
        attempts=row["attempts"],
        feed_title=row["title"],
        feed_summary=row["summary"],
        feed_author=row["author"],
        feed_published=from_iso(row["published"]),
        feed_language=row["language"],
    )


def stored_page(row: Row) -> StoredPage:
    """A page an article came from, with its first entry (`page_task`'s columns, article_id,
    final_url, content_type, headers, body and the warc_* columns)."""
    return StoredPage(
        article_id=row["article_id"],
        task=page_task(row),
        final_url=row["final_url"] or row["url"],
        content_type=row["content_type"],
        headers=json.loads(row["headers"] or "{}"),
        body=zlib.decompress(row["body"]) if row["body"] is not None else None,
        warc=(
            WarcLocation(
                row["warc_file"],
                row["warc_offset"],
                row["warc_length"],
                row["warc_record_id"] or "",
            )
            if row["warc_file"]
            else None
        ),
    )


def article_record(row: Row, feeds: tuple[str, ...]) -> ArticleRecord:
    """An `articles` row, with the URLs of the feeds that listed it."""
    return ArticleRecord(
        id=row["id"],
        url=row["url"],
        source=row["source"],
        title=row["title"],
        text=row["text"],
        author=row["author"],
        published=from_iso(row["published"]),
        date_source=row["date_source"],
        language=row["language"],
        declared_language=row["declared_language"],
        extractor=row["extractor"],
        extracted_at=row["extracted_at"],
        feeds=feeds,
        flags=tuple(json.loads(row["flags"] or "[]")),
        versions=json.loads(row["versions"] or "{}"),
        canonical_url=row["canonical_url"],
        words=row["words"],
        cluster_id=row["cluster_id"],
        gone_at=row["gone_at"],
    )
