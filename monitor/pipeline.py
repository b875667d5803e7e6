"""One collection run: poll feeds → fetch new pages → extract → store → index.

Network work runs in one worker per host (so requests to a host are sequential and spaced,
while hosts proceed in parallel); every write to the archive happens on the calling thread.
Progress is reported through a callback; nothing here prints.
"""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from index.engine import Engine
from monitor.archive import PERMANENT_STATUSES, Archive, FeedRow, PageTask
from monitor.config import Config
from monitor.errors import ExtractError, FeedError, FetchError, RobotsDisallowed
from monitor.extract import Extracted, FeedHints, extract_article
from monitor.feeds import parse_feed
from monitor.http import Fetcher, Response, host_key
from monitor.indexing import index_pending

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Progress:
    """A step of the run: `stage` is feeds, pages or index; `total` is set once per stage."""

    stage: str
    total: int | None = None
    advance: int = 0
    label: str = ""


ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class Failure:
    kind: str  # feed | page
    source: str
    url: str
    reason: str


@dataclass
class RunSummary:
    run_id: int = 0
    feeds_ok: int = 0
    feeds_failed: int = 0
    feeds_unchanged: int = 0
    entries_seen: int = 0
    entries_new: int = 0
    articles_new: int = 0
    articles_known: int = 0
    articles_failed: int = 0
    articles_skipped: int = 0
    indexed: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.feeds_failed or self.articles_failed else 0

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
    progress: ProgressFn | None = None,
) -> RunSummary:
    report = progress or (lambda _event: None)
    summary = RunSummary(run_id=archive.start_run())
    feeds = archive.sync_feeds(config.feeds)
    seen_urls = _poll_feeds(feeds, archive, fetcher, summary, report)
    summary.articles_known = archive.count_known(seen_urls)
    _fetch_pages(archive.pending_pages(), archive, fetcher, summary, report)
    summary.indexed = index_pending(
        archive, engine, progress=lambda n, total: report(Progress("index", total, n))
    )
    archive.finish_run(summary.run_id, summary.as_dict())
    return summary


def _poll_feeds(
    feeds: list[FeedRow],
    archive: Archive,
    fetcher: Fetcher,
    summary: RunSummary,
    report: ProgressFn,
) -> set[str]:
    report(Progress("feeds", total=len(feeds)))
    seen_urls: set[str] = set()

    def poll(feed: FeedRow) -> Response | FetchError:
        headers: dict[str, str] = {}
        # One validator, not both: some servers ignore If-Modified-Since when If-None-Match
        # is present and compare the wrong one.
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        elif feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        try:
            return fetcher.get(feed.url, headers=headers)
        except FetchError as exc:
            return exc

    for feed, result in per_host(feeds, lambda f: f.url, poll, fetcher.config.concurrency):
        report(Progress("feeds", advance=1, label=feed.source))
        if isinstance(result, FetchError):
            _feed_failed(archive, summary, feed, str(result), result.status)
            continue
        if result.status == 304 or (feed.content_hash and result.sha256 == feed.content_hash):
            # Validators are stored on every 200/304, even when nothing changed.
            _feed_succeeded(archive, summary, feed, result, "unchanged", 0, 0)
            summary.feeds_unchanged += 1
            continue
        try:
            parsed = parse_feed(result.body, url=result.url, content_type=result.content_type)
        except FeedError as exc:
            _feed_failed(archive, summary, feed, str(exc), result.status)
            continue
        seen, new = archive.add_entries(feed, parsed.entries)
        seen_urls.update(entry.url for entry in parsed.entries)
        summary.entries_seen += seen
        summary.entries_new += new
        for warning in parsed.warnings:
            summary.warnings.append(Failure("feed", feed.source, feed.url, warning))
        _feed_succeeded(
            archive,
            summary,
            feed,
            result,
            "ok",
            seen,
            new,
            title=parsed.title,
            note="; ".join(parsed.warnings) or None,
        )
    return seen_urls


def _feed_succeeded(
    archive: Archive,
    summary: RunSummary,
    feed: FeedRow,
    result: Response,
    outcome: str,
    seen: int,
    new: int,
    *,
    title: str | None = None,
    note: str | None = None,
) -> None:
    summary.feeds_ok += 1
    archive.record_feed_poll(
        feed.id,
        ok=True,
        status=result.status,
        error=None,
        title=title,
        etag=result.headers.get("etag"),
        last_modified=result.headers.get("last-modified"),
        content_hash=result.sha256 if result.status == 200 else None,
    )
    archive.log_fetch(
        run_id=summary.run_id,
        kind="feed",
        feed_id=feed.id,
        source=feed.source,
        url=feed.url,
        status=result.status,
        outcome=outcome,
        duration_ms=result.duration_ms,
        entries_seen=seen,
        entries_new=new,
        error=note,
    )


def _feed_failed(
    archive: Archive, summary: RunSummary, feed: FeedRow, reason: str, status: int | None
) -> None:
    summary.feeds_failed += 1
    summary.failures.append(Failure("feed", feed.source, feed.url, reason))
    archive.record_feed_poll(feed.id, ok=False, status=status, error=reason)
    archive.log_fetch(
        run_id=summary.run_id,
        kind="feed",
        feed_id=feed.id,
        source=feed.source,
        url=feed.url,
        status=status,
        outcome="failed",
        error=reason,
    )


@dataclass(frozen=True)
class _PageResult:
    response: Response | None = None
    article: Extracted | None = None
    error: FetchError | ExtractError | None = None


def _fetch_pages(
    pages: list[PageTask],
    archive: Archive,
    fetcher: Fetcher,
    summary: RunSummary,
    report: ProgressFn,
) -> None:
    report(Progress("pages", total=len(pages)))

    def fetch(page: PageTask) -> _PageResult:
        try:
            response = fetcher.get(page.url, robots=True)
        except FetchError as exc:
            return _PageResult(error=exc)
        hints = FeedHints(
            title=page.feed_title,
            summary=page.feed_summary,
            author=page.feed_author,
            published=page.feed_published,
            language=page.feed_language,
            source=page.source,
        )
        try:
            article = extract_article(
                response.body,
                url=response.url,
                content_type=response.content_type,
                hints=hints,
                fetched_at=datetime.now(UTC),
            )
        except ExtractError as exc:
            return _PageResult(response=response, error=exc)
        return _PageResult(response=response, article=article)

    for page, result in per_host(pages, lambda p: p.url, fetch, fetcher.config.concurrency):
        report(Progress("pages", advance=1, label=page.source))
        response, error = result.response, result.error
        if result.article is not None and response is not None:
            archive.store_article(
                page.id,
                status=response.status,
                final_url=response.url,
                content_type=response.content_type,
                headers=response.headers,
                body=response.body,
                body_sha256=response.sha256,
                article=result.article.as_dict(),
            )
            archive.log_fetch(
                run_id=summary.run_id,
                kind="page",
                page_id=page.id,
                source=page.source,
                url=page.url,
                status=response.status,
                outcome="ok",
                duration_ms=response.duration_ms,
            )
            summary.articles_new += 1
            continue
        assert error is not None
        status = error.status if isinstance(error, FetchError) else None
        if isinstance(error, RobotsDisallowed):
            summary.articles_skipped += 1
            outcome, permanent = "skipped", True
        else:
            summary.articles_failed += 1
            summary.failures.append(Failure("page", page.source, page.url, str(error)))
            outcome = "failed"
            permanent = (
                isinstance(error, ExtractError)
                or status in PERMANENT_STATUSES
                or (isinstance(error, FetchError) and not error.retryable)
            )
        archive.record_page_failure(page.id, error=str(error), status=status, permanent=permanent)
        archive.log_fetch(
            run_id=summary.run_id,
            kind="page",
            page_id=page.id,
            source=page.source,
            url=page.url,
            status=status,
            outcome=outcome,
            error=str(error),
        )


def per_host(
    items: Iterable[T], url_of: Callable[[T], str], work: Callable[[T], R], workers: int
) -> Iterator[tuple[T, R]]:
    """Run `work` on every item, one thread per host at a time, yielding results as they come.

    Items of one host are handled in order by one worker; hosts run in parallel up to
    `workers`. Results are yielded on the calling thread, so it can write to SQLite.
    """
    by_host: dict[str, list[T]] = defaultdict(list)
    for item in items:
        by_host[host_key(url_of(item))].append(item)
    if not by_host:
        return
    results: queue.Queue[tuple[T, R] | BaseException | None] = queue.Queue()
    stop = threading.Event()

    def drain(host_items: list[T]) -> None:
        try:
            for item in host_items:
                if stop.is_set():
                    break
                results.put((item, work(item)))
        except BaseException as exc:  # re-raised on the calling thread
            results.put(exc)
        finally:
            results.put(None)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="host") as pool:
        for host_items in by_host.values():
            pool.submit(drain, host_items)
        pending = len(by_host)
        try:
            while pending:
                got = results.get()
                if got is None:
                    pending -= 1
                elif isinstance(got, BaseException):
                    raise got
                else:
                    yield got
        finally:
            stop.set()
