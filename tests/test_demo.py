"""`monitor demo`: a demo archive built offline from the packaged sample site, through the same
run as real feeds, in a folder that then works with `--config`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.demo import CONFIG_MARK, FEEDS
from tests.cli import WIDE, Cli
from tests.fixtures import catalog as cat


@dataclass
class Demo(Cli):
    config: Path
    output: str


def build(directory: Path) -> tuple[int, str]:
    result = CliRunner(env=dict(WIDE)).invoke(cli, ["demo", str(directory)])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    directory = tmp_path_factory.mktemp("demo") / "press-monitor-demo"
    code, output = build(directory)
    assert code == 0, output
    yield Demo(directory / "config.toml", output)


def test_the_demo_folder_holds_its_own_config_and_archive(demo: Demo) -> None:
    assert demo.config.read_text("utf-8").startswith(CONFIG_MARK)
    assert (demo.config.parent / "data" / "archive.sqlite3").is_file()
    stats = demo.json("stats")
    assert stats["feeds"] == len(FEEDS)
    # The site's articles, and the aggregator's copy of one of them, found as such.
    assert stats["articles"] == len(cat.ARTICLES) + 1
    assert (stats["clusters"], stats["articles_in_clusters"]) == (1, 2)


def test_the_demo_answers_searches_and_says_what_to_try(demo: Demo) -> None:
    found = demo.json("search", '"hoà bình"')
    assert found["total"] == 2  # old and new tone placement alike
    assert f"monitor --config {demo.config} search" in demo.output
    for command in ("show 1", "report", "feeds health"):
        assert command in demo.output


def test_the_broken_feed_of_the_demo_shows_in_health(demo: Demo) -> None:
    health = demo.json("feeds", "health")
    failing = [f for f in health["feeds"] if f["status"] != "ok"]
    assert [f["source"] for f in failing] == ["Báo Lỗi"]


def test_a_demo_folder_is_rebuilt_and_any_other_folder_is_left_alone(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    assert build(directory)[0] == 0
    assert build(directory)[0] == 0
    again = Cli()
    again.config = directory / "config.toml"
    assert again.json("stats")["articles"] == len(cat.ARTICLES) + 1
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "thesis.txt").write_text("chương 1", "utf-8")
    code, output = build(tmp_path / "notes")
    assert code == 2
    assert "holds no press-monitor demo" in output
    assert (tmp_path / "notes" / "thesis.txt").read_text("utf-8") == "chương 1"
