"""Feed tags are collections: every article carries the tags of the feeds that listed it, as
`tag:` in queries, and follows the config when a feed's tags change. Through the real CLI on
the local site."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor.archive import Archive
from monitor.config import FeedConfig
from monitor.models import Article, EntryData
from tests.cli import Cli, write_config
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite

FEEDS = (cat.VNEXPRESS_FEED, cat.VNEXPRESS_BUSINESS_FEED, cat.TUOITRE_FEED, cat.DANTRI_FEED)


def tagged_config(path: Path, site: LocalSite, tags: dict[str, Iterable[str]]) -> Path:
    """A config for FEEDS on `site`, each with the tags `tags` gives its path (if any)."""
    return write_config(
        path,
        [
            (site.url(feed), cat.FEEDS_BY_PATH[feed].source, tuple(tags.get(feed, ())))
            for feed in FEEDS
        ],
        http={"per_host_delay": 0, "timeout": 10},
    )


def paths(feed: str) -> set[str]:
    return set(cat.FEEDS_BY_PATH[feed].entries)


@dataclass
class Tagged(Cli):
    site: LocalSite
    config: Path

    def found(self, query: str) -> set[str]:
        hits = self.json("search", query, "--limit", "100")["hits"]
        return {hit["url"].removeprefix(self.site.base_url) for hit in hits}

    def retag(self, tags: dict[str, Iterable[str]]) -> dict[str, object]:
        tagged_config(self.config, self.site, tags)
        result = self("run", "--format", "json")
        assert result.exit_code == 0, result.output
        summary: dict[str, object] = json.loads(result.output)
        return summary


@pytest.fixture
def tagged(tmp_path: Path, site: LocalSite) -> Iterator[Tagged]:
    config = tagged_config(
        tmp_path / "config.toml",
        site,
        {
            cat.VNEXPRESS_FEED: ["Thời sự"],
            cat.VNEXPRESS_BUSINESS_FEED: ["kinh tế"],
            cat.TUOITRE_FEED: ["Thời sự", "miền Nam"],
        },
    )
    runner = Tagged(site, config)
    assert runner("run").exit_code == 0
    yield runner


def test_articles_carry_the_tags_of_every_feed_that_listed_them(tagged: Tagged) -> None:
    news = paths(cat.VNEXPRESS_FEED) | paths(cat.TUOITRE_FEED)
    assert tagged.found('tag:"thời sự"') == news
    # Tags are matched like words: without diacritics or case.
    assert tagged.found('tag:"THOI SU"') == news
    assert tagged.found('tag:"miền nam"') == paths(cat.TUOITRE_FEED)
    # The article the business feed repeats carries both feeds' tags.
    assert tagged.found('tag:"kinh tế"') == {cat.DUPLICATE_PATH}
    assert tagged.found('tag:"kinh tế" tag:"thời sự"') == {cat.DUPLICATE_PATH}
    assert tagged.found('* -tag:"thời sự"') == paths(cat.DANTRI_FEED)


def test_a_feed_whose_tags_change_has_its_articles_reindexed_by_the_next_run(
    tagged: Tagged,
) -> None:
    summary = tagged.retag(
        {
            cat.VNEXPRESS_FEED: ["Thời sự"],
            cat.TUOITRE_FEED: ["Thời sự", "miền Nam"],
            cat.DANTRI_FEED: ["giải trí"],
        }
    )
    # Only the retagged feeds' articles are indexed again, not the whole archive.
    assert summary["feeds_due"] == 0
    assert summary["indexed"] == len(paths(cat.DANTRI_FEED) | {cat.DUPLICATE_PATH})
    assert tagged.found('tag:"giải trí"') == paths(cat.DANTRI_FEED)
    assert tagged.found('tag:"kinh tế"') == set()
    assert tagged.found('tag:"thời sự"') == paths(cat.VNEXPRESS_FEED) | paths(cat.TUOITRE_FEED)
    stats = tagged.json("stats")
    assert stats["indexed"] == stats["articles"]
    # Nothing changed: nothing is indexed again.
    assert tagged("run", "--format", "json").output.count('"indexed": 0') == 1


def test_reindex_rebuilds_an_index_of_an_older_schema(tagged: Tagged) -> None:
    marker = tagged.config.parent / "data" / "index-tantivy" / "press-monitor-index.json"
    marker.write_text(json.dumps({"engine": "tantivy", "schema": 2}), encoding="utf-8")
    refused = tagged("search", "*")
    assert refused.exit_code == 1
    assert "monitor reindex" in refused.output
    rebuilt = tagged("reindex")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert tagged.found('tag:"kinh tế"') == {cat.DUPLICATE_PATH}


def test_an_article_listed_by_one_more_tagged_feed_is_marked_for_indexing(
    archive: Archive,
) -> None:
    url = "https://bao.vn/bai-1.html"
    first, second, untagged = archive.sync_feeds(
        [
            FeedConfig(url="https://bao.vn/rss", source="Báo", tags=("thời sự",)),
            FeedConfig(url="https://bao.vn/kinh-te.rss", source="Báo", tags=("kinh tế", "thời sự")),
            FeedConfig(url="https://bao.vn/moi.rss", source="Báo"),
        ]
    )
    entry = EntryData(guid=url, url=url, title="Bài", summary=None, author=None, published=None)
    archive.add_entries(first, [entry])
    (page,) = archive.pending_pages()
    article = Article(
        title="Bài",
        text="Nội dung.",
        author=None,
        published=None,
        date_source="none",
        language="vi",
        declared_language="vi",
        extractor="trafilatura",
    )
    stored = archive.store_article(
        page.id,
        status=200,
        final_url=url,
        content_type="text/html",
        headers={},
        body=b"",
        body_sha256="0" * 64,
        article=article,
    )
    archive.mark_all_indexed()
    archive.add_entries(untagged, [entry])
    assert archive.stats()["articles_unindexed"] == 0  # no tag to add
    archive.add_entries(second, [entry])
    assert archive.stats()["articles_unindexed"] == 1
    assert archive.feeds.tags_of_articles([stored.article_id]) == {
        stored.article_id: ("thời sự", "kinh tế")
    }
    assert archive.feeds.tags() == ["kinh tế", "thời sự"]
