"""Re-extraction from stored responses, and re-clustering of the whole archive.

After an extractor upgrade (or a fix in `monitor.extract`), every article can be made again from
the raw response the archive kept, without asking any publisher for the page again. Articles are
updated in place (same id) and indexed again by the next `index_pending`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from monitor.archive import Archive
from monitor.archive.warc_reader import read_response
from monitor.config import Config
from monitor.errors import ArchiveError, ExtractError
from monitor.extract.near_dup import Clusterer
from monitor.extract.page import ProcessedPage, process_page
from monitor.jobs.poll import internal_reason
from monitor.jobs.progress import Progress, ProgressFn, ignore
from monitor.jobs.runners import Runner, batched, local_runner
from monitor.models import StoredPage

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


def raw_body(warc_dir: Path, page: StoredPage) -> bytes:
    """The stored response body of a page: from its WARC file, or from the archive itself."""
    if page.warc is not None:
        return read_response(warc_dir, page.warc).body
    if page.body is not None:
        return page.body
    raise ArchiveError(f"page {page.task.id} ({page.task.url}) has no stored response")


@dataclass(frozen=True)
class Failed:
    """Why an article could not be made again; the traceback when it was unexpected."""

    reason: str
    traceback: str | None = None


def remake(warc_dir: Path, page: StoredPage) -> ProcessedPage | Failed:
    """One article made again from its stored response (in a worker); or why not.

    Nothing raised here reaches the worker's own error printing: the main process logs it.
    """
    try:
        return process_page(
            raw_body(warc_dir, page),
            url=page.final_url,
            content_type=page.content_type,
            task=page.task,
            fetched_at=None,
        )
    except (ExtractError, ArchiveError) as exc:
        return Failed(str(exc))
    except Exception as exc:
        return Failed(internal_reason(exc), "".join(traceback.format_exception(exc)))


def remake_batch(warc_dir: Path, pages: list[StoredPage]) -> list[ProcessedPage | Failed]:
    """What a worker does with a batch of pages: WARC files are read where it runs."""
    return [remake(warc_dir, page) for page in pages]


def batch_failed(pages: list[StoredPage], exc: Exception) -> list[ProcessedPage | Failed]:
    """Every page of a batch whose work failed as a whole (its worker died, say)."""
    reason = internal_reason(exc)
    # One traceback in the log for the batch, not one for each of its pages.
    first = Failed(reason, "".join(traceback.format_exception(exc)))
    return [first, *[Failed(reason)] * (len(pages) - 1)] if pages else []


def reextract(
    archive: Archive,
    config: Config,
    *,
    sources: Sequence[str] = (),
    workers: int | None = None,
    runner: Runner | None = None,
    progress: ProgressFn = ignore,
    stop: threading.Event | None = None,
) -> ReextractSummary:
    """Extract every stored page again, on `runner` (a Dask cluster, say) or in `workers`
    local processes (default: one per CPU); an article whose page no longer yields text keeps
    its current version (and is reported).

    Results are stored in article id order however the work is spread, so every runner makes
    the same archive. When `stop` is set, the articles already made are stored and the rest is
    left as it was (`interrupted`); clusters are then left for the next complete re-extraction.
    """
    summary = ReextractSummary()
    progress(Progress("extract", total=archive.article_count()))
    with (
        contextlib.nullcontext(runner)
        if runner is not None
        else local_runner(workers or os.cpu_count() or 1)
    ) as chosen:
        _remake_all(archive, config, chosen, summary, sources, progress, stop)
    summary.interrupted = stop is not None and stop.is_set()
    if not summary.interrupted:
        summary.clustered = recluster(archive)
    return summary


def _remake_all(
    archive: Archive,
    config: Config,
    runner: Runner,
    summary: ReextractSummary,
    sources: Sequence[str],
    progress: ProgressFn,
    stop: threading.Event | None,
) -> None:
    if stop is not None and stop.is_set():
        return
    # Pages go out a batch at a time so memory stays flat however large the archive; writes
    # stay on this thread.
    pages = batched(archive.stored_pages(sources=sources), runner.batch_size)
    work = partial(remake_batch, config.warc_dir)
    for batch, results in runner.run(work, pages, batch_failed):
        for page, result in zip(batch, results, strict=True):
            summary.articles += 1
            _apply(archive, summary, page, result)
            progress(Progress("extract", advance=1))
            if stop is not None and stop.is_set():
                runner.cancel()
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


def recluster(archive: Archive) -> int:
    """Recompute every near-duplicate cluster from the stored fingerprints, in id order."""
    clusterer = Clusterer()
    for article_id, fingerprint in archive.clusters.fingerprints():
        clusterer.add(article_id, fingerprint)
    return archive.clusters.set_clusters(clusterer.clusters())
