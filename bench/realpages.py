"""Extraction scored on real pages that nobody on the project wrote, beside bare trafilatura.

Two corpora, laid out as ../shared/corpus/realpages holds them:

* `trafilatura_eval/`: trafilatura's own evaluation set (990 pages in many languages), each with
  segments that must and must not be in the main text. Counted exactly as trafilatura's
  tests/eval_common.py counts: whitespace normalised in both strings, per page tp = "with"
  segments found, fn = "with" missing, fp = "without" found, summed over pages; a crash or an
  empty text misses every "with" segment.
* `vn_dev/`: real Vietnamese pages with `truth.json`: per article the headline as shown, the
  lead, the day shown (Vietnam time), passages the body must and must not hold; listing and home
  pages must be flagged `not_article` (bare trafilatura "flags" a page by returning nothing).

Both extractors get the page's bytes, as they came off the network. The project is
`monitor.extract.extract_article` (with `steps`, for the ablation); bare trafilatura is
`trafilatura.extract(html, include_comments=False, include_tables=True)` for the text and
`bare_extraction(..., with_metadata=True)` for headline and date, as a new user would call it.
"""

from __future__ import annotations

import gzip
import json
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import trafilatura

from monitor.errors import ExtractError
from monitor.extract.article import STEPS, extract_article
from monitor.models import FeedHints

# Far after every page's date, so that no page date counts as "in the future".
FETCHED_AT = datetime(2030, 1, 1, tzinfo=UTC)
VIETNAM = timezone(timedelta(hours=7))
LEAD_PREFIX_CHARS = 40
WHO = ("project", "trafilatura")
VN_FIELDS = ("headline", "lead", "day", "body_complete", "body_clean")


@dataclass(frozen=True)
class Page:
    """One page to extract: its bytes and what the corpus says about it."""

    corpus: str
    name: str
    url: str
    body: bytes
    truth: dict[str, Any]


@dataclass(frozen=True)
class Result:
    """What one extractor made of one page, reduced to what is scored."""

    text: str
    title: str | None = None
    day: date | None = None
    not_article: bool = False
    crashed: str | None = None


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    seconds: float = 0.0
    crashes: int = 0
    pages_losing_two: int = 0

    def as_dict(self) -> dict[str, Any]:
        tp, fp, fn = self.tp, self.fp, self.fn
        return {
            "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
            "f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "crashes": self.crashes,
            "pages_losing_two_or_more": self.pages_losing_two,
            "seconds": round(self.seconds, 1),
        }


@dataclass
class VnScores:
    passed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VN_FIELDS, 0))
    scored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VN_FIELDS, 0))
    flagged: int = 0
    non_articles: int = 0
    articles_flagged: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **{f: [self.passed[f], self.scored[f]] for f in VN_FIELDS},
            "not_article": [self.flagged, self.non_articles],
            "articles_flagged": self.articles_flagged,
            "seconds": round(self.seconds, 1),
        }


def normalise(text: str) -> str:
    """NFC with whitespace collapsed: how every passage and text is compared."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def trafilatura_eval_pages(root: Path) -> list[Page]:
    records = json.loads((root / "evaldata.json").read_text("utf-8"))
    return [
        Page(
            "trafilatura_eval",
            record["file"],
            url,
            gzip.decompress((root / "pages" / record["file"]).read_bytes()),
            record,
        )
        for url, record in records.items()
    ]


def vn_dev_pages(root: Path) -> list[Page]:
    records = json.loads((root / "truth.json").read_text("utf-8"))
    return [
        Page(
            "vn_dev",
            record["file"],
            # A page saved without its address gets one of the outlet's article form.
            record["url"] or f"https://{record['outlet']}.vn/{Path(record['file']).stem}.html",
            (root / record["file"]).read_bytes(),
            record,
        )
        for record in records
    ]


def project(page: Page, steps: frozenset[str] = STEPS) -> Result:
    source = page.truth.get("outlet") if page.corpus == "vn_dev" else None
    try:
        article = extract_article(
            page.body,
            url=page.url,
            content_type=None,
            hints=FeedHints(source=source),
            fetched_at=FETCHED_AT,
            steps=steps,
        )
    except ExtractError:
        return Result("")
    except Exception as exc:  # a crash is scored as a full miss, and counted
        return Result("", crashed=f"{type(exc).__name__}: {exc}")
    published = article.published
    return Result(
        article.text,
        article.title,
        published.astimezone(VIETNAM).date() if published else None,
        "not_article" in article.flags,
    )


def bare_trafilatura(page: Page) -> Result:
    try:
        if page.corpus == "trafilatura_eval":
            text = trafilatura.extract(page.body, include_comments=False, include_tables=True)
            return Result(text or "")
        document = trafilatura.bare_extraction(
            page.body,
            url=page.url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
        )
    except Exception as exc:
        return Result("", crashed=f"{type(exc).__name__}: {exc}")
    if document is None:
        return Result("", not_article=True)
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    day = data.get("date")
    return Result(
        data.get("text") or "",
        data.get("title"),
        date.fromisoformat(day[:10]) if day else None,
        not_article=not (data.get("text") or "").strip(),
    )


def _run_one(args: tuple[str, Page, frozenset[str]]) -> tuple[str, float, Result]:
    who, page, steps = args
    started = time.perf_counter()
    result = project(page, steps) if who == "project" else bare_trafilatura(page)
    return page.name, time.perf_counter() - started, result


def run_all(
    who: str, pages: list[Page], steps: frozenset[str], jobs: int
) -> Iterator[tuple[Page, float, Result]]:
    """Each page's result, with the seconds its extraction took, in the pages' order."""
    by_name = {p.name: p for p in pages}
    work: Iterable[tuple[str, Page, frozenset[str]]] = ((who, p, steps) for p in pages)
    if jobs <= 1:
        results: Iterable[tuple[str, float, Result]] = map(_run_one, work)
        for name, seconds, result in results:
            yield by_name[name], seconds, result
        return
    with ProcessPoolExecutor(jobs) as pool:
        for name, seconds, result in pool.map(_run_one, work, chunksize=8):
            yield by_name[name], seconds, result


def score_segments(
    results: Iterable[tuple[Page, float, Result]], misses: Callable[[str, list[str]], None]
) -> Counts:
    """Segments found and missed, counted as trafilatura's eval counts them; `misses` is told
    each page's address and the segments it missed."""
    counts = Counts()
    for page, seconds, result in results:
        counts.seconds += seconds
        counts.crashes += result.crashed is not None
        text = normalise(result.text)
        missed = [w for w in page.truth["with"] if not (text and normalise(w) in text)]
        counts.tp += len(page.truth["with"]) - len(missed)
        counts.fn += len(missed)
        counts.fp += sum(bool(text) and normalise(w) in text for w in page.truth["without"])
        counts.pages_losing_two += len(missed) >= 2
        if missed:
            misses(page.url, missed)
    return counts


def score_vietnamese(results: Iterable[tuple[Page, float, Result]]) -> VnScores:
    scores = VnScores()
    for page, seconds, result in results:
        scores.seconds += seconds
        truth = page.truth
        if truth["kind"] != "article":
            scores.non_articles += 1
            scores.flagged += result.not_article
            if not result.not_article:
                scores.failures.append(f"{page.name}: not flagged as not_article")
            continue
        scores.articles_flagged += result.not_article
        if result.not_article:
            scores.failures.append(f"{page.name}: article flagged not_article")
        for name, verdict in _vn_verdicts(truth, result).items():
            if verdict is None:
                continue
            scores.scored[name] += 1
            if verdict:
                scores.failures.append(f"{page.name}: {name}: {verdict}")
            else:
                scores.passed[name] += 1
    return scores


def _vn_verdicts(truth: dict[str, Any], result: Result) -> dict[str, str | None]:
    """Per field: None when the page has no truth for it, "" when it passes, else why not."""
    text = normalise(result.text)
    verdicts: dict[str, str | None] = dict.fromkeys(VN_FIELDS)
    if truth["title"]:
        title = normalise(result.title or "")
        verdicts["headline"] = "" if title == normalise(truth["title"]) else f"title {title!r}"
    if truth["lead"]:
        prefix = normalise(truth["lead"])[:LEAD_PREFIX_CHARS]
        verdicts["lead"] = "" if prefix in text else "lead missing"
    if truth["published"]:
        day = datetime.fromisoformat(truth["published"]).astimezone(VIETNAM).date()
        verdicts["day"] = "" if result.day == day else f"day {result.day}"
    missing = [p for p in truth["must_contain"] if normalise(p) not in text]
    verdicts["body_complete"] = f"missing {missing}" if missing else ""
    kept = [p for p in truth["must_not_contain"] if normalise(p) in text]
    verdicts["body_clean"] = f"kept {kept}" if kept else ""
    return verdicts
