"""`monitor kwic`: the query's words in context, Vietnamese-aware like search."""

from __future__ import annotations

import csv
import io
import json

import pytest

from index.query import parse
from monitor.report.collation import vietnamese_key
from monitor.report.kwic import contexts
from tests import analysis_corpus as ac

TEXT = (
    "Sáng 22/11, người dân xã Hoà Bình được khám bệnh. Bà Hoa (72 tuổi) nói: "
    "“Mong sớm trở lại hòa bình,\tyên ổn”.\nTin từ HÒA BÌNH."
)


def lines(query: str, window: int = 3, text: str = TEXT) -> list[tuple[str, str, str]]:
    return list(contexts(text, parse(query), window))


def test_a_phrase_is_one_keyword_found_in_every_tone_placement_and_case() -> None:
    assert lines('"hoà bình"') == [
        ("người dân xã", "Hoà Bình", "được khám bệnh"),
        ("sớm trở lại", "hòa bình", ", yên ổn”. Tin"),
        ("ổn”. Tin từ", "HÒA BÌNH", "."),
    ]


def test_words_are_folded_unless_exact() -> None:
    # "hoa" folded finds hoà, hòa, HÒA and the name Hoa; =hoà only the new-style spelling
    # (tone placement is unified: hòa is hoà), not Hoa.
    folded = [k for _p, k, _n in lines("hoa", window=0)]
    assert folded == ["Hoà", "Hoa", "hòa", "HÒA"]
    assert [k for _p, k, _n in lines("=hoà", window=0)] == ["Hoà", "hòa", "HÒA"]
    assert [k for _p, k, _n in lines("hoa", window=0, text="bông hoa") if k] == ["hoa"]


def test_the_window_counts_words_and_keeps_the_punctuation_between() -> None:
    ((pre, keyword, post),) = lines("tuổi", window=2)
    assert (pre, keyword, post) == ("Hoa (72", "tuổi", ") nói: “Mong")
    # Fewer words than the window at the ends of the text: what there is.
    ((pre, keyword, post),) = lines("sáng", window=4)
    assert (pre, keyword, post) == ("", "Sáng", "22/11, người dân")


def test_excluded_words_and_metadata_fields_are_no_keywords() -> None:
    assert [k for _p, k, _n in lines('bình -hoa source:"Báo A" tag:x', window=0)] == [
        "Bình",
        "bình",
        "BÌNH",
    ]


def test_lines_are_single_lines_without_control_characters() -> None:
    ((pre, _k, post),) = lines("yên", window=3, text="một\x1b hai\nba yên bốn\tnăm\x07 sáu")
    assert (pre, post) == ("một hai ba", "bốn năm sáu")


def test_vietnamese_alphabetical_order() -> None:
    words = ["đi", "di", "ăn", "an", "ân", "bạn", "bán", "ban", "ba", "ba bà", "bà", "ưu", "uống"]
    assert sorted(words, key=vietnamese_key) == [
        "an",
        "ăn",
        "ân",
        "ba",
        "ba bà",
        "bà",
        "ban",
        "bán",
        "bạn",
        "di",
        "đi",
        "uống",
        "ưu",
    ]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> ac.Corpus:
    return ac.build(tmp_path_factory.mktemp("kwic"))


def test_newest_articles_first_and_the_limit(corpus: ac.Corpus) -> None:
    data = corpus.json("kwic", '"lũ quét"', "--limit", "5", "--window", "2")
    assert set(data["lines"][0]) == {"id", "date", "source", "pre", "keyword", "post"}
    assert len(data["lines"]) == 5 and data["more"] is True
    dates = [line["date"] for line in data["lines"]]
    assert dates == sorted(dates, reverse=True)
    assert data["lines"][0]["date"] == "2026-04-24T12:00:00+07:00"
    assert data["lines"][0]["keyword"] == "Lũ quét"
    assert data["lines"][0]["post"] == "ở vùng"
    assert data["articles"] == sum(1 for i in ac.ARTICLES if "Lũ quét" in i.text)
    everything = corpus.json("kwic", '"lũ quét"', "--limit", "0")
    # Two occurrences in every flood article, none in titles.
    assert len(everything["lines"]) == 2 * everything["articles"] and not everything["more"]


def test_sorted_by_the_word_left_or_right_of_the_keyword(corpus: ac.Corpus) -> None:
    left = corpus.json("kwic", "vàng", "--sort", "left", "--limit", "0", "--window", "1")
    pres = [line["pre"] for line in left["lines"]]
    assert pres == sorted(pres, key=lambda p: vietnamese_key(p.lower()))
    assert {p.lower() for p in pres} == {"giá"}
    right = corpus.json("kwic", "vàng", "--sort", "right", "--limit", "0", "--window", "1")
    posts = [line["post"] for line in right["lines"]]
    assert posts == sorted(posts, key=vietnamese_key)
    assert posts[0] == "miếng" and posts[-1] == "trong"


def test_tsv_csv_and_table(corpus: ac.Corpus) -> None:
    tsv = corpus("kwic", '"lũ quét"', "--limit", "3", "--format", "tsv", "--excel")
    assert tsv.output.startswith("\ufeffid\tdate\tsource\tpre\tkeyword\tpost\n")
    assert len(tsv.output.splitlines()) == 4
    rows = list(csv.DictReader(io.StringIO(corpus("kwic", "bão", "--format", "csv").output)))
    assert rows and all(row["keyword"] == "Bão" for row in rows)
    table = corpus("kwic", "bão", "--limit", "2").output
    assert "2 lines of 'bão' in context" in table and "corpus snapshot" in table


def test_a_query_without_words_is_refused(corpus: ac.Corpus) -> None:
    result = corpus("kwic", 'source:"Báo A"')
    assert result.exit_code == 2 and "no words or phrases" in result.output


def test_non_articles_are_left_out_unless_asked(corpus: ac.Corpus) -> None:
    def ids(*extra: str) -> set[int]:
        result = corpus("kwic", "bão", "--limit", "0", "--format", "json", *extra)
        return {line["id"] for line in json.loads(result.output)["lines"]}

    flagged = ac.ITEMS.index(next(i for i in ac.ITEMS if i.flags)) + 1
    assert flagged not in ids()
    assert flagged in ids("--include-non-articles")
