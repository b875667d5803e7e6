"""`monitor` as cron and systemd run it: real processes, signals, kill -9, two runs at once.

Each test starts `python -m monitor` against the local site and looks at the exit code, what
was printed, what the site was asked for and what the archive holds.
"""

from __future__ import annotations

import json
import re
import signal
import time
from pathlib import Path

import pytest

from monitor.archive.warc_reader import read_response
from monitor.errors import EXIT_INTERRUPTED
from monitor.models import WarcLocation
from tests.localsite import LocalSite, Reply
from tests.processes import (
    RSS,
    Monitor,
    config_for,
    holds_lock,
    query,
    rss_of,
    run_monitor,
    serve_articles,
    wait_until,
)

# Within this many seconds of SIGTERM or a first Ctrl-C a run has exited (systemd's patience
# is longer; a person's is not).
STOP_WITHIN = 5.0
LOCKED = re.compile(
    r"another run \(pid \d+, started at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\) holds the archive"
)


def requested(site: LocalSite, paths: list[str]) -> int:
    return sum(site.hits(path) for path in paths)


def no_traceback(*outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output and "Aborted!" not in output, output


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_a_run_after_the_pages_in_hand(
    tmp_path: Path, site: LocalSite, signum: int
) -> None:
    paths = serve_articles(site, 12, delay=0.15)
    config = config_for(tmp_path, [site.url("/tin.rss")])
    archive = tmp_path / "data" / "archive.sqlite3"

    run = Monitor.start(config, "run")
    wait_until(lambda: requested(site, paths) >= 2)
    sent = run.signal(signum)
    code, out, err = run.finish()
    assert time.monotonic() - sent < STOP_WITHIN
    assert code == 130
    assert "stopping after the current page" in err
    assert "interrupted" in out
    no_traceback(out, err)
    # What was asked for was finished and stored; the rest was not asked for.
    asked = requested(site, paths)
    assert query(archive, "SELECT COUNT(*) FROM articles") == [(asked,)]
    assert query(archive, "SELECT COUNT(*) FROM pages WHERE state = 'new'") == [(12 - asked,)]

    # The next run fetches the rest, each page once in all.
    code, out, err = run_monitor(config, "run", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["articles_new"] == 12 - asked
    assert all(site.hits(path) == 1 for path in paths)


def test_a_stalled_request_does_not_hold_a_stop_up(tmp_path: Path, site: LocalSite) -> None:
    html = "<html><body><p>chậm</p></body></html>"
    site.route("/news/stall.html", handler=lambda _r: Reply(200, {}, html, delay=30))
    site.route("/stall.rss", body=rss_of(site, ["/news/stall.html"]), content_type=RSS)
    config = config_for(tmp_path, [site.url("/stall.rss")], timeout=30)

    run = Monitor.start(config, "run")
    wait_until(lambda: site.hits("/news/stall.html") == 1)
    sent = run.signal(signal.SIGINT)
    code, out, err = run.finish()
    assert time.monotonic() - sent < STOP_WITHIN
    assert code == 130
    no_traceback(out, err)
    # Abandoned, not failed: nothing is held against the page, and it is asked for next time.
    archive = tmp_path / "data" / "archive.sqlite3"
    assert query(archive, "SELECT state, attempts, last_error FROM pages") == [("new", 0, None)]


def test_a_second_ctrl_c_stops_at_once(tmp_path: Path, site: LocalSite) -> None:
    paths = serve_articles(site, 6, delay=10)
    config = config_for(tmp_path, [site.url("/tin.rss")], timeout=30)

    run = Monitor.start(config, "run")
    wait_until(lambda: requested(site, paths) == 1)
    run.signal(signal.SIGINT)
    time.sleep(0.2)
    sent = run.signal(signal.SIGINT)
    code, out, err = run.finish()
    assert time.monotonic() - sent < 1.0
    assert code == 130
    assert err.strip().endswith("interrupted")
    no_traceback(out, err)


def test_two_runs_at_once_one_waits_or_exits_75_and_no_page_is_fetched_twice(
    tmp_path: Path, site: LocalSite
) -> None:
    paths = serve_articles(site, 8, delay=0.3)
    config = config_for(tmp_path, [site.url("/tin.rss")])

    # A fresh storage dir: both processes create and migrate the archive at once.
    first, second = Monitor.start(config, "run"), Monitor.start(config, "run")
    (code_a, out_a, err_a), (code_b, out_b, err_b) = first.finish(), second.finish()
    no_traceback(out_a, err_a, out_b, err_b)
    assert sorted([code_a, code_b]) == [0, 75], (err_a, err_b)
    assert LOCKED.search(err_a + err_b), err_a + err_b
    assert "`monitor run`" in err_a + err_b
    assert all(site.hits(path) == 1 for path in paths)
    assert site.hits("/tin.rss") == 1

    # With --wait, the second waits for the first, then runs (and finds nothing due).
    first = Monitor.start(config, "run", "--all")
    wait_until(lambda: holds_lock(tmp_path / "data"))
    second = Monitor.start(config, "run", "--wait", "60", "--format", "json")
    (code_a, _, err_a), (code_b, out_b, err_b) = first.finish(), second.finish()
    assert (code_a, code_b) == (0, 0), (err_a, err_b)
    assert json.loads(out_b)["feeds_due"] == 0
    assert all(site.hits(path) == 1 for path in paths)
    assert site.hits("/tin.rss") == 2


def test_runs_killed_mid_way_lose_and_duplicate_nothing(tmp_path: Path, site: LocalSite) -> None:
    paths = serve_articles(site, 24, delay=0.05)
    config = config_for(tmp_path, [site.url("/tin.rss")])
    archive = tmp_path / "data" / "archive.sqlite3"

    # Each run is killed once it asked for at least one more page, and for `total` in all.
    for total in (0, 3, 9, 15, 19):
        run = Monitor.start(config, "run", "--all")
        target = max(total, requested(site, paths) + 1)

        def asked_enough(target: int = target) -> bool:
            return requested(site, paths) >= target

        wait_until(asked_enough)
        run.kill()
    code, _out, err = run_monitor(config, "run", "--all", "--format", "json")
    assert code == 0, err

    rows = query(archive, "SELECT url FROM articles")
    assert sorted(url for (url,) in rows) == sorted(site.url(path) for path in paths)
    assert query(archive, "SELECT COUNT(*), COUNT(DISTINCT url_key) FROM pages") == [(24, 24)]
    assert query(archive, "SELECT COUNT(*) FROM entries") == [(24,)]
    assert query(archive, "PRAGMA integrity_check") == [("ok",)]
    # Every stored response is readable from its WARC file.
    for location in query(
        archive, "SELECT warc_file, warc_offset, warc_length, warc_record_id FROM pages"
    ):
        assert read_response(tmp_path / "data" / "warc", WarcLocation(*location)).status == 200
    stats = json.loads(run_monitor(config, "stats", "--format", "json")[1])
    assert stats["indexed"] == stats["articles"] == 24
    hits = json.loads(run_monitor(config, "search", "thời tiết", "--format", "json")[1])
    assert hits["total"] == 24


def test_watch_polls_logs_one_line_per_poll_and_stops_on_sigterm(
    tmp_path: Path, site: LocalSite
) -> None:
    serve_articles(site, 2, feed="/a.rss")
    site.route("/b.rss", status=404, body="không có")
    config = config_for(tmp_path, [site.url("/a.rss"), site.url("/b.rss")])
    log = tmp_path / "data" / "logs" / "watch.log"

    watch = Monitor.start(config, "watch")
    wait_until(lambda: log.exists() and " run 1:" in log.read_text("utf-8"))
    # Between polls the archive is free: a command that writes goes in.
    code, out, err = run_monitor(config, "searches", "add", "lu", "lũ")
    assert code == 0, err
    # One watch per storage dir (so a cron line may start one "unless it runs").
    code, out, err = run_monitor(config, "watch")
    assert code == 75
    assert re.search(r"another watch \(pid \d+, started at .+\) is running: `monitor watch`", err)
    sent = watch.signal(signal.SIGTERM)
    code, out, err = watch.finish()
    assert time.monotonic() - sent < STOP_WITHIN
    assert code == 130
    no_traceback(out, err)
    assert "watching 2 feeds; log: " in err and "stopped after 1 runs" in err
    lines = log.read_text("utf-8").splitlines()
    polls = [line for line in lines if " poll feed " in line]
    assert len(polls) == 2
    assert any(f"{site.url('/a.rss')}: ok 200, 2 entries (2 new)" in line for line in polls)
    assert any(f"{site.url('/b.rss')}: failed 404: HTTP 404 Not Found" in line for line in polls)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO ", lines[0])


def test_watch_waits_for_a_run_that_holds_the_archive(tmp_path: Path, site: LocalSite) -> None:
    paths = serve_articles(site, 8, delay=0.5)
    config = config_for(tmp_path, [site.url("/tin.rss")])
    log = tmp_path / "data" / "logs" / "watch.log"

    run = Monitor.start(config, "run")
    wait_until(lambda: requested(site, paths) >= 1)
    watch = Monitor.start(config, "watch", "--wait", "60")
    assert run.finish()[0] == 0
    wait_until(lambda: log.exists() and " run " in log.read_text("utf-8"))
    watch.signal(signal.SIGINT)
    code, out, err = watch.finish()
    assert code == 130
    no_traceback(out, err)
    assert LOCKED.search(err) and err.startswith("waiting up to 60 s: another run (pid ")
    assert all(site.hits(path) == 1 for path in paths)


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_during_reextract_prints_no_worker_traceback(
    tmp_path: Path, site: LocalSite, presses: int
) -> None:
    serve_articles(site, 10)
    config = config_for(tmp_path, [site.url("/tin.rss")])
    assert run_monitor(config, "run")[0] == 0

    reextract = Monitor.start(config, "reextract", "--workers", "2")
    wait_until(lambda: holds_lock(tmp_path / "data", reextract.process.pid))
    time.sleep(0.3)  # the worker processes are starting: Ctrl-C reaches the whole group
    for _ in range(presses):
        sent = reextract.ctrl_c()
        time.sleep(0.05)
    code, out, err = reextract.finish()
    assert time.monotonic() - sent < STOP_WITHIN
    assert code in (0, 130)  # 0 if it was done before the signal
    no_traceback(out, err)
    assert "KeyboardInterrupt" not in err and "leaked" not in err
    # Whatever was done is kept; a second one completes.
    code, out, err = run_monitor(config, "reextract", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["articles"] == 10


@pytest.mark.parametrize("after", [0.15, 0.3, 0.45])
def test_ctrl_c_while_the_program_loads_exits_130_without_a_traceback(
    tmp_path: Path, site: LocalSite, after: float
) -> None:
    serve_articles(site, 1)
    config = config_for(tmp_path, [site.url("/tin.rss")])
    monitor = Monitor.start(config, "stats")
    time.sleep(after)
    monitor.ctrl_c()
    code, _out, err = monitor.finish()
    # On a loaded machine the signal may still land in Python's own start-up (its site
    # packages, before any of the program runs): killed by SIGINT (-2), or a traceback of
    # Python's machinery alone. Once the program runs, it exits 130 with one line.
    assert code in (EXIT_INTERRUPTED, -signal.SIGINT, 0), err
    assert "Aborted" not in err
    assert "/monitor/" not in err and "index/" not in err, err
