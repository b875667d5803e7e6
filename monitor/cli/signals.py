"""SIGINT and SIGTERM for the commands that work for long (run, watch, reextract).

The first signal asks the work to stop: the flag it sets is checked between pages, no new
request is made, the pages in hand are finished (or cut after a few seconds) and stored, and
the command exits 130. A second signal exits 130 at once (once worker processes have put down
the page in hand). Neither prints a traceback: SQLite commits are atomic and the storage lock
goes with the process, so nothing is left half-done that the next run does not handle.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from monitor.errors import EXIT_INTERRUPTED

STOPPING = "stopping after the current page… (press Ctrl-C again to stop at once)\n"
STOPPED = "interrupted\n"
SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _say(text: str) -> None:
    # os.write, not print: a signal handler may run while the main thread is inside print.
    with contextlib.suppress(OSError):
        os.write(2, text.encode("utf-8"))


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """A stop flag that SIGINT and SIGTERM set while the block runs (see the module docstring).

    Outside the main thread (where signals can't be handled) the flag is never set.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            if multiprocessing.active_children():
                # Worker processes (reextract's) would wait forever for a parent that vanished:
                # unwind instead, which closes their pool (the work in hand, under a second)
                # on the way to the error boundary, and exit 130 there.
                raise KeyboardInterrupt
            _say(STOPPED)
            os._exit(EXIT_INTERRUPTED)
        stop.set()
        _say(STOPPING)

    previous = {sig: signal.signal(sig, on_signal) for sig in SIGNALS}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
