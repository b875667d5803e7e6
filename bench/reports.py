"""Time the analyses over a year of N synthetic articles; print one JSON line.

    python bench/reports.py --docs 100000 [--dir PATH] [--queries 20]

An archive and a tantivy index of N articles of `corpus.articles` (12 outlets, 2025, a feed per
outlet, the first six tagged "quốc gia", the others "địa phương") are built in `--dir` (kept
and reused when it already holds N articles, so the timings can be run again on a warm or cold
index) or in a temporary directory. Rows go into the archive in bulk, the way a run would have
stored them but without one transaction per article; the index is built with the engine as
`monitor reindex` does. Building is not timed.

Timed, each for `--queries` different queries after one untimed warm-up, as the commands
compute them (without rendering):

* report_week: `monitor report WORD --interval week` (counts by week with totals, partial
  buckets and gaps, the per-day and per-source tables, and the top terms of up to 5,000
  matching articles, read from the archive)
* report_week_by_tag: the same with `--by tag`
* compare4_week: `monitor compare W1 W2 W3 W4 --interval week`
* kwic100: `monitor kwic WORD` (a common word, the first 100 lines, newest first)
* sample50: `monitor sample WORD --n 50`

Output: {"docs", "engine", "build_s", "p50_ms": {…}, "p95_ms": {…}, "matches": {…},
"cpu", "loadavg"}; `matches` is the median share of articles the queries of each kind match.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import corpus

from index import Document, Engine, open_engine
from monitor.archive import Archive
from monitor.archive.backend import Transaction
from monitor.archive.rows import ARTICLE_COLUMNS, article_values
from monitor.config import FeedConfig
from monitor.models import Article
from monitor.report.compare import Labelled, compare
from monitor.report.kwic import concordance
from monitor.report.sample import sample
from monitor.report.search import build_report
from monitor.report.selection import Selection
from monitor.timestamps import now_iso, to_iso
from monitor.urls import normalize_url

KINDS = ("report_week", "report_week_by_tag", "compare4_week", "kwic100", "sample50")
TIMEZONE = "Asia/Ho_Chi_Minh"
BATCH = 5000


def feed_of(source: str) -> tuple[str, str]:
    """The feed URL and tag of an outlet."""
    index = corpus.SOURCES.index(source)
    return f"https://feeds.example/{index}.rss", "quốc gia" if index < 6 else "địa phương"


def batches(n: int, seed: int) -> Iterator[list[Document]]:
    docs = corpus.articles(n, seed=seed)
    while batch := list(itertools.islice(docs, BATCH)):
        yield batch


def store(archive: Archive, first_id: int, docs: list[Document], feeds: dict[str, int]) -> None:
    """Pages, articles and entries of `docs`, with ids from `first_id`, in one transaction."""
    at = now_iso()
    pages, articles, entries = [], [], []
    for offset, doc in enumerate(docs):
        number = first_id + offset
        key = normalize_url(doc.url)
        article = Article(
            title=doc.title,
            text=doc.text,
            author=doc.author,
            published=doc.published,
            date_source="page" if doc.published else "none",
            language="vi",
            declared_language="vi",
            extractor="trafilatura",
        )
        pages.append((number, doc.url, key, doc.source, "done", 1, at, at))
        articles.append((number, number, doc.url, doc.source, at, at, *article_values(article)))
        entries.append(
            (feeds[doc.source], doc.url, doc.url, key, doc.title, to_iso(doc.published), at, number)
        )
    columns = ", ".join(ARTICLE_COLUMNS)
    marks = ", ".join("?" * len(ARTICLE_COLUMNS))
    with Transaction(archive.db):
        archive.db.executemany(
            """INSERT INTO pages (id, url, url_key, source, state, attempts, first_seen_at,
                 fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            pages,
        )
        archive.db.executemany(
            f"""INSERT INTO articles (id, page_id, url, source, extracted_at, indexed_at,
                  {columns}) VALUES (?, ?, ?, ?, ?, ?, {marks})""",
            articles,
        )
        archive.db.executemany(
            """INSERT INTO entries (feed_id, guid, url, url_key, title, published,
                 first_seen_at, article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            entries,
        )


def build(workdir: Path, n: int, seed: int) -> float:
    """The archive and index of n articles in `workdir`; returns the seconds it took."""
    start = time.perf_counter()
    archive = Archive(workdir / "archive.sqlite3")
    engine = open_engine("tantivy", workdir / "index-tantivy")
    try:
        configs = [FeedConfig(feed_of(s)[0], s, tags=(feed_of(s)[1],)) for s in corpus.SOURCES]
        feeds = {row.source: row.id for row in archive.sync_feeds(configs)}
        done = 0
        for batch in batches(n, seed):
            store(archive, done + 1, batch, feeds)
            engine.add(
                replace(doc, id=str(done + 1 + i), labels=(("tag", feed_of(doc.source)[1]),))
                for i, doc in enumerate(batch)
            )
            done += len(batch)
            if done % 50_000 == 0 or done == n:
                engine.commit()
            print(f"built {done:,}/{n:,}", file=sys.stderr, flush=True)
    finally:
        engine.close()
        archive.close()
    return time.perf_counter() - start


def words(n: int, seed: int) -> dict[str, list[str]]:
    """Query words: content words of the corpus' vocabulary, common and less common."""
    rng = random.Random(seed + 2)
    vocabulary = [w for w in corpus.vocabulary() if " " not in w and "_" not in w]
    mid = vocabulary[50:400]
    return {
        "report": rng.sample(mid, n),
        "compare": [" ".join(rng.sample(mid, 4)) for _ in range(n)],
        # Common words (ranks 15-60: "nhiều", "ngày", "tháng" …), in most articles.
        "kwic": [rng.choice(vocabulary[15:60]) for _ in range(n)],
    }


def timed(run: Callable[[str], object], queries: list[str]) -> list[float]:
    run(queries[0])
    out: list[float] = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        out.append((time.perf_counter() - start) * 1000)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def measure(archive: Archive, engine: Engine, n: int, seed: int) -> dict[str, list[float]]:
    queries = words(n, seed)
    selection = Selection(TIMEZONE)

    def report(query: str, by: str | None = None) -> object:
        return build_report(
            archive,
            engine,
            query,
            since=None,
            until=None,
            timezone=TIMEZONE,
            interval="week",
            by="tag" if by else None,
        )

    def compare4(query: str) -> object:
        labelled = [Labelled(w, w, w) for w in query.split()]
        return compare(archive, engine, labelled, selection, "week")

    print("timing", file=sys.stderr, flush=True)
    return {
        "report_week": timed(report, queries["report"]),
        "report_week_by_tag": timed(lambda q: report(q, "tag"), queries["report"]),
        "compare4_week": timed(compare4, queries["compare"]),
        "kwic100": timed(
            lambda q: concordance(archive, engine, selection, q, limit=100), queries["kwic"]
        ),
        "sample50": timed(
            lambda q: sample(archive, engine, selection, q, n=50, seed=7), queries["report"]
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--dir", type=Path, help="where to build (kept; reused if it holds N)")
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    load_start = os.getloadavg()
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="press-monitor-reports-"))
    build_s = 0.0
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        with Archive(workdir / "archive.sqlite3") as archive:
            held = archive.article_count()
        if held != args.docs:
            shutil.rmtree(workdir)
            workdir.mkdir(parents=True)
            build_s = build(workdir, args.docs, args.seed)
        archive = Archive(workdir / "archive.sqlite3")
        engine = open_engine("tantivy", workdir / "index-tantivy")
        try:
            timings = measure(archive, engine, args.queries, args.seed)
            matches = {
                "report": statistics.median(
                    engine.count(Selection(TIMEZONE).node(w)) / args.docs
                    for w in words(args.queries, args.seed)["report"]
                ),
                "kwic": statistics.median(
                    engine.count(Selection(TIMEZONE).node(w)) / args.docs
                    for w in words(args.queries, args.seed)["kwic"]
                ),
            }
        finally:
            engine.close()
            archive.close()
    finally:
        if args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    result = {
        "docs": args.docs,
        "engine": "tantivy",
        "build_s": round(build_s, 1),
        "p50_ms": {k: round(statistics.median(timings[k]), 1) for k in KINDS},
        "p95_ms": {k: round(percentile(timings[k], 0.95), 1) for k in KINDS},
        "matches": {k: round(v, 3) for k, v in matches.items()},
        "cpu": os.cpu_count(),
        "loadavg": {
            "start": [round(x, 2) for x in load_start],
            "end": [round(x, 2) for x in os.getloadavg()],
        },
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
