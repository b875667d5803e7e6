"""Every analysis through the real CLI on what a run collected from the local test site, with
feed tags in the config, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli import Cli, write_config
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite

TAGS = {
    cat.VNEXPRESS_FEED: ["thời sự"],
    cat.VNEXPRESS_BUSINESS_FEED: ["kinh tế"],
    cat.TUOITRE_FEED: ["thời sự"],
    cat.DANTRI_FEED: ["đời sống"],
}


@dataclass
class Site(Cli):
    config: Path


@pytest.fixture(scope="module", params=["tantivy", "whoosh"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with LocalSite() as local:
        config = write_config(
            tmp_path_factory.mktemp("site") / "config.toml",
            [
                (local.url(feed), cat.FEEDS_BY_PATH[feed].source, TAGS.get(feed, ()))
                for feed in cat.GOOD_FEED_PATHS
            ],
            index={"engine": request.param},
            http={"per_host_delay": 0, "timeout": 10},
        )
        site = Site(config)
        result = site("run")
        assert result.exit_code == 0, result.output
        assert not local.problems()
        yield site


def test_report_by_day_adds_up_and_measures_against_all_articles(site: Site) -> None:
    data = site.json("report", "miền Trung", "--interval", "day", "--by", "tag")
    assert [d["start"] for d in data["by_interval"]] == ["2026-11-21", "2026-11-22", "2026-11-23"]
    assert [d["count"] for d in data["by_interval"]] == [d["count"] for d in data["by_day"]]
    everything = site.json("report", "--interval", "day")
    assert [d["total"] for d in data["by_interval"]] == [
        d["count"] for d in everything["by_interval"]
    ]
    for day in data["by_interval"]:
        assert day["ratio"] == pytest.approx(day["count"] / day["total"])
        assert day["gaps"] == [] and day["partial"] is False
    tags = {row["tag"]: row for row in data["by_tag"]}
    assert set(tags) == {"thời sự", "kinh tế", "đời sống"}
    assert tags["thời sự"]["total"] == len(
        {
            *cat.FEEDS_BY_PATH[cat.VNEXPRESS_FEED].entries,
            *cat.FEEDS_BY_PATH[cat.TUOITRE_FEED].entries,
        }
    )


def test_compare_two_topics(site: Site) -> None:
    data = site.json("compare", "miền Trung", "--label", "vn=việt nam", "--interval", "week")
    assert [b["start"] for b in data["buckets"]] == ["2026-11-16", "2026-11-23"]
    assert (
        sum(b["total"] for b in data["buckets"]) == len(cat.ALL_ARTICLES) - 1 - 2
    )  # undated; bad feeds not polled
    assert [q["label"] for q in data["queries"]] == ["miền Trung", "vn"]


def test_kwic_of_a_phrase_in_both_tone_placements(site: Site) -> None:
    data = site.json("kwic", '"hoà bình"', "--limit", "0")
    keywords = {line["keyword"] for line in data["lines"]}
    assert {"Hoà Bình", "hoà bình", "Hòa Bình"} <= keywords
    assert {line["source"] for line in data["lines"]} == {"VnExpress", "Tuổi Trẻ"}
    table = site("kwic", '"hoà bình"', "--window", "3")
    assert table.exit_code == 0 and "Hoà Bình" in table.output


def test_keyness_of_one_outlet_against_another(site: Site) -> None:
    data = site.json("keyness", "source:vnexpress", 'source:"dân trí"', "--min-count", "2")
    assert data["a"]["articles"] == 4 and data["b"]["articles"] == 4
    assert data["words"] and all(w["g2"] > 0 for w in data["words"])


def test_sample_is_reproducible(site: Site) -> None:
    once = site.json("sample", "--n", "4", "--seed", "11")
    assert [a["id"] for a in once["articles"]] == [
        a["id"] for a in site.json("sample", "--n", "4", "--seed", "11")["articles"]
    ]
    assert once["population"] == len(cat.ARTICLES)
