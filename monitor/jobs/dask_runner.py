"""Batch work on a Dask distributed cluster (`--dask tcp://HOST:8786`).

Workers get batches of work (stored pages to extract, documents to analyse) and send back what
they made; the archive and the index are written by this process alone. Every worker needs
press-monitor installed, in the same version as here (an older extractor would make other
articles), and the WARC storage readable at the same path as here.

Dask distributed is an optional dependency (`pip install 'press-monitor[dask]'`), imported only
when a cluster is asked for.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from monitor.errors import ClusterError, ClusterLost
from monitor.jobs.runners import OnFailure

if TYPE_CHECKING:
    from distributed import Client, Future

T = TypeVar("T")
R = TypeVar("R")

# Seconds to reach the scheduler, and for it to have a worker: an address with nothing behind
# it fails within this, not after distributed's 30 s default.
CONNECT_TIMEOUT = 5.0
# What decides what a worker makes of a page: another version of any of them may extract other
# text, and the result would no longer be the one this machine makes.
SAME_VERSIONS = ("press-monitor", "trafilatura", "htmldate", "justext", "lxml")


@dataclass(frozen=True)
class WorkerFacts:
    """What a worker says of itself before it is given work."""

    versions: dict[str, str]
    reads_warc: bool


def versions() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in SAME_VERSIONS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def worker_facts(warc_dir: str | None) -> WorkerFacts:
    """Run on each worker (see `check_workers`)."""
    reads = warc_dir is None or (os.path.isdir(warc_dir) and os.access(warc_dir, os.R_OK))
    return WorkerFacts(versions(), reads)


class DaskRunner:
    """Batches sent to the workers of a Dask cluster through `client` (see `runners.Runner`)."""

    # Tasks of ~0.3 s of extraction: small enough to spread evenly, large enough that the
    # scheduler's few milliseconds a task do not count.
    batch_size = 32

    def __init__(self, client: Client, address: str) -> None:
        self.client = client
        self.address = address
        self._out: deque[Future[Any]] = deque()

    def run(
        self,
        fn: Callable[[list[T]], list[R]],
        batches: Iterable[list[T]],
        on_failure: OnFailure[T, R],
    ) -> Iterator[tuple[list[T], list[R]]]:
        # Two batches per worker thread, and one more: every worker has its next batch at
        # hand, and the results wait for this process no longer than one batch.
        in_flight = 2 * max(1, sum(self.client.nthreads().values())) + 1
        out: deque[tuple[list[T], Future[list[R]]]] = deque()
        for batch in batches:
            # pure=False: a key of its own, never hashed from (or shared on) the pages.
            future: Future[list[R]] = self.client.submit(fn, batch, pure=False)
            out.append((batch, future))
            self._out.append(future)
            if len(out) >= in_flight:
                yield self._result(*out.popleft(), on_failure)
        while out:
            yield self._result(*out.popleft(), on_failure)

    def _result(
        self, batch: list[T], future: Future[list[R]], on_failure: OnFailure[T, R]
    ) -> tuple[list[T], list[R]]:
        try:
            results = future.result()
        except CancelledError as exc:
            raise self._lost() from exc
        except Exception as exc:
            if self.client.status != "running":
                raise self._lost() from exc
            # The batch failed as a whole (its worker died several times over, say).
            results = on_failure(batch, exc)
        finally:
            # Read, it is dropped here, and so released on the cluster.
            with contextlib.suppress(ValueError):
                self._out.remove(future)
        return batch, results

    def _lost(self) -> ClusterLost:
        return ClusterLost(
            f"lost the Dask scheduler at {self.address}; what was done is kept, "
            "run the command again for the rest"
        )

    def cancel(self) -> None:
        out, self._out = list(self._out), deque()
        with contextlib.suppress(Exception):  # a cluster already gone has nothing to cancel
            self.client.cancel(out)


# The logger distributed logs to (and the loggers under it), with handlers of its own.
LOGGER = "distributed"


def load() -> None:
    """Import distributed: ClusterError, saying what to install, when it isn't."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ClusterError(
            "--dask needs Dask distributed: pip install 'press-monitor[dask]'"
        ) from None


@contextlib.contextmanager
def dask_runner(address: str, *, warc_dir: Path | None = None) -> Iterator[DaskRunner]:
    """A runner on the cluster whose scheduler is at `address`, once its workers are checked:
    ClusterError, saying what to do, when the cluster can't be used."""
    load()
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"can't reach the Dask scheduler at {address}: {exc}") from None
    try:
        check_workers(client, address, warc_dir)
        yield DaskRunner(client, address)
    finally:
        client.close()


def check_workers(client: Client, address: str, warc_dir: Path | None) -> None:
    """Every worker has press-monitor in this version and reads the WARC storage here."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        raise ClusterError(
            f"the Dask scheduler at {address} has no workers: start some with "
            f"`dask worker {address}` where press-monitor is installed"
        ) from None
    readable = warc_dir if warc_dir is not None and warc_dir.is_dir() else None
    try:
        facts: dict[str, WorkerFacts] = client.run(
            worker_facts, None if readable is None else str(readable)
        )
    except Exception as exc:
        raise ClusterError(
            f"a Dask worker of {address} can't run press-monitor ({type(exc).__name__}: {exc}); "
            "install it on every worker"
        ) from None
    here = versions()
    for worker, fact in sorted(facts.items()):
        theirs = fact.versions
        differ = [f"{n} {theirs.get(n)} (here {v})" for n, v in here.items() if theirs.get(n) != v]
        if differ:
            raise ClusterError(
                f"Dask worker {worker} has {', '.join(differ)}: install the same versions on "
                "every worker, or its articles would differ from this machine's"
            )
        if not fact.reads_warc:
            raise ClusterError(
                f"Dask worker {worker} can't read the WARC storage at {readable}: make it "
                "readable at the same path on every worker"
            )
