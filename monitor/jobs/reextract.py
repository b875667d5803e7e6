"""Re-extraction from stored responses, and re-clustering of the whole archive.

After an extractor upgrade (or a fix in `monitor.extract`), every article can be made again from
the raw response the archive kept, without asking any publisher for the page again. Articles are
updated in place (same id) and indexed again by the next `index_pending`.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import traceback
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
from monitor.jobs.poll import internal_reason
from monitor.jobs.progress import Progress, ProgressFn, ignore
from monitor.models import StoredPage

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger(__name__)


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
    interrupted: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "articles": self.articles,
            "changed": self.changed,
            "changed_fields": dict(self.changed_fields),
            "failed": self.failed,
            "clustered": self.clustered,
            "failures": [{"id": i, "reason": r} for i, r in self.failures],
            "interrupted": self.interrupted,
        }


def raw_body(config: Config, page: StoredPage) -> bytes:
    """The stored response body of a page: from its WARC file, or from the archive itself."""
    if page.warc is not None:
        return read_response(config.warc_dir, page.warc).body
    if page.body is not None:
        return page.body
    raise ArchiveError(f"page {page.task.id} ({page.task.url}) has no stored response")


@dataclass(frozen=True)
class Failed:
    """Why an article could not be made again; the traceback when it was unexpected."""

    reason: str
    traceback: str | None = None


def remake(config: Config, page: StoredPage) -> ProcessedPage | Failed:
    """One article made again from its stored response (in a worker process); or why not.

    Nothing raised here reaches the worker's own error printing: the main process logs it.
    """
    try:
        return process_page(
            raw_body(config, page),
            url=page.final_url,
            content_type=page.content_type,
            task=page.task,
            fetched_at=None,
        )
    except (ExtractError, ArchiveError) as exc:
        return Failed(str(exc))
    except Exception as exc:
        return Failed(internal_reason(exc), "".join(traceback.format_exception(exc)))


# Ctrl-C goes to the whole process group; the main process stops the work, and a worker would
# print a traceback. Workers start with these blocked (see `_starting_workers`), then ignore
# SIGINT for good and take SIGTERM as usual.
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def quiet_worker() -> None:
    """The initializer of a worker process (see _STOP_SIGNALS)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


@contextlib.contextmanager
def _starting_workers() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while worker processes may be started: a worker inherits
    the blocked signals, so none reaches it before its initializer runs. Held signals are
    delivered to this process when the block ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def reextract(
    archive: Archive,
    config: Config,
    *,
    sources: Sequence[str] = (),
    workers: int | None = None,
    progress: ProgressFn = ignore,
    stop: threading.Event | None = None,
) -> ReextractSummary:
    """Extract every stored page again, in `workers` processes (default: one per CPU); an
    article whose page no longer yields text keeps its current version (and is reported).

    When `stop` is set, the articles already made are stored and the rest is left as it was
    (`interrupted`); clusters are then left for the next complete re-extraction.
    """
    summary = ReextractSummary()
    progress(Progress("extract", total=archive.article_count()))
    count = workers or os.cpu_count() or 1
    # Extraction is CPU-bound Python: processes, not threads. Pages go out a batch at a time
    # so memory stays flat however large the archive; writes stay on this thread.
    # "spawn": forking a process that has threads (SQLite, the index) is unsafe.
    context = multiprocessing.get_context("spawn")
    with (
        ProcessPoolExecutor(count, mp_context=context, initializer=quiet_worker)
        if count > 1
        else _Inline() as pool
    ):
        try:
            _remake_all(archive, config, pool, summary, sources, progress, stop)
        except BaseException:
            # Interrupted at once (a second Ctrl-C) or failed: no more pages to the workers,
            # whose work in hand is awaited, so that none is left waiting for a parent.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    summary.interrupted = stop is not None and stop.is_set()
    if not summary.interrupted:
        summary.clustered = recluster(archive)
    return summary


def _remake_all(
    archive: Archive,
    config: Config,
    pool: ProcessPoolExecutor | _Inline,
    summary: ReextractSummary,
    sources: Sequence[str],
    progress: ProgressFn,
    stop: threading.Event | None,
) -> None:
    for batch in _batches(archive.stored_pages(sources=sources), BATCH):
        if stop is not None and stop.is_set():
            return
        with _starting_workers():
            results = pool.map(partial(remake, config), batch, chunksize=8)
        for page, result in zip(batch, results, strict=True):
            summary.articles += 1
            _apply(archive, summary, page, result)
            progress(Progress("extract", advance=1))
            if stop is not None and stop.is_set():
                pool.shutdown(wait=True, cancel_futures=True)
                return


def _apply(
    archive: Archive, summary: ReextractSummary, page: StoredPage, result: ProcessedPage | Failed
) -> None:
    if isinstance(result, Failed):
        summary.failed += 1
        summary.failures.append((page.article_id, result.reason))
        if result.traceback is not None:
            log.error("article %s: %s\n%s", page.article_id, result.reason, result.traceback)
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

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None

    def map(self, fn: Callable[[T], R], items: Iterable[T], chunksize: int = 1) -> Iterator[R]:
        return map(fn, items)


def recluster(archive: Archive) -> int:
    """Recompute every near-duplicate cluster from the stored fingerprints, in id order."""
    clusterer = Clusterer()
    for article_id, fingerprint in archive.clusters.fingerprints():
        clusterer.add(article_id, fingerprint)
    return archive.clusters.set_clusters(clusterer.clusters())
