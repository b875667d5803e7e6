"""Measure revisit planning over a large archive and the diff of two long versions; one JSON line.

    python bench/revisions.py [--articles 1000000] [--budget 200] [--behind 6] [--words 2000]

Planning: an archive (the real schema, migrations and all) is filled with `--articles` stored
articles of 50 sources, first stored over the last 40 days, each with one feed entry and
scheduled as a run schedules it (`[revisions] checks`) as of `--behind` hours before the bench's
"now", so that the checks of those hours are due: a backlog. Then a run's planning is timed:
the due articles, most overdue first, `--budget` of them (`Revisits.due_ids`), and what fetching
them needs (`Revisits.targets`); also listing every due article, and scheduling a run's 500 new
articles. Rows are generated inside SQLite, so filling takes a minute, not an hour.

Diff: a `--words` article from `corpus.py` against a version with about one sentence in ten
edited, one removed and one added (`word_diff`, median of 21), against an unrelated article of
the same length (the worst case), and the normal-form hash of one version (`text_hash`).

Output: {"articles", "fill_s", "due", "plan_ms", "plan_all_ms", "schedule_new_ms",
"diff_words", "diff_ms", "diff_unrelated_ms", "text_hash_ms", "words_added", "words_removed",
"loadavg"}. The bounds to meet: planning 1,000,000 articles under 1 s, the diff under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import corpus

from monitor.archive import Archive
from monitor.archive.backend import Transaction
from monitor.config import parse_config
from monitor.extract.revision import text_hash
from monitor.extract.word_diff import word_diff
from monitor.jobs.revisit import schedule_new

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SPREAD_S = 40 * 86400  # articles were first stored over the last 40 days
ISO = "%Y-%m-%dT%H:%M:%S+00:00"  # as `monitor.timestamps` writes instants


def fill(archive: Archive, n: int, checks: tuple[float, ...], scheduled: datetime) -> None:
    """`n` stored articles, each scheduled at its next check after `scheduled`."""
    db = archive.db
    rows = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
    first_at = f"strftime('{ISO}', ?, '-' || ((i * 7919) % {SPREAD_S}) || ' seconds')"
    with Transaction(db):
        db.execute(
            f"""INSERT INTO pages (id, url, url_key, source, state, first_seen_at, fetched_at,
                  headers, body_sha256)
                {rows} SELECT i, 'https://s' || (i % 50) || '.vn/tin/bai-' || i || '.html',
                  's' || (i % 50) || '.vn/tin/bai-' || i || '.html', 'Báo ' || (i % 50), 'done',
                  {first_at}, {first_at}, '{{"etag": "\\"e' || i || '\\""}}', 'sha256:x' FROM n""",
            (n, NOW.isoformat(), NOW.isoformat()),
        )
        db.execute(
            """INSERT INTO articles (id, page_id, url, source, title, text, date_source,
                  extractor, extracted_at, indexed_at)
                SELECT id, id, url, source, 'Tin số ' || id, 'Nội dung.', 'page', 'trafilatura',
                  fetched_at, fetched_at FROM pages""",
        )
        db.execute("INSERT INTO feeds (id, url, source, added_at) VALUES (1, 'f', 'F', 'x')")
        db.execute(
            """INSERT INTO entries (feed_id, guid, url, url_key, title, first_seen_at,
                 article_id)
               SELECT 1, 'g' || id, url, url, title, extracted_at, id FROM articles"""
        )
        # The next check of each article: the first age not yet reached when scheduled.
        cases = " ".join(
            f"WHEN strftime('{ISO}', p.fetched_at, '+{age:.0f} seconds') > ?1 "
            f"THEN strftime('{ISO}', p.fetched_at, '+{age:.0f} seconds')"
            for age in checks
        )
        db.execute(
            f"""INSERT INTO revisits (article_id, first_at, next_at, etag, body_sha256)
                SELECT p.id, p.fetched_at, CASE {cases} END,
                  json_extract(p.headers, '$.etag'), p.body_sha256 FROM pages p""",
            (scheduled.isoformat(),),
        )
    db.execute("ANALYZE")


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Median milliseconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def versions(words: int, rng: random.Random) -> tuple[str, str, str]:
    """An article of about `words` words, an edited version of it, and an unrelated one."""
    sampler = corpus.sample_sentences()

    def article() -> list[str]:
        out: list[str] = []
        while sum(len(s.split()) for s in out) < words:
            out.append(rng.choice(sampler.sentences))
        return out

    original = article()
    edited = list(original)
    for i in range(0, len(edited), 10):  # one sentence in ten: a few words changed
        tokens = edited[i].split()
        tokens[len(tokens) // 2] = rng.choice(sampler.words)
        edited[i] = " ".join(tokens)
    del edited[len(edited) // 2]
    edited.insert(len(edited) // 3, rng.choice(sampler.sentences))

    def text(sentences: list[str]) -> str:
        return "\n\n".join(" ".join(sentences[k : k + 5]) for k in range(0, len(sentences), 5))

    return text(original), text(edited), text(article())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--budget", type=int, default=200)
    parser.add_argument(
        "--behind", type=float, default=6, help="hours the revisits have fallen behind"
    )
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--dir", type=Path, help="where the archive is made (default: a temp dir)")
    args = parser.parse_args(argv)
    checks = parse_config("", None, base=Path(".")).revisions.checks
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp, Archive(Path(tmp) / "a.db") as archive:
        started = time.perf_counter()
        fill(archive, args.articles, checks, NOW - timedelta(hours=args.behind))
        fill_s = time.perf_counter() - started
        print(f"{args.articles} articles in {fill_s:.1f} s", file=sys.stderr)
        revisits = archive.revisits

        def plan() -> object:
            return revisits.targets(revisits.due_ids(NOW, limit=args.budget))

        plan_ms, _ = timed(plan, 5)
        plan_all_ms, due = timed(lambda: revisits.due_ids(NOW), 3)
        # A run's new articles: 500 stored since the last scheduling.
        archive.db.execute("DELETE FROM revisits WHERE article_id > ?", (args.articles - 500,))
        schedule_ms, _ = timed(lambda: schedule_new(archive, checks, NOW))
    before, after, unrelated = versions(args.words, random.Random(7))
    diff_ms, diff = timed(lambda: word_diff(before, after), 21)
    unrelated_ms, _ = timed(lambda: word_diff(before, unrelated), 5)
    hash_ms, _ = timed(lambda: text_hash("Tiêu đề", after), 21)
    changed = word_diff(before, after)
    result = {
        "articles": args.articles,
        "fill_s": round(fill_s, 1),
        "due": len(due) if isinstance(due, list) else None,
        "plan_ms": round(plan_ms, 2),
        "plan_all_ms": round(plan_all_ms, 1),
        "schedule_new_ms": round(schedule_ms, 1),
        "diff_words": len(re.findall(r"\w+", before)),
        "diff_ms": round(diff_ms, 2),
        "diff_unrelated_ms": round(unrelated_ms, 2),
        "text_hash_ms": round(hash_ms, 2),
        "words_added": changed.added,
        "words_removed": changed.removed,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    assert diff is not None
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
