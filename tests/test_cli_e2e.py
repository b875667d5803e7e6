"""The real CLI end to end — run → search → show → stats → report — against the local site."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from monitor.cli import cli
from tests.cli import WIDE, Cli, write_config
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite

USER_AGENT = "press-monitor-tests/1.0 (+https://example.invalid/tests)"


def site_config(directory: Path, site: LocalSite, feeds: tuple[str, ...], engine: str) -> Path:
    """A config for the catalog's feeds on `site`, indexing with `engine`."""
    return write_config(
        directory / "config.toml",
        [(site.url(path), cat.FEEDS_BY_PATH[path].source) for path in feeds],
        http={"user_agent": USER_AGENT, "per_host_delay": 0, "timeout": 10},
        index={"engine": engine},
    )


@dataclass
class Collected(Cli):
    site: LocalSite
    config: Path
    first: Result

    def ids(self, query: str, *extra: str) -> set[str]:
        """Article URLs' paths matching `query` (from search JSON)."""
        data = self.json("search", query, "--limit", "100", *extra)
        return {hit["url"].removeprefix(self.site.base_url) for hit in data["hits"]}


@pytest.fixture(scope="module", params=["tantivy", "whoosh"])
def collected(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Collected]:
    """One run over every good and bad feed; the tests below read what it stored."""
    site = LocalSite()
    site.expect_404(*cat.EXPECTED_404_PATHS)
    try:
        config = site_config(
            tmp_path_factory.mktemp("e2e"),
            site,
            cat.GOOD_FEED_PATHS + cat.BAD_FEED_PATHS,
            request.param,
        )
        first = CliRunner(env=WIDE).invoke(cli, ["--config", str(config), "run"])
        yield Collected(site, config, first)
    finally:
        site.close()
    assert not site.problems(), site.problems()


def test_run_records_failures_against_their_source_and_exits_1(collected: Collected) -> None:
    result = collected.first
    assert result.exit_code == 1, result.output
    out = result.output
    assert "got an HTML page, not a feed" in out
    assert "HTTP 404" in out and cat.MISSING_PATH in out
    summary = collected("stats", "--format", "json")
    stats = json.loads(summary.output)
    # 12 articles of the good feeds + 2 pages reachable from the bad ones; robots.txt kept one out.
    assert stats["articles"] == len(cat.ALL_ARTICLES)
    assert stats["indexed"] == len(cat.ALL_ARTICLES)
    assert stats["feeds"] == len(cat.FEEDS)
    assert stats["archive_bytes"] > 0 and stats["index_bytes"] > 0


def test_run_obeys_robots_txt_and_sends_the_user_agent(collected: Collected) -> None:
    site = collected.site
    assert site.hits(cat.ROBOTS_DISALLOWED_PATH) == 0
    assert site.hits(cat.ROBOTS_TXT_PATH) == 1
    agents = {r.headers.get("user-agent") for r in site.requests}
    assert agents == {USER_AGENT}


def test_duplicate_entry_is_fetched_once_and_shows_both_feeds(collected: Collected) -> None:
    assert collected.site.hits(cat.DUPLICATE_PATH) == 1
    (hit,) = collected.json("search", f'url:"{cat.DUPLICATE_PATH}"')["hits"]
    shown = collected.json("show", str(hit["id"]))
    assert {f.removeprefix(collected.site.base_url) for f in shown["feeds"]} == set(
        cat.DUPLICATE_FEEDS
    )


def test_a_run_right_after_polls_no_feed_until_one_is_due(collected: Collected) -> None:
    site = collected.site
    feed_hits = {path: site.hits(path) for path in cat.GOOD_FEED_PATHS}
    again = collected("run", "--format", "json")
    summary = json.loads(again.output)
    assert summary["feeds_due"] == 0
    assert summary["feeds_not_due"] == len(cat.FEEDS)
    assert summary["next_poll_at"] > datetime.now(UTC).isoformat(timespec="seconds")
    assert {path: site.hits(path) for path in cat.GOOD_FEED_PATHS} == feed_hits


def test_second_run_fetches_no_article_it_already_has(collected: Collected) -> None:
    site = collected.site
    before = {a.path: site.hits(a.path) for a in cat.ALL_ARTICLES}
    again = collected("run", "--all", "--format", "json")
    summary = json.loads(again.output)
    assert summary["articles_new"] == 0
    assert {a.path: site.hits(a.path) for a in cat.ALL_ARTICLES} == before
    # The 404 is a permanent failure: not asked for again either.
    assert site.hits(cat.MISSING_PATH) == 1
    # Feeds were asked for with their validator and answered 304 Not Modified.
    last = site.requests_for(cat.TUOITRE_FEED)[-1]
    assert last.headers.get("if-none-match")
    assert summary["feeds_unchanged"] == summary["feeds_ok"] >= len(cat.GOOD_FEED_PATHS)


def test_show_gives_metadata_and_full_text(collected: Collected) -> None:
    article = cat.PHRASE5_ARTICLE
    (hit,) = collected.json("search", f'url:"{article.path}"')["hits"]
    shown = collected.json("show", str(hit["id"]))
    assert shown["title"] == article.title
    assert shown["source"] == article.source
    assert article.must_contain in shown["text"]
    assert article.must_not_contain not in shown["text"]
    assert shown["published"] == article.published.isoformat() if article.published else True
    text_view = collected("show", str(hit["id"]))
    assert text_view.exit_code == 0
    assert article.title in text_view.output


def test_dates_keep_their_offset_or_stay_unknown(collected: Collected) -> None:
    for article in cat.ARTICLES:
        (hit,) = collected.json("search", f'url:"{article.path}"')["hits"]
        expected = article.published.isoformat() if article.published else None
        assert hit["published"] == expected, article.key


def test_search_json_shape_and_words_are_anded(collected: Collected) -> None:
    data = collected.json("search", "Việt Nam")
    assert set(data) >= {"query", "total", "hits"}
    assert data["query"] == "Việt Nam"
    assert data["total"] == len(cat.VIET_NAM_ARTICLES)
    for hit in data["hits"]:
        assert set(hit) >= {"id", "url", "title", "source", "published", "snippet", "score"}
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "query",
    [
        "viet nam",
        "Việt Nam",
        "VIỆT NAM",
        unicodedata.normalize("NFD", "Việt Nam"),
        '"viet nam"',
    ],
)
def test_diacritics_case_and_unicode_form_find_the_same_articles(
    collected: Collected, query: str
) -> None:
    assert collected.ids(query) == {a.path for a in cat.VIET_NAM_ARTICLES}


@pytest.mark.parametrize(("old", "new"), cat.TONE_PAIRS)
def test_old_and_new_tone_placement_find_the_same_articles(
    collected: Collected, old: str, new: str
) -> None:
    expected = {a.path for a in cat.TONE_ARTICLES}
    for spelling in (old, new, unicodedata.normalize("NFD", old), f'"{new}"'):
        assert collected.ids(spelling) >= expected, spelling


def test_phrase_matches_only_adjacent_words(collected: Collected) -> None:
    assert collected.ids(f'"{cat.PHRASE5}"') == {cat.PHRASE5_ARTICLE.path}
    assert cat.PHRASE5_SCATTERED_ARTICLE.path in collected.ids(cat.PHRASE5)


def test_exact_matching_tells_ban_ban_ban_apart(collected: Collected) -> None:
    for word, article in cat.BAN_WORDS.items():
        assert article.path in collected.ids(f"={word}")
        others = {a.path for w, a in cat.BAN_WORDS.items() if w != word}
        assert not (collected.ids(word, "--exact") & others), word


def test_nfd_page_is_searchable_in_nfc(collected: Collected) -> None:
    title = cat.NFD_ARTICLE.title
    assert cat.NFD_ARTICLE.path in collected.ids(f'title:"{title}"')


def test_sort_limit_and_other_formats(collected: Collected) -> None:
    newest = collected.json("search", "*", "--sort", "newest", "--limit", "3")
    dates = [h["published"] for h in newest["hits"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 3
    assert newest["total"] == len(cat.ALL_ARTICLES)
    jsonl = collected("search", "*", "--format", "jsonl", "--limit", "2")
    assert [json.loads(line)["id"] for line in jsonl.output.splitlines()]
    csv_out = collected("search", "Việt Nam", "--format", "csv")
    assert csv_out.output.splitlines()[0].startswith("id,url,title,source,published")
    assert len(csv_out.output.splitlines()) == 1 + len(cat.VIET_NAM_ARTICLES)
    count = collected("search", "Việt Nam", "--count")
    assert count.output.strip() == str(len(cat.VIET_NAM_ARTICLES))


def test_table_output_highlights_and_is_readable(collected: Collected) -> None:
    result = collected("search", "thủy điện")
    assert result.exit_code == 0
    assert cat.OLD_TONE_ARTICLE.title.split(",")[0] in result.output


@pytest.mark.parametrize("query", ['"hòa bình', "(bão", "title:", "bão OR"])
def test_unparseable_query_gets_a_message_not_a_trace(collected: Collected, query: str) -> None:
    result = collected("search", query)
    assert result.exit_code == 2
    assert "query syntax error" in result.output
    assert "Traceback" not in result.output


def test_report_counts_per_day_and_source_and_frequent_phrases(collected: Collected) -> None:
    data = collected.json("report")
    assert data["total"] == len(cat.ALL_ARTICLES)
    by_source = {row["source"]: row["count"] for row in data["by_source"]}
    for outlet in cat.OUTLETS:
        assert by_source[outlet.source] == sum(a.source == outlet.source for a in cat.ARTICLES)
    dated = sum(row["count"] for row in data["by_day"])
    assert dated + data["undated"] == data["total"]
    assert data["undated"] >= 1
    assert data["snapshot"]["articles"] == len(cat.ALL_ARTICLES)
    phrases = [row["phrase"] for row in data["top_phrases"]]
    assert all(len(p.split()) == 2 for p in phrases)
    text = collected("report", "Việt Nam", "--since", "2026-11-21", "--until", "2026-11-23")
    assert text.exit_code == 0
    assert "per day" in text.output and "per source" in text.output


def test_a_report_of_an_earlier_snapshot_counts_only_the_articles_it_held(
    collected: Collected,
) -> None:
    now = collected.json("report")
    newest = now["snapshot"]["max_article_id"]
    assert now["snapshot"]["articles"] == newest == now["total"]
    earlier = collected.json("report", "--snapshot", str(newest - 3))
    assert earlier["snapshot"]["articles"] == earlier["snapshot"]["max_article_id"] == newest - 3
    assert earlier["total"] == now["total"] - 3
    assert sum(row["count"] for row in earlier["by_source"]) == earlier["total"]
    dated = sum(row["count"] for row in earlier["by_day"])
    assert dated + earlier["undated"] == earlier["total"]
    # Recomputed from the archive, the current snapshot gives the engine's own figures.
    again = collected.json("report", "--snapshot", str(newest))
    for key in ("total", "total_without_copies", "by_source", "by_day", "undated", "snapshot"):
        assert again[key] == now[key], key


def test_unknown_article_id_is_a_clear_error(collected: Collected) -> None:
    result = collected("show", "99999")
    assert result.exit_code == 2  # what was asked for must change: a usage error
    assert "no article with id 99999" in result.output


def test_good_feeds_only_run_exits_0(tmp_path: Path, site: LocalSite) -> None:
    config = site_config(tmp_path, site, cat.GOOD_FEED_PATHS, "tantivy")
    result = CliRunner(env=WIDE).invoke(cli, ["--config", str(config), "run", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["feeds_ok"] == len(cat.GOOD_FEED_PATHS)
    assert summary["entries_seen"] == cat.GOOD_FEED_ENTRY_COUNT
    assert summary["articles_new"] == len(cat.ARTICLES)
    assert summary["failures"] == []


def test_a_feed_that_is_down_is_recorded_and_the_run_goes_on(
    tmp_path: Path, site: LocalSite
) -> None:
    site.route(cat.DANTRI_FEED, status=503, body="Service Unavailable")
    config = site_config(tmp_path, site, (cat.DANTRI_FEED, cat.TUOITRE_FEED), "tantivy")
    result = CliRunner(env=WIDE).invoke(cli, ["--config", str(config), "run", "--format", "json"])
    assert result.exit_code == 1
    summary = json.loads(result.output)
    assert summary["feeds_failed"] == 1 and summary["feeds_ok"] == 1
    assert summary["articles_new"] == len(cat.FEEDS_BY_PATH[cat.TUOITRE_FEED].entries)
    (failure,) = summary["failures"]
    assert failure["source"] == "Dân trí" and "503" in failure["reason"]


def test_reindex_rebuilds_from_the_archive(tmp_path: Path, site: LocalSite) -> None:
    config = site_config(tmp_path, site, (cat.TUOITRE_FEED,), "tantivy")
    runner = CliRunner(env=WIDE)
    assert runner.invoke(cli, ["--config", str(config), "run"]).exit_code == 0
    result = runner.invoke(cli, ["--config", str(config), "reindex"])
    assert result.exit_code == 0
    assert "indexed 4 articles" in result.output
    count = runner.invoke(cli, ["--config", str(config), "search", "*", "--count"])
    assert count.output.strip() == "4"


def test_every_article_keeps_its_lead_and_body_without_boilerplate(collected: Collected) -> None:
    for article in cat.ARTICLES:
        (hit,) = collected.json("search", f'url:"{article.path}"')["hits"]
        text = " ".join(collected.json("show", str(hit["id"]))["text"].split())
        assert " ".join(article.lead.split()) in text, article.key
        assert article.must_contain in text, article.key
        assert article.must_not_contain not in text, article.key
        assert collected.json("show", str(hit["id"]))["title"] == article.title, article.key


def test_an_index_to_rebuild_is_one_line_naming_the_command(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", [])
    index_dir = tmp_path / "data" / "index-tantivy"
    index_dir.mkdir(parents=True)
    (index_dir / "notes.txt").write_text("not an index", encoding="utf-8")
    result = CliRunner(env=dict(WIDE)).invoke(cli, ["--config", str(config), "stats"])
    assert result.exit_code == 1
    assert "holds no press-monitor index" in result.output
    assert "Rebuild the index from the archive: monitor reindex" in result.output
    assert "Traceback" not in result.output
