"""Pages that are no article (a section listing) are flagged, findable by `flag:`, and left out
of report counts unless asked for: through the real CLI on a local site."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli import Cli, write_config
from tests.localsite import LocalSite

ARTICLE = "/vnexpress/lam-phat-nam-2026-du-bao-duoi-4-4961203.html"
LISTING = "/vnexpress/kinh-doanh"
FEED = "/vnexpress/rss/mixed.rss"
EVAL_DIR = Path(__file__).parent / "fixtures" / "eval"


def _feed(site: LocalSite) -> str:
    items = "".join(
        f"<item><title>{title}</title><link>{site.url(path)}</link>"
        f"<guid>{site.url(path)}</guid><pubDate>Sat, 21 Nov 2026 20:15:00 +0700</pubDate></item>"
        for title, path in (("Lạm phát năm 2026", ARTICLE), ("Kinh doanh", LISTING))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>VnExpress</title>{items}</channel></rss>"
    )


@dataclass
class Collected(Cli):
    config: Path


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collected]:
    with LocalSite() as site:
        # A real section front page of VnExpress's layout: teasers, each a linked headline.
        site.route(
            LISTING, file=EVAL_DIR / "vnexpress_homepage_2024.html", content_type="text/html"
        )
        site.route(FEED, body=_feed(site), content_type="application/rss+xml")
        config = write_config(
            tmp_path_factory.mktemp("non-articles") / "config.toml",
            [(site.url(FEED), "VnExpress")],
            http={"per_host_delay": 0, "timeout": 10},
        )
        collected = Collected(config)
        result = collected("run")
        assert result.exit_code == 0, result.output
        assert not site.problems()
        yield collected


def test_a_section_listing_is_flagged_and_found_by_flag(collected: Collected) -> None:
    listing = collected.json("search", "flag:not_article")
    assert [hit["url"].endswith(LISTING) for hit in listing["hits"]] == [True]
    articles = collected.json("search", "* -flag:not_article")
    assert [hit["url"].endswith(ARTICLE) for hit in articles["hits"]] == [True]


def test_the_report_leaves_non_articles_out_unless_asked(collected: Collected) -> None:
    default = collected.json("report")
    assert default["non_articles"] == "excluded"
    assert default["total"] == 1
    everything = collected.json("report", "--include-non-articles")
    assert everything["non_articles"] == "included"
    assert everything["total"] == 2
    text = collected("report")
    assert text.exit_code == 0
    assert "not_article" in text.output and "--include-non-articles" in text.output
