"""Extract + store + index throughput over stored HTML, without HTTP; prints one JSON line.

    python bench/ingest.py --articles 2000 [--engine tantivy] [--mode threads|processes|serial]
                           [--workers 2] [--seed 42] [--dir PATH]

N article pages are generated from `corpus.py`'s synthetic Vietnamese text, each wrapped in one
of four outlet-like layouts (header and menu, sapo, body with a figure, related and most-read
lists, footer, inline scripts: ~28 KB a page). Their
feed entries are recorded first (untimed), as the feed stage of a run would; then:

* extract: `monitor.extract.page.process_page` (extraction, canonical URL, fingerprint) on every
  page, in a pool of `--workers` processes (what `monitor reextract` does), in threads (what a
  run does: one thread per host, all sharing the GIL), or serially;
* store, as results come in (overlapping extraction): the raw response to a WARC file,
  `monitor.jobs.run.store_page` (article, near-duplicate clustering, fetch-log row), on the
  main thread;
* index: `index_pending` into a fresh index of `--engine`.

Output: {"articles", "articles_per_s", "peak_rss_mb", "extract_store_s", "store_s" (main-thread
time spent storing), "index_s",
"mode", "workers", "engine", "html_mb", "failed", "loadavg"}. `peak_rss_mb` is this process;
with processes, `peak_child_rss_mb` is the largest worker. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import corpus

from index import ENGINES, Document, open_engine
from index.analysis import fold
from monitor.archive import Archive
from monitor.archive.warc_writer import WarcWriter
from monitor.collect.http import Response
from monitor.config import FeedConfig
from monitor.errors import ExtractError
from monitor.extract.page import ProcessedPage, process_page
from monitor.jobs.indexing import index_pending
from monitor.jobs.run import keep_response, store_page
from monitor.models import EntryData, PageTask

CONTENT_TYPE = "text/html; charset=utf-8"
MODES = ("threads", "processes", "serial")
MENU = (
    "Thời sự",
    "Góc nhìn",
    "Thế giới",
    "Video",
    "Podcasts",
    "Kinh doanh",
    "Bất động sản",
    "Khoa học",
    "Giải trí",
    "Thể thao",
    "Pháp luật",
    "Giáo dục",
    "Sức khỏe",
    "Đời sống",
    "Du lịch",
    "Số hóa",
    "Xe",
    "Ý kiến",
    "Tâm sự",
    "Thư giãn",
    "Tuyển sinh",
    "Chính trị",
    "Dân sinh",
    "Lao động - Việc làm",
    "Tấm lòng nhân ái",
    "Bạn đọc",
    "Nhịp sống trẻ",
)


@dataclass(frozen=True)
class Page:
    """One generated article page and what its feed entry says about it."""

    url: str
    source: str
    section: str
    title: str
    sapo: str
    paragraphs: list[str]
    author: str | None
    published: datetime | None
    related: list[tuple[str, str]]  # (title, url) of other articles
    html: bytes = b""


def slug(text: str) -> str:
    """ "Lao động - Việc làm" → "lao-dong-viec-lam", as outlets build their paths."""
    return "-".join(fold(text).replace("-", " ").split())


def _split(doc: Document) -> tuple[str, list[str]]:
    """The sapo (the first sentences) and the body paragraphs of a corpus document."""
    paragraphs = [p for p in doc.text.split("\n\n") if p]
    first = paragraphs[0].split(". ")
    sapo = ". ".join(first[:2]).rstrip(".") + "."
    rest = ". ".join(first[2:])
    return sapo, ([rest] if rest else []) + paragraphs[1:]


def _script(rng: random.Random, size: int) -> str:
    """An inline script of about `size` bytes, like the ad and tracking setup real pages carry."""
    keys = [
        f'"slot{n}":{{"id":{rng.randrange(10**6)},"sizes":[[300,250],[728,90]]}}'
        for n in range(max(1, size // 60))
    ]
    return f"<script>window.__ADS__={{{','.join(keys)}}};</script>"


def _nav(base: str, rng: random.Random) -> str:
    items = "".join(
        f'<li class="menu__item"><a href="{base}/{slug(name)}" title="{name}">'
        f'{name}</a><ul class="sub">'
        + "".join(
            f'<li><a href="{base}/{slug(name)}/{k}">Mục {k}</a></li>'
            for k in range(rng.randint(3, 8))
        )
        + "</ul></li>"
        for name in MENU
    )
    return f'<nav class="main-menu"><ul>{items}</ul></nav>'


def _links(items: Sequence[tuple[str, str]], css: str) -> str:
    rows = "".join(
        f'<li class="{css}__item"><a href="{url}" title="{escape(title)}">{escape(title)}</a>'
        f'<p class="{css}__lead">{escape(title)} – chi tiết xem tại đây.</p></li>'
        for title, url in items
    )
    return f'<ul class="{css}">{rows}</ul>'


def _body(page: Page, figure_src: str) -> str:
    out = [f"<p>{escape(p)}</p>" for p in page.paragraphs]
    out.insert(
        min(2, len(out)),
        f'<figure class="image"><img src="{figure_src}" alt="{escape(page.title)}">'
        f"<figcaption>{escape(page.title)}. Ảnh: Phóng viên</figcaption></figure>",
    )
    if page.author:
        out.append(f'<p class="author"><strong>{escape(page.author)}</strong></p>')
    return "".join(out)


def _head(page: Page, site_name: str, rng: random.Random) -> str:
    published = page.published.isoformat() if page.published else ""
    meta_date = (
        f'<meta property="article:published_time" content="{published}">' if published else ""
    )
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{escape(page.title)} - {site_name}</title>"
        f'<meta name="description" content="{escape(page.sapo)}">'
        f'<meta property="og:title" content="{escape(page.title)}">'
        f'<meta property="og:site_name" content="{site_name}">{meta_date}'
        f'<link rel="canonical" href="{page.url}">'
        '<link rel="stylesheet" href="/static/css/main.min.css">'
        f"{_script(rng, 6000)}</head>"
    )


def _footer(site_name: str, rng: random.Random) -> str:
    return (
        f'<footer class="footer"><p>© {site_name}. Giấy phép số {rng.randint(100, 999)}/GP-BTTTT.'
        " Địa chỉ: Số 1 đường Trần Hưng Đạo, Hà Nội. Điện thoại: 024 3333 4444.</p>"
        "<p>Chỉ được phát hành lại thông tin từ website này khi có sự đồng ý bằng văn bản.</p>"
        '<ul class="footer__links"><li><a href="/lien-he">Liên hệ</a></li>'
        '<li><a href="/quang-cao">Quảng cáo</a></li><li><a href="/rss">RSS</a></li></ul>'
        f"</footer>{_script(rng, 4000)}</body></html>"
    )


def _layout_vnexpress(page: Page, rng: random.Random) -> str:
    return (
        _head(page, "VnExpress", rng)
        + '<body><header class="header"><a class="logo" href="/">VnExpress</a></header>'
        + _nav("", rng)
        + '<section class="section page-detail"><div class="container"><div class="sidebar-1">'
        + f'<ul class="breadcrumb"><li><a href="/{page.section}">{page.section}</a></li></ul>'
        + f'<span class="date">{page.published or ""}</span>'
        + f'<h1 class="title-detail">{escape(page.title)}</h1>'
        + f'<p class="description">{escape(page.sapo)}</p>'
        + f'<article class="fck_detail">{_body(page, "/i/vne.jpg")}</article>'
        + '<div class="box-tinlienquan"><h3>Tin liên quan</h3>'
        + _links(page.related[:6], "list-news")
        + "</div></div>"
        + '<div class="sidebar-2"><h3>Xem nhiều</h3>'
        + _links(page.related[6:], "top-news")
        + "</div></div></section>"
        + _footer("VnExpress", rng)
    )


def _layout_tuoitre(page: Page, rng: random.Random) -> str:
    return (
        _head(page, "Tuổi Trẻ Online", rng)
        + '<body><div class="header"><a class="header__logo" href="/">Tuổi Trẻ Online</a></div>'
        + _nav("", rng)
        + '<div class="detail-container">'
        + f'<div class="detail-cate"><a href="/{page.section}">{page.section}</a></div>'
        + f'<h1 class="detail-title article-title">{escape(page.title)}</h1>'
        + f'<div class="author-info">{escape(page.author or "TTO")}</div>'
        + f'<h2 class="detail-sapo">{escape(page.sapo)}</h2>'
        + f'<div class="detail-content afcbc-body">{_body(page, "/i/tto.jpg")}</div>'
        + '<div class="detail__related"><h3>Đọc tiếp</h3>'
        + _links(page.related, "box-category")
        + "</div></div>"
        + _footer("Tuổi Trẻ", rng)
    )


def _layout_dantri(page: Page, rng: random.Random) -> str:
    return (
        _head(page, "Báo Dân trí", rng)
        + '<body><header id="header"><div class="logo">Dân trí</div></header>'
        + _nav("", rng)
        + '<main class="body-container"><article class="singular-container">'
        + f'<h1 class="title-page detail">{escape(page.title)}</h1>'
        + f'<time class="author-time">{page.published or ""}</time>'
        + f'<h2 class="singular-sapo">(Dân trí) - {escape(page.sapo)}</h2>'
        + f'<div class="singular-content">{_body(page, "/i/dt.jpg")}</div>'
        + "</article>"
        + '<aside class="article-related"><div class="title">Tin liên quan</div>'
        + _links(page.related, "article-list")
        + "</aside></main>"
        + _footer("Dân trí", rng)
    )


def _layout_thanhnien(page: Page, rng: random.Random) -> str:
    return (
        _head(page, "Báo Thanh Niên", rng)
        + '<body><div id="wrapper"><div class="site-header"><a href="/">Thanh Niên</a></div>'
        + _nav("", rng)
        + '<div class="detail__cmain"><div class="detail__header">'
        + f'<h1 class="detail-title" data-role="title">{escape(page.title)}</h1>'
        + f'<div class="detail__meta">{escape(page.author or "")}</div></div>'
        + f'<div class="detail-sapo" data-role="sapo">{escape(page.sapo)}</div>'
        + f'<div class="detail-content" data-role="content">{_body(page, "/i/tn.jpg")}</div>'
        + '<div class="box-readmore"><div class="box-heading">Xem thêm</div>'
        + _links(page.related[:4], "readmore")
        + '</div></div><div class="aside"><div class="box-heading">Đọc nhiều</div>'
        + _links(page.related[4:], "most-read")
        + "</div></div>"
        + _footer("Thanh Niên", rng)
    )


LAYOUTS: tuple[Callable[[Page, random.Random], str], ...] = (
    _layout_vnexpress,
    _layout_tuoitre,
    _layout_dantri,
    _layout_thanhnien,
)


def generate(n: int, seed: int) -> Iterator[Page]:
    """`n` article pages, the same for the same seed; each source keeps one layout."""
    rng = random.Random(seed)
    recent: list[tuple[str, str]] = []
    layout_of = {source: LAYOUTS[i % len(LAYOUTS)] for i, source in enumerate(corpus.SOURCES)}
    for doc in corpus.articles(n, seed=seed):
        sapo, paragraphs = _split(doc)
        section = doc.url.split("/")[3]
        related = [recent[rng.randrange(len(recent))] for _ in range(10)] if recent else []
        page = Page(
            url=doc.url,
            source=doc.source,
            section=section,
            title=doc.title,
            sapo=sapo,
            paragraphs=paragraphs,
            author=doc.author,
            published=doc.published,
            related=related,
        )
        html = layout_of[doc.source](page, rng).encode("utf-8")
        recent.append((doc.title, doc.url))
        del recent[:-200]
        yield replace(page, html=html)


def feed_url(source: str) -> str:
    return f"https://{slug(source)}.vn/rss/tin-moi-nhat.rss"


def record_entries(archive: Archive, pages: list[Page]) -> list[PageTask]:
    """What the feed stage would have recorded: one feed per source, one entry per page."""
    sources = sorted({p.source for p in pages})
    feeds = archive.sync_feeds(
        [FeedConfig(url=feed_url(s), source=s, language="vi") for s in sources]
    )
    by_source = {feed.source: feed for feed in feeds}
    for source in sources:
        archive.add_entries(
            by_source[source],
            [
                EntryData(p.url, p.url, p.title, p.sapo, p.author, p.published)
                for p in pages
                if p.source == source
            ],
        )
    return archive.pending_pages()


def _extract(task: tuple[bytes, str, PageTask]) -> ProcessedPage | str:
    """One page as a run makes it (article, canonical URL, fingerprint); module-level so a
    process pool can run it. An ExtractError comes back as text."""
    body, url, page = task
    try:
        return process_page(
            body, url=url, content_type=CONTENT_TYPE, task=page, fetched_at=datetime.now(UTC)
        )
    except ExtractError as exc:
        return str(exc)


def extract_all(
    tasks: list[PageTask], html: dict[str, bytes], mode: str, workers: int
) -> Iterator[ProcessedPage | str]:
    """Results in task order, as they come: the caller stores while workers extract."""
    work = [(html[t.url], t.url, t) for t in tasks]
    if mode == "serial":
        yield from (_extract(w) for w in work)
        return
    pool: Executor = (
        ThreadPoolExecutor(workers) if mode == "threads" else ProcessPoolExecutor(workers)
    )
    with pool:
        chunk = 1 if mode == "threads" else 16
        yield from pool.map(_extract, work, chunksize=chunk)


def store_all(
    archive: Archive,
    tasks: list[PageTask],
    html: dict[str, bytes],
    results: Iterator[ProcessedPage | str],
    warc_dir: Path,
) -> tuple[int, float]:
    """Store each page as a run does: raw response to WARC, article, cluster, fetch-log row.
    Returns how many failed extraction, and the seconds spent storing."""
    run_id = archive.fetch_log.start_run()
    failed = 0
    busy = 0.0
    with WarcWriter(warc_dir) as warc:
        for task, result in zip(tasks, results, strict=True):
            began = time.perf_counter()
            body = html[task.url]
            headers = {"content-type": CONTENT_TYPE, "content-length": str(len(body))}
            response = Response(task.url, 200, headers, body, duration_ms=0)
            ref = keep_response(warc, response, datetime.now(UTC), {"kind": "page"})
            if isinstance(result, str):
                failed += 1
                archive.record_page_failure(task.id, error=result, status=200, permanent=True)
            else:
                store_page(archive, task, response, result, ref, run_id=run_id)
            busy += time.perf_counter() - began
    return failed, busy


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # ru_maxrss is in KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--engine", choices=ENGINES, default="tantivy")
    parser.add_argument("--mode", choices=MODES, default="processes")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dir", type=Path, help="where the archive and index go (default: temp)")
    args = parser.parse_args(argv)
    loadavg = [round(x, 2) for x in os.getloadavg()]

    work_dir = Path(tempfile.mkdtemp(prefix="ingest-", dir=args.dir))
    try:
        print(f"generating {args.articles} pages…", file=sys.stderr)
        pages = list(generate(args.articles, args.seed))
        html = {p.url: p.html for p in pages}
        archive = Archive(work_dir / "archive.sqlite3")
        engine = open_engine(args.engine, work_dir / f"index-{args.engine}")
        try:
            tasks = record_entries(archive, pages)
            del pages
            print(f"extracting ({args.mode}, {args.workers} workers)…", file=sys.stderr)
            started = time.perf_counter()
            results = extract_all(tasks, html, args.mode, args.workers)
            failed, storing = store_all(archive, tasks, html, results, work_dir / "warc")
            stored = time.perf_counter()
            print("indexing…", file=sys.stderr)
            indexed = index_pending(archive, engine)
            done = time.perf_counter()
        finally:
            engine.close()
            archive.close()
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)

    total = done - started
    report: dict[str, object] = {
        "articles": len(tasks),
        "articles_per_s": round(len(tasks) / total, 1),
        "peak_rss_mb": peak_rss_mb(),
        "extract_store_s": round(stored - started, 2),
        "store_s": round(storing, 2),
        "index_s": round(done - stored, 2),
        "mode": args.mode,
        "workers": 1 if args.mode == "serial" else args.workers,
        "engine": args.engine,
        "html_mb": round(sum(map(len, html.values())) / 1e6, 1),
        "failed": failed,
        "indexed": indexed,
        "loadavg": loadavg,
    }
    if args.mode == "processes":
        report["peak_child_rss_mb"] = peak_rss_mb(resource.RUSAGE_CHILDREN)
    print(json.dumps(report))
    return 0 if failed == 0 and indexed == len(tasks) else 1


if __name__ == "__main__":
    sys.exit(main())
