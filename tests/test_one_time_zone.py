"""One time zone for days everywhere: `date:D`, `--since D --until D` and the report's day D
count the same articles, in the report time zone (Vietnam by default), on the local site."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.cli import Cli, write_config
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite


@dataclass
class Collected(Cli):
    config: Path


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collected]:
    with LocalSite() as site:
        config = write_config(
            tmp_path_factory.mktemp("zone") / "config.toml",
            [(site.url(path), cat.FEEDS_BY_PATH[path].source) for path in cat.GOOD_FEED_PATHS],
            http={"per_host_delay": 0, "timeout": 10},
        )
        collected = Collected(config)
        assert collected("run").exit_code == 0
        yield collected


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the default [report] timezone


def _vietnam_days() -> dict[str, int]:
    days: dict[str, int] = {}
    for article in cat.ARTICLES:
        if article.published is not None:
            day = article.published.astimezone(VIETNAM).date().isoformat()
            days[day] = days.get(day, 0) + 1
    return days


@pytest.mark.parametrize("day", ["2026-11-21", "2026-11-22", "2026-11-23"])
def test_a_day_counts_the_same_articles_however_it_is_asked(collected: Collected, day: str) -> None:
    by_date = collected.json("search", f"date:{day}")["total"]
    by_window = collected.json("search", "*", "--since", day, "--until", day)["total"]
    report = collected.json("report", "--include-non-articles")
    by_report = {row["date"]: row["count"] for row in report["by_day"]}.get(day, 0)
    assert by_date == by_window == by_report == _vietnam_days().get(day, 0)


def test_the_site_has_articles_whose_vietnam_day_is_not_their_utc_day() -> None:
    """Otherwise the test above could not tell the zones apart."""
    assert any(
        a.published is not None and a.published.astimezone(VIETNAM).date() != a.published.date()
        for a in cat.ARTICLES
    )
