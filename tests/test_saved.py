from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from index.errors import QuerySyntaxError
from monitor.archive import Archive
from monitor.cli import cli
from monitor.config import FeedConfig
from monitor.errors import NotFoundError, SavedSearchError
from monitor.models import Article, EntryData
from monitor.report.saved import (
    add_search,
    expand_saved,
    get_search,
    list_searches,
    remove_search,
    validate_name,
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[storage]\ndir = "data"\n', encoding="utf-8")
    return path


def monitor(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], prog_name="monitor")


# the library -------------------------------------------------------------------------------


def test_add_list_get_remove(archive: Archive) -> None:
    add_search(archive, "storms", "  (bão OR lũ) miền-Trung  ")
    add_search(archive, "bóng-đá", "title:bóng")
    assert [s.name for s in list_searches(archive)] == ["bóng-đá", "storms"]
    saved = get_search(archive, "storms")
    assert saved.query == "(bão OR lũ) miền-Trung"
    assert datetime.fromisoformat(saved.created_at).tzinfo is not None
    assert remove_search(archive, "storms") == saved
    assert [s.name for s in list_searches(archive)] == ["bóng-đá"]
    with pytest.raises(NotFoundError, match="bóng-đá"):
        remove_search(archive, "storms")


def test_expansion(archive: Archive) -> None:
    add_search(archive, "storms", "bão OR lũ")
    assert expand_saved(archive, "@storms") == "(bão OR lũ)"
    assert expand_saved(archive, "  @storms  miền Trung ") == "(bão OR lũ) miền Trung"
    # Only a leading @name is a reference; everything else is left alone.
    assert expand_saved(archive, "bão @storms") == "bão @storms"
    assert expand_saved(archive, "*") == "*"


def test_unknown_name_lists_the_known_ones(archive: Archive) -> None:
    with pytest.raises(NotFoundError, match="none yet"):
        expand_saved(archive, "@storms")
    add_search(archive, "b", "x")
    add_search(archive, "a", "y")
    with pytest.raises(NotFoundError, match=r"'storms'; saved searches: a, b"):
        expand_saved(archive, "@storms rest")
    with pytest.raises(SavedSearchError, match="followed by the name"):
        expand_saved(archive, "@ bão")


def test_names_are_nfc_and_unicode_letters_are_allowed(archive: Archive) -> None:
    nfd = unicodedata.normalize("NFD", "thời-sự_2026")
    add_search(archive, nfd, "a")
    assert list_searches(archive)[0].name == "thời-sự_2026"
    assert expand_saved(archive, "@thời-sự_2026") == "(a)"
    assert validate_name("हिंदी") == "हिंदी"  # combining vowel signs follow their letter


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "needs a name"),
        ("a" * 65, "65 characters"),
        ("a b", "' '"),
        ("bão!", "'!'"),
        ("x.y", "'.'"),
        ("²", "'²'"),
        ("\u0301a", "character 1"),
    ],
)
def test_invalid_names_are_refused(archive: Archive, name: str, message: str) -> None:
    with pytest.raises(SavedSearchError, match=message):
        add_search(archive, name, "bão")
    assert validate_name("a" * 64) == "a" * 64


def test_queries_are_checked_when_saved(archive: Archive) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        add_search(archive, "q", 'bão "lũ')
    assert info.value.position == 4
    with pytest.raises(QuerySyntaxError, match="start with '@'"):
        add_search(archive, "q", "@other")
    assert list_searches(archive) == []


def test_existing_name_is_kept_unless_replace(archive: Archive) -> None:
    add_search(archive, "q", "one")
    with pytest.raises(SavedSearchError, match=r"already exists.*--replace"):
        add_search(archive, "q", "two")
    assert get_search(archive, "q").query == "one"
    add_search(archive, "q", "two", replace=True)
    assert get_search(archive, "q").query == "two"


# the command line --------------------------------------------------------------------------


def test_cli_round_trip_and_json_shape(config: Path) -> None:
    result = monitor(config, "searches", "add", "storms", "(bão OR lũ) [x]")
    assert result.exit_code == 0, result.output
    assert "@storms" in result.output
    assert "[x]" in result.output  # query text is printed as is, not as rich markup
    assert monitor(config, "searches", "add", "thời-sự", "title:=bán").exit_code == 0

    listed = monitor(config, "searches", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.output)
    assert list(data) == ["searches"]
    assert [list(s) for s in data["searches"]] == [["name", "query", "created_at"]] * 2
    assert [(s["name"], s["query"]) for s in data["searches"]] == [
        ("storms", "(bão OR lũ) [x]"),
        ("thời-sự", "title:=bán"),
    ]

    table = monitor(config, "searches", "list")
    assert table.exit_code == 0, table.output
    assert "@storms" in table.output and "@thời-sự" in table.output
    assert "2 saved searches" in table.output

    removed = monitor(config, "searches", "remove", "storms")
    assert removed.exit_code == 0, removed.output
    data = json.loads(monitor(config, "searches", "list", "--format", "json").output)
    assert [s["name"] for s in data["searches"]] == ["thời-sự"]

    assert monitor(config, "searches", "remove", "thời-sự").exit_code == 0
    assert json.loads(monitor(config, "searches", "list", "--format", "json").output) == {
        "searches": []
    }
    assert "no saved searches" in monitor(config, "searches", "list").output


def test_cli_invalid_query_exits_2_with_the_position(config: Path) -> None:
    result = monitor(config, "searches", "add", "q", "bão (lũ")
    assert result.exit_code == 2
    assert "query syntax error" in result.output
    assert "position" in result.output
    data = json.loads(monitor(config, "searches", "list", "--format", "json").output)
    assert data == {"searches": []}


def test_cli_invalid_name_exits_2(config: Path) -> None:
    result = monitor(config, "searches", "add", "bão!", "bão")
    assert result.exit_code == 2
    assert "may not contain '!'" in result.output


def test_cli_overwrite_needs_replace(config: Path) -> None:
    assert monitor(config, "searches", "add", "q", "one").exit_code == 0
    refused = monitor(config, "searches", "add", "q", "two")
    assert refused.exit_code == 2
    assert "already exists" in refused.output and "--replace" in refused.output
    replaced = monitor(config, "searches", "add", "q", "two", "--replace")
    assert replaced.exit_code == 0, replaced.output
    data = json.loads(monitor(config, "searches", "list", "--format", "json").output)
    assert [s["query"] for s in data["searches"]] == ["two"]


def test_cli_unknown_name_is_a_one_line_error(config: Path) -> None:
    assert monitor(config, "searches", "add", "storms", "bão").exit_code == 0
    for command in ("search", "report"):
        result = monitor(config, command, "@nope", "--format", "json")
        assert result.exit_code == 2
        assert result.output.strip().splitlines() == [
            "Error: no saved search named 'nope'; saved searches: storms"
        ]
    result = monitor(config, "searches", "remove", "nope")
    assert result.exit_code == 2
    assert "saved searches: storms" in result.output


# end to end, through the search index --------------------------------------------------------


def _archive_article(config: Path, title: str, text: str) -> None:
    with Archive(config.parent / "data" / "archive.sqlite3") as archive:
        (feed,) = archive.sync_feeds([FeedConfig(url="https://bao.vn/rss", source="Báo")])
        url = f"https://bao.vn/{len(title)}.html"
        published = datetime(2026, 11, 20, 8, tzinfo=UTC)
        entry = EntryData(
            guid=url, url=url, title=title, summary=None, author=None, published=published
        )
        archive.add_entries(feed, [entry])
        (page,) = archive.pending_pages()
        article = Article(
            title=title,
            text=text,
            author=None,
            published=published,
            date_source="page",
            language="vi",
            declared_language="vi",
            extractor="trafilatura",
        )
        archive.store_article(
            page.id,
            status=200,
            final_url=url,
            content_type="text/html; charset=utf-8",
            headers={},
            body=b"<html></html>",
            body_sha256="0" * 64,
            article=article,
        )


def test_search_and_report_run_a_saved_query(config: Path) -> None:
    _archive_article(config, "Bão số 5 đổ bộ", "Bão số 5 gây mưa lớn ở miền Trung.")
    _archive_article(config, "Giá vàng hôm nay", "Giá vàng tăng mạnh ở Hà Nội.")
    assert monitor(config, "reindex").exit_code == 0
    assert monitor(config, "searches", "add", "storms", "bão OR lũ").exit_code == 0
    assert monitor(config, "searches", "add", "gold", "vàng").exit_code == 0

    result = monitor(config, "search", "@storms", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["query"] == "@storms"
    assert data["expanded_query"] == "(bão OR lũ)"
    assert [h["title"] for h in data["hits"]] == ["Bão số 5 đổ bộ"]

    narrowed = json.loads(monitor(config, "search", "@storms Hà-Nội", "--format", "json").output)
    assert narrowed["expanded_query"] == "(bão OR lũ) Hà-Nội"
    assert narrowed["total"] == 0

    plain = json.loads(monitor(config, "search", "vàng", "--format", "json").output)
    assert "expanded_query" not in plain
    assert monitor(config, "search", "@gold", "--count").output.strip() == "1"

    report = monitor(config, "report", "@storms", "--format", "json")
    assert report.exit_code == 0, report.output
    data = json.loads(report.output)
    assert (data["query"], data["expanded_query"], data["total"]) == ("@storms", "(bão OR lũ)", 1)
