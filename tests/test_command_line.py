"""The command line as researchers type it, through the real CLI on a demo archive: queries are
the rest of the line, --config goes anywhere, -h everywhere, help on the query language, shell
completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from index.query import FIELDS
from monitor.cli import cli
from monitor.cli.arguments import config_first
from monitor.cli.help_topics import QUERY
from tests.cli import WIDE


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli") / "demo"
    result = CliRunner(env=dict(WIDE)).invoke(cli, ["demo", str(directory)])
    assert result.exit_code == 0, result.output
    return directory / "config.toml"


def run(*args: str) -> Result:
    return CliRunner(env=dict(WIDE)).invoke(cli, list(args))


def total(config: Path, *args: str) -> int:
    result = run("--config", str(config), *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["total"])


def test_a_query_is_the_rest_of_the_line(config: Path) -> None:
    assert total(config, "search", "hoa", "binh") == total(config, "search", "hoa binh") > 0
    storms = total(config, "search", "bão")
    without_floods = total(config, "search", "-lũ", "bão")
    assert 0 < without_floods < storms
    assert without_floods == total(config, "search", "bão -lũ")
    everything = total(config, "report")
    assert 0 < total(config, "report", "-quảng-cáo") <= everything


def test_real_options_still_parse_anywhere_on_the_line(config: Path) -> None:
    result = run("--config", str(config), "search", "--limit", "1", "bão", "--format", "json")
    data = json.loads(result.stdout)
    assert data["query"] == "bão" and len(data["hits"]) == 1
    # After `--`, everything is the query, options included.
    assert run("--config", str(config), "search", "--count", "--", "--limit").exit_code == 0


def test_config_goes_before_or_after_the_command(config: Path) -> None:
    before = run("--config", str(config), "search", "bão", "--count").output
    after = run("search", "bão", "--count", "--config", str(config)).output
    equals = run("stats", f"--config={config}", "--format", "json")
    assert before == after and before.strip().isdigit()
    assert json.loads(equals.stdout)["articles"] > 0
    assert config_first(["search", "--", "--config", "x"]) == ["search", "--", "--config", "x"]


@pytest.mark.parametrize("command", [[], ["search"], ["report"], ["feeds", "add"], ["export"]])
def test_dash_h_works_everywhere(command: list[str]) -> None:
    result = run(*command, "-h")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ")


def test_help_query_shows_every_field_of_the_query_language() -> None:
    result = run("help", "query")
    assert result.exit_code == 0
    for field in FIELDS:
        assert f"{field}:" in result.output
    assert result.output.strip() == QUERY.strip()
    assert "monitor help query" in run("search", "--help").output
    first = run("help", "search").output.splitlines()[0]
    assert first.startswith("Usage: ") and " search " in first
    unknown = run("help", "nothing")
    assert unknown.exit_code == 2 and "topics: query" in unknown.output


def test_readme_lists_the_same_fields_as_the_query_language() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    for field in FIELDS:
        assert f"`{field}:" in readme, field


def test_completion_is_one_command_away(tmp_path: Path) -> None:
    script = run("completion", "bash")
    assert script.exit_code == 0 and "_MONITOR_COMPLETE" in script.output
    monitor = Path(sys.executable).parent / "monitor"
    if not monitor.exists():
        pytest.skip("the monitor script is not installed beside this Python")
    words = subprocess.run(
        [
            "bash",
            "-c",
            'eval "$(monitor completion bash)"; COMP_WORDS=(monitor sea); COMP_CWORD=1; '
            '_monitor_completion monitor; echo "${COMPREPLY[@]}"',
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{monitor.parent}:{os.environ['PATH']}"},
        timeout=60,
    )
    assert words.stdout.split() == ["search", "searches"]


@pytest.mark.parametrize(
    "args",
    [
        ["search", "source:vnexpres", "bão"],
        ["report", "source:tuoitr"],
        ["export", "-source:vnexpres"],
        ["reextract", "--source", "VnExpres"],
    ],
)
def test_an_unknown_source_is_an_error_naming_the_closest(config: Path, args: list[str]) -> None:
    result = run("--config", str(config), *args)
    assert result.exit_code == 2
    assert "no source" in result.output and "closest:" in result.output


def test_a_known_source_is_found_however_it_is_written(config: Path) -> None:
    assert total(config, "search", 'source:"tuoi tre"') == total(config, "search", "source:tuoitre")
    assert total(config, "search", "source:tuoitre") > 0


def test_an_empty_archive_says_so_and_what_to_run(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\ndir = "data"\n', "utf-8")
    result = run("--config", str(config), "search", "bão")
    assert result.exit_code == 0
    assert "holds no articles yet" in result.output
    assert "monitor run" in result.output and "monitor demo" in result.output
