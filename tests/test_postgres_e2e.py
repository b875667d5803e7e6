"""The same run through the real CLI into SQLite and into PostgreSQL gives the same JSON out of
every command that reads the archive (times of the run itself and sizes aside)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from monitor.cli import cli
from tests.backends import postgresql_dsn, postgresql_schema
from tests.cli import WIDE
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite
from tests.test_cli_e2e import site_config

# (command line, exit code): what is compared between the two archives.
COMMANDS: list[tuple[list[str], int]] = [
    (["run", "--format", "json"], 1),
    (["stats", "--format", "json"], 0),
    (["search", "*", "--limit", "100", "--format", "json"], 0),
    (["search", "Việt Nam", "--sort", "newest", "--format", "json"], 0),
    (["show", "3", "--format", "json"], 0),
    (["report", "*", "--format", "json"], 0),
    (["feeds", "list", "--format", "json"], 0),
    (["feeds", "health", "--format", "json"], 0),
    (["pages", "--failed", "--format", "json"], 0),
    (["changes", "*", "--format", "json"], 0),
    (["export", "--format", "jsonl"], 0),
    (["reextract", "--format", "json"], 0),
    (["stats", "--format", "json"], 0),
    (["run", "--all", "--format", "json"], 1),
    (["search", "*", "--limit", "100", "--format", "json"], 0),
]
_NOW = re.compile(datetime.now(UTC).strftime("%Y-%m-%d") + r"[T ][0-9:.]+(?:\+00:00|Z)?")
_SIZES = re.compile(r'"(archive_bytes|index_bytes|warc_bytes|seconds|duration_ms)": [0-9.e+-]+')


def outputs(directory: Path, site: LocalSite, env: dict[str, str]) -> list[tuple[int, str]]:
    config = site_config(directory, site, cat.GOOD_FEED_PATHS + cat.BAD_FEED_PATHS, "tantivy")
    runner = CliRunner(env={**WIDE, **env})
    out = []
    for args, _code in COMMANDS:
        result = runner.invoke(cli, ["--config", str(config), *args])
        text = _SIZES.sub(r'"\1": 0', _NOW.sub("NOW", result.stdout))
        out.append((result.exit_code, text.replace(str(directory), "DIR")))
        assert result.exit_code == _code, (args, env, result.output)
    return out


def test_every_command_gives_the_same_json_from_both_archives(
    tmp_path: Path, site: LocalSite
) -> None:
    postgresql_dsn()
    site.expect_404(*cat.EXPECTED_404_PATHS)
    (tmp_path / "lite").mkdir()
    (tmp_path / "pg").mkdir()
    lite = outputs(tmp_path / "lite", site, {})
    with postgresql_schema() as dsn:
        pg = outputs(tmp_path / "pg", site, {"MONITOR_DATABASE": dsn})
    for (args, code), (lite_code, lite_out), (pg_code, pg_out) in zip(
        COMMANDS, lite, pg, strict=True
    ):
        assert (lite_code, pg_code) == (code, code), (args, lite_code, pg_code)
        assert _parsed(pg_out) == _parsed(lite_out), args


def _parsed(text: str) -> Any:
    """One JSON document, or JSON lines."""
    try:
        return json.loads(text)
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
