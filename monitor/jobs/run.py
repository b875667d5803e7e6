"""One collection run: poll feeds → fetch new pages → extract → store → index.

Network work runs in one worker per host (so requests to a host are sequential and spaced,
while hosts proceed in parallel); every write to the archive happens on the calling thread.
Progress is reported through a callback; nothing here prints.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from index.engine import Engine
from monitor.archive import Archive
from monitor.archive.store import Stored
from monitor.archive.warc_writer import WarcWriter
from monitor.collect.hosts import per_host
from monitor.collect.http import PERMANENT_STATUSES, Fetcher, Response
from monitor.config import Config
from monitor.errors import (
    EXIT_FAILURES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ArchiveError,
    ExtractError,
    FetchCancelled,
    FetchError,
    HostDeferred,
    RobotsDisallowed,
)
from monitor.extract.page import ProcessedPage, process_page
from monitor.jobs.indexing import index_pending
from monitor.jobs.poll import Failure, Poller, internal_reason
from monitor.jobs.progress import Progress, ProgressFn, ignore
from monitor.jobs.revisit import RevisitSummary, revisit_due
from monitor.models import FeedRow, PageTask, WarcLocation

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    run_id: int = 0
    feeds_due: int = 0
    feeds_not_due: int = 0
    feeds_ok: int = 0
    feeds_failed: int = 0
    feeds_unchanged: int = 0
    feeds_deferred: int = 0
    entries_seen: int = 0
    entries_new: int = 0
    articles_new: int = 0
    articles_known: int = 0
    articles_failed: int = 0
    articles_skipped: int = 0
    articles_deferred: int = 0
    articles_merged: int = 0  # pages whose canonical URL was an article already stored
    articles_clustered: int = 0  # new articles that are near-duplicates of earlier ones
    indexed: int = 0
    next_poll_at: str | None = None
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    # Stopped by a signal: what was in hand was finished and stored; the rest waits.
    interrupted: bool = False
    # Stored articles fetched again (edits and takedowns); their failures do not fail the run.
    revisits: RevisitSummary = field(default_factory=RevisitSummary)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_FAILURES if self.feeds_failed or self.articles_failed else EXIT_OK

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data


def run(
    config: Config,
    archive: Archive,
    fetcher: Fetcher,
    engine: Engine,
    *,
    progress: ProgressFn = ignore,
    all_feeds: bool = False,
    only: list[FeedRow] | None = None,
    rng: random.Random | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RunSummary:
    """Poll the due feeds (every active feed with `all_feeds`, or just `only`), then fetch,
    extract and store new pages, then revisit stored articles that are due (`clock` says when
    now is), then index. Raw responses go to WARC files.

    When `fetcher.stop` is set (by a signal), no new request is made, the pages in hand are
    finished and stored, indexing is left to the next run, and the summary says `interrupted`.
    """
    report = progress
    summary = RunSummary(run_id=archive.fetch_log.start_run())
    archive.sync_feeds(config.feeds)
    active = archive.feeds.all()
    if only is not None:
        feeds = only
    elif all_feeds:
        feeds = active
    else:
        feeds = archive.feeds.due(datetime.now(UTC))
    summary.feeds_due = len(feeds)
    summary.feeds_not_due = max(0, len(active) - len(feeds))
    report(Progress("feeds", total=len(feeds)))
    fetcher.load_robots(archive.fetch_log.robots_files())
    with open_warc(config) as warc:
        poller = Poller(
            archive,
            fetcher,
            config.schedule,
            summary.run_id,
            rng=rng or random.Random(),
            keep=lambda response, metadata: keep_response(
                warc, response, datetime.now(UTC), metadata
            ),
        )
        stage = poller.poll_all(
            feeds, lambda feed: report(Progress("feeds", advance=1, label=feed.source))
        )
        summary.feeds_ok, summary.feeds_failed = stage.ok, stage.failed
        summary.feeds_unchanged, summary.feeds_deferred = stage.unchanged, stage.deferred
        summary.entries_seen, summary.entries_new = stage.entries_seen, stage.entries_new
        summary.failures.extend(stage.failures)
        summary.warnings.extend(stage.warnings)
        summary.articles_known = archive.count_known(stage.seen_urls)
        if not fetcher.stop.is_set():
            _fetch_pages(archive.pending_pages(), archive, fetcher, warc, summary, report)
        if not fetcher.stop.is_set():
            summary.revisits = revisit_due(
                archive,
                fetcher,
                config.revisions,
                keep=lambda response, at, metadata: keep_response(warc, response, at, metadata),
                clock=clock,
                spent=summary.articles_new + summary.articles_merged + summary.articles_failed,
                run_id=summary.run_id,
                progress=report,
            )
        summary.revisits.retitled = stage.retitled
    archive.fetch_log.keep_robots_files(fetcher.robots_files())
    # Stopping: what was stored stays unindexed until the next run, which indexes it first.
    summary.interrupted = fetcher.stop.is_set()
    if not summary.interrupted:
        summary.indexed = index_pending(archive, engine, progress=report)
    summary.next_poll_at = archive.feeds.next_due()
    archive.fetch_log.trim_fetch_log(
        per_feed=config.storage.fetch_log_per_feed, page_days=config.storage.page_log_days
    )
    archive.fetch_log.finish_run(summary.run_id, summary.as_dict())
    return summary


@contextmanager
def open_warc(config: Config) -> Iterator[WarcWriter | None]:
    """The run's WARC writer (None when `[storage] warc = false`)."""
    if not config.storage.warc:
        yield None
        return
    writer = WarcWriter(
        config.warc_dir,
        max_bytes=config.storage.warc_max_mb * 1_000_000,
        user_agent=config.http.user_agent,
    )
    try:
        yield writer
    finally:
        writer.close()


def keep_response(
    warc: WarcWriter | None, response: Response, fetched_at: datetime, metadata: dict[str, str]
) -> WarcLocation | None:
    """Write the raw response to the WARC file; where it went, or None without WARC."""
    if warc is None:
        return None
    return warc.write_response(
        url=response.url,
        status=response.status,
        headers=response.headers,
        body=response.body,
        fetched_at=fetched_at,
        request_headers=response.request_headers,
        metadata=metadata,
    )


def store_page(
    archive: Archive,
    page: PageTask,
    response: Response,
    processed: ProcessedPage,
    warc: WarcLocation | None,
    *,
    run_id: int,
) -> Stored:
    """Store an extracted page (article, near-duplicate cluster) and its fetch-log row."""
    stored = archive.store_article(
        page.id,
        status=response.status,
        final_url=response.url,
        content_type=response.content_type,
        headers=response.headers,
        body=response.body,
        body_sha256=response.sha256,
        article=processed.article,
        warc=warc,
        near_dup=processed.near_dup,
    )
    archive.fetch_log.log_fetch(
        run_id=run_id,
        kind="page",
        page_id=page.id,
        source=page.source,
        url=page.url,
        status=response.status,
        outcome="ok",
        duration_ms=response.duration_ms,
    )
    return stored


@dataclass(frozen=True)
class _PageResult:
    response: Response | None = None
    processed: ProcessedPage | None = None
    warc: WarcLocation | None = None
    error: Exception | None = None


def _fetch_page(fetcher: Fetcher, warc: WarcWriter | None, page: PageTask) -> _PageResult:
    """Runs in the host's worker: fetch, keep the raw response, extract.

    Whatever goes wrong is that page's failure, never the run's, but for the archive itself
    failing (a full disk): that stops the run.
    """
    try:
        response = fetcher.get(page.url, robots=True)
    except FetchError as exc:
        return _PageResult(error=exc)
    except Exception as exc:
        log.error("page %s: %s", page.url, internal_reason(exc), exc_info=exc)
        return _PageResult(error=exc)
    try:
        fetched_at = datetime.now(UTC)
        ref = keep_response(
            warc,
            response,
            fetched_at,
            {"kind": "page", "page-id": str(page.id), "source": page.source, "url": page.url},
        )
        processed = process_page(
            response.body,
            url=response.url,
            content_type=response.content_type,
            task=page,
            fetched_at=fetched_at,
        )
    except ExtractError as exc:
        return _PageResult(response=response, error=exc)
    except ArchiveError:
        raise  # the WARC file can't be written: no other page would fare better
    except Exception as exc:
        log.error("page %s: %s", page.url, internal_reason(exc), exc_info=exc)
        return _PageResult(response=response, error=exc)
    return _PageResult(response=response, processed=processed, warc=ref)


def _fetch_pages(
    pages: list[PageTask],
    archive: Archive,
    fetcher: Fetcher,
    warc: WarcWriter | None,
    summary: RunSummary,
    report: ProgressFn,
) -> None:
    report(Progress("pages", total=len(pages)))
    for page, result in per_host(
        pages,
        lambda p: p.url,
        lambda p: _fetch_page(fetcher, warc, p),
        fetcher.config.concurrency,
        stop=fetcher.stop,
        abort=fetcher.abort,
    ):
        report(Progress("pages", advance=1, label=page.source))
        response, error = result.response, result.error
        if result.processed is not None and response is not None:
            try:
                stored = store_page(
                    archive, page, response, result.processed, result.warc, run_id=summary.run_id
                )
            except ArchiveError:
                raise  # the archive itself is unusable: no other page would fare better
            except Exception as exc:
                log.error("page %s: %s", page.url, internal_reason(exc), exc_info=exc)
                _record_failure(archive, summary, page, exc)
                continue
            summary.articles_merged += stored.merged
            summary.articles_clustered += stored.cluster_id is not None
            summary.articles_new += not stored.merged
            continue
        assert error is not None
        _record_failure(archive, summary, page, error)


def _record_failure(
    archive: Archive, summary: RunSummary, page: PageTask, error: Exception
) -> None:
    """A page that was not stored: counted, listed and logged with its reason (or not at all
    when it was never asked for, so that it is asked for next time)."""
    if isinstance(error, HostDeferred | FetchCancelled):
        # Never requested (or abandoned): the page keeps its attempts and waits.
        summary.articles_deferred += isinstance(error, HostDeferred)
        return
    status = error.status if isinstance(error, FetchError) else None
    known = isinstance(error, FetchError | ExtractError)
    reason = str(error) if known else internal_reason(error)
    if isinstance(error, RobotsDisallowed):
        summary.articles_skipped += 1
        outcome, permanent = "skipped", True
    else:
        summary.articles_failed += 1
        summary.failures.append(Failure("page", page.source, page.url, reason))
        outcome = "failed"
        permanent = (
            isinstance(error, ExtractError)
            or status in PERMANENT_STATUSES
            or (isinstance(error, FetchError) and not error.retryable)
        )
    archive.record_page_failure(page.id, error=reason, status=status, permanent=permanent)
    archive.fetch_log.log_fetch(
        run_id=summary.run_id,
        kind="page",
        page_id=page.id,
        source=page.source,
        url=page.url,
        status=status,
        outcome=outcome,
        error=reason,
    )
