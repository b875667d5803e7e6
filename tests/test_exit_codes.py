"""The exit codes of `monitor`, as the README's table gives them, so cron can tell outcomes apart.

0 all ok; 1 some feeds or pages failed; 2 usage, query or config error; 3 internal error (one
line and the log holding the traceback); 75 locked or busy (tests/test_lock.py); 130
interrupted (here for a reader, tests/test_processes.py for real signals).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.errors import (
    EXIT_FAILURES,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_USAGE,
)
from tests.cli import Cli
from tests.localsite import LocalSite
from tests.processes import config_for, serve_articles


class Monitor(Cli):
    def __init__(self, config: Path) -> None:
        self.config = config


@pytest.fixture
def monitor(tmp_path: Path, site: LocalSite) -> Monitor:
    serve_articles(site, 2)
    return Monitor(config_for(tmp_path, [site.url("/tin.rss")]))


def test_the_codes_are_the_documented_ones() -> None:
    assert (EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_INTERNAL) == (0, 1, 2, 3)
    assert (EXIT_LOCKED, EXIT_INTERRUPTED) == (75, 130)


def test_0_when_everything_succeeded_and_1_when_a_page_failed(
    tmp_path: Path, site: LocalSite, monitor: Monitor
) -> None:
    first = monitor("run", "--format", "json")
    assert first.exit_code == 0 and json.loads(first.output)["exit_code"] == 0
    site.route("/hong.rss", status=404)
    (tmp_path / "b").mkdir()
    broken = Monitor(config_for(tmp_path / "b", [site.url("/hong.rss")]))
    failed = broken("run", "--format", "json")
    assert failed.exit_code == 1 and json.loads(failed.output)["exit_code"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("run", "--no-such-option"), "No such option '--no-such-option'"),
        (("search", '"hòa bình'), "query syntax error: unterminated quote"),
        (("show", "999"), "no article with id 999"),
        (("run", "--feed", "nowhere"), "no feed 'nowhere'"),
        (("search", "@nope"), "no saved search named 'nope'"),
        (("run", "--wait", "-1"), "Invalid value for '--wait'"),
    ],
)
def test_2_for_what_the_caller_must_change(
    monitor: Monitor, args: tuple[str, ...], message: str
) -> None:
    monitor("run")
    result = monitor(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_2_for_a_wrong_config(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[http]\ntimeout = -1\n")
    result = CliRunner().invoke(cli, ["--config", str(bad), "stats"])
    assert result.exit_code == 2
    assert "[http.timeout] must be a number > 0" in result.output


def test_3_for_a_bug_with_one_line_and_the_traceback_in_the_log(
    monitor: Monitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> dict[str, object]:
        raise RuntimeError("hỏng \x1b[2J rồi")

    monkeypatch.setattr("monitor.cli.search.archive_stats", broken)
    result = monitor("stats")
    assert result.exit_code == 3
    log = monitor.config.parent / "data" / "logs" / "errors.log"
    assert result.output.splitlines() == [
        f"Error: internal error: RuntimeError: hỏng [2J rồi (traceback in {log}; please report it)"
    ]
    text = log.read_text("utf-8")
    assert "internal error in `monitor" in text
    assert "Traceback (most recent call last)" in text and "in broken" in text

    # For developers: the exception itself, traceback and all.
    debugged = CliRunner(env={"MONITOR_DEBUG": "1"}).invoke(
        cli, ["--config", str(monitor.config), "stats"]
    )
    assert isinstance(debugged.exception, RuntimeError)


def test_130_when_a_reader_is_interrupted(
    monitor: Monitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_args: object) -> dict[str, object]:
        raise KeyboardInterrupt

    monkeypatch.setattr("monitor.cli.search.archive_stats", interrupted)
    result = monitor("stats")
    assert result.exit_code == 130
    assert result.output.strip() == "interrupted"


def test_a_bug_in_reextract_fails_that_article_and_is_logged_not_printed(
    monitor: Monitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert monitor("run").exit_code == 0
    from monitor.extract.page import process_page

    def breaks_on_second(body: bytes, **kw: object) -> object:
        if str(kw["url"]).endswith("/bai/1.html"):
            raise ZeroDivisionError("chia cho 0")
        return process_page(body, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr("monitor.jobs.reextract.process_page", breaks_on_second)
    result = monitor("reextract", "--workers", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["failed"] == 1
    assert data["failures"][0]["reason"] == "internal error: ZeroDivisionError: chia cho 0"
    assert "Traceback" not in result.output
    log = (monitor.config.parent / "data" / "logs" / "errors.log").read_text("utf-8")
    assert "Traceback" in log and "ZeroDivisionError: chia cho 0" in log


def test_130_when_interrupted_while_the_command_line_is_read(
    monitor: Monitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(args: list[str]) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr("monitor.cli.root.config_first", interrupted)
    result = monitor("stats")
    assert result.exit_code == EXIT_INTERRUPTED
    assert result.output.strip() == "interrupted"
