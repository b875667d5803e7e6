"""One collection run: poll feeds → fetch new pages → extract → store → index.

Network work runs in one worker per host (so requests to a host are sequential and spaced,
while hosts proceed in parallel); every write to the archive happens on the calling thread.
Progress is reported through a callback; nothing here prints.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from index.engine import Engine
from monitor.archive import Archive
from monitor.archive.claims import Collector
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
    ArchiveUnreachable,
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
    engine: Engine | None,
    *,
    progress: ProgressFn = ignore,
    all_feeds: bool = False,
    only: list[FeedRow] | None = None,
    rng: random.Random | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    collector: Collector | None = None,
) -> RunSummary:
    """Poll the due feeds (every active feed with `all_feeds`, or just `only`), then fetch,
    extract and store new pages, then revisit stored articles that are due (`clock` says when
    now is), then index (unless `engine` is None). Raw responses go to WARC files.

    With a `collector` (an archive several collectors share), the feeds and pages are those it
    could claim (`archive.claims`); its claims are renewed while it works and released at the
    end.

    When `fetcher.stop` is set (by a signal), no new request is made, the pages in hand are
    finished and stored, indexing is left to the next run, and the summary says `interrupted`.
    """
    summary = RunSummary(run_id=archive.fetch_log.start_run(collector.id if collector else None))
    report = progress if collector is None else _renewing(progress, archive, collector)
    try:
        if collector is not None:
            archive.claims.register(collector)
        _run(
            config,
            archive,
            fetcher,
            engine,
            summary,
            report,
            all_feeds=all_feeds,
            only=only,
            rng=rng,
            clock=clock,
            collector=collector,
        )
    except BaseException:
        if collector is not None:
            _release(archive, collector)
        raise
    if collector is not None:
        archive.claims.release(collector)
    return summary


def _run(
    config: Config,
    archive: Archive,
    fetcher: Fetcher,
    engine: Engine | None,
    summary: RunSummary,
    report: ProgressFn,
    *,
    all_feeds: bool,
    only: list[FeedRow] | None,
    rng: random.Random | None,
    clock: Callable[[], datetime],
    collector: Collector | None,
) -> None:
    archive.sync_feeds(config.feeds)
    active = archive.feeds.all()
    fetcher.load_robots(archive.fetch_log.robots_files())
    with open_warc(config, collector) as warc:
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
        stage = poller.stage
        for feeds in _feed_batches(archive, active, all_feeds, only, collector):
            summary.feeds_due += len(feeds)
            report(Progress("feeds", total=len(feeds)))
            poller.poll_all(
                feeds, lambda feed: report(Progress("feeds", advance=1, label=feed.source))
            )
            if fetcher.stop.is_set():
                break
        summary.feeds_not_due = max(0, len(active) - summary.feeds_due)
        summary.feeds_ok, summary.feeds_failed = stage.ok, stage.failed
        summary.feeds_unchanged, summary.feeds_deferred = stage.unchanged, stage.deferred
        summary.entries_seen, summary.entries_new = stage.entries_seen, stage.entries_new
        summary.failures.extend(stage.failures)
        summary.warnings.extend(stage.warnings)
        summary.articles_known = archive.count_known(stage.seen_urls)
        for pages in _page_batches(archive, collector, fetcher.stop):
            _fetch_pages(pages, archive, fetcher, warc, summary, report)
        # Revisits are not claimed one by one: one collector at a time makes them.
        if not fetcher.stop.is_set() and _alone(archive, collector, "revisits"):
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
    if not summary.interrupted and engine is not None:
        summary.indexed = index_pending(archive, engine, progress=report)
    summary.next_poll_at = archive.feeds.next_due()
    if _alone(archive, collector, "trim"):
        archive.fetch_log.trim_fetch_log(
            per_feed=config.storage.fetch_log_per_feed, page_days=config.storage.page_log_days
        )
    archive.fetch_log.finish_run(summary.run_id, summary.as_dict())


def _feed_batches(
    archive: Archive,
    active: list[FeedRow],
    all_feeds: bool,
    only: list[FeedRow] | None,
    collector: Collector | None,
) -> Iterator[list[FeedRow]]:
    """The feeds to poll: all at once alone; with other collectors, claimed a batch at a time
    (the due ones), so that collectors starting together share them."""
    if only is not None or all_feeds:
        feeds = only if only is not None else active
        if collector is not None:
            feeds = archive.feeds.by_ids(archive.claims.feeds(collector, [f.id for f in feeds]))
        yield feeds
    elif collector is None:
        yield archive.feeds.due(datetime.now(UTC))
    else:
        seen: set[int] = set()
        # A feed due again within the run (a host that asked to wait) waits for the next.
        while batch := [
            i for i in archive.claims.feeds(collector, limit=collector.batch) if i not in seen
        ]:
            seen.update(batch)
            yield archive.feeds.by_ids(batch)


def _page_batches(
    archive: Archive, collector: Collector | None, stop: threading.Event
) -> Iterator[list[PageTask]]:
    """The pages to fetch (until `stop`): all pending ones alone; with other collectors,
    claimed a batch at a time, each page once in a run."""
    if stop.is_set():
        return
    if collector is None:
        yield archive.pending_pages()
        return
    since = datetime.now(UTC)
    while not stop.is_set() and (
        batch := archive.claims.pages(collector, limit=collector.batch * 2, since=since)
    ):
        yield archive.pending_pages(batch)


def _release(archive: Archive, collector: Collector) -> None:
    """Release the claims of a run that failed: on a new connection when the server ended the
    old one (it restarted), so that the next run finds them free; when it is down, they lapse
    after the lease."""
    try:
        archive.claims.release(collector)
    except ArchiveUnreachable:
        with suppress(ArchiveError):
            archive.reconnect()
            archive.claims.release(collector)
    except ArchiveError:
        pass


def _alone(archive: Archive, collector: Collector | None, stage: str) -> bool:
    """Whether this run does `stage`: always alone; with other collectors, when none is doing
    it now (the stage is this collector's until its run ends, or its process does)."""
    return collector is None or archive.claims.stage(collector, stage)


def _renewing(progress: ProgressFn, archive: Archive, collector: Collector) -> ProgressFn:
    """`progress`, renewing the collector's claims on the way when a third of the lease has
    passed: progress is reported on the archive's thread, between its transactions."""

    def report(event: Progress) -> None:
        if time.monotonic() - collector.renewed > collector.lease / 3:
            archive.claims.renew(collector)
        progress(event)

    return report


@contextmanager
def open_warc(config: Config, collector: Collector | None = None) -> Iterator[WarcWriter | None]:
    """The run's WARC writer (None when `[storage] warc = false`); a collector of a shared
    archive names its files after its machine, so that collectors never share a file."""
    if not config.storage.warc:
        yield None
        return
    writer = WarcWriter(
        config.warc_dir,
        max_bytes=config.storage.warc_max_mb * 1_000_000,
        user_agent=config.http.user_agent,
        **({"prefix": f"press-monitor-{collector.machine}"} if collector else {}),
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
    except ArchiveError:
        raise  # the shared archive's host leases are out of reach: so is the archive
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
