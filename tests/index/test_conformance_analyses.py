"""What analyses ask of every engine: id ranges (snapshots), ids read fast, counts by label.

Same suite for every engine, on a small corpus with numeric ids (as the application's are),
one id that is no number, documents carrying several tags or none, an undated one, and a
document deleted after it was committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from index import ENGINES, Document, Engine, EngineError, open_engine
from index.engine import discard_index
from index.engines.directory import MARKER
from index.query import And, IdRange, MatchAll, Not, Term, label_value, parse, to_text

NAMES = sorted(ENGINES)


def doc(doc_id: str, day: int | None, hour: int = 8, *tags: str, source: str = "Báo A") -> Document:
    published = None if day is None else datetime(2026, 3, day, hour, tzinfo=UTC)
    return Document(
        doc_id,
        f"https://bao.vn/{doc_id}.html",
        f"Bài {doc_id}",
        "Mưa lớn ở miền Trung." if doc_id.isdigit() else "Tin khác.",
        source,
        published,
        "vi",
        labels=(*(("tag", t) for t in tags), ("flag", "short")),
    )


DOCS = [
    doc("1", 1, 8, "Báo quốc gia", "thời sự"),
    doc("2", 1, 20, "Báo quốc gia"),  # 20:00 UTC is 03:00 the next day at UTC+7
    doc("3", 2, 8, "thời sự", source="Báo B"),
    doc("4", 3, 8),
    doc("5", None, 8, "Báo quốc gia"),
    doc("10", 4, 8, "địa phương", source="Báo B"),
    doc("11", 5, 8, "địa phương"),  # deleted below
    doc("note", 6, 8, "Báo quốc gia"),  # an id that is no number
]


@pytest.fixture(scope="module", params=NAMES)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    e = open_engine(request.param, tmp_path_factory.mktemp(request.param) / "index")
    # Two commits and a deletion: counts must read across segments and skip deleted documents.
    e.add(DOCS[:4])
    e.commit()
    e.add(DOCS[4:])
    e.commit()
    e.delete(["11"])
    e.commit()
    yield e
    e.close()


def test_ids_come_back_as_given(engine: Engine) -> None:
    assert sorted(engine.ids(MatchAll())) == sorted(["1", "2", "3", "4", "5", "10", "note"])
    assert sorted(engine.ids(parse('tag:"địa phương" OR tag:"thời sự"'))) == ["1", "10", "3"]


def test_id_range_is_inclusive_and_numeric(engine: Engine) -> None:
    def ids(node: IdRange) -> list[str]:
        found = engine.ids(And((MatchAll(), node)))
        assert engine.count(And((MatchAll(), node))) == len(found)
        return sorted(found, key=int)

    assert ids(IdRange(high=3)) == ["1", "2", "3"]
    assert ids(IdRange(low=4)) == ["4", "5", "10"]
    assert ids(IdRange(low=2, high=4)) == ["2", "3", "4"]
    # 10 is above 4 as a number, below it as text.
    assert ids(IdRange(high=9)) == ["1", "2", "3", "4", "5"]
    assert ids(IdRange(low=5, high=4)) == []
    assert ids(IdRange(low=-3, high=1)) == ["1"]
    assert ids(IdRange()) == ["1", "2", "3", "4", "5", "10"]


def test_id_range_combines_with_words_negation_and_counts(engine: Engine) -> None:
    query = And((parse('tag:"báo quốc gia"'), IdRange(high=4)))
    assert sorted(engine.ids(query)) == ["1", "2"]
    assert sorted(engine.ids(And((MatchAll(), Not(IdRange(high=4)))))) == ["10", "5", "note"]
    counts = engine.counts(And((MatchAll(), IdRange(high=5))))
    assert (counts.total, counts.undated) == (5, 1)
    assert counts.by_source == {"Báo A": 4, "Báo B": 1}


def test_an_id_range_has_no_query_syntax() -> None:
    with pytest.raises(ValueError):
        to_text(And((Term("mưa"), IdRange(high=3))))


def test_label_counts_count_a_document_once_per_value(engine: Engine) -> None:
    national, news, local = (label_value(v) for v in ("Báo quốc gia", "thời sự", "địa phương"))
    assert (national, news, local) == ("bao_quoc_gia", "thoi_su", "dia_phuong")
    c = engine.label_counts(MatchAll(), "tag")
    assert c.by_value == {national: 4, news: 2, local: 1}
    assert (c.total, c.undated, c.unlabelled) == (7, 1, 1)
    assert c.by_day == {
        date(2026, 3, 1): 2,
        date(2026, 3, 2): 1,
        date(2026, 3, 3): 1,
        date(2026, 3, 4): 1,
        date(2026, 3, 6): 1,
    }
    assert c.by_value_day == {
        (national, date(2026, 3, 1)): 2,
        (national, date(2026, 3, 6)): 1,
        (news, date(2026, 3, 1)): 1,
        (news, date(2026, 3, 2)): 1,
        (local, date(2026, 3, 4)): 1,
    }


def test_label_counts_follow_the_query_and_the_utc_offset(engine: Engine) -> None:
    c = engine.label_counts(parse("mưa"), "tag", utc_offset=timedelta(hours=7))
    assert (c.total, c.undated, c.unlabelled) == (6, 1, 1)
    assert c.by_value == {"bao_quoc_gia": 3, "thoi_su": 2, "dia_phuong": 1}
    # Document 2 (20:00 UTC on the 1st) is on the 2nd at UTC+7.
    assert c.by_value_day[("bao_quoc_gia", date(2026, 3, 1))] == 1
    assert c.by_value_day[("bao_quoc_gia", date(2026, 3, 2))] == 1
    flags = engine.label_counts(parse("mưa"), "flag")
    assert flags.by_value == {"short": 6} and flags.unlabelled == 0
    none = engine.label_counts(parse("khôngcótừnày"), "tag")
    assert (none.total, none.by_value, none.by_value_day, none.unlabelled) == (0, {}, {}, 0)


def test_label_counts_of_a_field_no_document_carries(engine: Engine) -> None:
    c = engine.label_counts(MatchAll(), "status")
    assert (c.total, c.by_value, c.unlabelled) == (7, {}, 7)


@pytest.mark.parametrize("name", NAMES)
def test_label_counts_day_by_day_past_the_bucket_limit(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    e = open_engine(name, tmp_path / "index")
    try:
        e.add(DOCS)
        e.commit()
        expected = e.label_counts(MatchAll(), "tag", utc_offset=timedelta(hours=7))
        if name == "tantivy":
            from index.engines import tantivy_counts

            monkeypatch.setattr(tantivy_counts, "_BUCKET_LIMIT", 5)
        assert e.label_counts(MatchAll(), "tag", utc_offset=timedelta(hours=7)) == expected
    finally:
        e.close()


@pytest.mark.parametrize("name", NAMES)
def test_discard_index_deletes_only_an_index(name: str, tmp_path: Path) -> None:
    path = tmp_path / "index"
    e = open_engine(name, path)
    e.add(DOCS[:2])
    e.commit()
    e.close()
    discard_index(path)
    assert not path.exists()
    discard_index(path)  # nothing there: nothing to do
    other = tmp_path / "papers"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(EngineError, match="not deleting"):
        discard_index(other)
    assert (other / "notes.txt").exists() and not (other / MARKER).exists()
