"""Search and report data: query text → results and counts, as plain data (no rendering)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from index.engine import Engine
from index.model import Counts, Hit, SearchPage, Sort
from index.query import And, DateRange, Node, label_value, parse
from monitor.archive import Archive
from monitor.models import ArticleExtras
from monitor.report.attention import BucketRow, attention, bucket_spans
from monitor.report.breakdown import Breakdown, By, by_source, by_tag
from monitor.report.buckets import Interval
from monitor.report.coverage import Coverage, copies_among
from monitor.report.scope import describe, scope_node, scope_of
from monitor.report.selection import Selection, window_of
from monitor.report.sources import check_sources, query_sources
from monitor.report.terms import TermCount, top_terms
from monitor.report.zoned import day_counts, label_day_counts
from monitor.timestamps import day_start, to_iso

# Top words are counted over at most this many matching articles (the newest ids), so a report
# on a broad query stays quick; the figure is printed with the report.
TOP_TERMS_SAMPLE = 5000


def build_query(
    text: str,
    *,
    exact: bool = False,
    since: date | None = None,
    until: date | None = None,
    zone: tzinfo = UTC,
) -> Node:
    """Parse `text` and add the --since/--until days (inclusive). Days, in `date:` as in
    --since/--until, are those of `zone`: the report time zone, so that a day counts the same
    articles however it is asked for."""
    node = parse(text, exact=exact, zone=zone)
    if since or until:
        window = DateRange(
            start=day_start(since, zone) if since else None,
            end=day_start(until + timedelta(days=1), zone) if until else None,
        )
        node = And((node, window))
    return node


@dataclass(frozen=True)
class Found:
    """One page of results, with what the archive adds to each hit."""

    page: SearchPage
    extras: dict[int, ArticleExtras]
    total_without_copies: int | None = None  # computed with --collapse

    @property
    def hits(self) -> list[Hit]:
        return self.page.hits


def find(
    archive: Archive,
    engine: Engine,
    node: Node,
    *,
    limit: int,
    offset: int,
    sort: Sort,
    collapse: bool = False,
) -> Found:
    """Search; with `collapse`, one hit per near-duplicate cluster (its best-ranked member)."""
    total_without = None
    if not collapse:
        page = engine.search(node, limit=limit, offset=offset, sort=sort)
    else:
        # One read of the clusters serves both the total and every page fetched below.
        matching = [int(i) for i in engine.ids(node) if i.isdigit()]
        clusters = archive.clusters.clusters_of(matching)
        total_without = len(matching) - len(clusters) + len(set(clusters.values()))
        page = _collapsed_page(engine, node, clusters, limit=limit, offset=offset, sort=sort)
    ids = [int(hit.id) for hit in page.hits if hit.id.isdigit()]
    return Found(page, archive.clusters.extras(ids), total_without)


def _collapsed_page(
    engine: Engine,
    node: Node,
    clusters: dict[int, int],
    *,
    limit: int,
    offset: int,
    sort: Sort,
) -> SearchPage:
    wanted = offset + limit
    kept: list[Hit] = []
    seen: set[int] = set()
    fetched, total = 0, None
    batch = max(50, 2 * wanted)
    while len(kept) < wanted and (total is None or fetched < total):
        page = engine.search(node, limit=batch, offset=fetched, sort=sort)
        total = page.total
        if not page.hits:
            break
        fetched += len(page.hits)
        for hit in page.hits:
            number = int(hit.id) if hit.id.isdigit() else 0
            key = clusters.get(number, -number)
            if key not in seen:
                seen.add(key)
                kept.append(hit)
    return SearchPage(total=total or 0, hits=kept[offset:wanted])


# CSV columns of `search --format csv` (a contract: columns are only ever added at the end).
HIT_CSV_COLUMNS = (
    "id",
    "url",
    "title",
    "source",
    "published",
    "score",
    "snippet",
    "date_source",
    "cluster",
    "also_published_by",
)


def hit_json(hit: Hit, extras: ArticleExtras | None = None) -> dict[str, Any]:
    return {
        "id": int(hit.id) if hit.id.isdigit() else hit.id,
        "url": hit.url,
        "title": hit.title,
        "source": hit.source,
        "published": to_iso(hit.published),
        "snippet": hit.snippet.text,
        "score": round(hit.score, 4),
        "highlights": [list(h) for h in hit.snippet.highlights],
        "language": hit.language,
        "author": hit.author,
        "date_source": extras.date_source if extras else None,
        "cluster": extras.cluster if extras else None,
        "also_published_by": list(extras.also_published_by) if extras else [],
        "gone_at": extras.gone_at if extras else None,
    }


def found_hits_json(found: Found) -> list[dict[str, Any]]:
    return [
        hit_json(h, found.extras.get(int(h.id)) if h.id.isdigit() else None) for h in found.hits
    ]


def search_json(query: str, found: Found, *, sort: Sort, offset: int) -> dict[str, Any]:
    data = {
        "query": query,
        "total": found.page.total,
        "sort": sort,
        "offset": offset,
        "hits": found_hits_json(found),
    }
    if found.total_without_copies is not None:
        data["collapsed"] = True
        data["total_without_copies"] = found.total_without_copies
    return data


@dataclass(frozen=True)
class ReportData:
    query: str
    since: date | None
    until: date | None
    timezone: str
    snapshot: dict[str, Any]
    counts: Coverage
    originals: Coverage
    by_day: list[tuple[date, int, int]]  # day, articles, articles without copies
    sampled: int
    top_words: list[TermCount]
    top_phrases: list[TermCount]
    # Pages flagged not_article (listings, home pages, videos) are left out unless asked for.
    include_non_articles: bool = False
    # With --interval: attention per bucket; with --by: the breakdown by source or tag.
    interval: Interval | None = None
    by_interval: list[BucketRow] = field(default_factory=list)
    breakdown: Breakdown | None = None
    scope: str = "*"  # what totals count: the query's source/tag/date conjuncts

    @property
    def total(self) -> int:
        return self.counts.total

    @property
    def by_source(self) -> list[tuple[str, int, int]]:
        """(source, articles, articles without copies), largest first."""
        return sorted(
            ((s, c, self.originals.by_source[s]) for s, c in self.counts.by_source.items() if c),
            key=lambda row: (-row[1], row[0]),
        )

    def as_json(self) -> dict[str, Any]:
        data = {
            "query": self.query,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "timezone": self.timezone,
            "snapshot": self.snapshot,
            "non_articles": "included" if self.include_non_articles else "excluded",
            "total": self.counts.total,
            "total_without_copies": self.originals.total,
            "by_day": [
                {"date": d.isoformat(), "count": c, "without_copies": o} for d, c, o in self.by_day
            ],
            "by_source": [
                {"source": s, "count": c, "without_copies": o} for s, c, o in self.by_source
            ],
            "undated": self.counts.undated,
            "undated_without_copies": self.originals.undated,
            "top_terms_sample": self.sampled,
            "top_words": [
                {"word": t.term, "count": t.count, "docs": t.docs} for t in self.top_words
            ],
            "top_phrases": [
                {"phrase": t.term, "count": t.count, "docs": t.docs} for t in self.top_phrases
            ],
        }
        if self.interval or self.breakdown:
            data["scope"] = self.scope
        if self.interval:
            data["interval"] = self.interval
            data["by_interval"] = [row.as_json() for row in self.by_interval]
        if self.breakdown:
            data.update(self._breakdown_json(self.breakdown))
        return data

    def _breakdown_json(self, breakdown: Breakdown) -> dict[str, Any]:
        rows = [row.as_json(breakdown.by, breakdown.spans) for row in breakdown.rows]
        if breakdown.by == "tag":
            return {"by": "tag", "by_tag": rows, "untagged": breakdown.untagged}
        for row in rows:
            row["without_copies"] = self.originals.by_source[row["source"]]
        return {"by": "source", "by_source": rows}


def build_report(
    archive: Archive,
    engine: Engine,
    query_text: str,
    *,
    since: date | None,
    until: date | None,
    timezone: str,
    exact: bool = False,
    top: int = 20,
    snapshot: int | None = None,
    include_non_articles: bool = False,
    interval: Interval | None = None,
    by: By | None = None,
    now: datetime | None = None,
) -> ReportData:
    """Counts (with and without near-duplicate copies) and top terms of the matches; with
    `interval`, attention per bucket (`monitor.report.attention`); with `by`, the breakdown by
    source or tag (`monitor.report.breakdown`).

    With `snapshot`, only articles with an id up to it count: the report of that corpus
    snapshot, recomputed. Pages flagged not_article (a listing, a home page, a video) are no
    coverage of a story and are left out unless `include_non_articles`.
    """
    selection = Selection(timezone, since, until, snapshot, include_non_articles, exact)
    zone = selection.zone
    snap = selection.snapshot_of(archive)
    parsed = selection.parse(query_text)
    node = selection.restrict(parsed)
    check_sources(archive, query_sources(parsed))
    ids = sorted((int(i) for i in engine.ids(node) if i.isdigit()), reverse=True)
    matches = day_counts(engine, node, zone)
    counts = Coverage.of(matches)
    originals = counts.without(copies_among(archive.clusters.clustered_facts(), set(ids)), zone)
    by_day: list[tuple[date, int, int]] = []
    if counts.by_day:
        # Days with no article are shown as zero, not skipped: a gap is information.
        first = since or min(counts.by_day)
        last = until or max(counts.by_day)
        by_day = [
            (day, counts.by_day[day], originals.by_day[day])
            for day in (first + timedelta(days=i) for i in range((last - first).days + 1))
        ]
    sample = ids[:TOP_TERMS_SAMPLE]
    words, phrases = top_terms(
        (f"{a.title}\n{a.text}" for a in archive.articles(sample)), limit=top
    )
    data = ReportData(
        query=query_text,
        since=since,
        until=until,
        timezone=timezone,
        snapshot=snap,
        counts=counts,
        originals=originals,
        by_day=by_day,
        sampled=len(sample),
        top_words=words,
        top_phrases=phrases,
        include_non_articles=include_non_articles,
    )
    if interval is None and by is None:
        return data
    return _with_totals(data, archive, engine, selection, parsed, matches, interval, by, now)


def _with_totals(
    data: ReportData,
    archive: Archive,
    engine: Engine,
    selection: Selection,
    parsed: Node,
    matches: Counts,
    interval: Interval | None,
    by: By | None,
    now: datetime | None,
) -> ReportData:
    """The report with what needs the scope's totals: attention per bucket, the breakdown."""
    zone = selection.zone
    node = selection.restrict(parsed)
    scope = scope_of(parsed)
    total_node = selection.restrict(scope_node(scope))
    totals = day_counts(engine, total_node, zone)
    spans = []
    if interval:
        days = [*totals.by_day, *matches.by_day]
        spans = bucket_spans(interval, days, zone=zone, window=window_of(node), now=now)
    breakdown = None
    if by == "source":
        breakdown = by_source(matches, totals, spans)
    elif by == "tag":
        names = {label_value(name): name for name in archive.feeds.tags()}
        breakdown = by_tag(
            label_day_counts(engine, node, "tag", zone),
            label_day_counts(engine, total_node, "tag", zone),
            spans,
            names,
        )
    return replace(
        data,
        interval=interval,
        by_interval=attention(spans, matches, data.originals.by_day, totals),
        breakdown=breakdown,
        scope=describe(scope),
    )
