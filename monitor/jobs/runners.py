"""Where batch work runs: in this process, in a pool of local processes, or on a Dask cluster.

A runner applies a function to batches of items and gives the results back in the order the
batches went in, whichever worker finished first: the archive is written by the caller alone,
in the same order as without workers, so that every way of running gives the same archive.
Only a few batches are out at a time, so memory stays flat however many there are.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# What a batch becomes when its work failed as a whole (its worker died, say): the caller says,
# item by item, so that one bad batch never ends the run.
OnFailure = Callable[[list[T], Exception], list[R]]


class Runner(Protocol):
    """Applies a function to batches, `batch_size` items each, giving results in batch order."""

    @property
    def batch_size(self) -> int: ...

    def run(
        self,
        fn: Callable[[list[T]], list[R]],
        batches: Iterable[list[T]],
        on_failure: OnFailure[T, R],
    ) -> Iterator[tuple[list[T], list[R]]]:
        """Each batch with its results, in the order of `batches`."""
        ...

    def cancel(self) -> None:
        """Drop the batches not started; wait for those in hand (the caller stops reading)."""
        ...


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Inline:
    """Runs each batch in this process when its results are asked for (`--workers 1`)."""

    batch_size = 8

    def run(
        self,
        fn: Callable[[list[T]], list[R]],
        batches: Iterable[list[T]],
        on_failure: OnFailure[T, R],
    ) -> Iterator[tuple[list[T], list[R]]]:
        for batch in batches:
            yield batch, fn(batch)

    def cancel(self) -> None:
        return None


# Ctrl-C goes to the whole process group; the main process stops the work, and a worker would
# print a traceback. Workers start with these blocked (see `_starting_workers`), then ignore
# SIGINT for good and take SIGTERM as usual.
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def quiet_worker() -> None:
    """The initializer of a worker process (see _STOP_SIGNALS)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


@contextlib.contextmanager
def _starting_workers() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while worker processes may be started: a worker inherits
    the blocked signals, so none reaches it before its initializer runs. Held signals are
    delivered to this process when the block ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class LocalPool:
    """`workers` local processes. Extraction is CPU-bound Python: processes, not threads."""

    batch_size = 8

    def __init__(self, workers: int) -> None:
        self.workers = workers
        # "spawn": forking a process that has threads (SQLite, the index) is unsafe.
        self._pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=quiet_worker
        )

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        # Also when interrupted at once (a second Ctrl-C) or failed: no more batches go out,
        # and the work in hand is awaited, so that no worker is left waiting for a parent.
        self._pool.shutdown(wait=True, cancel_futures=True)

    def run(
        self,
        fn: Callable[[list[T]], list[R]],
        batches: Iterable[list[T]],
        on_failure: OnFailure[T, R],
    ) -> Iterator[tuple[list[T], list[R]]]:
        # A few batches per worker: each has the next one at hand when it finishes.
        in_flight = 4 * self.workers
        out: deque[tuple[list[T], Future[list[R]]]] = deque()
        for batch in batches:
            with _starting_workers():  # processes start with the first submissions
                out.append((batch, self._pool.submit(fn, batch)))
            if len(out) >= in_flight:
                yield self._result(*out.popleft(), on_failure)
        while out:
            yield self._result(*out.popleft(), on_failure)

    @staticmethod
    def _result(
        batch: list[T], future: Future[list[R]], on_failure: OnFailure[T, R]
    ) -> tuple[list[T], list[R]]:
        try:
            return batch, future.result()
        except BrokenExecutor:
            raise  # a worker was killed: the pool is gone, and every batch with it
        except Exception as exc:
            return batch, on_failure(batch, exc)

    def cancel(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def local_runner(workers: int) -> contextlib.AbstractContextManager[Runner]:
    """A pool of `workers` processes, or this process alone for one worker."""
    if workers > 1:
        return LocalPool(workers)
    return contextlib.nullcontext(Inline())
