"""`monitor pages --failed`: the pages that failed, with source, URL, reason and attempts; at 80
columns the id and the source stay and long values are shortened; piped, every value is whole."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.cli import Cli, write_config
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Collected(Cli):
    config: Path

    def at(self, columns: int, *args: str) -> str:
        """Output in a terminal of `columns` columns."""
        env = {"COLUMNS": str(columns), "FORCE_COLOR": "1", "TERM": "xterm"}
        result = CliRunner(env=env).invoke(
            cli, ["--config", str(self.config), *args], color=True, terminal_width=columns
        )
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collected]:
    with LocalSite() as site:
        site.expect_404(*cat.EXPECTED_404_PATHS)
        config = write_config(
            tmp_path_factory.mktemp("pages") / "config.toml",
            [(site.url(cat.PAGE_404_FEED_PATH), "Báo Hỏng Trang Rất Dài Tên")],
            http={"per_host_delay": 0, "timeout": 10},
        )
        collected = Collected(config)
        assert collected("run").exit_code == 1  # a page failed: said so
        yield collected


def test_failed_pages_are_listed_with_source_url_reason_and_attempts(
    collected: Collected,
) -> None:
    data = collected.json("pages", "--failed")
    [page] = data["failed"]
    assert page["url"].endswith(cat.EXPECTED_404_PATHS[0])
    assert page["source"] == "Báo Hỏng Trang Rất Dài Tên"
    assert "404" in page["reason"]
    assert page["attempts"] == 1 and page["status"] == 404
    assert page["retrying"] is False  # a 404 is not tried again
    assert collected.json("pages", "--failed", "--since", "2099-01-01") == {"failed": []}
    assert (
        "no failed pages since 2099-01-01"
        in collected("pages", "--failed", "--since", "2099-01-01").output
    )


def test_piped_output_is_plain_and_complete(collected: Collected) -> None:
    output = collected("pages", "--failed").output
    header, row = output.splitlines()[1:3]
    assert header.split("\t")[:2] == ["id", "source"]
    assert row.split("\t")[1] == "Báo Hỏng Trang Rất Dài Tên"
    assert cat.EXPECTED_404_PATHS[0] in row  # the URL, whole


def test_at_80_columns_the_id_and_the_source_stay(collected: Collected) -> None:
    narrow = ANSI.sub("", collected.at(80, "pages", "--failed"))
    lines = narrow.splitlines()
    row = next(line for line in lines if line.strip().startswith("2 "))
    # The source is whole (wrapped, not cut); the URL and the reason are shortened.
    assert row.split()[:3] == ["2", "Báo", "Hỏng"]
    assert "Tên" in narrow
    assert "…" in row
    assert all(len(line) <= 80 for line in lines)
    wide = ANSI.sub("", collected.at(80, "pages", "--failed", "--wide"))
    assert "…" not in wide
    assert "missing.html" in wide.replace("\n", "").replace(" ", "")
