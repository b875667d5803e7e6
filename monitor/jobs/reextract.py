"""Re-extraction from stored responses, and re-clustering of the whole archive.

After an extractor upgrade (or a fix in `monitor.extract`), every article can be made again from
the raw response the archive kept, without asking any publisher for the page again. Articles are
updated in place (same id) and indexed again by the next `index_pending`.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from monitor.archive import Archive
from monitor.archive.warc_reader import read_response
from monitor.config import Config
from monitor.errors import ArchiveError, ExtractError
from monitor.extract.near_dup import Clusterer
from monitor.extract.page import ProcessedPage, process_page
from monitor.jobs.progress import Progress, ProgressFn, ignore
from monitor.models import StoredPage

T = TypeVar("T")
R = TypeVar("R")


# What a researcher sees change in an article, by what `changed_fields` counts.
COMPARED = ("title", "text", "published", "flags")


@dataclass
class ReextractSummary:
    articles: int = 0
    changed: int = 0  # articles of which any COMPARED field changed
    failed: int = 0
    clustered: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)
    changed_fields: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COMPARED, 0))

    def as_dict(self) -> dict[str, object]:
        return {
            "articles": self.articles,
            "changed": self.changed,
            "changed_fields": dict(self.changed_fields),
            "failed": self.failed,
            "clustered": self.clustered,
            "failures": [{"id": i, "reason": r} for i, r in self.failures],
        }


def raw_body(config: Config, page: StoredPage) -> bytes:
    """The stored response body of a page: from its WARC file, or from the archive itself."""
    if page.warc is not None:
        return read_response(config.warc_dir, page.warc).body
    if page.body is not None:
        return page.body
    raise ArchiveError(f"page {page.task.id} ({page.task.url}) has no stored response")


def remake(config: Config, page: StoredPage) -> ProcessedPage | str:
    """One article made again from its stored response (in a worker process); an error as text."""
    try:
        return process_page(
            raw_body(config, page),
            url=page.final_url,
            content_type=page.content_type,
            task=page.task,
            fetched_at=None,
        )
    except (ExtractError, ArchiveError) as exc:
        return str(exc)


def reextract(
    archive: Archive,
    config: Config,
    *,
    sources: Sequence[str] = (),
    workers: int | None = None,
    progress: ProgressFn = ignore,
) -> ReextractSummary:
    """Extract every stored page again, in `workers` processes (default: one per CPU); an
    article whose page no longer yields text keeps its current version (and is reported)."""
    summary = ReextractSummary()
    progress(Progress("extract", total=archive.article_count()))
    count = workers or os.cpu_count() or 1
    # Extraction is CPU-bound Python: processes, not threads. Pages go out a batch at a time
    # so memory stays flat however large the archive; writes stay on this thread.
    # "spawn": forking a process that has threads (SQLite, the index) is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(count, mp_context=context) if count > 1 else _Inline() as pool:
        for batch in _batches(archive.stored_pages(sources=sources), BATCH):
            results = pool.map(partial(remake, config), batch, chunksize=8)
            for page, result in zip(batch, results, strict=True):
                summary.articles += 1
                _apply(archive, summary, page, result)
                progress(Progress("extract", advance=1))
    summary.clustered = recluster(archive)
    return summary


def _apply(
    archive: Archive, summary: ReextractSummary, page: StoredPage, result: ProcessedPage | str
) -> None:
    if isinstance(result, str):
        summary.failed += 1
        summary.failures.append((page.article_id, result))
        return
    before = archive.article(page.article_id)
    after = result.article
    differ = [name for name in COMPARED if getattr(before, name) != getattr(after, name)]
    for name in differ:
        summary.changed_fields[name] += 1
    summary.changed += bool(differ)
    archive.update_article(page.article_id, after, fingerprint=result.near_dup)


BATCH = 256


def _batches(pages: Iterator[StoredPage], size: int) -> Iterator[list[StoredPage]]:
    batch: list[StoredPage] = []
    for page in pages:
        batch.append(page)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Inline:
    """Stands in for a process pool when one worker is asked for."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, fn: Callable[[T], R], items: Iterable[T], chunksize: int = 1) -> Iterator[R]:
        return map(fn, items)


def recluster(archive: Archive) -> int:
    """Recompute every near-duplicate cluster from the stored fingerprints, in id order."""
    clusterer = Clusterer()
    for article_id, fingerprint in archive.clusters.fingerprints():
        clusterer.add(article_id, fingerprint)
    return archive.clusters.set_clusters(clusterer.clusters())
