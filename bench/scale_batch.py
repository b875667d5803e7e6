"""`monitor reextract` of stored pages, locally and on a Dask cluster; prints one JSON line.

    python bench/scale_batch.py --pages 20000 [--workers 2] [--seed 42] [--dir PATH]

N article pages are generated as `ingest.py` generates them (four outlet layouts, ~28 KB a
page) and stored as a run stores them: the raw response in a WARC file, the article in the
archive (untimed; made from the generated text, not extracted, to keep the setup short). Then
the same re-extraction runs twice, each on its own copy of the archive and on the same WARC
files:

* local: `monitor.jobs.reextract.reextract` in a pool of `--workers` processes (what
  `monitor reextract --workers N` does);
* dask: the same on a `distributed.LocalCluster` of `--workers` worker processes of one thread
  each, through the scheduler's TCP address (what `monitor reextract --dask ADDRESS` does); the
  cluster's start is timed apart.

Both include re-clustering near-duplicates; neither indexes. The two archives are then compared
(every article's title, text and cluster): `identical` must be true.

Output: {"pages", "local": {"workers", "s", "articles_per_s"}, "dask": {"workers", "s",
"articles_per_s", "cluster_start_s"}, "identical", "failed", "html_mb", "cpus", "loadavg"}.
Workers, the scheduler and this process share the machine's CPUs: on a machine with as many
cores as workers, the coordinator's writes and the scheduler compete with extraction.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import ingest

from monitor.archive import Archive
from monitor.config import Config, parse_config
from monitor.extract.page import ProcessedPage
from monitor.jobs.reextract import ReextractSummary, reextract
from monitor.jobs.runners import Runner
from monitor.models import Article


def stored(page: ingest.Page) -> ProcessedPage:
    """The article of a generated page as its generator wrote it (no extraction)."""
    return ProcessedPage(
        Article(
            title=page.title,
            text="\n\n".join([page.sapo, *page.paragraphs]),
            author=page.author,
            published=page.published,
            date_source="feed",
            language="vi",
            declared_language="vi",
            extractor="bench",
            canonical_url=page.url,
        ),
        None,
    )


def build(config: Config, count: int, seed: int) -> float:
    """Store `count` generated pages in the archive and WARC files of `config`; their MB."""
    pages = list(ingest.generate(count, seed))
    html = {p.url: p.html for p in pages}
    by_url = {p.url: p for p in pages}
    with Archive(config.archive_path) as archive:
        tasks = ingest.record_entries(archive, pages)
        results: Iterator[ProcessedPage | str] = (stored(by_url[t.url]) for t in tasks)
        ingest.store_all(archive, tasks, html, results, config.warc_dir)
    return round(sum(map(len, html.values())) / 1e6, 1)


def timed(
    config: Config, archive_path: Path, *, workers: int, runner: Runner | None = None
) -> tuple[ReextractSummary, float]:
    with Archive(archive_path) as archive:
        started = time.perf_counter()
        summary = reextract(archive, config, workers=workers, runner=runner)
        return summary, time.perf_counter() - started


def articles_of(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT id, title, text, cluster_id FROM articles ORDER BY id").fetchall()


def on_cluster(config: Config, path: Path, workers: int) -> dict[str, object]:
    from distributed import LocalCluster

    from monitor.jobs.dask_runner import dask_runner

    started = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=":0",  # a free port: 8787 may be another cluster's
        ) as cluster,
        dask_runner(cluster.scheduler_address, warc_dir=config.warc_dir) as runner,
    ):
        start_s = time.perf_counter() - started
        print(f"re-extracting on a LocalCluster of {workers} workers…", file=sys.stderr)
        summary, seconds = timed(config, path, workers=workers, runner=runner)
    return {
        "workers": workers,
        "s": round(seconds, 2),
        "articles_per_s": round(summary.articles / seconds, 1),
        "cluster_start_s": round(start_s, 2),
        "failed": summary.failed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", type=Path, help="where the archives go (default: temp)")
    args = parser.parse_args(argv)
    loadavg = [round(x, 2) for x in os.getloadavg()]

    work_dir = Path(tempfile.mkdtemp(prefix="scale-batch-", dir=args.dir))
    try:
        settings = f"[storage]\ndir = {json.dumps(str(work_dir))}\n"
        config = parse_config(settings, None, base=work_dir)
        print(f"storing {args.pages} pages…", file=sys.stderr)
        html_mb = build(config, args.pages, args.seed)
        copy = work_dir / "copy.sqlite3"
        shutil.copyfile(config.archive_path, copy)

        print(f"re-extracting in {args.workers} local processes…", file=sys.stderr)
        summary, seconds = timed(config, config.archive_path, workers=args.workers)
        local = {
            "workers": args.workers,
            "s": round(seconds, 2),
            "articles_per_s": round(summary.articles / seconds, 1),
        }
        dask = on_cluster(config, copy, args.workers)
        identical = articles_of(config.archive_path) == articles_of(copy)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)

    report = {
        "pages": args.pages,
        "local": local,
        "dask": {k: v for k, v in dask.items() if k != "failed"},
        "identical": identical,
        "failed": summary.failed,
        "html_mb": html_mb,
        "cpus": os.cpu_count(),
        "loadavg": loadavg,
    }
    print(json.dumps(report))
    return 0 if identical and summary.failed == dask["failed"] else 1


if __name__ == "__main__":
    sys.exit(main())
