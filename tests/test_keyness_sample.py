"""`monitor keyness` and `monitor sample`, and the corpus snapshot every analysis names."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from monitor.report.keyness import keyness, log_likelihood, log_ratio, p_value
from monitor.report.sample import draw
from monitor.report.terms import count_terms
from tests import analysis_corpus as ac
from tests.archive_builder import Item

# --- the statistics, against figures computed by hand ------------------------------------------


def test_log_likelihood_of_a_two_by_two_table() -> None:
    # a = 10 of 1,000 tokens in A, b = 5 of 4,000 in B: E = 3 and 12 for the term, 997 and
    # 3,988 for the rest; G² = 2 Σ O ln(O/E).
    expected = 2 * (
        10 * math.log(10 / 3) + 5 * math.log(5 / 12) + 990 * math.log(990 / 997)
    ) + 2 * 3995 * math.log(3995 / 3988)
    assert log_likelihood(10, 5, 1000, 4000) == pytest.approx(expected)
    assert log_likelihood(5, 10, 4000, 1000) == pytest.approx(-expected)  # more frequent in B
    assert log_likelihood(4, 16, 1000, 4000) == pytest.approx(0.0)  # the same rate
    assert p_value(3.841459) == pytest.approx(0.05, abs=1e-6)
    assert p_value(10.827566) == pytest.approx(0.001, abs=1e-7)


def test_log_ratio_is_base_2_with_zero_counts_as_half() -> None:
    assert log_ratio(20, 10, 1000, 1000) == pytest.approx(1.0)
    assert log_ratio(10, 20, 1000, 1000) == pytest.approx(-1.0)
    assert log_ratio(8, 0, 1000, 1000) == pytest.approx(math.log2(8 / 0.5))


def test_keyness_ranks_terms_over_represented_in_a_with_stopwords_out() -> None:
    a = count_terms(["Bão số 3 đổ bộ, bão gây mưa lớn và lũ.", "Bão mạnh và mưa to."])
    b = count_terms(["Giá vàng tăng và mưa nhỏ.", "Giá vàng giảm."])
    words = keyness(a[0], b[0], top=10, min_count=2)
    assert [k.term for k in words] == ["bão", "mưa"][: len(words)]
    top = words[0]
    assert (top.term, top.count_a, top.docs_a, top.count_b, top.docs_b) == ("bão", 3, 2, 0, 0)
    assert top.g2 > 0 and top.log_ratio > 0 and 0 < top.p < 0.1
    # "và" is a function word: never counted.
    assert "và" not in a[0].counts
    assert all(k.term != "giá" for k in words)  # over-represented in B, not A


# --- through the CLI ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> ac.Corpus:
    return ac.build(tmp_path_factory.mktemp("keyness"))


def test_keyness_of_two_queries(corpus: ac.Corpus) -> None:
    data = corpus.json("keyness", 'source:"Báo A"', 'source:"Báo C"', "--top", "30")
    assert set(data) >= {"query_a", "query_b", "reference", "snapshot", "a", "b", "words"}
    assert data["reference"] == "query"
    assert data["a"]["articles"] == sum(1 for i in ac.ARTICLES if i.source == "Báo A")
    words = [w["word"] for w in data["words"]]
    assert words[0] == "bão" and "quét" not in words  # C's flash floods are not A's
    for row in data["words"]:
        assert set(row) == {
            "word",
            "count_a",
            "docs_a",
            "count_b",
            "docs_b",
            "g2",
            "p",
            "log_ratio",
        }
        assert row["g2"] > 0 and row["log_ratio"] > 0
    phrases = [p["phrase"] for p in data["phrases"]]
    assert "miền trung" in phrases


def test_keyness_against_the_rest_and_its_csv(corpus: ac.Corpus) -> None:
    data = corpus.json("keyness", '"lũ quét"', "--reference", "--top", "3")
    assert data["reference"] == "rest" and data["query_b"] is None
    assert data["a"]["articles"] + data["b"]["articles"] == len(ac.ARTICLES)
    assert data["words"][0]["word"] == "quét"
    result = corpus("keyness", '"lũ quét"', "--reference", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == [
        "kind",
        "term",
        "count_a",
        "docs_a",
        "count_b",
        "docs_b",
        "g2",
        "p",
        "log_ratio",
    ]
    assert {row["kind"] for row in rows} == {"word", "phrase"}
    table = corpus("keyness", '"lũ quét"', "--reference").output
    assert "over-represented in A" in table and "the rest of the archive" in table


def test_keyness_reads_a_seeded_sample_of_a_large_side(corpus: ac.Corpus) -> None:
    once = corpus.json("keyness", "giá", "--reference", "--sample", "20")
    again = corpus.json("keyness", "giá", "--reference", "--sample", "20")
    assert once["a"]["sampled"] == 20 < once["a"]["articles"]
    assert once["words"] == again["words"]


def test_keyness_needs_b_or_reference(corpus: ac.Corpus) -> None:
    for args in (("bão",), ("bão", "giá", "--reference")):
        result = corpus("keyness", *args)
        assert result.exit_code == 2 and "QUERY_B or --reference" in result.output


def test_draw_is_uniform_order_free_and_reproducible() -> None:
    ids = list(range(1, 101))
    first = draw(ids, 10, 7)
    assert draw(list(reversed(ids)), 10, 7) == first  # whatever order the index gave
    assert len(set(first)) == 10 and draw(ids, 10, 8) != first
    assert draw(ids, 3, 7) == first[:3]  # a smaller sample is the start of a larger one
    assert sorted(draw(ids[:5], 10, 7)) == ids[:5]


def test_sample_is_the_same_for_the_same_seed(corpus: ac.Corpus) -> None:
    one = corpus.json("sample", "bão", "--n", "5", "--seed", "7")
    assert set(one) == {"query", "seed", "n", "population", "snapshot", "articles"}
    assert one["population"] == sum(1 for i in ac.ARTICLES if "Bão" in i.text)
    ids = [a["id"] for a in one["articles"]]
    assert len(set(ids)) == 5
    assert [
        a["id"] for a in corpus.json("sample", "bão", "--n", "5", "--seed", "7")["articles"]
    ] == ids
    assert [
        a["id"] for a in corpus.json("sample", "bão", "--n", "5", "--seed", "8")["articles"]
    ] != ids
    jsonl = corpus("sample", "bão", "--n", "5", "--seed", "7", "--format", "jsonl")
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["id"] for r in rows] == ids and "text" in rows[0] and "feeds" in rows[0]
    assert "5 of" in jsonl.stderr and "seed 7" in jsonl.stderr
    table = corpus("sample", "bão", "--n", "5", "--seed", "7", "--format", "csv", "--no-text")
    assert table.stdout.startswith("id,url,canonical_url,source,feeds,title")
    assert "text" not in table.stdout.splitlines()[0].split(",")


def test_sample_without_a_seed_prints_the_one_it_drew_with(corpus: ac.Corpus) -> None:
    out = corpus("sample", "--n", "2").output
    assert "drawn with seed" in out


def test_every_analysis_recomputes_its_snapshot(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Numbers taken at one snapshot come out the same with --snapshot after the archive grew."""
    corpus = ac.build(tmp_path_factory.mktemp("snapshot"))
    runs = {
        "report": ("report", "bão", "--interval", "week", "--by", "tag"),
        "compare": ("compare", "bão", "giá", "--interval", "week"),
        "kwic": ("kwic", "bão", "--limit", "0"),
        "keyness": ("keyness", "bão", "--reference"),
        "sample": ("sample", "bão", "--n", "10", "--seed", "3"),
    }
    before = {name: corpus.json(*args) for name, args in runs.items()}
    snapshot = before["report"]["snapshot"]
    assert all(data["snapshot"] == snapshot for data in before.values())
    later = ac.at(ac.LAST, 9)
    corpus.builder.store(
        Item("Báo A", f"Bão mới {n}", ac.STORM, later, (ac.A_FEED,)) for n in range(5)
    )
    assert corpus("reindex").exit_code == 0
    max_id = str(snapshot["max_article_id"])
    for name, args in runs.items():
        now = corpus.json(*args)
        assert now != before[name], name  # the archive grew …
        assert corpus.json(*args, "--snapshot", max_id) == before[name], name  # … not this corpus
