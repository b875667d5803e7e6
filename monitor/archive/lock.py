"""One writer at a time: an advisory lock on the storage dir.

Every command that writes (a run, a watch, reextract, reindex, adding or removing feeds and saved
searches) holds an exclusive `flock` on `STORAGE/.lock` while it works; a second writer waits
up to the seconds it was given, then fails with `ArchiveLocked` (exit code 75), naming the
holder. The file holds the holder's pid, start time and command as JSON, for that message.

The lock belongs to the open file, so the operating system releases it when the process ends,
however it ends: a run killed with SIGKILL never leaves a stale lock behind, and the file is
never deleted (deleting a lock file lets two processes lock two different files). Readers take
no lock: SQLite's WAL mode lets them read while the writer writes. flock needs a local file
system; on NFS keep the storage dir local.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import ArchiveError, ArchiveLocked
from monitor.timestamps import now_iso

LOCK_NAME = ".lock"
# Held by `monitor watch` for as long as it runs: one watch per storage dir.
WATCH_LOCK_NAME = ".watch.lock"
_RETRY = 0.2


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as it wrote itself into the lock file (any part may be unknown)."""

    pid: int | None = None
    started_at: str | None = None
    command: str | None = None

    def describe(self, what: str = "another run", doing: str = "holds the archive") -> str:
        started = (self.started_at or "").replace("T", " ").replace("+00:00", " UTC")
        facts = ", ".join(
            fact
            for fact in (
                f"pid {self.pid}" if self.pid else "",
                f"started at {started}" if started else "",
            )
            if fact
        )
        about = f" ({facts})" if facts else ""
        by = f": `{self.command}`" if self.command else ""
        return f"{what}{about} {doing}{by}"


class StorageLock:
    """The lock of one storage dir, held by this process between `acquire` and `release`."""

    def __init__(
        self,
        directory: Path,
        *,
        command: str = "monitor",
        name: str = LOCK_NAME,
        held_by: tuple[str, str] = ("another run", "holds the archive"),
        advice: str = "try again later, or wait for it with --wait SECONDS",
    ) -> None:
        self.path = directory / name
        self.command = command
        self.held_by = held_by
        self.advice = advice
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, wait: float = 0.0, *, stop: threading.Event | None = None) -> None:
        """Take the lock, waiting up to `wait` seconds (or until `stop` is set) for the writer
        that holds it; then raise ArchiveLocked."""
        if self._fd is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ArchiveError(f"{self.path}: cannot open the lock file: {exc}") from exc
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            left = deadline - time.monotonic()
            if left <= 0 or (stop is not None and stop.is_set()):
                os.close(fd)
                raise ArchiveLocked(f"{self.holder().describe(*self.held_by)}; {self.advice}")
            if stop is not None:
                stop.wait(min(_RETRY, left))
            else:
                time.sleep(min(_RETRY, left))
        self._fd = fd
        me = {"pid": os.getpid(), "started_at": now_iso(), "command": self.command}
        with contextlib.suppress(OSError):  # who holds it is for messages only
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(me).encode("utf-8"), 0)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def holder(self) -> Holder:
        """Who holds the lock, as far as the file says (it is empty for a moment while a new
        holder writes itself in)."""
        try:
            data = json.loads(self.path.read_text("utf-8") or "{}")
        except (OSError, ValueError):
            return Holder()
        if not isinstance(data, dict):
            return Holder()
        pid, started, command = data.get("pid"), data.get("started_at"), data.get("command")
        return Holder(
            pid if isinstance(pid, int) else None,
            started if isinstance(started, str) else None,
            command if isinstance(command, str) else None,
        )

    def __enter__(self) -> StorageLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
