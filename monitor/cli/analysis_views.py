"""Analyses → rich renderables: attention per bucket, breakdowns, comparisons, concordances,
keyness tables and samples. No I/O: the commands print what these return.

Text from articles and feeds (titles, sources, contexts, tags) is put in `Text` objects, never
in markup, and control characters are dropped from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from monitor.cli.chart import COLORS, line_chart
from monitor.cli.tables import Cell, Column, TableData
from monitor.cli.views import BAR_WIDTH, sparkline
from monitor.cli.zones import DAY, headed, local_time
from monitor.report.attention import BucketRow
from monitor.report.breakdown import Breakdown
from monitor.report.buckets import Bucket, Interval
from monitor.report.compare import Comparison
from monitor.report.keyness import Key, KeynessResult
from monitor.report.kwic import Concordance
from monitor.report.sample import Sample
from monitor.safe_text import one_line

# Buckets shown as columns of a breakdown; past this many, a sparkline per row.
_MAX_BUCKET_COLUMNS = 8


def safe(value: object) -> str:
    return one_line(str(value))


def percent(value: float | None) -> str:
    """A share with three significant digits: 12.5%, 0.412%; "—" for no article at all."""
    if value is None:
        return "—"
    return f"{value * 100:.3g}%"


def bucket_label(bucket: Bucket, interval: Interval) -> str:
    if interval == "week":
        year, week, _day = bucket.start.isocalendar()
        return f"{year}-W{week:02d} {bucket.start:%m-%d}"
    if interval == "month":
        return f"{bucket.start:%Y-%m}"
    return bucket.start.isoformat()


def of_scope(scope: str) -> str:
    """What a total counts, in words: "all articles", "all articles matching source:x"."""
    return "all articles" if scope == "*" else f"all articles matching {scope}"


def snapshot_line(snapshot: dict[str, Any], *extra: str) -> Text:
    parts = [
        f"corpus snapshot: {snapshot['articles']} articles, max id {snapshot['max_article_id']}, "
        f"last extracted {snapshot['last_extracted_at'] or '—'}",
        *extra,
    ]
    return Text("; ".join(parts), style="dim")


def attention_view(
    rows: Sequence[BucketRow], interval: Interval, *, absolute: bool, scope: str
) -> Table:
    """One line a bucket: a bar of the ratio (or of the count), the figures, partial, gaps."""
    what = "matching articles" if absolute else f"share of {of_scope(scope)}"
    table = Table(
        title=f"per {interval} ({what})", title_justify="left", box=None, show_header=False
    )
    table.add_column(no_wrap=True)
    table.add_column()
    peak = max(((r.count if absolute else r.ratio or 0.0) for r in rows), default=0.0)
    for row in rows:
        value = row.count if absolute else row.ratio or 0.0
        width = round(BAR_WIDTH * value / peak) if peak else 0
        solid = round(BAR_WIDTH * row.without_copies / peak) if absolute and peak else width
        bar = Text("█" * solid, style="cyan").append("░" * (width - solid), style="cyan")
        bar.append(" " if width else "")
        if absolute:
            bar.append(f"{row.count}")
            bar.append(f" ({percent(row.ratio)} of {row.total})", style="dim")
        else:
            bar.append(percent(row.ratio)).append(f" ({row.count} of {row.total})", style="dim")
        if row.bucket.partial:
            bar.append(" partial", style="yellow")
        if row.gaps:
            bar.append(" · nothing from: " + ", ".join(safe(g) for g in row.gaps), style="red")
        table.add_row(bucket_label(row.bucket, interval), bar)
    return table


def short_label(bucket: Bucket, interval: Interval) -> str:
    """A bucket in a few characters, for column headings: 03-02, W10, 2026-03."""
    if interval == "week":
        return f"W{bucket.start.isocalendar()[1]:02d}"
    if interval == "month":
        return f"{bucket.start:%Y-%m}"
    return f"{bucket.start:%m-%d}"


def breakdown_view(breakdown: Breakdown, interval: Interval | None) -> Table:
    """Groups (sources or tags): count, total and ratio, then the ratio per bucket (as columns
    when they are few, else as a sparkline); the counts per bucket are in the CSV and JSON."""
    spans = breakdown.spans
    table = Table(
        title=f"per {breakdown.by} (share of each {breakdown.by}'s own articles)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column(breakdown.by)
    table.add_column("count", justify="right")
    table.add_column("total", justify="right")
    table.add_column("ratio", justify="right")
    few = interval is not None and 0 < len(spans) <= _MAX_BUCKET_COLUMNS
    if few and interval is not None:
        for b in spans:
            table.add_column(short_label(b, interval), justify="right")
    elif spans:
        table.add_column(f"ratio per {interval}", no_wrap=True)
    for row in breakdown.rows:
        cells: list[Text | str] = [Text(safe(row.name)), str(row.count), str(row.total)]
        cells.append(percent(row.ratio))
        if few:
            cells += [percent(n / t if t else None) for n, t in row.cells]
        elif spans:
            cells.append(sparkline([round(1000 * n / t) if t else 0 for n, t in row.cells]))
        table.add_row(*cells)
    if breakdown.untagged is not None:
        table.caption = f"{breakdown.untagged} matching articles carry no tag"
        table.caption_justify = "left"
    return table


def comparison_view(comparison: Comparison, *, absolute: bool, width: int) -> Group:
    """The table of counts and ratios per bucket, then the chart of all the queries."""
    interval = comparison.interval
    table = Table(box=box.SIMPLE_HEAD, title_justify="left")
    table.title = f"per {interval}; total: {of_scope(comparison.scope)}"
    table.add_column(interval, no_wrap=True)
    table.add_column("total", justify="right")
    for i, one in enumerate(comparison.series):
        table.add_column(Text(safe(one.label), style=COLORS[i % len(COLORS)]), justify="right")
    for i, b in enumerate(comparison.spans):
        label = Text(bucket_label(b, interval))
        if b.partial:
            label.append(" *", style="yellow")
        table.add_row(
            label,
            str(comparison.totals[i]),
            *(f"{s.counts[i]} · {percent(s.ratios[i])}" for s in comparison.series),
        )
    table.add_row(
        Text("all", style="bold"),
        str(sum(comparison.totals)),
        *(str(s.total) for s in comparison.series),
    )
    plotted: list[tuple[str, Sequence[float | None]]] = [
        (safe(s.label), [float(n) for n in s.counts] if absolute else s.ratios)
        for s in comparison.series
    ]
    chart = line_chart(
        plotted,
        [bucket_label(b, interval) for b in comparison.spans],
        width=max(20, width - 12),
        value_format=(lambda v: f"{v:g}") if absolute else lambda v: percent(v),
    )
    parts: list[RenderableType] = [table, chart]
    if any(b.partial for b in comparison.spans):
        parts.append(Text("* partial: part of the bucket is outside the window or to come"))
    parts += [Text(note, style="yellow") for note in comparison.notes]
    parts.append(snapshot_line(comparison.snapshot, f"{interval}s in {comparison.timezone}"))
    return Group(*parts)


def concordance_table(concordance: Concordance) -> TableData:
    """Lines of context, the keyword highlighted; in a narrow terminal the left context loses
    its start and the right one its end, so the words next to the keyword stay."""
    zone = concordance.selection.timezone
    published = [line.published for line in concordance.lines]
    columns = [
        Column("id", "id", "right", style="dim"),
        Column(headed("date", zone, published), "id", style="dim"),
        Column("source", "id"),
        Column("pre", "long", "right"),
        Column("keyword", "id", "center"),
        Column("post", "long"),
    ]
    rows: list[list[Cell]] = [
        [
            str(line.id),
            local_time(line.published, zone, DAY),
            safe(line.source),
            line.pre,
            Text(line.keyword, style="bold yellow"),
            line.post,
        ]
        for line in concordance.lines
    ]
    shown = len(concordance.lines)
    title = (
        f"{shown} lines of {concordance.query!r} in context "
        f"({concordance.matching} matching articles, {concordance.read} read; "
        f"sorted by {concordance.sort}" + ("; more with --limit" if concordance.more else "") + ")"
    )
    return TableData(title, columns, rows)


def _keys_table(title: str, keys: list[Key]) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("term")
    for name in ("A", "docs A", "B", "docs B", "G²", "p", "log ratio"):
        table.add_column(name, justify="right")
    for k in keys:
        table.add_row(
            Text(k.term),
            str(k.count_a),
            str(k.docs_a),
            str(k.count_b),
            str(k.docs_b),
            f"{k.g2:.1f}",
            f"{k.p:.2g}",
            f"{k.log_ratio:+.2f}",
        )
    return table


def keyness_view(result: KeynessResult) -> Group:
    a, b = result.a, result.b
    b_name = repr(b.query) if b.query is not None else "the rest of the archive"

    def side(name: str, articles: int, sampled: int) -> str:
        read = f", {sampled} sampled" if sampled < articles else ""
        return f"{name}: {articles} articles{read}"

    header = Text(
        f"over-represented in A ({a.query!r}) against B ({b_name})\n"
        + side("A", a.articles, a.sampled)
        + "; "
        + side("B", b.articles, b.sampled),
        style="bold",
    )
    return Group(
        header,
        _keys_table("words", result.words),
        _keys_table("two-syllable phrases", result.phrases),
        Text(
            "G²: log-likelihood, positive when more frequent in A (3.84 → p 0.05, 10.83 → "
            "0.001); log ratio: log2 of the ratio of relative frequencies (+1 = twice as "
            "frequent in A)",
            style="dim",
        ),
        snapshot_line(result.snapshot),
    )


def sample_table(drawn: Sample, rows: list[dict[str, object]], zone: str) -> TableData:
    """The articles drawn, in the order drawn; a long title is shortened to fit."""
    published = [row.get("published") for row in rows]
    moments = [p if isinstance(p, datetime) else None for p in published]
    columns = [
        Column("#", "id", "right", style="dim"),
        Column("id", "id", "right"),
        Column(headed("published", zone, moments), "id"),
        Column("source", "id"),
        Column("title", "long"),
    ]
    table: list[list[Cell]] = [
        [
            str(i),
            str(row["id"]),
            local_time(moment, zone),
            safe(row.get("source") or ""),
            safe(row.get("title") or ""),
        ]
        for i, (row, moment) in enumerate(zip(rows, moments, strict=True), 1)
    ]
    title = (
        f"{len(rows)} of {drawn.population} articles matching {drawn.query!r}, drawn with "
        f"seed {drawn.seed} (same seed and snapshot, same sample; in the order drawn)"
    )
    return TableData(title, columns, table)
