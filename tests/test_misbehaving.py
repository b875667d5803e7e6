"""Collection against servers that misbehave on purpose, end to end through `monitor run`.

Every case is served by the real local site; each test looks at three things: the archive
(SQLite), what the server saw (requests and their headers) and what the CLI said.
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from monitor.cli import cli
from tests.cli import write_config
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite, Reply, Request

USER_AGENT = "press-monitor-tests/1.0 (+https://example.invalid/tests)"
RSS = "application/rss+xml; charset=utf-8"
# Real article pages of the fixture site, served statically at these paths.
PAGE_A = cat.TTO_NON_LA.path
PAGE_B = cat.DT_ECH_CAY.path
PAGE_C = cat.VNE_DA_QUY.path


def rss(items: Iterable[tuple[str, str]], *, title: str = "Báo Thử — Tin mới") -> str:
    """A small RSS 2.0 document; `items` are (link, guid) pairs, written as given."""
    body = "".join(
        f"<item><title>Tin số {n}</title><link>{link}</link>"
        f'<guid isPermaLink="false">{guid}</guid>'
        f"<description>Bản tin số {n} của Báo Thử.</description></item>"
        for n, (link, guid) in enumerate(items, start=1)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.invalid/</link>{body}</channel></rss>\n"
    )


def feed_of(site: LocalSite, *paths: str) -> str:
    """A feed whose entries link to `paths` on `site` (the guid is the path)."""
    return rss((site.url(p), p) for p in paths)


class Collector:
    """A config in tmp_path whose feeds are on local sites, and the archive a run writes."""

    def __init__(self, tmp_path: Path, feeds: list[tuple[str, str]], **http: object) -> None:
        settings: dict[str, object] = {
            "user_agent": USER_AGENT,
            "per_host_delay": 0.01,
            "timeout": 5,
            **http,
        }
        self.config = write_config(tmp_path / "config.toml", feeds, http=settings)
        self.archive = tmp_path / "data" / "archive.sqlite3"

    def run_cli(self, *args: str) -> Result:
        """`monitor run` polling every feed, due or not (the one place that says how)."""
        runner = CliRunner(env={"COLUMNS": "300", "MONITOR_DEBUG": None})
        return runner.invoke(cli, ["--config", str(self.config), "run", "--all", *args])

    def poll(self, *, exit_code: int = 0) -> dict[str, Any]:
        """One run with JSON output; checks the exit code and returns the summary."""
        result = self.run_cli("--format", "json")
        assert result.exit_code == exit_code, result.output
        summary: dict[str, Any] = json.loads(result.output)
        return summary

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.archive) as db:
            return [tuple(row) for row in db.execute(sql, params)]

    def one(self, sql: str, *params: object) -> Any:
        (row,) = self.rows(sql, *params)
        return row[0] if len(row) == 1 else row

    def feed(self, url: str) -> dict[str, Any]:
        with sqlite3.connect(self.archive) as db:
            db.row_factory = sqlite3.Row
            return dict(db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone())

    def log(self, url: str) -> list[tuple[Any, ...]]:
        """(run_id, status, outcome, error) of every fetch of `url`, oldest first."""
        return self.rows(
            "SELECT run_id, status, outcome, error FROM fetch_log WHERE url = ? ORDER BY id", url
        )

    def page(self, url: str) -> tuple[Any, ...]:
        """(state, attempts, last_status, last_error) of the page at `url`."""
        row: tuple[Any, ...] = self.one(
            "SELECT state, attempts, last_status, last_error FROM pages WHERE url = ?", url
        )
        return row

    def article_urls(self) -> set[str]:
        return {url for (url,) in self.rows("SELECT url FROM articles")}


def reasons(summary: dict[str, Any]) -> dict[str, str]:
    """url → failure reason, from a run summary."""
    return {f["url"]: f["reason"] for f in summary["failures"]}


def counting(reply: Callable[[int], Reply]) -> tuple[Callable[[Request], Reply], list[Request]]:
    """A handler that passes the request number (1, 2, …) to `reply`, and the requests seen."""
    seen: list[Request] = []

    def handler(request: Request) -> Reply:
        seen.append(request)
        return reply(len(seen))

    return handler, seen


# --------------------------------------------------------------------------- validators


def test_second_poll_sends_one_validator_and_a_304_changes_nothing(
    tmp_path: Path, site: LocalSite
) -> None:
    etag, modified = '"v1-tin-moi"', "Sat, 21 Nov 2026 08:00:00 GMT"
    both_body = feed_of(site, PAGE_A)
    only_lm_body = feed_of(site, PAGE_B)

    def both(request: Request) -> Reply:
        # Answers 304 to either validator, so a client that sent the wrong one still passes:
        # what was sent is checked on the request log below.
        if request.headers.get("if-none-match") == etag or (
            request.headers.get("if-modified-since") == modified
        ):
            return Reply(304, {"ETag": etag})
        return Reply(200, {"Content-Type": RSS, "ETag": etag, "Last-Modified": modified}, both_body)

    def only_lm(request: Request) -> Reply:
        if request.headers.get("if-modified-since") == modified:
            return Reply(304)
        return Reply(200, {"Content-Type": RSS, "Last-Modified": modified}, only_lm_body)

    site.route("/both.rss", handler=both)
    site.route("/lm.rss", handler=only_lm)
    both_url, lm_url = site.url("/both.rss"), site.url("/lm.rss")
    collector = Collector(tmp_path, [(both_url, "Báo Thử"), (lm_url, "Báo Thử")])

    first = collector.poll()
    assert (first["entries_new"], first["articles_new"]) == (2, 2)
    second = collector.poll()
    assert second["feeds_ok"] == second["feeds_unchanged"] == 2
    assert (second["entries_new"], second["articles_new"]) == (0, 0)

    first_both, second_both = site.requests_for("/both.rss")
    assert "if-none-match" not in first_both.headers
    assert "if-modified-since" not in first_both.headers
    # If-None-Match preferred, and alone: some servers compare the wrong one when given both.
    assert second_both.headers.get("if-none-match") == etag
    assert "if-modified-since" not in second_both.headers
    _, second_lm = site.requests_for("/lm.rss")
    assert second_lm.headers.get("if-modified-since") == modified
    assert "if-none-match" not in second_lm.headers

    for url in (both_url, lm_url):
        assert [(s, o) for _, s, o, _ in collector.log(url)] == [(200, "ok"), (304, "unchanged")]
        row = collector.feed(url)
        assert (row["last_status"], row["last_modified"]) == (304, modified)
        assert row["consecutive_failures"] == 0
    assert collector.feed(both_url)["etag"] == etag
    assert collector.one("SELECT COUNT(*) FROM entries") == 2
    # The articles were not asked for again.
    assert (site.hits(PAGE_A), site.hits(PAGE_B)) == (1, 1)


def test_a_new_etag_on_the_same_body_is_unchanged_by_its_hash(
    tmp_path: Path, site: LocalSite
) -> None:
    body = feed_of(site, PAGE_A, PAGE_B)
    handler, seen = counting(
        lambda n: Reply(200, {"Content-Type": RSS, "ETag": f'"rev-{n}"'}, body)
    )
    site.route("/lying.rss", handler=handler)
    url = site.url("/lying.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    assert collector.poll()["entries_new"] == 2
    second = collector.poll()
    assert second["feeds_unchanged"] == 1 and second["entries_new"] == 0
    assert seen[1].headers.get("if-none-match") == '"rev-1"'
    assert [o for _, _, o, _ in collector.log(url)] == ["ok", "unchanged"]
    # The newest validator is kept for the next poll.
    assert collector.feed(url)["etag"] == '"rev-2"'
    assert collector.one("SELECT COUNT(*) FROM entries") == 2
    assert collector.one("SELECT COUNT(*) FROM pages") == 2
    assert (site.hits(PAGE_A), site.hits(PAGE_B)) == (1, 1)


def test_the_same_etag_on_a_changed_body_still_brings_the_new_entries(
    tmp_path: Path, site: LocalSite
) -> None:
    before, after = feed_of(site, PAGE_A), feed_of(site, PAGE_A, PAGE_B)
    headers = {"Content-Type": RSS, "ETag": '"forever"'}
    handler, seen = counting(lambda n: Reply(200, headers, before if n == 1 else after))
    site.route("/stuck-etag.rss", handler=handler)
    url = site.url("/stuck-etag.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    assert collector.poll()["articles_new"] == 1
    second = collector.poll()
    assert (second["feeds_unchanged"], second["entries_new"], second["articles_new"]) == (0, 1, 1)
    assert seen[1].headers.get("if-none-match") == '"forever"'
    assert [o for _, _, o, _ in collector.log(url)] == ["ok", "ok"]
    assert collector.article_urls() == {site.url(PAGE_A), site.url(PAGE_B)}
    assert (site.hits(PAGE_A), site.hits(PAGE_B)) == (1, 1)


# --------------------------------------------------------------------------- statuses


def _http_date_in(seconds: int) -> str:
    return format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


@pytest.mark.parametrize(
    ("status", "retry_after", "holds_host"),
    [
        (429, "120", True),
        (429, "http-date", True),
        (503, "120", True),
        (503, None, False),
    ],
    ids=["429-seconds", "429-http-date", "503-seconds", "503-bare"],
)
def test_429_and_503_fail_that_feed_and_spare_other_hosts(
    tmp_path: Path,
    site: LocalSite,
    site2: LocalSite,
    status: int,
    retry_after: str | None,
    holds_host: bool,
) -> None:
    def busy(_request: Request) -> Reply:
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if retry_after is not None:
            http_date = retry_after == "http-date"
            headers["Retry-After"] = _http_date_in(120) if http_date else retry_after
        return Reply(status, headers, "Quá nhiều yêu cầu, vui lòng thử lại sau.")

    site.route("/busy.rss", handler=busy)
    site.route("/sibling.rss", body=feed_of(site, PAGE_A), content_type=RSS)
    site2.route("/calm.rss", body=feed_of(site2, PAGE_B), content_type=RSS)
    busy_url, sibling_url, calm_url = (
        site.url("/busy.rss"),
        site.url("/sibling.rss"),
        site2.url("/calm.rss"),
    )
    # Feeds of one source are polled in config order, so the busy feed goes first on its host.
    collector = Collector(
        tmp_path, [(busy_url, "Báo Thử"), (sibling_url, "Báo Thử"), (calm_url, "Báo Khác")]
    )

    summary = collector.poll(exit_code=1)
    reason = reasons(summary)[busy_url]
    assert reason.startswith(f"HTTP {status} ")
    assert [(s, o) for _, s, o, _ in collector.log(busy_url)] == [(status, "failed")]
    row = collector.feed(busy_url)
    assert (row["last_status"], row["consecutive_failures"]) == (status, 1)
    assert row["last_error"] == reason
    if retry_after is None:
        assert "Retry-After" not in reason
    else:
        match = re.search(r"\(Retry-After ([\d.]+) s\)", reason)
        assert match, reason
        assert 100 <= float(match.group(1)) <= 120

    # The other host is untouched by it: polled, and its article fetched and stored.
    assert [o for _, _, o, _ in collector.log(calm_url)] == ["ok"]
    assert site2.hits(PAGE_B) == 1
    assert site2.url(PAGE_B) in collector.article_urls()
    # On the busy host, a server that said how long to wait is not asked again in this run.
    sibling = [o for _, _, o, _ in collector.log(sibling_url)]
    if holds_host:
        assert sibling == ["deferred"] and site.hits("/sibling.rss") == 0
        assert summary["feeds_deferred"] == 1
    else:
        assert sibling == ["ok"] and site.hits(PAGE_A) == 1
    assert site.hits("/busy.rss") == 1
    assert summary["feeds_failed"] == 1


def test_500_on_a_feed_and_on_a_page_are_recorded_and_the_page_is_retried(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route("/down.rss", status=500, body="Internal Server Error")
    site.route("/news/broken.html", status=500, body="<h1>Lỗi máy chủ</h1>")
    site.route("/ok.rss", body=feed_of(site, "/news/broken.html", PAGE_A), content_type=RSS)
    down_url, ok_url = site.url("/down.rss"), site.url("/ok.rss")
    broken_url = site.url("/news/broken.html")
    collector = Collector(tmp_path, [(down_url, "Báo Thử"), (ok_url, "Báo Thử")])

    result = collector.run_cli()
    assert result.exit_code == 1
    assert "HTTP 500" in result.output and "/down.rss" in result.output
    assert [(s, o) for _, s, o, _ in collector.log(down_url)] == [(500, "failed")]
    assert collector.page(broken_url) == ("failed", 1, 500, "HTTP 500 Internal Server Error")
    assert collector.article_urls() == {site.url(PAGE_A)}

    # A 500 is passing trouble: the next run asks for the page again, and only for it.
    again = collector.poll(exit_code=1)
    assert reasons(again)[broken_url] == "HTTP 500 Internal Server Error"
    assert collector.page(broken_url)[:2] == ("failed", 2)
    assert site.hits("/news/broken.html") == 2
    assert site.hits(PAGE_A) == 1


# --------------------------------------------------------------------------- slow servers


def test_timeouts_on_a_silent_server_and_a_stalling_body(tmp_path: Path, site: LocalSite) -> None:
    feed = feed_of(site, "/news/slow.html")
    site.route("/silent.rss", body=feed, content_type=RSS, delay=1.5)
    site.route("/stalling.rss", body=feed, content_type=RSS, drip=(64, 1.5))
    site.route("/fine.rss", body=feed, content_type=RSS)
    site.route("/news/slow.html", file=PAGE_A.lstrip("/"), delay=1.5)
    urls = [site.url(p) for p in ("/silent.rss", "/stalling.rss", "/fine.rss")]
    collector = Collector(tmp_path, [(u, "Báo Thử") for u in urls], timeout=0.5)

    summary = collector.poll(exit_code=1)
    failed = reasons(summary)
    slow_page = site.url("/news/slow.html")
    for url in (urls[0], urls[1], slow_page):
        assert failed[url] == "timed out after 0.5 s"
    assert [o for _, _, o, _ in collector.log(urls[2])] == ["ok"]
    # A timeout is worth retrying: the page waits for the next run.
    assert collector.page(slow_page)[:3] == ("failed", 1, None)
    assert collector.one("SELECT COUNT(*) FROM articles") == 0
    assert site.hits("/news/slow.html") == 1


def test_a_body_trickling_in_past_the_deadline_fails(tmp_path: Path, site: LocalSite) -> None:
    # Every chunk arrives well within the read timeout; the whole body takes ~1.6 s, more than
    # the whole-response deadline.
    body = feed_of(site, PAGE_A) + "<!-- " + "đệm " * 150 + "-->\n"
    site.route("/trickle.rss", body=body, content_type=RSS, drip=(80, 0.1))
    url = site.url("/trickle.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")], timeout=0.5, max_seconds=0.8)

    summary = collector.poll(exit_code=1)
    assert reasons(summary)[url].startswith("response still arriving after 0.8 s")
    assert site.hits(PAGE_A) == 0


# --------------------------------------------------------------------------- redirects


def test_a_redirect_loop_fails_clearly_after_a_bounded_number_of_requests(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route("/loop/a.rss", status=302, headers={"Location": "/loop/b.rss"})
    site.route("/loop/b.rss", status=302, headers={"Location": "/loop/a.rss"})
    url = site.url("/loop/a.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")], max_redirects=3)

    result = collector.run_cli()
    assert result.exit_code == 1
    assert "more than 3 redirects" in result.output
    # The first request and three redirects followed, then it stops.
    assert site.hits("/loop/a.rss") + site.hits("/loop/b.rss") == 4
    assert [(s, o, e) for _, s, o, e in collector.log(url)] == [
        (None, "failed", "more than 3 redirects")
    ]
    assert collector.feed(url)["last_error"] == "more than 3 redirects"


def test_a_redirect_chain_within_the_limit_is_followed_for_feeds_and_pages(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route("/old/feed.rss", status=301, headers={"Location": "/mid/feed.rss"})
    site.route("/mid/feed.rss", status=302, headers={"Location": site.url("/new/feed.rss")})
    site.route("/new/feed.rss", body=feed_of(site, "/short/1"), content_type=RSS)
    site.route("/short/1", status=301, headers={"Location": "/short/2"})
    site.route("/short/2", status=308, headers={"Location": PAGE_C})
    url = site.url("/old/feed.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")], max_redirects=3)

    summary = collector.poll()
    assert (summary["feeds_ok"], summary["articles_new"]) == (1, 1)
    assert [site.hits(p) for p in ("/old/feed.rss", "/mid/feed.rss", "/new/feed.rss")] == [1] * 3
    # The page is archived under the feed's link, with where it really was.
    short = site.url("/short/1")
    assert collector.one("SELECT final_url FROM pages WHERE url = ?", short) == site.url(PAGE_C)
    title = collector.one("SELECT title FROM articles WHERE url = ?", short)
    assert title == cat.VNE_DA_QUY.title
    assert site.hits(PAGE_C) == 1


# --------------------------------------------------------------------------- bad documents


def test_an_html_page_instead_of_a_feed_is_named_as_such(tmp_path: Path, site: LocalSite) -> None:
    # The homepage, served under a feed URL with a feed's Content-Type.
    site.route("/tin-moi.rss", file="vnexpress/index.html", content_type=RSS)
    url = site.url("/tin-moi.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    result = collector.run_cli()
    assert result.exit_code == 1
    assert "got an HTML page, not a feed" in result.output
    assert [(s, o) for _, s, o, _ in collector.log(url)] == [(200, "failed")]
    assert collector.feed(url)["last_error"].startswith("got an HTML page, not a feed")
    assert collector.one("SELECT COUNT(*) FROM entries") == 0
    # Nothing the page links to was followed.
    assert site.paths() == ["/tin-moi.rss"]


def test_a_connection_closed_before_the_declared_length_fails_the_feed(
    tmp_path: Path, site: LocalSite
) -> None:
    body = feed_of(site, PAGE_A, PAGE_B).encode()
    # Cut inside the second item, and closed with bytes still owed.
    cut = body[: body.index(b"<item>", body.index(b"</item>")) + 20]
    site.route("/cut.rss", body=cut, content_type=RSS, content_length=len(body))
    url = site.url("/cut.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    summary = collector.poll(exit_code=1)
    reason = reasons(summary)[url]
    assert "without sending complete message body" in reason
    assert f"received {len(cut)} bytes, expected {len(body)}" in reason
    assert [o for _, _, o, _ in collector.log(url)] == ["failed"]
    # Half a response is not evidence: nothing from it is kept.
    assert collector.one("SELECT COUNT(*) FROM entries") == 0
    assert (site.hits(PAGE_A), site.hits(PAGE_B)) == (0, 0)


def test_a_document_cut_short_keeps_its_complete_entries_with_a_warning(
    tmp_path: Path, site: LocalSite
) -> None:
    full = feed_of(site, PAGE_A, PAGE_B)
    cut = full[: full.index("<item>", full.index("</item>")) + 20]
    site.route("/short.rss", body=cut, content_type=RSS)
    url = site.url("/short.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    summary = collector.poll()
    warnings = [w["reason"] for w in summary["warnings"] if w["url"] == url]
    assert warnings and re.match(r"malformed feed, \d+ entries salvaged: ", warnings[0])
    # The complete entry is kept; the one cut in its title has no link and is left out.
    assert collector.rows("SELECT guid FROM entries") == [(PAGE_A,)]
    assert collector.article_urls() == {site.url(PAGE_A)}
    assert (site.hits(PAGE_A), site.hits(PAGE_B)) == (1, 0)
    ((outcome, note),) = collector.rows(
        "SELECT outcome, error FROM fetch_log WHERE url = ? AND kind = 'feed'", url
    )
    assert outcome == "ok" and note == "; ".join(warnings)


def test_malformed_xml_salvages_entries_or_fails_with_the_reason(
    tmp_path: Path, site: LocalSite
) -> None:
    # A bare "&" (not an entity) in the second title: not well-formed XML.
    salvageable = feed_of(site, PAGE_A, PAGE_B).replace("Tin số 2", "Vàng & USD")
    site.route("/amp.rss", body=salvageable, content_type=RSS)
    site.route("/garbage.rss", body="<rss><channel><<<>>> ?? </", content_type=RSS)
    amp_url, garbage_url = site.url("/amp.rss"), site.url("/garbage.rss")
    collector = Collector(tmp_path, [(amp_url, "Báo Thử"), (garbage_url, "Báo Thử")])

    result = collector.run_cli("--format", "json")
    assert result.exit_code == 1, result.output
    summary = json.loads(result.output)
    (warning,) = summary["warnings"]
    assert warning["url"] == amp_url
    assert re.match(r"malformed feed, \d+ entries salvaged: .*not well-formed", warning["reason"])
    assert {site.url(PAGE_A), site.url(PAGE_B)} <= collector.article_urls()
    titles = {t for (t,) in collector.rows("SELECT title FROM entries")}
    assert "Vàng & USD" in titles
    garbage = reasons(summary)[garbage_url]
    assert garbage.startswith(("not a feed", "malformed feed with no usable entries"))
    assert collector.feed(garbage_url)["last_error"] == garbage


def test_duplicate_guids_in_one_feed_are_stored_and_fetched_once(
    tmp_path: Path, site: LocalSite
) -> None:
    link_a, link_b = site.url(PAGE_A), site.url(PAGE_B)
    body = rss([(link_a, "tin-1"), (link_b, "tin-2"), (link_a, "tin-1"), (link_a, "tin-1")])
    site.route("/dup.rss", body=body, content_type=RSS)
    url = site.url("/dup.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    summary = collector.poll()
    assert (summary["entries_new"], summary["articles_new"]) == (2, 2)
    assert collector.rows("SELECT guid, url FROM entries ORDER BY id") == [
        ("tin-1", link_a),
        ("tin-2", link_b),
    ]
    assert collector.one("SELECT COUNT(*) FROM pages") == 2
    assert (site.hits(PAGE_A), site.hits(PAGE_B)) == (1, 1)
    assert collector.rows("SELECT entries_new FROM fetch_log WHERE url = ?", url) == [(2,)]


def test_relative_and_scheme_relative_links_resolve_against_the_feed_url(
    tmp_path: Path, site: LocalSite
) -> None:
    scheme_relative = site.base_url.removeprefix("http:") + PAGE_C  # //127.0.0.1:port/…
    body = rss(
        [
            ("bai-viet.html", "relative"),  # next to the feed: /chuyen-muc/bai-viet.html
            (PAGE_B, "root-relative"),
            (scheme_relative, "scheme-relative"),
        ]
    )
    site.route("/chuyen-muc/rss.xml", body=body, content_type=RSS)
    site.route("/chuyen-muc/bai-viet.html", file=PAGE_A.lstrip("/"))
    url = site.url("/chuyen-muc/rss.xml")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    summary = collector.poll()
    assert summary["articles_new"] == 3
    expected = {
        "relative": site.url("/chuyen-muc/bai-viet.html"),
        "root-relative": site.url(PAGE_B),
        "scheme-relative": site.url(PAGE_C),
    }
    assert dict(collector.rows("SELECT guid, url FROM entries")) == expected
    assert collector.article_urls() == set(expected.values())
    for path in ("/chuyen-muc/bai-viet.html", PAGE_B, PAGE_C):
        assert site.hits(path) == 1


# --------------------------------------------------------------------------- limits


def test_bodies_over_max_body_bytes_fail_clearly(tmp_path: Path, site: LocalSite) -> None:
    limit = 4000
    small = feed_of(site, PAGE_A)  # the page itself is ~9 KB
    big = feed_of(site, PAGE_B).replace("</channel>", "<!-- " + "x" * limit + " --></channel>")
    assert len(small.encode()) < limit < len(big.encode())
    site.route("/small.rss", body=small, content_type=RSS)
    site.route("/big.rss", body=big, content_type=RSS)
    small_url, big_url = site.url("/small.rss"), site.url("/big.rss")
    collector = Collector(
        tmp_path, [(small_url, "Báo Thử"), (big_url, "Báo Thử")], max_body_bytes=limit
    )

    summary = collector.poll(exit_code=1)
    failed = reasons(summary)
    message = f"body larger than {limit} bytes"
    assert failed[big_url] == message
    assert failed[site.url(PAGE_A)] == message
    assert collector.log(big_url) == [(1, 200, "failed", message)]
    # Sending it again would not make it smaller: the page is not retried.
    assert collector.page(site.url(PAGE_A)) == ("skipped", 1, 200, message)
    assert collector.one("SELECT COUNT(*) FROM articles") == 0
    assert site.hits(PAGE_B) == 0
    assert set(reasons(collector.poll(exit_code=1))) == {big_url}
    assert site.hits(PAGE_A) == 1


def test_robots_txt_keeps_disallowed_pages_unfetched(tmp_path: Path, site: LocalSite) -> None:
    # Rules for our user agent's product token; everyone else is kept out entirely.
    site.route(
        "/robots.txt",
        body="User-agent: press-monitor-tests\nDisallow: /tuoitre/\n\nUser-agent: *\nDisallow: /\n",
        content_type="text/plain; charset=utf-8",
    )
    site.route("/feeds/tin.rss", body=feed_of(site, PAGE_A, PAGE_B), content_type=RSS)
    url = site.url("/feeds/tin.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    result = collector.run_cli()
    assert result.exit_code == 0, result.output
    assert re.search(r"pages skipped \(robots\.txt\)\s+1", result.output)
    assert site.hits(PAGE_A) == 0
    assert site.hits(PAGE_B) == 1 and site.hits("/robots.txt") == 1
    disallowed = site.url(PAGE_A)
    reason = f"disallowed by robots.txt: {disallowed}"
    assert collector.page(disallowed) == ("skipped", 1, None, reason)
    assert [o for _, _, o, _ in collector.log(disallowed)] == ["skipped"]
    assert collector.article_urls() == {site.url(PAGE_B)}
    assert {r.headers.get("user-agent") for r in site.requests} == {USER_AGENT}
    # Skipped for good: a second run does not ask for it either.
    collector.poll()
    assert site.hits(PAGE_A) == 0


# --------------------------------------------------------------------------- hostile input


def test_a_link_with_a_bad_port_is_skipped_and_every_good_article_is_stored(
    tmp_path: Path, site: LocalSite
) -> None:
    good = [a.path for a in cat.ARTICLES[:4]]
    links = [(site.url(p), p) for p in good]
    links.insert(2, ("http://127.0.0.1:abc/x.html", "bad-port"))
    site.route("/mixed.rss", body=rss(links), content_type=RSS)
    url = site.url("/mixed.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    summary = collector.poll()
    assert summary["articles_new"] == len(good)
    (warning,) = [w["reason"] for w in summary["warnings"]]
    assert warning.startswith("1 entries without a usable link skipped: 'Tin số 3'")
    assert "Port could not be cast" in warning
    assert collector.article_urls() == {site.url(p) for p in good}


def test_a_page_with_an_unfetchable_url_left_by_an_older_version_fails_alone(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route("/ok.rss", body=feed_of(site, PAGE_A), content_type=RSS)
    url = site.url("/ok.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])
    collector.poll()
    bad = "http://127.0.0.1:abc/x.html"
    with sqlite3.connect(collector.archive) as db:
        (feed_id,) = db.execute("SELECT id FROM feeds").fetchone()
        db.execute(
            "INSERT INTO entries (feed_id, guid, url, url_key, first_seen_at) "
            "VALUES (?, 'old', ?, ?, '2026-01-01T00:00:00+00:00')",
            (feed_id, bad, bad),
        )
        db.execute(
            "INSERT INTO pages (url, url_key, source, first_seen_at) "
            "VALUES (?, ?, 'Báo Thử', '2026-01-01T00:00:00+00:00')",
            (bad, bad),
        )

    summary = collector.poll(exit_code=1)
    assert reasons(summary)[bad].startswith("not a valid URL")
    # Refused for good: asking again would not make it a URL.
    assert collector.page(bad)[:2] == ("skipped", 1)
    assert collector.poll()["articles_failed"] == 0


def test_pending_pages_of_removed_feeds_are_not_fetched(tmp_path: Path, site: LocalSite) -> None:
    site.route("/news/down.html", status=500, body="<h1>Lỗi</h1>")
    site.route("/going.rss", body=feed_of(site, "/news/down.html"), content_type=RSS)
    site.route("/staying.rss", body=feed_of(site, PAGE_A), content_type=RSS)
    url = site.url("/going.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử"), (site.url("/staying.rss"), "Báo Thử")])
    assert collector.poll(exit_code=1)["articles_failed"] == 1
    assert collector.page(site.url("/news/down.html"))[:2] == ("failed", 1)

    runner = CliRunner(env={"COLUMNS": "300"})
    removed = runner.invoke(cli, ["--config", str(collector.config), "feeds", "remove", url])
    assert removed.exit_code == 0, removed.output
    result = runner.invoke(cli, ["--config", str(collector.config), "run", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["articles_failed"] == 0
    assert site.hits("/news/down.html") == 1


def test_a_page_that_breaks_extraction_fails_alone_with_its_traceback_logged(
    tmp_path: Path, site: LocalSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.extract.page import process_page

    def breaks_on_b(body: bytes, **kw: Any) -> Any:
        if kw["url"].endswith(PAGE_B):
            raise ValueError("All strings must be XML compatible")
        return process_page(body, **kw)

    monkeypatch.setattr("monitor.jobs.run.process_page", breaks_on_b)
    site.route("/two.rss", body=feed_of(site, PAGE_A, PAGE_B), content_type=RSS)
    collector = Collector(tmp_path, [(site.url("/two.rss"), "Báo Thử")])

    summary = collector.poll(exit_code=1)
    reason = reasons(summary)[site.url(PAGE_B)]
    assert reason == "internal error: ValueError: All strings must be XML compatible"
    assert collector.article_urls() == {site.url(PAGE_A)}
    log = (tmp_path / "data" / "logs" / "errors.log").read_text("utf-8")
    assert "Traceback" in log and "breaks_on_b" in log and site.url(PAGE_B) in log
    # A bug may be fixed: the page is asked for again (up to the attempts allowed).
    assert collector.page(site.url(PAGE_B))[:2] == ("failed", 1)


def test_a_gzip_bomb_stops_at_the_body_limit(tmp_path: Path, site: LocalSite) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, compresslevel=9)  # ~50 KB that inflate to 50 MB
    assert len(bomb) < 100_000
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    site.route("/news/bomb.html", handler=lambda _r: Reply(200, headers, bomb))
    feed_headers = {"Content-Type": RSS, "Content-Encoding": "gzip"}
    site.route("/bomb.rss", handler=lambda _r: Reply(200, feed_headers, bomb))
    site.route("/ok.rss", body=feed_of(site, "/news/bomb.html", PAGE_A), content_type=RSS)
    bomb_url, ok_url = site.url("/bomb.rss"), site.url("/ok.rss")
    collector = Collector(
        tmp_path, [(bomb_url, "Báo Thử"), (ok_url, "Báo Thử")], max_body_bytes=1_000_000
    )

    started = time.monotonic()
    summary = collector.poll(exit_code=1)
    assert time.monotonic() - started < 10
    failed = reasons(summary)
    assert (
        failed[bomb_url]
        == failed[site.url("/news/bomb.html")]
        == ("body larger than 1000000 bytes")
    )
    assert collector.article_urls() == {site.url(PAGE_A)}


def test_a_compressed_page_is_stored_decompressed(tmp_path: Path, site: LocalSite) -> None:
    page = (cat.SITE_DIR / PAGE_A.lstrip("/")).read_bytes().replace(b"{base}", b"")
    headers = {"Content-Type": "text/html; charset=utf-8"}
    deflated = zlib.compress(page)
    site.route(
        "/news/gz.html",
        handler=lambda _r: Reply(200, {**headers, "Content-Encoding": "gzip"}, gzip.compress(page)),
    )
    site.route(
        "/news/deflate.html",
        handler=lambda _r: Reply(200, {**headers, "Content-Encoding": "deflate"}, deflated),
    )
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = raw_deflate.compress(page) + raw_deflate.flush()
    site.route(
        "/news/raw-deflate.html",
        handler=lambda _r: Reply(200, {**headers, "Content-Encoding": "deflate"}, raw),
    )
    site.route(
        "/news/brotli.html",
        handler=lambda _r: Reply(200, {**headers, "Content-Encoding": "br"}, b"\x1b\x00"),
    )
    paths = ["/news/gz.html", "/news/deflate.html", "/news/raw-deflate.html", "/news/brotli.html"]
    site.route("/enc.rss", body=feed_of(site, *paths), content_type=RSS)
    collector = Collector(tmp_path, [(site.url("/enc.rss"), "Báo Thử")])

    summary = collector.poll(exit_code=1)
    assert reasons(summary) == {site.url("/news/brotli.html"): "unsupported Content-Encoding 'br'"}
    # The three are one article by its canonical URL: stored once, the others merged into it.
    assert (summary["articles_new"], summary["articles_merged"]) == (1, 2)
    assert collector.one("SELECT title FROM articles") == cat.TTO_NON_LA.title
    assert collector.one("SELECT COUNT(*) FROM pages WHERE state = 'done'") == 3


@pytest.mark.parametrize(
    "location",
    ["file:///etc/passwd", "ftp://127.0.0.1/tin.html", "javascript:alert(1)", "data:,tin"],
)
def test_redirects_to_what_is_not_an_http_url_are_refused(
    tmp_path: Path, site: LocalSite, location: str
) -> None:
    site.route("/news/away.html", status=302, headers={"Location": location})
    site.route("/away.rss", body=feed_of(site, "/news/away.html"), content_type=RSS)
    collector = Collector(tmp_path, [(site.url("/away.rss"), "Báo Thử")])

    summary = collector.poll(exit_code=1)
    reason = reasons(summary)[site.url("/news/away.html")]
    assert reason.startswith("refused redirect: "), reason
    assert collector.page(site.url("/news/away.html"))[0] == "skipped"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "ha ha ha ha ha ha ha ha ha ha">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rss version="2.0"><channel><title>Cười &i;</title>
<item><title>Tin &i;</title><link>{link}</link><guid>laugh</guid></item>
</channel></rss>
"""


def test_billion_laughs_and_external_entities_are_not_expanded(
    tmp_path: Path, site: LocalSite
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MẬT-KHẨU-BÍ-MẬT", encoding="utf-8")
    xxe = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">'
        f'<!ENTITY net SYSTEM "{site.url("/xxe-fetched")}">]>\n'
        '<rss version="2.0"><channel><title>XXE</title>'
        f"<item><title>Tin &xxe;&net;</title><link>{site.url(PAGE_B)}</link>"
        "<guid>xxe</guid></item></channel></rss>\n"
    )
    sitemap = (
        f'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{site.url(PAGE_C)}</loc><lastmod>2026-11-22</lastmod></url>"
        "<url><loc>&xxe;</loc><lastmod>2026-11-22</lastmod></url></urlset>\n"
    )
    site.route("/laughs.rss", body=BILLION_LAUGHS.format(link=site.url(PAGE_A)), content_type=RSS)
    site.route("/xxe.rss", body=xxe, content_type=RSS)
    site.route("/sitemap.xml", body=sitemap, content_type="application/xml")
    urls = [site.url(p) for p in ("/laughs.rss", "/xxe.rss", "/sitemap.xml")]
    collector = Collector(tmp_path, [(u, "Báo Thử") for u in urls])

    started = time.monotonic()
    result = collector.run_cli("--format", "json")
    assert time.monotonic() - started < 20
    assert result.exit_code in (0, 1), result.output
    stored = " ".join(
        str(value)
        for row in collector.rows("SELECT title, summary, url FROM entries")
        + collector.rows("SELECT title, text FROM articles")
        + collector.rows("SELECT error FROM fetch_log")
        for value in row
    )
    assert "MẬT-KHẨU" not in stored
    assert "ha ha ha ha ha ha" not in stored
    assert site.hits("/xxe-fetched") == 0


def test_a_chunked_body_cut_short_fails_the_feed(tmp_path: Path, site: LocalSite) -> None:
    body = feed_of(site, PAGE_A).encode()
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
        + f"{len(body):x}\r\n".encode()
        + body[: len(body) // 2]
    )
    site.route("/chunked.rss", handler=lambda _r: Reply(raw=raw))
    url = site.url("/chunked.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    summary = collector.poll(exit_code=1)
    assert "incomplete chunked read" in reasons(summary)[url]
    assert collector.one("SELECT COUNT(*) FROM entries") == 0
    assert site.hits(PAGE_A) == 0


def test_a_feed_of_ten_thousand_items_keeps_the_first_two_thousand(
    tmp_path: Path, site: LocalSite
) -> None:
    body = rss((site.url(PAGE_A), f"tin-{n}") for n in range(10_000))
    site.route("/huge.rss", body=body, content_type=RSS)
    url = site.url("/huge.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])

    summary = collector.poll()
    assert summary["entries_new"] == 2000
    assert "only the first 2000 of 10000 entries kept" in summary["warnings"][0]["reason"]
    assert summary["articles_new"] == 1 and site.hits(PAGE_A) == 1


def test_invalid_utf8_and_nul_bytes_are_stored_clean(tmp_path: Path, site: LocalSite) -> None:
    feed = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>T</title>'
        b"<item><title>Gi\xc3\xa1 v\xe0ng \xff\xfe t\xc4\x83ng\x00 m\xe1\xba\xa1nh</title>"
        + f"<link>{site.url('/news/nul.html')}</link>".encode()
        + b"<guid>nul</guid><description>M\xf4 t\xe1\x00</description></item></channel></rss>\n"
    )
    page = (cat.SITE_DIR / PAGE_A.lstrip("/")).read_bytes().replace(b"{base}", b"")
    page = page.replace(b"</p>", b"\x00\xff\xfe\x1b[2J</p>", 3)
    site.route("/nul.rss", body=feed, content_type=RSS)
    site.route("/news/nul.html", body=page, content_type="text/html; charset=utf-8")
    collector = Collector(tmp_path, [(site.url("/nul.rss"), "Báo Thử")])

    summary = collector.poll()
    assert summary["articles_new"] == 1
    values = [
        str(v)
        for row in collector.rows("SELECT title, summary FROM entries")
        + collector.rows("SELECT title, text, author FROM articles")
        for v in row
        if v is not None
    ]
    assert values and not any(re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", v) for v in values)
    assert "vàng" in values[0] or "Giá" in values[0]


def test_a_warc_file_that_cannot_be_written_stops_the_run_and_fails_no_source(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route("/ok.rss", body=feed_of(site, PAGE_A), content_type=RSS)
    url = site.url("/ok.rss")
    collector = Collector(tmp_path, [(url, "Báo Thử")])
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "warc").write_text("a file where the WARC directory should be")

    result = collector.run_cli()
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: can't create WARC directory")
    # The archive is at fault, not the publisher: nothing is held against the feed.
    assert collector.feed(url)["consecutive_failures"] == 0
    assert collector.one("SELECT COUNT(*) FROM fetch_log") == 0
