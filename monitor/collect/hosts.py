"""Network work spread over hosts: one worker per host, results back on the calling thread."""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from monitor.collect.http import host_key

T = TypeVar("T")
R = TypeVar("R")

# Once the run is asked to stop: how long the items in hand may take to finish, and then, after
# their connections were cut, how long to wait for their workers to notice. Together they keep
# a stop within the 5 seconds a service manager allows.
STOP_GRACE = 2.5
ABORT_WAIT = 1.0
_POLL = 0.1


def per_host(
    items: Iterable[T],
    url_of: Callable[[T], str],
    work: Callable[[T], R],
    workers: int,
    *,
    stop: threading.Event | None = None,
    abort: Callable[[], None] = lambda: None,
) -> Iterator[tuple[T, R]]:
    """Run `work` on every item, one thread per host at a time, yielding results as they come.

    Items of one host are handled in order by one worker; hosts run in parallel up to
    `workers`. Results are yielded on the calling thread, so it can write to SQLite.

    When `stop` is set, no worker starts another item; the items in hand get `STOP_GRACE`
    seconds to finish, then `abort` is called (to cut their connections) and, `ABORT_WAIT`
    later, whatever is still running is left behind: workers are daemon threads, so one stuck
    in a DNS lookup or a connect does not keep the process alive.
    """
    by_host: dict[str, list[T]] = defaultdict(list)
    for item in items:
        by_host[host_key(url_of(item))].append(item)
    if not by_host:
        return
    hosts: queue.SimpleQueue[list[T]] = queue.SimpleQueue()
    for host_items in by_host.values():
        hosts.put(host_items)
    results: queue.SimpleQueue[tuple[T, R] | BaseException | None] = queue.SimpleQueue()
    finished = threading.Event()  # the caller stopped listening

    def drain() -> None:
        try:
            while not finished.is_set():
                try:
                    host_items = hosts.get_nowait()
                except queue.Empty:
                    break
                for item in host_items:
                    if finished.is_set() or (stop is not None and stop.is_set()):
                        break
                    results.put((item, work(item)))
        except BaseException as exc:  # re-raised on the calling thread
            results.put(exc)
        finally:
            results.put(None)

    pending = min(max(1, workers), len(by_host))
    for number in range(pending):
        threading.Thread(target=drain, name=f"host-{number}", daemon=True).start()
    try:
        yield from _collect(results, pending, stop, abort)
    finally:
        finished.set()


def _collect(
    results: queue.SimpleQueue[tuple[T, R] | BaseException | None],
    pending: int,
    stop: threading.Event | None,
    abort: Callable[[], None],
) -> Iterator[tuple[T, R]]:
    """The workers' results until all are done, or until a stop's deadlines have passed."""
    grace_until = abort_until = None
    while pending:
        now = time.monotonic()
        if stop is not None and stop.is_set() and grace_until is None:
            grace_until = now + STOP_GRACE
        if grace_until is not None and abort_until is None and now >= grace_until:
            abort()
            abort_until = now + ABORT_WAIT
        if abort_until is not None and now >= abort_until:
            return
        try:
            got = results.get(timeout=_POLL)
        except queue.Empty:
            continue
        if got is None:
            pending -= 1
        elif isinstance(got, BaseException):
            raise got
        else:
            yield got
