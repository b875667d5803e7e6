"""The extraction evaluation gate: scores on tests/fixtures/eval must not fall below their floors.

Floors are the scores measured when they were set, minus one page; raise them when extraction
improves. The scores are printed in the test report (section "extraction scores").
"""

from __future__ import annotations

import html as html_module
import json
from pathlib import Path
from typing import Any

import pytest

from tests.extraction_eval import DIMENSIONS, load_expected, score_corpus

CORPUS = Path(__file__).parent / "fixtures" / "eval"
# passed pages per dimension; measured 30/30, 29/29, 29/29, 29/29, 31/31, 31/31, 31/31, 31/31
FLOORS = {
    "title_exact": 29,
    "lead_kept": 28,
    "date_found": 28,
    "date_exact": 28,
    "body_clean": 30,
    "body_complete": 30,
    "flags_correct": 30,
    "language_correct": 30,
}
OUTLETS_MIN = 12


@pytest.fixture(scope="module")
def scores() -> dict[str, Any]:
    return score_corpus(CORPUS)


def test_scores_stay_above_their_floors(
    scores: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    table = {
        who: {d: f"{s['passed']}/{s['scored']}" for d, s in scores[who].items()}
        for who in ("project", "trafilatura")
    }
    request.node.add_report_section("call", "extraction scores", json.dumps(table, indent=1))
    below = {
        d: scores["project"][d] for d in DIMENSIONS if scores["project"][d]["passed"] < FLOORS[d]
    }
    assert not below, f"below the floor: {json.dumps(below, ensure_ascii=False, indent=1)}"


@pytest.mark.parametrize("dimension", ["title_exact", "lead_kept", "date_exact"])
def test_the_project_beats_bare_trafilatura(scores: dict[str, Any], dimension: str) -> None:
    ours, theirs = scores["project"][dimension], scores["trafilatura"][dimension]
    assert ours["passed"] > theirs["passed"], (dimension, ours, theirs)


@pytest.mark.parametrize("dimension", ["date_found", "body_clean", "body_complete"])
def test_the_project_does_no_worse_than_bare_trafilatura(
    scores: dict[str, Any], dimension: str
) -> None:
    ours, theirs = scores["project"][dimension], scores["trafilatura"][dimension]
    assert ours["passed"] >= theirs["passed"], (dimension, ours, theirs)


def test_the_corpus_is_what_the_scores_claim() -> None:
    """Every page is described, and every passage really is on its page."""
    expected = load_expected(CORPUS)
    files = {e.file for e in expected}
    assert files == {p.name for p in CORPUS.glob("*.html")}
    assert len(files) >= 24
    assert len({e.source for e in expected}) >= OUTLETS_MIN
    assert sum("not_article" in e.flags for e in expected) >= 2
    assert sum(e.language != "vi" for e in expected) >= 2
    for page in expected:
        html = " ".join((CORPUS / page.file).read_text("utf-8").split())
        for passage in (*page.must_contain, *page.must_not_contain, page.lead or "", page.title):
            assert passage is None or passage.replace('"', "") in _unescape(html), (
                page.file,
                passage,
            )


def _unescape(html: str) -> str:
    return html_module.unescape(html).replace('"', "")
