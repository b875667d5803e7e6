"""The feed stage of a run: poll the feeds that are due, record entries, schedule the next poll.

Conditional GET with one validator; a 304 or an unchanged body hash counts as success. Every
poll writes one fetch-log row and a new next-poll time (see `monitor.collect.schedule`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from monitor.archive import Archive
from monitor.collect.feed_parser import ParsedFeed, parse_feed
from monitor.collect.hosts import per_host
from monitor.collect.http import Fetcher, Response
from monitor.collect.schedule import (
    after_failure,
    after_success,
    document_hints,
    header_hints,
    not_before,
    strongest,
)
from monitor.config import ScheduleConfig
from monitor.errors import ArchiveError, FeedError, FetchCancelled, FetchError, HostDeferred
from monitor.jobs.retitle import record_retitles
from monitor.models import FeedRow, Hint, WarcLocation
from monitor.safe_text import one_line

log = logging.getLogger(__name__)
# The longest reason kept for an unexpected error (the log holds the rest).
MAX_REASON = 500


@dataclass(frozen=True)
class Failure:
    kind: str  # feed | page
    source: str
    url: str
    reason: str

    def __post_init__(self) -> None:
        # Reasons quote servers (reason phrases, headers): no control character goes on.
        object.__setattr__(self, "reason", one_line(self.reason))


def internal_reason(exc: BaseException) -> str:
    """The failure reason of an exception nobody expected (its traceback goes to the log)."""
    return one_line(f"internal error: {type(exc).__name__}: {exc}")[:MAX_REASON]


@dataclass
class FeedStage:
    """What the feed stage did, for the run summary."""

    ok: int = 0
    failed: int = 0
    unchanged: int = 0
    deferred: int = 0
    entries_seen: int = 0
    entries_new: int = 0
    retitled: int = 0  # entries the feed now gives another title (recorded as events)
    seen_urls: set[str] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)


@dataclass(frozen=True)
class _Polled:
    response: Response
    warc: WarcLocation | None
    parsed: ParsedFeed | FeedError | None  # None: not modified


@dataclass
class Poller:
    archive: Archive
    fetcher: Fetcher
    schedule: ScheduleConfig
    run_id: int
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # Keeps a raw feed document (in the WARC file); returns where, or None.
    keep: Callable[[Response, dict[str, str]], WarcLocation | None] = lambda _response, _meta: None
    stage: FeedStage = field(default_factory=FeedStage)

    def poll_all(self, feeds: list[FeedRow], on_done: Callable[[FeedRow], None]) -> FeedStage:
        fetcher = self.fetcher
        for feed, result in per_host(
            feeds,
            lambda f: f.url,
            self._request,
            fetcher.config.concurrency,
            stop=fetcher.stop,
            abort=fetcher.abort,
        ):
            on_done(feed)
            if isinstance(result, FetchCancelled):
                continue  # the run is stopping: the feed stays due, nothing is held against it
            if isinstance(result, HostDeferred):
                self._deferred(feed, result)
            elif isinstance(result, FetchError):
                self._failed(feed, str(result), result.status, result)
            else:
                self._receive(feed, result)
        return self.stage

    def _request(self, feed: FeedRow) -> _Polled | FetchError:
        """Runs in the host's worker: request, keep the raw document, parse it.

        Whatever goes wrong is that feed's failure, never the run's, but for the archive
        itself failing (a full disk): that stops the run.
        """
        try:
            return self._fetch_and_parse(feed)
        except ArchiveError:
            raise  # the WARC file can't be written: no other feed would fare better
        except Exception as exc:
            log.error("feed %s: %s", feed.url, internal_reason(exc), exc_info=exc)
            return FetchError(internal_reason(exc))

    def _fetch_and_parse(self, feed: FeedRow) -> _Polled | FetchError:
        headers: dict[str, str] = {}
        # One validator, not both: some servers ignore If-Modified-Since when If-None-Match
        # is present and compare the wrong one.
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        elif feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        try:
            # The feed's URL is the user's choice; its redirects are checked like any link.
            response = self.fetcher.get(feed.url, headers=headers, trusted=True)
        except FetchError as exc:
            return exc
        if response.status != 200:
            return _Polled(response, None, None)
        metadata = {"kind": "feed", "feed-id": str(feed.id), "source": feed.source}
        warc = self.keep(response, metadata)
        if feed.content_hash and response.sha256 == feed.content_hash:
            return _Polled(response, warc, None)
        try:
            parsed: ParsedFeed | FeedError = parse_feed(
                response.body, url=response.url, content_type=response.content_type
            )
        except FeedError as exc:
            parsed = exc
        return _Polled(response, warc, parsed)

    def _receive(self, feed: FeedRow, polled: _Polled) -> None:
        """Record what a poll brought; entries that can't be stored fail that feed alone."""
        try:
            self._received(feed, polled)
        except ArchiveError:
            raise  # the archive itself is unusable: no other feed would fare better
        except Exception as exc:
            log.error("feed %s: %s", feed.url, internal_reason(exc), exc_info=exc)
            reason = internal_reason(exc)
            self._failed(feed, reason, polled.response.status, FetchError(reason))

    def _received(self, feed: FeedRow, polled: _Polled) -> None:
        result, warc, parsed = polled.response, polled.warc, polled.parsed
        now = self.clock()
        hints = header_hints(result.headers, now)
        if parsed is None:  # 304, or the same bytes as last time
            self.stage.unchanged += 1
            self._succeeded(feed, result, "unchanged", 0, 0, hints, changed=False, warc=warc)
            return
        if isinstance(parsed, FeedError):
            self._failed(feed, str(parsed), result.status, parsed, warc=warc)
            return
        seen, new = self.archive.add_entries(feed, parsed.entries)
        self.stage.retitled += record_retitles(self.archive, feed, parsed.entries, now)
        self.stage.seen_urls.update(entry.url for entry in parsed.entries)
        self.stage.entries_seen += seen
        self.stage.entries_new += new
        for warning in parsed.warnings:
            self.stage.warnings.append(Failure("feed", feed.source, feed.url, warning))
        self._succeeded(
            feed,
            result,
            "ok",
            seen,
            new,
            hints + document_hints(result.body),
            changed=True,
            title=parsed.title,
            note="; ".join(parsed.warnings) or None,
            warc=warc,
        )

    def _succeeded(
        self,
        feed: FeedRow,
        result: Response,
        outcome: str,
        seen: int,
        new: int,
        hints: list[Hint],
        *,
        changed: bool,
        title: str | None = None,
        note: str | None = None,
        warc: WarcLocation | None = None,
    ) -> None:
        self.stage.ok += 1
        hint = strongest(hints, self.schedule)
        decision = after_success(
            feed.poll_interval,
            seen=seen,
            new=new,
            changed=changed,
            hint=hint,
            config=self.schedule,
            now=self.clock(),
            rng=self.rng,
            first_poll=feed.last_success_at is None,
        )
        self.archive.feeds.record_success(
            feed.id,
            status=result.status,
            decision=decision,
            hint=hint,
            title=title,
            etag=result.headers.get("etag"),
            last_modified=result.headers.get("last-modified"),
            content_hash=result.sha256 if result.status == 200 else None,
        )
        self._log(
            feed,
            status=result.status,
            outcome=outcome,
            duration_ms=result.duration_ms,
            entries_seen=seen,
            entries_new=new,
            error=note,
            next_poll_at=decision.next_poll,
            warc=warc,
        )

    def _failed(
        self,
        feed: FeedRow,
        reason: str,
        status: int | None,
        error: FetchError | FeedError,
        *,
        warc: WarcLocation | None = None,
    ) -> None:
        self.stage.failed += 1
        self.stage.failures.append(Failure("feed", feed.source, feed.url, reason))
        decision = after_failure(
            feed.poll_interval,
            feed.failure_score,
            status=status,
            permanent=isinstance(error, FeedError)
            or (isinstance(error, FetchError) and not error.retryable),
            retry_after=error.retry_after if isinstance(error, FetchError) else None,
            config=self.schedule,
            now=self.clock(),
            rng=self.rng,
        )
        self.archive.feeds.record_failure(feed.id, status=status, error=reason, decision=decision)
        self._log(
            feed,
            status=status,
            outcome="failed",
            error=reason,
            next_poll_at=decision.next_poll,
            warc=warc,
        )

    def _deferred(self, feed: FeedRow, error: HostDeferred) -> None:
        """Not requested because its host asked to wait: due again once the wait is over."""
        self.stage.deferred += 1
        next_poll = not_before(self.clock(), error.retry_after or 0.0, self.schedule, self.rng)
        self.archive.feeds.set_next_poll(feed.id, next_poll, reason=str(error))
        self._log(
            feed,
            outcome="deferred",
            error=str(error),
            next_poll_at=next_poll,
        )

    def _log(self, feed: FeedRow, **fields: Any) -> None:
        """One fetch-log row for a poll of `feed` in this run."""
        self.archive.fetch_log.log_fetch(
            run_id=self.run_id,
            kind="feed",
            feed_id=feed.id,
            source=feed.source,
            url=feed.url,
            **fields,
        )
