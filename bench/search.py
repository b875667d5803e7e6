"""Index N synthetic Vietnamese articles with one engine, time typical queries, print one JSON line.

    python bench/search.py --docs 20000 --engine tantivy [--dir PATH] [--queries 50]

Indexing goes through the `Engine` interface as the application does: documents are added in
batches and committed every `--batch` documents. Generating the corpus is not timed (each batch
is generated before its clock starts).

Query types, each run once per query for `--queries` different queries, after one untimed
warm-up query:

* and2: two single-syllable words (AND), top 10 with snippets, by relevance
* phrase5: a five-word phrase taken from the corpus' sentences, top 10 with snippets
* field_date: `source:"…" date:<one month>`, top 10 with snippets
* counts: `counts()` by source and day (UTC+7) of a one-word query

Output: {"engine", "docs", "index_docs_per_s", "index_mb", "peak_rss_mb",
"p50_ms": {"and2", "phrase5", "field_date", "counts"}, "p95_ms": {…}, "rss_anon_mb", "cpu",
"loadavg"}. `peak_rss_mb` is the kernel's peak resident set, which includes pages of the
memory-mapped index; `rss_anon_mb` is the largest memory the process allocated itself, sampled
after each batch and after the queries. `cpu` is the number of CPUs and `loadavg` the
1/5/15-minute load averages at the start and end of the run: a figure taken on a busy machine
says so. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import corpus

from index import ENGINES, Document, Engine, open_engine, parse
from index.analysis import TOKEN_RE
from index.query import Node

QUERY_TYPES = ("and2", "phrase5", "field_date", "counts")
VN = timedelta(hours=7)


def batches(n: int, size: int, seed: int) -> Iterator[list[Document]]:
    docs = corpus.articles(n, seed=seed)
    while batch := list(itertools.islice(docs, size)):
        yield batch


def rss_anon_mb() -> float:
    """Resident memory the process itself allocated, in MB: `ru_maxrss` also counts the pages
    of memory-mapped index files that were read, which the kernel can drop at any time."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def build_index(engine: Engine, n: int, batch_size: int, seed: int, anon: list[float]) -> float:
    """Index n articles; returns the seconds spent in add() and commit().

    Appends the anonymous RSS after each batch to `anon`.
    """
    spent = 0.0
    done = 0
    for batch in batches(n, batch_size, seed):
        start = time.perf_counter()
        engine.add(batch)
        engine.commit()
        spent += time.perf_counter() - start
        anon.append(rss_anon_mb())
        done += len(batch)
        print(f"indexed {done:,}/{n:,} in {spent:.1f} s", file=sys.stderr, flush=True)
    return spent


def make_queries(n: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed + 1)
    sampler = corpus.sample_sentences(seed)
    vocabulary = corpus.vocabulary()
    # Single-syllable words past the head of function words; about 1-40% of articles hold each
    # of them, so a two-word AND matches roughly 0.1-10%.
    words = [w for w in vocabulary[100:3000] if " " not in w]
    count_words = [w for w in vocabulary[50:2000] if " " not in w]
    phrases: list[str] = []
    while len(phrases) < n:
        tokens = TOKEN_RE.findall(sampler.sentences[rng.randrange(len(sampler.sentences))])
        if len(tokens) >= 5:
            i = rng.randrange(len(tokens) - 4)
            phrases.append('"' + " ".join(tokens[i : i + 5]) + '"')
    field_date: list[str] = []
    for _ in range(n):
        month = rng.randrange(12)
        start = corpus.START + timedelta(days=30 * month)
        end = start + timedelta(days=30)
        source = rng.choice(corpus.SOURCES)
        field_date.append(f'source:"{source}" date:{start:%Y-%m-%d}/{end:%Y-%m-%d}')
    return {
        "and2": [" ".join(rng.sample(words, 2)) for _ in range(n)],
        "phrase5": phrases,
        "field_date": field_date,
        "counts": [rng.choice(count_words) for _ in range(n)],
    }


def timed(run: Callable[[Node], object], queries: list[str], now: datetime) -> list[float]:
    nodes = [parse(q, now=now) for q in queries]
    run(nodes[0])  # warm caches and lazily opened files
    out: list[float] = []
    for node in nodes:
        start = time.perf_counter()
        run(node)
        out.append((time.perf_counter() - start) * 1000)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--engine", choices=sorted(ENGINES), required=True)
    parser.add_argument(
        "--dir", type=Path, help="where to build the index (default: a temporary directory)"
    )
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--batch", type=int, default=10_000, help="documents per commit")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    load_start = os.getloadavg()
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="press-monitor-bench-"))
    engine = open_engine(args.engine, workdir)
    try:
        engine.clear()
        anon: list[float] = []
        seconds = build_index(engine, args.docs, args.batch, args.seed, anon)
        size = engine.size_bytes()
        now = datetime.now(UTC)
        queries = make_queries(args.queries, args.seed)
        print("querying", file=sys.stderr, flush=True)
        timings = {
            "and2": timed(lambda n: engine.search(n, limit=10), queries["and2"], now),
            "phrase5": timed(lambda n: engine.search(n, limit=10), queries["phrase5"], now),
            "field_date": timed(lambda n: engine.search(n, limit=10), queries["field_date"], now),
            "counts": timed(lambda n: engine.counts(n, utc_offset=VN), queries["counts"], now),
        }
        anon.append(rss_anon_mb())
    finally:
        engine.close()
        if args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    # ru_maxrss is in KiB on Linux.
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "engine": args.engine,
        "docs": args.docs,
        "index_docs_per_s": round(args.docs / seconds, 1),
        "index_mb": round(size / 1e6, 1),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "p50_ms": {k: round(statistics.median(timings[k]), 2) for k in QUERY_TYPES},
        "p95_ms": {k: round(percentile(timings[k], 0.95), 2) for k in QUERY_TYPES},
        "rss_anon_mb": round(max(anon), 1),
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
