"""Driving `python -m monitor` as real processes: for signals, kill -9 and concurrent runs."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cli import write_config
from tests.localsite import LocalSite, Reply, Request

ROOT = Path(__file__).resolve().parent.parent
RSS = "application/rss+xml; charset=utf-8"
USER_AGENT = "press-monitor-tests/1.0 (+https://example.invalid/tests)"
# How long any process of these tests may take before the test fails rather than hangs.
PATIENCE = 60.0


def article_page(n: int) -> str:
    """A page that extracts to an article of its own (distinct text, so no near-duplicates)."""
    words = " ".join(f"từ{n}x{k}" for k in range(60))
    body = "".join(
        f"<p>Đoạn {p} của bài số {n}: {words} kết thúc đoạn {p} một cách rõ ràng.</p>"
        for p in range(6)
    )
    return (
        f'<html lang="vi"><head><title>Bài số {n} về thời tiết</title></head><body>'
        f"<article><h1>Bài số {n} về thời tiết</h1>{body}</article></body></html>"
    )


def rss_of(site: LocalSite, paths: Iterable[str]) -> str:
    items = "".join(
        f"<item><title>Bài {path}</title><link>{site.url(path)}</link><guid>{path}</guid></item>"
        for path in paths
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Thử</title>'
        f"{items}</channel></rss>\n"
    )


def serve_articles(
    site: LocalSite, count: int, *, delay: float = 0.0, feed: str = "/tin.rss", first: int = 0
) -> list[str]:
    """`count` article pages at /bai/N.html (N from `first`), each answered after `delay`
    seconds, and a feed listing them all; returns the page paths."""
    paths = [f"/bai/{n}.html" for n in range(first, first + count)]
    for n, path in enumerate(paths, start=first):
        site.route(path, handler=_page(n, delay))
    site.route(feed, body=rss_of(site, paths), content_type=RSS)
    return paths


def _page(n: int, delay: float) -> Callable[[Request], Reply]:
    html = article_page(n)
    return lambda _request: Reply(200, {"Content-Type": "text/html; charset=utf-8"}, html, delay)


def config_for(directory: Path, feeds: list[str], **http: object) -> Path:
    settings = {"user_agent": USER_AGENT, "per_host_delay": 0, "timeout": 10, **http}
    return write_config(
        directory / "config.toml", [(url, "Báo Thử") for url in feeds], http=settings
    )


@dataclass
class Monitor:
    """One `python -m monitor` process."""

    process: subprocess.Popen[str]
    started: float

    @classmethod
    def start(cls, config: Path, *args: str, env: dict[str, str] | None = None) -> Monitor:
        """`monitor --config CONFIG ARGS…`, with `env` added to this process's environment."""
        env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT), **(env or {})}
        env.pop("MONITOR_DEBUG", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=config.parent,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
        return cls(process, time.monotonic())

    def signal(self, number: int = signal.SIGINT) -> float:
        """Send a signal to the process; returns when it was sent (monotonic)."""
        self.process.send_signal(number)
        return time.monotonic()

    def ctrl_c(self) -> float:
        """SIGINT to the whole process group, as a terminal sends it on Ctrl-C."""
        os.killpg(self.process.pid, signal.SIGINT)
        return time.monotonic()

    def kill(self) -> None:
        """SIGKILL: no handler, no cleanup, as a power-cycled cron job or the OOM killer."""
        self.process.kill()
        self.process.communicate(timeout=PATIENCE)  # reaps it and closes the pipes

    def finish(self) -> tuple[int, str, str]:
        """Wait for the end: (exit code, stdout, stderr)."""
        out, err = self.process.communicate(timeout=PATIENCE)
        return self.process.returncode, out, err


def run_monitor(config: Path, *args: str) -> tuple[int, str, str]:
    return Monitor.start(config, *args).finish()


def wait_until(condition: Callable[[], bool], timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def holds_lock(storage: Path, pid: int | None = None) -> bool:
    """Whether a process (that one, with `pid`) wrote itself into the storage dir's lock file,
    as the holder of the lock does."""
    try:
        holder = json.loads((storage / ".lock").read_text("utf-8") or "{}")
    except (OSError, ValueError):
        return False
    return bool(holder) and (pid is None or holder.get("pid") == pid)


def query(archive: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(archive) as db:
        return [tuple(row) for row in db.execute(sql, params)]
