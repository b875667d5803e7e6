"""From a stored or fresh response to what the archive keeps: article, identity, fingerprint.

Shared by collection runs and `monitor reextract`, so both make articles the same way. CPU work
only: it runs in worker threads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from monitor.extract import near_dup
from monitor.extract.article import extract_article
from monitor.models import Article, FeedHints, NearDup, PageTask
from monitor.safe_text import body_text, maybe_line, one_line
from monitor.urls import canonical_url


@dataclass(frozen=True)
class ProcessedPage:
    article: Article  # its canonical URL checked against the page's own
    near_dup: NearDup | None


def hints_for(task: PageTask) -> FeedHints:
    return FeedHints(
        title=task.feed_title,
        summary=task.feed_summary,
        author=task.feed_author,
        published=task.feed_published,
        language=task.feed_language,
        source=task.source,
    )


def process_page(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    task: PageTask,
    fetched_at: datetime | None,
) -> ProcessedPage:
    """Extract the article (raises ExtractError), validate its canonical URL, clean its text
    of control characters, fingerprint it."""
    extracted = extract_article(
        body, url=url, content_type=content_type, hints=hints_for(task), fetched_at=fetched_at
    )
    # The page's own claim is checked before it may merge two pages into one article; what
    # the page (or the feed, for a page without a title) says loses its control characters.
    article = replace(
        extracted,
        title=one_line(extracted.title),
        text=body_text(extracted.text),
        author=maybe_line(extracted.author),
        language=maybe_line(extracted.language),
        declared_language=maybe_line(extracted.declared_language),
        canonical_url=canonical_url(extracted.canonical_url, url),
    )
    fingerprint = near_dup.fingerprint(f"{article.title}\n{article.text}")
    return ProcessedPage(
        article,
        NearDup(
            fingerprint,
            near_dup.lsh_keys(fingerprint),
            near_dup.similarity,
            near_dup.NEAR_DUPLICATE,
        )
        if fingerprint is not None
        else None,
    )
