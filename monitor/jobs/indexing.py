"""Archive → index: what is stored is indexed, and the index can always be rebuilt.

An article carries labels the index filters and counts on: its quality flags (`flag:`) and the
tags of every feed that listed it (`tag:`, collections). A feed whose tags change in the config
has its articles marked for indexing again (`FeedStore.sync`), and an article listed by one more
feed is marked too, so the next run's `index_pending` brings the index in line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from index import Analyzed, analyze_documents
from index.engine import Engine
from index.model import Document
from monitor.archive import Archive
from monitor.jobs.progress import Progress, ProgressFn, ignore
from monitor.jobs.runners import Runner, batched
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


# Documents analysed per task on a runner: ~60 ms of work, well above a Dask task's overhead.
ANALYSIS_BATCH = 250


def _analyse_here(docs: list[Document], _exc: Exception) -> list[Analyzed]:
    # Where a batch's worker failed, the same analysis is done here: it never fails the index.
    return analyze_documents(docs)


def _add(
    archive: Archive, engine: Engine, articles: Iterable[ArticleRecord], runner: Runner | None
) -> Iterator[list[int]]:
    """Add `articles` to the engine, in order; yields the ids of each batch added.

    With a runner, documents are analysed on its workers (the Python half of indexing) and
    added here: one process writes the index, as the engines require.
    """
    if runner is None:
        for batch in _batches(articles, BATCH):
            engine.add(documents(archive, batch))
            yield [a.id for a in batch]
        return
    chunks = (
        chunk
        for batch in _batches(articles, BATCH)
        for chunk in batched(documents(archive, batch), ANALYSIS_BATCH)
    )
    for docs, analysed in runner.run(analyze_documents, chunks, _analyse_here):
        engine.add_analyzed(analysed)
        yield [int(doc.id) for doc in docs]


def index_pending(
    archive: Archive,
    engine: Engine,
    *,
    progress: ProgressFn = ignore,
    runner: Runner | None = None,
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
        return reindex(archive, engine, progress=progress, runner=runner)
    progress(Progress("index", total=archive.stats()["articles_unindexed"]))
    done = 0
    added: list[int] = []
    for ids in _add(archive, engine, archive.unindexed_articles(), runner):
        added += ids
        progress(Progress("index", advance=len(ids)))
        if len(added) >= BATCH:
            done += _commit(archive, engine, added)
    return done + _commit(archive, engine, added)


def _commit(archive: Archive, engine: Engine, added: list[int]) -> int:
    """Commit the index, then mark what it now holds; returns how many and empties `added`."""
    count = len(added)
    if count:
        engine.commit()
        archive.mark_indexed(added)
        added.clear()
    return count


def reindex(
    archive: Archive,
    engine: Engine,
    *,
    progress: ProgressFn = ignore,
    runner: Runner | None = None,
) -> int:
    """Rebuild the index from the archive alone (documents analysed on `runner`'s workers)."""
    progress(Progress("index", total=archive.article_count()))
    engine.clear()
    engine.commit()
    archive.mark_indexed([], reset_all=True)
    done = uncommitted = 0
    for ids in _add(archive, engine, archive.articles(), runner):
        done += len(ids)
        uncommitted += len(ids)
        progress(Progress("index", advance=len(ids)))
        if uncommitted >= BATCH * 10:
            engine.commit()
            uncommitted = 0
    engine.commit()
    archive.mark_all_indexed()
    return done
