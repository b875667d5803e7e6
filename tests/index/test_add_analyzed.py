"""Documents analysed elsewhere (`analyze_documents`, on a Dask worker, say) and added with
`add_analyzed` make the same index as `add` of the documents themselves, in every engine."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from index import ENGINES, Engine, analyze_documents, open_engine
from tests.index.test_conformance import DOCS, q

QUERIES = ("hoà bình", "thuỷ điện -sơn", "bão OR lũ", '"hoà bình"', "source:vnexpress", "*")


def both(name: str, tmp_path: Path) -> tuple[Engine, Engine]:
    plain, analysed = (open_engine(name, tmp_path / kind) for kind in ("plain", "analysed"))
    plain.add(DOCS)
    # Through pickle, as a worker sends them back.
    analysed.add_analyzed(pickle.loads(pickle.dumps(analyze_documents(list(DOCS)))))
    for engine in (plain, analysed):
        engine.commit()
    return plain, analysed


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_added_analysed_is_the_same_index(name: str, tmp_path: Path) -> None:
    plain, analysed = both(name, tmp_path)
    try:
        assert analysed.doc_count() == plain.doc_count() == len(DOCS)
        for text in QUERIES:
            query = q(text)
            assert analysed.search(query, limit=50) == plain.search(query, limit=50), text
            assert analysed.counts(query) == plain.counts(query), text
            assert analysed.label_counts(query, "tag") == plain.label_counts(query, "tag")
    finally:
        plain.close()
        analysed.close()
