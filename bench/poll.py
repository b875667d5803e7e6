"""Poll many feeds on many local hosts with a per-host delay; prints one JSON line.

    python bench/poll.py --feeds 1000 --hosts 50 [--delay-ms 20] [--entries 5] [--dir PATH]

`--hosts` tiny HTTP/1.1 servers listen on 127.0.0.2, 127.0.0.3, … (distinct loopback addresses;
distinct ports on 127.0.0.1 where those can't be bound), all on one asyncio loop in a thread of
this process, answering from bytes prepared beforehand, so serving costs next to nothing.
Feeds are spread evenly over the hosts. Each feed is a small RSS document with `--entries`
entries, and each entry links to its own article page on the same host (a short Vietnamese
article from `corpus.py`), so a run polls every feed, then fetches, extracts, stores and indexes
every page: a whole first `monitor run` (`monitor.jobs.run.run` with every feed due) over a fresh
archive. `--entries 0` polls feeds only. Each host also serves a robots.txt allowing everything.

Every request's arrival time is recorded per host. Output:
{"feeds", "hosts", "delay_ms", "entries", "wall_s", "requests", "min_gap_ms",
"expected_min_wall_s", "stage_s": {"feeds", "pages", "index"}, "feeds_ok", "articles_new",
"failures", "addresses", "loadavg"}. `min_gap_ms` is the smallest gap between two requests to
one host and must not be below `delay_ms` (exit code 1 if it is, or if anything failed);
`expected_min_wall_s` is the busiest host's request count times the delay, the least time a
polite run can take. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path

import corpus

from index import open_engine
from monitor.archive import Archive
from monitor.collect.http import Fetcher
from monitor.config import load_config
from monitor.jobs.progress import Progress
from monitor.jobs.run import run

Routes = dict[bytes, bytes]  # request target → the whole response

ROBOTS = b"User-agent: *\nDisallow:\n"


def response(body: bytes, content_type: str, status: str = "200 OK") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


NOT_FOUND = response(b"not found\n", "text/plain; charset=utf-8", "404 Not Found")


class Hosts:
    """`n` local HTTP servers on one event loop; records when each request arrives."""

    def __init__(self, n: int) -> None:
        self.sockets = self._bind(n)
        self.base_urls = ["http://{}:{}".format(*sock.getsockname()[:2]) for sock in self.sockets]
        distinct = len({sock.getsockname()[0] for sock in self.sockets}) == n
        self.addresses = "loopback-addresses" if distinct else "ports"
        robots = response(ROBOTS, "text/plain")
        self.routes: list[Routes] = [{b"/robots.txt": robots} for _ in range(n)]
        self.arrivals: list[list[float]] = [[] for _ in range(n)]
        self.unknown: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="bench-hosts", daemon=True)
        self._ready = threading.Event()

    @staticmethod
    def _bind(n: int) -> list[socket.socket]:
        bound: list[socket.socket] = []
        try:
            for i in range(n):
                bound.append(socket.create_server((f"127.0.0.{i + 2}", 0)))
        except OSError:
            # Not every system routes all of 127/8 to the loopback interface (macOS, BSD).
            for sock in bound:
                sock.close()
            return [socket.create_server(("127.0.0.1", 0)) for _ in range(n)]
        return bound

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def open_all() -> None:
            for index, sock in enumerate(self.sockets):
                await asyncio.start_server(self._handler(index), sock=sock)

        self._loop.run_until_complete(open_all())
        self._ready.set()
        self._loop.run_forever()

    def _handler(
        self, index: int
    ) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
        routes, arrivals = self.routes[index], self.arrivals[index]

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:  # keep-alive: one request after another on this connection
                    head = await reader.readuntil(b"\r\n\r\n")
                    arrivals.append(time.monotonic())
                    target = head.split(b" ", 2)[1]
                    reply = routes.get(target)
                    if reply is None:
                        self.unknown.append(target.decode("latin-1"))
                        reply = NOT_FOUND
                    writer.write(reply)
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        return handle

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        for sock in self.sockets:
            sock.close()

    def min_gap(self) -> float:
        """The smallest time between two consecutive requests to one host, in seconds."""
        gaps = [
            later - earlier
            for times in self.arrivals
            for earlier, later in zip(sorted(times), sorted(times)[1:], strict=False)
        ]
        return min(gaps, default=float("nan"))


def article_page(title: str, sapo: str, text: str, published: str | None) -> bytes:
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>{date}</head><body>"
        '<div class="menu"><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a></div>'
        f'<h1>{escape(title)}</h1><h2 class="sapo">{escape(sapo)}</h2>'
        f"<article>{paragraphs}</article><footer>© Báo Thử</footer></body></html>"
    ).encode()


def feed_document(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """RSS 2.0 with (link, title, description) items."""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{escape(d)}</description></item>"
        for link, t, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://example.invalid/</link>{body}"
        "</channel></rss>"
    ).encode()


def build_site(hosts: Hosts, feeds: int, entries: int, seed: int) -> list[str]:
    """Routes for every feed and page; returns the feed URLs, in host-interleaved order."""
    docs = corpus.articles(feeds * entries, seed=seed, target_chars=900)
    urls: list[str] = []
    for number in range(feeds):
        host = number % len(hosts.base_urls)
        base = hosts.base_urls[host]
        items = []
        for k in range(entries):
            doc = next(docs)
            path = f"/bai-viet/{number}-{k}.html"
            paragraphs = doc.text.split("\n\n")
            sapo, text = paragraphs[0], "\n\n".join(paragraphs[1:] or paragraphs)
            published = doc.published.isoformat() if doc.published else None
            page = article_page(doc.title, sapo, text, published)
            hosts.routes[host][path.encode()] = response(page, "text/html; charset=utf-8")
            items.append((base + path, doc.title, sapo))
        path = f"/rss/chuyen-muc-{number}.rss"
        document = feed_document(f"Chuyên mục {number}", items)
        hosts.routes[host][path.encode()] = response(document, "application/rss+xml")
        urls.append(base + path)
    return urls


def write_config(directory: Path, feed_urls: list[str], delay_ms: float, hosts: int) -> Path:
    lines = [
        "[storage]",
        'dir = "data"',
        "[http]",
        f"per_host_delay = {delay_ms / 1000}",
        f"concurrency = {hosts}",  # one worker for every host: hosts never wait for each other
        "timeout = 30",
        "allow_private_addresses = true",  # the servers are on 127.0.0.x
    ]
    for number, url in enumerate(feed_urls):
        lines += ["[[feeds]]", f'url = "{url}"', f'source = "Báo {number % hosts}"']
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    parser.add_argument("--entries", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", type=Path, help="where the archive and index go (default: temp)")
    args = parser.parse_args(argv)
    loadavg = [round(x, 2) for x in os.getloadavg()]

    hosts = Hosts(args.hosts)
    work_dir = Path(tempfile.mkdtemp(prefix="poll-", dir=args.dir))
    stages: dict[str, float] = {}

    def on_progress(event: Progress) -> None:
        stages.setdefault(event.stage, time.perf_counter())

    try:
        print(f"serving {args.feeds} feeds on {args.hosts} hosts…", file=sys.stderr)
        feed_urls = build_site(hosts, args.feeds, args.entries, args.seed)
        hosts.start()
        config = load_config(write_config(work_dir, feed_urls, args.delay_ms, args.hosts))
        print("polling…", file=sys.stderr)
        with (
            Archive(config.archive_path) as archive,
            Fetcher(config.http) as fetcher,
            contextlib.closing(open_engine(config.index.engine, config.index_dir)) as engine,
        ):
            started = time.perf_counter()
            summary = run(config, archive, fetcher, engine, progress=on_progress, all_feeds=True)
            wall = time.perf_counter() - started
    finally:
        hosts.stop()
        shutil.rmtree(work_dir, ignore_errors=True)

    delay = args.delay_ms / 1000
    per_host = [len(times) for times in hosts.arrivals]
    marks = [started, *(stages[s] for s in ("pages", "index") if s in stages), started + wall]
    min_gap_ms = round(hosts.min_gap() * 1000, 2)
    report = {
        "feeds": args.feeds,
        "hosts": args.hosts,
        "delay_ms": args.delay_ms,
        "entries": args.entries,
        "wall_s": round(wall, 2),
        "requests": sum(per_host),
        "min_gap_ms": min_gap_ms,
        "expected_min_wall_s": round(max(per_host) * delay, 2),
        "stage_s": {
            name: round(end - start, 2)
            for name, start, end in zip(("feeds", "pages", "index"), marks, marks[1:], strict=False)
        },
        "feeds_ok": summary.feeds_ok,
        "articles_new": summary.articles_new,
        "failures": len(summary.failures) + len(hosts.unknown),
        "addresses": hosts.addresses,
        "loadavg": loadavg,
    }
    print(json.dumps(report))
    if not min_gap_ms >= args.delay_ms:
        print(f"FAIL: two requests to one host {min_gap_ms} ms apart", file=sys.stderr)
        return 1
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
