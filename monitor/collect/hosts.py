"""Network work spread over hosts: one worker per host, results back on the calling thread."""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from monitor.collect.http import host_key

T = TypeVar("T")
R = TypeVar("R")


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
