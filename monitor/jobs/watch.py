"""`monitor watch`: a collector that stays up, running the run of `jobs.run` as feeds fall due.

Each cycle is one run (the same schedule, politeness and failures as `monitor run`), made while
holding the storage dir's lock; between cycles the lock is released and the watch sleeps until
the next feed is due (at most `MAX_SLEEP`), so that `feeds add`, `searches add` or a `run` from
cron can go in between. A writer that holds the lock when a cycle is due is waited for. One line
per poll goes to the `monitor.watch` logger (the command line writes it to a rotating file).
When `stop` is set (SIGTERM, SIGINT) the run in progress finishes its pages in hand and the
watch ends.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from index.engine import open_engine
from monitor.archive import Archive
from monitor.archive.claims import Collector
from monitor.archive.lock import StorageLock
from monitor.collect.http import Fetcher
from monitor.config import Config
from monitor.errors import ArchiveLocked, ArchiveUnreachable
from monitor.jobs.run import RunSummary, run

log = logging.getLogger(__name__)

# The longest sleep between two looks at the schedule: feeds added meanwhile are noticed.
MAX_SLEEP = 300.0
# After a cycle failed as a whole (the archive unusable, a bug), before the next try.
AFTER_ERROR = 60.0
MIN_GAP = 1.0


@dataclass
class WatchSummary:
    cycles: int = 0
    failed_cycles: int = 0


def watch(
    config: Config,
    archive: Archive,
    fetcher: Fetcher,
    lock: StorageLock,
    *,
    max_sleep: float = MAX_SLEEP,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    collector: Collector | None = None,
) -> WatchSummary:
    """Run cycles as feeds fall due until `fetcher.stop` is set. `lock` may be held when this
    is called or returns; the caller releases it in the end.

    With a `collector` (a shared archive), cycles claim their feeds and pages and need no
    lock; a cycle indexes only when it can take `lock` at once (another collector of the same
    storage dir indexes otherwise)."""
    stop = fetcher.stop
    summary = WatchSummary()
    due_in = 0.0  # the first cycle runs at once: it also fetches what earlier runs left
    while not stop.is_set():
        if due_in > 0:
            lock.release()  # held when called
            stop.wait(min(due_in, max_sleep))
            due_in = _due_in(archive, clock)
            continue
        if collector is not None:
            indexing = _try_hold(lock)
        elif not _hold(lock, stop):
            break
        else:
            indexing = True
        try:
            result = _cycle(config, archive, fetcher, collector, indexing=indexing)
        except ArchiveUnreachable:
            # The connection to the shared database is gone: exit 75, and the service manager
            # starts the watch again (`Restart=on-failure`), on a new connection.
            raise
        except Exception as exc:
            summary.failed_cycles += 1
            log.error("cycle failed: %s; trying again in %g s", exc, AFTER_ERROR, exc_info=exc)
            due_in = AFTER_ERROR
            continue
        finally:
            lock.release()  # free for other writers while this logs and sleeps
        summary.cycles += 1
        _log_run(archive, result)
        # Never two cycles back to back, whatever the schedule says.
        due_in = max(_due_in(archive, clock), MIN_GAP)
    return summary


def _hold(lock: StorageLock, stop: threading.Event) -> bool:
    """Take the lock for a cycle, waiting for another writer; False when stopped meanwhile."""
    try:
        lock.acquire(0)
        return True
    except ArchiveLocked as exc:
        log.info("waiting: %s", exc)
    try:
        lock.acquire(math.inf, stop=stop)
    except ArchiveLocked:
        return False
    return True


def _try_hold(lock: StorageLock) -> bool:
    try:
        lock.acquire(0)
    except ArchiveLocked:
        return False
    return True


def _cycle(
    config: Config,
    archive: Archive,
    fetcher: Fetcher,
    collector: Collector | None,
    *,
    indexing: bool,
) -> RunSummary:
    if not indexing:
        return run(config, archive, fetcher, None, collector=collector)
    # The index is opened for the cycle only: its writer lock is free while the watch sleeps.
    engine = open_engine(config.index.engine, config.index_dir)
    try:
        return run(config, archive, fetcher, engine, collector=collector)
    finally:
        engine.close()


def _due_in(archive: Archive, clock: Callable[[], datetime]) -> float:
    """Seconds until the next feed is due (0: now); MAX_SLEEP-bounded when there is none."""
    if not archive.feeds.all():
        return MAX_SLEEP
    next_due = archive.feeds.next_due()
    if next_due is None:
        return 0.0
    return max(0.0, (datetime.fromisoformat(next_due) - clock()).total_seconds())


def _log_run(archive: Archive, summary: RunSummary) -> None:
    for row in archive.fetch_log.polls(summary.run_id):
        entries = (
            f", {row['entries_seen']} entries ({row['entries_new']} new)"
            if row["entries_seen"] is not None
            else ""
        )
        error = f": {row['error']}" if row["error"] else ""
        log.info(
            "poll feed %s %s %s: %s%s%s%s; next poll %s",
            row["feed_id"],
            row["source"],
            row["url"],
            row["outcome"],
            f" {row['status']}" if row["status"] is not None else "",
            entries,
            error,
            row["next_poll_at"] or "—",
        )
    log.info(
        "run %s: %s feeds polled (%s failed), %s articles new, %s pages failed, %s indexed; %s",
        summary.run_id,
        summary.feeds_due,
        summary.feeds_failed,
        summary.articles_new,
        summary.articles_failed,
        summary.indexed,
        "interrupted" if summary.interrupted else f"next feed due {summary.next_poll_at or 'now'}",
    )
