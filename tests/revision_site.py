"""Outlets on the local server whose articles change between runs, and runs at chosen times.

`Outlet` serves feeds and article pages from dicts the test changes between runs: each page
path answers with HTML (the sample site's own article pages, as `demo_page` reads them, or
`page`'s), a status, or a redirect. `Outlet.run_at(hours)` runs a collection as
`monitor run --all` does, with the clock `hours` after the first run, so checks come due
without anybody waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from index.engine import open_engine
from monitor.archive import Archive
from monitor.collect.http import Fetcher
from monitor.config import load_config
from monitor.jobs.run import RunSummary, run
from tests.cli import Cli, write_config
from tests.localsite import SITE_DIR, HandlerResult, LocalSite, Reply, Request

HTML = {"Content-Type": "text/html; charset=utf-8"}
# What a path answers: a page's HTML, a status, or a (status, headers) pair.
Answer = str | int | tuple[int, dict[str, str]]
# A feed item: (guid, title, path of the article).
Item = tuple[str, str, str]


def page(title: str, paragraphs: list[str]) -> str:
    """A plain article page."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{title}</title>
<meta property="article:published_time" content="2026-11-22T08:30:00+07:00"></head>
<body><nav><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a></nav>
<article><h1>{title}</h1>{body}</article><footer>Bản quyền thuộc về tòa soạn.</footer>
</body></html>"""


def rss(base: str, title: str, items: list[Item]) -> str:
    entries = "".join(
        f"<item><title>{name}</title><link>{base}{path}</link><guid>{guid}</guid>"
        "<pubDate>Sun, 22 Nov 2026 01:30:00 GMT</pubDate></item>"
        for guid, name, path in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title>{entries}</channel></rss>"
    )


@dataclass
class Outlet(Cli):
    site: LocalSite
    config: Path
    feeds: dict[str, list[Item]]  # feed path → its items, as served now
    answers: dict[str, Answer] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)  # path → the ETag it sends and honours
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def demo_page(self, path: str) -> str:
        """The sample site's page at `path`, with its links on this server."""
        html = (SITE_DIR / path.lstrip("/")).read_text("utf-8")
        return html.replace("{base}", self.site.base_url)

    def serve(self, path: str, answer: Answer, *, etag: str | None = None) -> None:
        self.answers[path] = answer
        if etag:
            self.etags[path] = etag
        self.site.route(path, handler=self._answer)

    def _answer(self, request: Request) -> HandlerResult:
        path = request.bare_path
        answer = self.answers[path]
        if isinstance(answer, int):
            return Reply(answer, HTML, "<h1>Không tìm thấy</h1>")
        if isinstance(answer, tuple):
            return Reply(answer[0], answer[1], "")
        etag = self.etags.get(path)
        if etag and request.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(200, {**HTML, **({"ETag": etag} if etag else {})}, answer)

    def run_at(self, hours: float) -> RunSummary:
        """A collection of every feed, `hours` after the first."""
        config = load_config(self.config)
        with Archive(config.archive_path) as archive, Fetcher(config.http) as fetcher:
            engine = open_engine(config.index.engine, config.index_dir)
            try:
                return run(
                    config,
                    archive,
                    fetcher,
                    engine,
                    all_feeds=True,
                    clock=lambda: self.started + timedelta(hours=hours),
                )
            finally:
                engine.close()

    def article_id(self, path: str) -> int:
        (row,) = self.sql("SELECT id FROM articles WHERE url = ?", self.site.url(path))
        return int(row[0])

    def sql(self, query: str, *params: object) -> list[tuple[Any, ...]]:
        with Archive(load_config(self.config).archive_path) as archive:
            return [tuple(row) for row in archive.db.execute(query, params)]


def open_outlet(
    site: LocalSite, directory: Path, feeds: dict[str, str], **tables: dict[str, object]
) -> Outlet:
    """Outlets on `site` with `feeds` (path → source), and a config for them in `directory`."""
    site.route("/robots.txt", body="User-agent: *\nAllow: /\n", content_type="text/plain")
    config = write_config(
        directory / "config.toml",
        [(site.url(path), source) for path, source in feeds.items()],
        http={"per_host_delay": 0, "timeout": 10},
        **tables,
    )
    outlet = Outlet(site, config, {path: [] for path in feeds})
    for path, source in feeds.items():
        site.route(path, handler=_feed(site, source, outlet.feeds[path]))
    return outlet


def _feed(site: LocalSite, title: str, items: list[Item]) -> Callable[[Request], Reply]:
    def answer(_request: Request) -> Reply:
        return Reply(200, {"Content-Type": "application/rss+xml"}, rss(site.base_url, title, items))

    return answer
