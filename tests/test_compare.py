"""`monitor compare`: labelled queries over the same buckets, one table, one chart, one CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from tests import analysis_corpus as ac
from tests.archive_builder import Item

JSON_KEYS = {"interval", "timezone", "snapshot", "queries", "buckets"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> ac.Corpus:
    return ac.build(tmp_path_factory.mktemp("compare"))


def week_of(item: Item) -> str:
    day = ac.local_day(item)
    return day.fromordinal(day.toordinal() - day.weekday()).isoformat()


def test_json_is_the_contract_and_ratios_are_count_over_total(corpus: ac.Corpus) -> None:
    data = corpus.json(
        "compare",
        "bão",
        "--label",
        "vàng=giá vàng",
        "--label",
        "floods=lũ quét",
        "--interval",
        "week",
    )
    assert set(data) == JSON_KEYS
    assert data["interval"] == "week" and data["timezone"] == "Asia/Ho_Chi_Minh"
    assert data["snapshot"]["max_article_id"] == len(ac.ITEMS)
    assert [q["label"] for q in data["queries"]] == ["bão", "vàng", "floods"]
    assert [set(q) for q in data["queries"]] == [{"label", "query", "total"}] * 3
    totals = Counter(week_of(i) for i in ac.DATED)
    storms = Counter(week_of(i) for i in ac.DATED if "Bão" in i.text)
    for bucket in data["buckets"]:
        assert set(bucket) == {"start", "end", "total", "counts", "ratios"}
        assert bucket["total"] == totals[bucket["start"]]
        assert bucket["counts"]["bão"] == storms[bucket["start"]]
        for label, n in bucket["counts"].items():
            assert bucket["ratios"][label] == pytest.approx(n / bucket["total"])
    for query in data["queries"]:
        assert query["total"] == sum(b["counts"][query["label"]] for b in data["buckets"])


def test_csv_is_one_wide_file_a_row_per_bucket(corpus: ac.Corpus) -> None:
    result = corpus("compare", "bão", "--label", "vàng=giá vàng", "--format", "csv", "--excel")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(
        "\ufeffstart,end,total,bão_count,bão_ratio,vàng_count,vàng_ratio\r\n".encode()
    )
    rows = list(csv.DictReader(io.StringIO(result.output.lstrip("\ufeff"))))
    assert len(rows) == (ac.LAST - ac.FIRST).days + 1  # days by default
    for row in rows:
        assert row["start"] == row["end"]
        assert float(row["vàng_ratio"]) == pytest.approx(int(row["vàng_count"]) / int(row["total"]))


def test_a_query_narrowed_to_other_sources_is_measured_against_them(corpus: ac.Corpus) -> None:
    data = corpus.json("compare", "bão", 'bão source:"Báo B"', "--interval", "month")
    march = data["buckets"][0]
    b_march = [i for i in ac.DATED if i.source == "Báo B" and ac.local_day(i).month == 3]
    assert march["ratios"]['bão source:"Báo B"'] == pytest.approx(
        march["counts"]['bão source:"Báo B"'] / len(b_march)
    )
    table = corpus("compare", "bão", 'bão source:"Báo B"', "--interval", "month").output
    assert "is measured against its own sources" in table


def test_shared_scope_is_the_total(corpus: ac.Corpus) -> None:
    data = corpus.json("compare", 'bão source:"Báo A"', 'giá source:"Báo A"', "--interval", "month")
    a_items = [i for i in ac.DATED if i.source == "Báo A"]
    assert [b["total"] for b in data["buckets"]] == [
        sum(1 for i in a_items if ac.local_day(i).month == m) for m in (3, 4)
    ]
    for bucket in data["buckets"]:
        for label, n in bucket["counts"].items():
            assert bucket["ratios"][label] == pytest.approx(n / bucket["total"])


def test_table_and_chart(corpus: ac.Corpus) -> None:
    out = corpus("compare", "bão", "lũ quét", "--interval", "week", "--since", "2026-03-04").output
    assert "per week; total: all articles" in out
    assert "2026-W10 03-02 *" in out and "* partial" in out
    assert "━━ bão" in out and "━━ lũ quét" in out
    assert any(ch in out for ch in "⠁⠂⠄⡀⢀⠈⠐⠠")  # the braille chart
    assert "corpus snapshot:" in out


def test_saved_searches_are_labelled_by_their_name(corpus: ac.Corpus) -> None:
    assert corpus("searches", "add", "storms", "bão OR lũ").exit_code == 0
    data = corpus.json("compare", "@storms", "--interval", "month")
    assert data["queries"][0]["label"] == "storms"
    assert data["queries"][0]["query"] == "@storms"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bão", "bão"), "two queries are labelled 'bão'"),
        (("--label", "x"), "write NAME=QUERY"),
        (("--label", "=bão"), "letters, digits"),
        ((), "give at least one QUERY"),
    ],
)
def test_label_mistakes_are_usage_errors(
    corpus: ac.Corpus, args: tuple[str, ...], message: str
) -> None:
    result = corpus("compare", *args)
    assert result.exit_code == 2
    assert message in result.output
