"""Edits and takedowns: stored articles fetched again at increasing ages, what changed recorded.

Each stored article is scheduled once (`schedule_new`) at the ages of `[revisions] checks` after
it was first stored; a check whose time has passed is not made up for, the next one is planned.
A revisit is an ordinary request through the run's `Fetcher` (robots.txt, the per-host delay,
Retry-After) with the validators of the last response (If-None-Match, else If-Modified-Since):
a 304 or the same bytes as last time cost nothing further and write nothing. Other responses go
to the WARC files like every response, then:

* 404, 410 or 451, a redirect to a home or section page, a page that says the article does
  not exist or that is no longer an article → `gone` (once; the last good copy stays, marked);
* an article again, after `gone` → `restored`;
* a title or text whose normal form (`monitor.extract.revision`) changed → a new version and an
  `edited` event with the words added and removed; back to an earlier version's text → a
  version that `returns_to` it.

Network work runs in one worker per host; every write happens on the calling thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from monitor.archive import Archive
from monitor.archive.revisions import Edit, Fetched
from monitor.archive.revisits import RevisitTarget
from monitor.collect.hosts import per_host
from monitor.collect.http import Fetcher, Response
from monitor.config import RevisionsConfig
from monitor.errors import ExtractError, FetchError, HostDeferred, RobotsDisallowed
from monitor.extract.page import ProcessedPage, process_page
from monitor.extract.quality import listing_address
from monitor.extract.revision import looks_removed, text_hash
from monitor.extract.word_diff import word_diff
from monitor.jobs.poll import Failure
from monitor.jobs.progress import Progress, ProgressFn, ignore
from monitor.models import Article, ArticleRecord, WarcLocation

# Statuses by which an outlet says an article was taken down (451: for legal reasons).
GONE_STATUSES = frozenset({404, 410, 451})
# Why a page answered with 200 is no article any more.
REDIRECTED = "redirected to a home or section page"
NOT_ARTICLE = "no longer an article"
# A check that failed for a passing reason is tried again this much later, this many times.
RETRY_AFTER = timedelta(hours=1)
MAX_FAILURES = 3

Clock = Callable[[], datetime]
# Keeps a raw response (in the WARC file): the response, when it was fetched, its metadata.
Keep = Callable[[Response, datetime, dict[str, str]], WarcLocation | None]


@dataclass
class RevisitSummary:
    """What the revisits of a run (or of `monitor revisit`) found."""

    due: int = 0  # articles chosen
    revisited: int = 0  # of them, answered by the outlet
    unchanged: int = 0  # 304, the same bytes, or no real change of title or text
    edited: int = 0  # new versions
    returned: int = 0  # of them, back to an earlier version's text
    gone: int = 0
    restored: int = 0
    retitled: int = 0  # new titles of entries seen in feeds (no request made)
    failed: int = 0
    deferred: int = 0  # not asked: the host asked to wait; due again next run
    skipped: int = 0  # robots.txt disallows the page now
    failures: list[Failure] = field(default_factory=list)


def next_check(first_at: datetime, now: datetime, checks: tuple[float, ...]) -> datetime | None:
    """The first check after `now` of an article first stored at `first_at`; None after the
    last one."""
    for age in checks:
        at = first_at + timedelta(seconds=age)
        if at > now:
            return at
    return None


def schedule_new(archive: Archive, checks: tuple[float, ...], now: datetime) -> int:
    """Give every article stored since the last call its first check; returns how many."""
    rows = [
        (article_id, first_at, next_check(first_at, now, checks))
        for article_id, first_at in archive.revisits.unscheduled()
    ]
    archive.revisits.schedule(rows)
    return len(rows)


@dataclass(frozen=True)
class _Seen:
    """What a revisit found, before anything is written."""

    kind: str  # unchanged | article | gone | failed | deferred | skipped
    at: datetime
    response: Response | None = None
    processed: ProcessedPage | None = None
    warc: WarcLocation | None = None
    status: int | None = None
    location: str | None = None
    reason: str = ""


@dataclass
class Revisitor:
    """Fetches articles again and records what changed, for one run or one command."""

    archive: Archive
    fetcher: Fetcher
    checks: tuple[float, ...]
    keep: Keep
    clock: Clock
    run_id: int | None = None
    summary: RevisitSummary = field(default_factory=RevisitSummary)

    def revisit(self, ids: list[int], progress: ProgressFn = ignore) -> RevisitSummary:
        """Fetch these articles again (scheduled ones, in this order) and record the outcome."""
        targets = self.archive.revisits.targets(ids)
        self.summary.due += len(targets)
        progress(Progress("revisits", total=len(targets)))
        workers = self.fetcher.config.concurrency
        for target, seen in per_host(targets, lambda t: t.url, self._fetch, workers):
            progress(Progress("revisits", advance=1, label=target.task.source))
            self._record(target, seen)
        return self.summary

    # in the host's worker -------------------------------------------------------------------

    def _fetch(self, target: RevisitTarget) -> _Seen:
        try:
            response = self.fetcher.get(target.url, headers=_validators(target), robots=True)
        except HostDeferred:
            return _Seen("deferred", self.clock())
        except RobotsDisallowed as exc:
            return _Seen("skipped", self.clock(), reason=str(exc))
        except FetchError as exc:
            kind = "gone" if exc.status in GONE_STATUSES else "failed"
            return _Seen(kind, self.clock(), status=exc.status, reason=str(exc))
        at = self.clock()
        if response.status == 304 or response.sha256 == target.body_sha256:
            return _Seen("unchanged", at, response, status=response.status)
        metadata = {
            "kind": "revisit",
            "article-id": str(target.article_id),
            "page-id": str(target.task.id),
            "source": target.task.source,
            "url": target.url,
        }
        ref = self.keep(response, at, metadata)
        seen = _Seen("article", at, response, warc=ref, status=response.status)
        moved = response.url if response.url != target.url else None
        if moved and listing_address(moved):
            return replace(seen, kind="gone", location=moved, reason=REDIRECTED)
        try:
            processed = process_page(
                response.body,
                url=response.url,
                content_type=response.content_type,
                task=target.task,
                fetched_at=at,
            )
        except ExtractError as exc:
            return replace(seen, kind="gone", location=moved, reason=f"{NOT_ARTICLE}: {exc}")
        if not target.not_article and looks_removed(processed.article):
            return replace(seen, kind="gone", location=moved, reason=NOT_ARTICLE)
        return replace(seen, processed=processed, location=moved)

    # on the calling thread ------------------------------------------------------------------

    def _record(self, target: RevisitTarget, seen: _Seen) -> None:
        summary, revisions = self.summary, self.archive.revisions
        if seen.kind == "deferred":
            summary.deferred += 1  # never requested: still due, for the next run
            return
        if seen.kind in ("failed", "skipped"):
            self._not_checked(target, seen)
            return
        summary.revisited += 1
        outcome = seen.kind
        if seen.kind == "gone":
            summary.gone += revisions.gone(
                target.article_id,
                at=seen.at,
                status=seen.status,
                location=seen.location,
                reason=seen.reason,
            )
        else:
            restored = target.gone and revisions.restored(
                target.article_id, at=seen.at, status=seen.status or 200, location=seen.location
            )
            summary.restored += restored
            edited = seen.processed is not None and self._compare(target, seen)
            summary.unchanged += not edited
            outcome = "edited" if edited else "restored" if restored else "unchanged"
        self.archive.revisits.checked(
            target.article_id,
            at=seen.at,
            outcome=outcome,
            status=seen.status,
            next_at=next_check(target.first_at, seen.at, self.checks),
            # A takedown keeps the last good response's validators: the same bytes again are
            # the article restored as it was.
            validators=_kept_validators(seen.response) if seen.kind != "gone" else None,
        )
        self._log(target, replace(seen, kind=outcome))

    def _compare(self, target: RevisitTarget, seen: _Seen) -> bool:
        """A new version when the title or text really changed; whether there is one."""
        assert seen.processed is not None and seen.response is not None
        fresh = seen.processed.article
        current = self.archive.article(target.article_id)
        before, after = text_hash(current.title, current.text), text_hash(fresh.title, fresh.text)
        if before == after:
            return False
        latest = self.archive.revisions.current_number(target.article_id)
        earlier = [
            number
            for number, digest in self.archive.revisions.hashes(target.article_id).items()
            if digest == after and number != latest
        ]
        diff = word_diff(current.text, fresh.text)
        response = seen.response
        self.archive.revisions.add_version(
            target.article_id,
            Fetched(
                at=seen.at,
                status=response.status,
                final_url=response.url,
                content_type=response.content_type,
                headers=response.headers,
                body=response.body,
                body_sha256=response.sha256,
                warc=seen.warc,
            ),
            Edit(
                article=_as_published(fresh, current),
                near_dup=seen.processed.near_dup,
                previous_hash=before,
                new_hash=after,
                returns_to=min(earlier) if earlier else None,
                words_added=diff.added,
                words_removed=diff.removed,
                title_before=current.title,
                location=seen.location,
            ),
        )
        self.summary.edited += 1
        self.summary.returned += bool(earlier)
        return True

    def _not_checked(self, target: RevisitTarget, seen: _Seen) -> None:
        """A check that could not be made: tried again soon after a passing failure (a few
        times), else left for the next check."""
        failures = target.failures + 1 if seen.kind == "failed" else MAX_FAILURES
        retry = failures < MAX_FAILURES
        if seen.kind == "failed":
            self.summary.failed += 1
            self.summary.failures.append(
                Failure("page", target.task.source, target.url, seen.reason)
            )
        else:
            self.summary.skipped += 1
        self.archive.revisits.checked(
            target.article_id,
            at=seen.at,
            outcome=seen.kind,
            status=seen.status,
            next_at=seen.at + RETRY_AFTER
            if retry
            else next_check(target.first_at, seen.at, self.checks),
            failures=failures if retry else 0,
            counted=not retry,
        )
        self._log(target, seen)

    def _log(self, target: RevisitTarget, seen: _Seen) -> None:
        response = seen.response
        self.archive.fetch_log.log_fetch(
            run_id=self.run_id,
            kind="revisit",
            page_id=target.task.id,
            source=target.task.source,
            url=target.url,
            status=seen.status,
            outcome=seen.kind,
            duration_ms=response.duration_ms if response else None,
            error=seen.reason or None,
            warc=seen.warc,
        )


def _validators(target: RevisitTarget) -> dict[str, str]:
    """One validator, not both (as for feeds); none for a gone article, which must be seen."""
    if target.gone:
        return {}
    if target.etag:
        return {"If-None-Match": target.etag}
    if target.last_modified:
        return {"If-Modified-Since": target.last_modified}
    return {}


def _kept_validators(
    response: Response | None,
) -> tuple[str | None, str | None, str | None] | None:
    """What the next conditional GET sends: those of a full response; a 304 keeps the old."""
    if response is None or response.status == 304:
        return None
    return response.headers.get("etag"), response.headers.get("last-modified"), response.sha256


def _as_published(fresh: Article, current: ArticleRecord) -> Article:
    """The new version's title and text with what the article was published as: its date,
    author and language stay those of the first version, so counts by day do not move."""
    flags = {f for f in fresh.flags if f != "no_date"} | ({"no_date"} & set(current.flags))
    return replace(
        fresh,
        published=current.published,
        date_source=current.date_source,
        author=current.author or fresh.author,
        language=current.language,
        declared_language=current.declared_language,
        canonical_url=current.canonical_url,
        flags=tuple(sorted(flags)),
    )


def revisit_due(
    archive: Archive,
    fetcher: Fetcher,
    config: RevisionsConfig,
    *,
    keep: Keep,
    clock: Clock,
    spent: int,
    run_id: int | None = None,
    progress: ProgressFn = ignore,
) -> RevisitSummary:
    """The revisits of a collection run, after its new pages: the due articles, most overdue
    first, as many as `max_per_run` leaves once the run's `spent` page requests are counted."""
    if not config.enabled:
        return RevisitSummary()
    now = clock()
    schedule_new(archive, config.checks, now)
    revisitor = Revisitor(archive, fetcher, config.checks, keep, clock, run_id)
    budget = config.max_per_run - spent
    if budget <= 0:
        return revisitor.summary
    return revisitor.revisit(archive.revisits.due_ids(now, limit=budget), progress)
