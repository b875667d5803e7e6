"""Archive → index: what is stored is indexed, and the index can always be rebuilt.

An article carries labels the index filters and counts on: its quality flags (`flag:`) and the
tags of every feed that listed it (`tag:`, collections). A feed whose tags change in the config
has its articles marked for indexing again (`FeedStore.sync`), and an article listed by one more
feed is marked too, so the next run's `index_pending` brings the index in line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from index.engine import Engine
from index.model import Document
from monitor.archive import Archive
from monitor.jobs.progress import Progress, ProgressFn, ignore
from monitor.models import ArticleRecord

BATCH = 2000


def to_document(article: ArticleRecord, tags: Iterable[str] = ()) -> Document:
    return Document(
        id=str(article.id),
        url=article.url,
        title=article.title,
        text=article.text,
        source=article.source,
        published=article.published,
        language=article.language,
        author=article.author,
        labels=(
            *(("flag", flag) for flag in article.flags),
            *(("tag", tag) for tag in tags),
            # A removed article stays searchable, marked: `status:gone`.
            *((("status", "gone"),) if article.gone_at else ()),
        ),
    )


def documents(archive: Archive, batch: list[ArticleRecord]) -> list[Document]:
    tags = archive.feeds.tags_of_articles(a.id for a in batch)
    return [to_document(a, tags.get(a.id, ())) for a in batch]


def _batches(articles: Iterable[ArticleRecord], size: int) -> Iterator[list[ArticleRecord]]:
    batch: list[ArticleRecord] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def index_pending(
    archive: Archive,
    engine: Engine,
    *,
    progress: ProgressFn = ignore,
) -> int:
    """Index every article not yet indexed; returns how many. Marks them only after commit.

    An index that disagrees with the archive about what it holds (a switched engine, a deleted
    or restored index directory) is rebuilt from the archive instead. Articles waiting to be
    indexed again (a new version, a takedown, a re-extraction) may be in it already: adding
    replaces them, so an index holding them is not rebuilt for that.
    """
    stats = archive.stats()
    # Articles marked for indexing again (re-extracted, retagged) are still in the index: it
    # holds at least every article marked indexed, and at most every article.
    indexed = stats["articles"] - stats["articles_unindexed"]
    if not indexed <= engine.doc_count() <= stats["articles"]:
        return reindex(archive, engine, progress=progress)
    progress(Progress("index", total=archive.stats()["articles_unindexed"]))
    done = 0
    for batch in _batches(archive.unindexed_articles(), BATCH):
        engine.add(documents(archive, batch))
        engine.commit()
        archive.mark_indexed(a.id for a in batch)
        done += len(batch)
        progress(Progress("index", advance=len(batch)))
    return done


def reindex(
    archive: Archive,
    engine: Engine,
    *,
    progress: ProgressFn = ignore,
) -> int:
    """Rebuild the index from the archive alone."""
    progress(Progress("index", total=archive.article_count()))
    engine.clear()
    engine.commit()
    archive.mark_indexed([], reset_all=True)
    done = 0
    for batch in _batches(archive.articles(), BATCH):
        engine.add(documents(archive, batch))
        done += len(batch)
        progress(Progress("index", advance=len(batch)))
        if done % (BATCH * 10) == 0:
            engine.commit()
    engine.commit()
    archive.mark_all_indexed()
    return done
