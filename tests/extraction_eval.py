"""Extraction scored on a folder of pages described by its `expected.toml`.

`score_corpus(directory)` extracts every page with the project's `extract_article` and with bare
`trafilatura.bare_extraction` (default settings, as a new user would call it) and counts, per
dimension, the pages that pass:

* title_exact: the title equals the printed headline
* lead_kept: the lead paragraph ("sapo") is in the text
* date_found: the day of the publication date shown on the page was found (Vietnam time)
* date_exact: the shown publication time was found to the minute (trafilatura gives days only,
  so it passes only where the page shows no time of day)
* body_clean: none of the boilerplate passages is in the text, and the text does not open
  with the headline again (that is the title)
* body_complete: every must-contain passage is in the text
* flags_correct: the quality flags are exactly the expected ones (project only)
* language_correct: detected and declared languages are the expected ones (project only)

Passages are compared with whitespace squashed. Used by tests/test_extraction_eval.py and
bench/extraction_eval.py.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import trafilatura

from monitor.extract.article import decode_html, extract_article
from monitor.models import Article, FeedHints
from monitor.timestamps import VIETNAM

# Far after every page's date, so that no page date counts as "in the future".
FETCHED_AT = datetime(2030, 1, 1, tzinfo=UTC)
DIMENSIONS = (
    "title_exact",
    "lead_kept",
    "date_found",
    "date_exact",
    "body_clean",
    "body_complete",
    "flags_correct",
    "language_correct",
)
BASELINE_DIMENSIONS = DIMENSIONS[:6]


@dataclass(frozen=True)
class Expected:
    file: str
    url: str
    source: str
    title: str | None
    published: datetime | None
    lead: str | None
    must_contain: tuple[str, ...]
    must_not_contain: tuple[str, ...]
    flags: tuple[str, ...]
    language: str
    declared_language: str | None


@dataclass(frozen=True)
class Outcome:
    """What one extractor produced for one page, reduced to what is scored."""

    title: str | None
    text: str
    published: datetime | date | None
    flags: tuple[str, ...] | None = None
    language: str | None = None
    declared_language: str | None = None


def load_expected(directory: Path) -> list[Expected]:
    with (directory / "expected.toml").open("rb") as f:
        pages = tomllib.load(f)["page"]
    return [
        Expected(
            file=page["file"],
            url=page["url"],
            source=page["source"],
            title=page.get("title"),
            published=None if page["date"] == "none" else page["date"],
            lead=None if page["lead"] == "none" else page["lead"],
            must_contain=tuple(page["must_contain"]),
            must_not_contain=tuple(page["must_not_contain"]),
            flags=tuple(sorted(page["flags"])),
            language=page["language"],
            declared_language=_none(page["declared_language"]),
        )
        for page in pages
    ]


def project_outcome(body: bytes, expected: Expected) -> Outcome:
    article: Article = extract_article(
        body,
        url=expected.url,
        content_type="text/html",
        hints=FeedHints(source=expected.source),
        fetched_at=FETCHED_AT,
    )
    return Outcome(
        title=article.title,
        text=article.text,
        published=article.published,
        flags=article.flags,
        language=article.language,
        declared_language=article.declared_language,
    )


def trafilatura_outcome(body: bytes, expected: Expected) -> Outcome:
    document = trafilatura.bare_extraction(
        decode_html(body, "text/html"), url=expected.url, with_metadata=True
    )
    data: dict[str, Any] = {}
    if document is not None:
        data = document if isinstance(document, dict) else document.as_dict()
    day = data.get("date")
    return Outcome(
        title=data.get("title"),
        text=data.get("text") or "",
        published=date.fromisoformat(day) if day else None,
    )


def score_corpus(directory: Path | str) -> dict[str, Any]:
    """Scores of the project and of bare trafilatura on the pages in `directory`.

    {"pages": N, "project": {dimension: {"passed", "scored", "failures"}}, "trafilatura": {…},
    "seconds": {"project", "trafilatura"}}; `failures` names the page and what went wrong.
    """
    directory = Path(directory)
    expectations = load_expected(directory)
    bodies = {e.file: (directory / e.file).read_bytes() for e in expectations}
    result: dict[str, Any] = {"pages": len(expectations), "seconds": {}}
    runs: list[tuple[str, Callable[[bytes, Expected], Outcome], tuple[str, ...]]] = [
        ("project", project_outcome, DIMENSIONS),
        ("trafilatura", trafilatura_outcome, BASELINE_DIMENSIONS),
    ]
    for name, extract, dimensions in runs:
        scores: dict[str, dict[str, Any]] = {
            d: {"passed": 0, "scored": 0, "failures": []} for d in dimensions
        }
        started = time.perf_counter()
        outcomes = [(e, extract(bodies[e.file], e)) for e in expectations]
        result["seconds"][name] = round(time.perf_counter() - started, 3)
        for expected, outcome in outcomes:
            for dimension in dimensions:
                verdict = _judge(dimension, expected, outcome)
                if verdict is None:
                    continue
                score = scores[dimension]
                score["scored"] += 1
                if verdict == "":
                    score["passed"] += 1
                else:
                    score["failures"].append(f"{expected.file}: {verdict}")
        result[name] = scores
    return result


def _judge(dimension: str, expected: Expected, outcome: Outcome) -> str | None:
    """None when the dimension does not apply to the page, "" when it passes, else why not."""
    text = _squash(outcome.text)
    if dimension == "title_exact":
        if expected.title is None:
            return None
        return "" if outcome.title == expected.title else f"title {outcome.title!r}"
    if dimension == "lead_kept":
        if expected.lead is None:
            return None
        return "" if _squash(expected.lead) in text else "lead missing"
    if dimension in ("date_found", "date_exact"):
        if expected.published is None:
            return None
        return _judge_date(expected.published, outcome.published, exact=dimension == "date_exact")
    if dimension == "body_clean":
        present = [p for p in expected.must_not_contain if _squash(p) in text]
        if present:
            return f"boilerplate kept: {present}"
        first = _squash(outcome.text.strip().split("\n", 1)[0])
        repeated = expected.title is not None and first.casefold() == expected.title.casefold()
        return "headline repeated in the text" if repeated else ""
    if dimension == "body_complete":
        missing = [p for p in expected.must_contain if _squash(p) not in text]
        return f"passages missing: {missing}" if missing else ""
    if dimension == "flags_correct":
        return "" if outcome.flags == expected.flags else f"flags {outcome.flags}"
    if dimension == "language_correct":
        found = (outcome.language, outcome.declared_language)
        wanted = (expected.language, expected.declared_language)
        return "" if found == wanted else f"language, declared {found}"
    raise ValueError(dimension)


def _judge_date(wanted: datetime, found: datetime | date | None, *, exact: bool) -> str:
    if found is None:
        return "no date"
    if isinstance(found, datetime):
        ok = found == wanted if exact else found.astimezone(VIETNAM).date() == _day(wanted)
    else:
        ok = not exact and found == _day(wanted)
    return "" if ok else f"date {found.isoformat()}"


def _day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


def _squash(text: str) -> str:
    return " ".join(text.split())


def _none(value: str) -> str | None:
    return None if value == "none" else value
