"""whoosh engine specifics: a large commit is written in slices, one segment each."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Document, Engine, open_engine, parse
from index.engines import whoosh_engine


def doc(n: int, text: str = "") -> Document:
    return Document(
        f"d{n}", f"https://a.vn/{n}", f"Bài số {n}", text or f"Nội dung bài {n}.", "Tuổi Trẻ"
    )


def ids(engine: Engine, query: str) -> list[str]:
    return sorted(engine.ids(parse(query)))


def test_a_commit_larger_than_a_slice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whoosh_engine, "_SLICE_DOCS", 3)
    engine = open_engine("whoosh", tmp_path / "index")
    try:
        engine.add([doc(1), doc(2)])
        engine.commit()
        # Ten documents (four slices), one replacing a committed document, one given twice,
        # and a deletion of a committed one.
        engine.add([doc(n) for n in range(3, 11)])
        engine.add([doc(2, "Bản sửa đổi."), doc(5, "Bản cuối.")])
        engine.delete(["d1"])
        engine.commit()
        assert engine.doc_count() == 9
        assert ids(engine, "nội dung") == sorted(f"d{n}" for n in (3, 4, 6, 7, 8, 9, 10))
        assert ids(engine, "sửa đổi") == ["d2"]
        assert ids(engine, "bản cuối") == ["d5"]
        assert ids(engine, "*") == sorted(f"d{n}" for n in range(2, 11))
        page = engine.search(parse("bài"), limit=20)
        assert page.total == 9
        assert len({h.id for h in page.hits}) == 9
    finally:
        engine.close()
