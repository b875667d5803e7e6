"""Attention over time and by collection: `monitor report --interval … --by …` on an archive
of eight weeks (tests/analysis_corpus.py), checked against figures computed from its items."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from index.engine import open_engine
from monitor.archive import Archive
from monitor.report.search import build_report
from tests import analysis_corpus as ac
from tests.archive_builder import Item

# The keys `monitor report --format json` has always had (a contract: never removed).
REPORT_KEYS = {
    "query",
    "since",
    "until",
    "timezone",
    "snapshot",
    "non_articles",
    "total",
    "total_without_copies",
    "by_day",
    "by_source",
    "undated",
    "undated_without_copies",
    "top_terms_sample",
    "top_words",
    "top_phrases",
}
BUCKET_KEYS = {"start", "end", "count", "without_copies", "total", "ratio", "partial", "gaps"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> ac.Corpus:
    return ac.build(tmp_path_factory.mktemp("attention"))


def storm(item: Item) -> bool:
    return "Bão" in item.text


def week_of(day: date) -> date:
    return date.fromordinal(day.toordinal() - day.weekday())


def test_weeks_add_up_to_their_days_and_ratios_are_count_over_total(corpus: ac.Corpus) -> None:
    weekly = corpus.json("report", "bão", "--interval", "week")
    daily = corpus.json("report", "bão", "--interval", "day")
    assert REPORT_KEYS | {"interval", "by_interval", "scope"} <= set(weekly)
    assert weekly["interval"] == "week" and weekly["scope"] == "*"
    weeks = weekly["by_interval"]
    assert [w["start"] for w in weeks] == [
        week_of(ac.FIRST).fromordinal(week_of(ac.FIRST).toordinal() + 7 * i).isoformat()
        for i in range(8)
    ]
    for week in weeks:
        assert set(week) == BUCKET_KEYS
        days = [d for d in daily["by_interval"] if week["start"] <= d["start"] <= week["end"]]
        assert len(days) == 7
        for key in ("count", "without_copies", "total"):
            assert week[key] == sum(d[key] for d in days), key
        assert week["ratio"] == pytest.approx(week["count"] / week["total"])
        assert week["partial"] is False
    # The figures themselves, from the items: days are local days (Báo B's 00:30 articles are
    # the evening before in UTC), the undated article and the not_article page are left out.
    expected = Counter(week_of(ac.local_day(i)) for i in ac.DATED if storm(i))
    totals = Counter(week_of(ac.local_day(i)) for i in ac.DATED)
    assert {w["start"]: w["count"] for w in weeks} == {
        d.isoformat(): n for d, n in expected.items()
    }
    assert {w["start"]: w["total"] for w in weeks} == {d.isoformat(): n for d, n in totals.items()}
    assert sum(w["count"] for w in weeks) == weekly["total"] - weekly["undated"]


def test_months_are_calendar_months(corpus: ac.Corpus) -> None:
    months = corpus.json("report", "--interval", "month")["by_interval"]
    assert [(m["start"], m["end"]) for m in months] == [
        ("2026-03-01", "2026-03-31"),
        ("2026-04-01", "2026-04-30"),
    ]
    # The data start on 2 March and end on 26 April, but nothing bounds the window: the
    # months are whole and not partial; every article counts (the `*` query: ratio 1).
    assert [m["total"] for m in months] == [
        sum(1 for i in ac.DATED if ac.local_day(i).month == month) for month in (3, 4)
    ]
    assert all(m["ratio"] == 1.0 and not m["partial"] for m in months)


def test_buckets_cut_by_since_and_until_are_partial(corpus: ac.Corpus) -> None:
    data = corpus.json(
        "report", "bão", "--interval", "week", "--since", "2026-03-04", "--until", "2026-03-17"
    )
    weeks = data["by_interval"]
    assert [(w["start"], w["partial"]) for w in weeks] == [
        ("2026-03-02", True),
        ("2026-03-09", False),
        ("2026-03-16", True),
    ]
    # Only the days inside the window count, in both count and total.
    inside = [i for i in ac.DATED if date(2026, 3, 4) <= ac.local_day(i) <= date(2026, 3, 17)]
    assert sum(w["total"] for w in weeks) == len(inside)
    assert sum(w["count"] for w in weeks) == sum(1 for i in inside if storm(i))


def test_a_running_bucket_is_partial(corpus: ac.Corpus) -> None:
    data_dir = corpus.config.parent / "data"
    with Archive(data_dir / "archive.sqlite3") as archive:
        engine = open_engine("tantivy", data_dir / "index-tantivy")
        try:
            report = build_report(
                archive,
                engine,
                "bão",
                since=None,
                until=None,
                timezone="Asia/Ho_Chi_Minh",
                interval="week",
                now=datetime(2026, 4, 22, 3, tzinfo=UTC),
            )
        finally:
            engine.close()
    assert [r.bucket.partial for r in report.by_interval] == [False] * 7 + [True]
    assert report.by_interval[-1].bucket.covered == pytest.approx((2 * 24 + 10) / (7 * 24))


def test_gaps_name_the_sources_that_usually_publish_but_brought_nothing(
    corpus: ac.Corpus,
) -> None:
    weeks = corpus.json("report", "bão", "--interval", "week")["by_interval"]
    # Báo B stopped after Sunday 12 April: the last two weeks are holes in collection. Báo C
    # publishes 3-4 articles a week and never missed a week.
    assert [w["gaps"] for w in weeks] == [[]] * 6 + [["Báo B"], ["Báo B"]]
    days = corpus.json("report", "bão", "--interval", "day")["by_interval"]
    # A day is too short for Báo C (0 or 1 a day: no usual volume) or B (1 a day): no gaps.
    assert all(d["gaps"] == [] for d in days)


def test_scope_makes_the_total_the_articles_of_the_same_sources(corpus: ac.Corpus) -> None:
    data = corpus.json("report", 'bão source:"Báo B"', "--interval", "week")
    assert data["scope"] == 'source:"Báo B"'
    b_items = [i for i in ac.DATED if i.source == "Báo B"]
    assert [w["total"] for w in data["by_interval"]] == [
        sum(1 for i in b_items if week_of(ac.local_day(i)).isoformat() == w["start"])
        for w in data["by_interval"]
    ]
    assert sum(w["count"] for w in data["by_interval"]) == sum(1 for i in b_items if storm(i))


def tagged(tag: str) -> list[Item]:
    feeds = {url for url, _source, tags in ac.FEEDS if tag in tags}
    return [i for i in ac.DATED if feeds & set(i.feeds)]


def test_by_tag_counts_an_article_once_per_tag_it_carries(corpus: ac.Corpus) -> None:
    data = corpus.json("report", "lũ", "--by", "tag", "--interval", "month")
    assert data["by"] == "tag"
    rows = {row["tag"]: row for row in data["by_tag"]}
    assert set(rows) == {"quốc gia", "địa phương", "kinh tế"}
    floods = [i for i in ac.ARTICLES if "lũ" in i.text.lower()]
    for tag, row in rows.items():
        assert row["total"] == len(tagged(tag)) + (tag == "quốc gia"), tag  # + A's undated
        assert row["count"] == len([i for i in floods if i in tagged(tag)]) + (tag == "quốc gia")
        assert row["ratio"] == pytest.approx(row["count"] / row["total"])
        assert sum(m["count"] for m in row["by_interval"]) == len(
            [i for i in floods if i in tagged(tag)]
        )
    # Báo C's flood articles are in both of its collections.
    assert rows["kinh tế"]["count"] == rows["kinh tế"]["total"]
    assert data["untagged"] == 0
    assert data["total"] < sum(row["count"] for row in rows.values())


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_of_buckets_and_of_the_tag_by_week_matrix(corpus: ac.Corpus) -> None:
    plain = corpus("report", "bão", "--interval", "week", "--format", "csv")
    assert plain.exit_code == 0, plain.output
    # CRLF row ends (RFC 4180); click's `output` shows them as "\n".
    assert plain.stdout_bytes.startswith(
        b"start,end,count,without_copies,total,ratio,partial,gaps\r\n2026-03-02,"
    )
    rows = csv_rows(plain.output)
    assert len(rows) == 8 and rows[-1]["gaps"] == "Báo B"
    assert float(rows[0]["ratio"]) == pytest.approx(int(rows[0]["count"]) / int(rows[0]["total"]))
    matrix = corpus("report", "bão", "--interval", "week", "--by", "tag", "--format", "csv")
    header = matrix.output.splitlines()[0].split(",")
    assert header[:4] == ["tag", "count", "total", "ratio"]
    assert header[4:6] == ["2026-03-02_count", "2026-03-02_ratio"] and len(header) == 4 + 16
    assert {r["tag"] for r in csv_rows(matrix.output)} == {"quốc gia", "địa phương", "kinh tế"}
    by_day = corpus("report", "--format", "csv", "--excel")
    assert by_day.output.startswith("\ufeffstart,end,")
    assert len(csv_rows(by_day.output.lstrip("\ufeff"))) == (ac.LAST - ac.FIRST).days + 1


def test_by_source_adds_totals_and_ratios_to_the_source_table(corpus: ac.Corpus) -> None:
    data = corpus.json("report", "bão", "--by", "source")
    rows = {row["source"]: row for row in data["by_source"]}
    assert set(rows) == {"Báo A", "Báo B", "Báo C"}
    assert rows["Báo C"]["count"] == 0  # a source of the scope that never covered it
    for row in rows.values():
        assert {"source", "count", "without_copies", "total", "ratio"} <= set(row)
    assert rows["Báo B"]["total"] == len([i for i in ac.DATED if i.source == "Báo B"])


def test_terminal_report_with_interval_and_breakdown(corpus: ac.Corpus) -> None:
    out = corpus("report", "bão", "--interval", "week", "--by", "tag", "--top", "3").output
    assert "per week (share of all articles)" in out
    assert "2026-W10 03-02" in out and "nothing from: Báo B" in out
    assert "per tag (share of each tag's own articles)" in out and "kinh tế" in out
    absolute = corpus("report", "bão", "--interval", "month", "--absolute").output
    assert "per month (matching articles)" in absolute


def test_plots_are_written_as_png_and_svg(corpus: ac.Corpus, tmp_path: Path) -> None:
    png, svg = tmp_path / "bao.png", tmp_path / "bao.svg"
    assert corpus("report", "bão", "--interval", "week", "--plot", str(png)).exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert corpus("compare", "bão", "giá", "--plot", str(svg), "--format", "json").exit_code == 0
    from xml.etree import ElementTree

    assert ElementTree.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    wrong = corpus("report", "bão", "--plot", str(tmp_path / "bao.pdf"))
    assert wrong.exit_code == 2 and ".png or .svg" in wrong.output


def test_excel_needs_a_csv(corpus: ac.Corpus) -> None:
    result = corpus("report", "--excel")
    assert result.exit_code == 2 and "--excel applies to --format csv" in result.output


@pytest.fixture
def berlin(tmp_path: Path) -> Iterator[ac.Corpus]:
    yield ac.build(tmp_path, timezone="Europe/Berlin")


def test_days_follow_the_zone_across_daylight_saving_time(berlin: ac.Corpus) -> None:
    days = {d["start"]: d for d in berlin.json("report", "--interval", "day")["by_interval"]}
    zone = ZoneInfo("Europe/Berlin")
    expected = Counter(
        i.published.astimezone(zone).date().isoformat() for i in ac.DATED if i.published
    )
    # Berlin moves to +02:00 on 29 March: Báo B's 17:30 UTC articles are 18:30 before, 19:30
    # after; A's 01:00 UTC ones 02:00 then 03:00: each on its own local day all along.
    assert {d: row["total"] for d, row in days.items() if row["total"]} == dict(expected)
    assert sum(row["total"] for row in days.values()) == len(ac.DATED)


def test_report_json_keys_without_new_options_are_unchanged(corpus: ac.Corpus) -> None:
    data: dict[str, Any] = corpus.json("report", "bão")
    assert set(data) == REPORT_KEYS


def test_csv_by_source_without_interval_is_the_group_table(corpus: ac.Corpus) -> None:
    result = corpus("report", "bão", "--by", "source", "--format", "csv")
    rows = csv_rows(result.output)
    assert list(rows[0]) == ["source", "count", "total", "ratio"]
    assert {r["source"]: int(r["count"]) for r in rows} == {
        source: sum(1 for i in ac.ARTICLES if i.source == source and storm(i))
        for source in ("Báo A", "Báo B", "Báo C")
    }
