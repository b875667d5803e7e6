"""`monitor revisit`: articles fetched again now, for a researcher who checks a story today.

The due articles (or, with `everything`, every article stored within the last check's age,
30 days by default, due or not), among those a query matched when ids are given; then the
changes are indexed. Requests are the run's: robots.txt, per-host delay, conditional GET, WARC.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from index.engine import Engine
from monitor.archive import Archive
from monitor.collect.http import Fetcher
from monitor.config import Config
from monitor.jobs.indexing import index_pending
from monitor.jobs.progress import ProgressFn, ignore
from monitor.jobs.revisit import Clock, Revisitor, RevisitSummary, schedule_new
from monitor.jobs.run import keep_response, open_warc


@dataclass(frozen=True)
class RevisitOutcome:
    revisits: RevisitSummary
    indexed: int


def revisit_now(
    config: Config,
    archive: Archive,
    fetcher: Fetcher,
    engine: Engine,
    *,
    ids: Collection[int] | None = None,
    everything: bool = False,
    limit: int | None = None,
    clock: Clock = lambda: datetime.now(UTC),
    progress: ProgressFn = ignore,
) -> RevisitOutcome:
    """Fetch again the due articles (all recent ones with `everything`), of `ids` when given,
    at most `limit` of them, most overdue (or oldest) first; then index what changed."""
    now = clock()
    checks = config.revisions.checks
    schedule_new(archive, checks, now)
    if everything:
        chosen = archive.revisits.stored_since(now - timedelta(seconds=checks[-1]))
    else:
        chosen = archive.revisits.due_ids(now)
    if ids is not None:
        wanted = set(ids)
        chosen = [i for i in chosen if i in wanted]
    chosen = chosen[:limit] if limit is not None else chosen
    fetcher.load_robots(archive.fetch_log.robots_files())
    with open_warc(config) as warc:
        revisitor = Revisitor(
            archive,
            fetcher,
            checks,
            keep=lambda response, at, metadata: keep_response(warc, response, at, metadata),
            clock=clock,
        )
        summary = revisitor.revisit(chosen, progress)
    archive.fetch_log.keep_robots_files(fetcher.robots_files())
    return RevisitOutcome(summary, index_pending(archive, engine, progress=progress))
