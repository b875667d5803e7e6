"""Several collector processes on one PostgreSQL archive; prints one JSON line per setting.

    python bench/scale_collectors.py --database postgresql:///monitor_test [--collectors 1 2 4]
                                     [--feeds 1000] [--hosts 50] [--per-feed 5] [--delay 0.05]
                                     [--seed 42]

A local web of `--hosts` HTTP servers on 127.0.0.1 (one port each: one host each, as far as
politeness goes) serves `--feeds` RSS feeds spread over them, each listing `--per-feed` new
article pages (synthetic Vietnamese text from `corpus.py`, ~2.3 KB each, in a plain article
layout). For each number of collectors, a fresh schema of the database is made and that many
`monitor run` processes are started at once, each with its own config (the same feeds,
`per_host_delay = --delay`) and one shared storage dir, and waited for. The servers record
every request with its arrival time.

Output per setting: {"collectors", "feeds", "hosts", "articles" (stored), "wall_s" (first
start to last exit), "articles_per_s", "requests" (all, robots.txt included),
"pages_per_collector" (pages fetched by each, fewest first),
"duplicate_fetches" (requests for a feed or page beyond its first; must be 0),
"robots_requests" (each collector reads a host's robots.txt it has not seen), "min_host_gap_s" (the
smallest time between two requests to one host over all hosts; never below the delay),
"per_host_delay", "exit_codes", "loadavg"}. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import http.server
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path

import corpus
import psycopg

ROOT = Path(__file__).resolve().parent.parent
RSS = "application/rss+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"


class Web:
    """`hosts` servers on 127.0.0.1, serving feeds and pages from a dict, logging requests."""

    def __init__(self, hosts: int) -> None:
        self.content: dict[tuple[int, str], tuple[str, bytes]] = {}
        self.log: list[tuple[int, str, float]] = []
        self._lock = threading.Lock()
        self.servers = [self._server() for _ in range(hosts)]
        self.ports = [server.server_address[1] for server in self.servers]

    def _server(self) -> http.server.ThreadingHTTPServer:
        web = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                port = int(self.server.server_address[1])  # type: ignore[index]
                with web._lock:
                    web.log.append((port, self.path, time.monotonic()))
                found = web.content.get((port, self.path))
                status, (kind, body) = (200, found) if found else (404, ("text/plain", b"no"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def url(self, port: int, path: str) -> str:
        return f"http://127.0.0.1:{port}{path}"

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def build(web: Web, feeds: int, per_feed: int, seed: int) -> list[str]:
    """Feeds and their pages on the web; returns the feed URLs."""
    documents = corpus.articles(feeds * per_feed, seed=seed)
    urls = []
    for feed in range(feeds):
        port = web.ports[feed % len(web.ports)]
        items = []
        for n in range(per_feed):
            doc = next(documents)
            path = f"/f{feed}/bai-{n}.html"
            paragraphs = "".join(f"<p>{escape(p)}</p>" for p in doc.text.split("\n") if p)
            page = (
                f'<html lang="vi"><head><title>{escape(doc.title)}</title></head><body>'
                f"<article><h1>{escape(doc.title)}</h1>{paragraphs}</article></body></html>"
            )
            web.content[(port, path)] = (HTML, page.encode("utf-8"))
            items.append(
                f"<item><title>{escape(doc.title)}</title><link>{web.url(port, path)}</link>"
                f"<guid>{path}</guid></item>"
            )
        rss = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Báo {feed}</title>{''.join(items)}</channel></rss>"
        )
        web.content[(port, f"/f{feed}.rss")] = (RSS, rss.encode("utf-8"))
        urls.append(web.url(port, f"/f{feed}.rss"))
    return urls


def write_config(path: Path, storage: Path, feeds: list[str], delay: float) -> None:
    lines = [
        "[storage]",
        f"dir = {json.dumps(str(storage))}",
        "[http]",
        "allow_private_addresses = true",
        'contact = "https://press-monitor.example.org/bench"',
        f"per_host_delay = {delay}",
        "timeout = 30",
        "[revisions]",
        "enabled = false",
    ]
    for n, url in enumerate(feeds):
        lines += ["[[feeds]]", f"url = {json.dumps(url)}", f'source = "Báo {n % 97}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@contextmanager
def schema(database: str) -> Iterator[str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {name}")
    separator = "&" if "?" in database else "?"
    try:
        yield f"{database}{separator}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(database, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {name} CASCADE")


def setting(
    web: Web, feeds: list[str], collectors: int, database: str, delay: float, work: Path
) -> dict[str, object]:
    web.log.clear()
    with schema(database) as dsn:
        storage = work / f"storage-{collectors}"
        configs = []
        for n in range(collectors):
            config = work / f"c{collectors}-{n}.toml"
            write_config(config, storage, feeds, delay)
            configs.append(config)
        env = {**os.environ, "MONITOR_DATABASE": dsn, "PYTHONPATH": str(ROOT)}
        # The schema is made before the race, as a deployment would (monitor stats migrates).
        subprocess.run(
            [sys.executable, "-m", "monitor", "--config", str(configs[0]), "stats"],
            env=env,
            check=True,
            capture_output=True,
        )
        started = time.monotonic()
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "monitor", "--config", str(config), "run"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for config in configs
        ]
        codes = []
        for process in processes:
            _out, err = process.communicate()
            codes.append(process.returncode)
            if process.returncode:
                print(err[-2000:], file=sys.stderr)
        wall = time.monotonic() - started
        with psycopg.connect(dsn, autocommit=True) as db:
            row = db.execute("SELECT COUNT(*) FROM articles").fetchone()
            articles = int(row[0]) if row else 0
            shares = sorted(
                int(count)
                for (count,) in db.execute(
                    "SELECT COUNT(*) FROM pages WHERE state = 'done' GROUP BY fetched_by"
                )
            )
    # robots.txt is each collector's to read (once per host per day, kept in the archive for
    # the next runs): two collectors starting together both read it.
    paths = Counter((port, path) for port, path, _at in web.log if not path.endswith("/robots.txt"))
    by_host: dict[int, list[float]] = defaultdict(list)
    for port, _path, at in web.log:
        by_host[port].append(at)
    gaps = [b - a for times in by_host.values() for a, b in itertools.pairwise(sorted(times))]
    return {
        "collectors": collectors,
        "feeds": len(feeds),
        "hosts": len(web.ports),
        "articles": articles,
        "wall_s": round(wall, 2),
        "articles_per_s": round(articles / wall, 1),
        "requests": len(web.log),
        "pages_per_collector": shares,
        "duplicate_fetches": sum(count - 1 for count in paths.values()),
        "robots_requests": sum(path.endswith("/robots.txt") for _port, path, _at in web.log),
        "min_host_gap_s": round(min(gaps), 4) if gaps else None,
        "per_host_delay": delay,
        "exit_codes": codes,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--database", default=os.environ.get("MONITOR_TEST_DATABASE"))
    parser.add_argument("--collectors", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--per-feed", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if not args.database:
        parser.error("--database postgresql://… (or $MONITOR_TEST_DATABASE) is needed")
    web = Web(args.hosts)
    try:
        feeds = build(web, args.feeds, args.per_feed, args.seed)
        with tempfile.TemporaryDirectory(prefix="scale-collectors-") as work:
            for collectors in args.collectors:
                print(f"{collectors} collector(s)…", file=sys.stderr)
                result = setting(web, feeds, collectors, args.database, args.delay, Path(work))
                print(json.dumps(result), flush=True)
    finally:
        web.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
