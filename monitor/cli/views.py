"""Data → rich renderables. No I/O: the commands print what these return."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from index.model import Snippet
from monitor.archive.saved_searches import SavedSearch
from monitor.cli.tables import Cell, Column, TableData
from monitor.cli.zones import headed, local_time, zone_label
from monitor.jobs.run import RunSummary
from monitor.models import ArticleExtras, ArticleRecord
from monitor.report.search import Found, ReportData
from monitor.safe_text import one_line, printable
from monitor.timestamps import from_iso

BAR_WIDTH = 40


def plain(value: object, style: str = "") -> Text:
    """A value shown as it is: never read as markup, and without control characters (archives
    written by older versions may hold some)."""
    return Text(one_line(str(value)), style=style)


def snippet_text(snippet: Snippet) -> Text:
    # Text built from plain strings: markup-like characters in article text are printed as-is.
    text = Text(printable(snippet.text))
    for start, end in snippet.highlights:
        text.stylize("bold yellow", start, end)
    return text


def _hits_title(found: Found, query: str, offset: int) -> str:
    hits = found.hits
    shown = f"{offset + 1}–{offset + len(hits)}" if hits else "0"
    collapsed = (
        f", {found.total_without_copies} without near-duplicate copies"
        if found.total_without_copies is not None
        else ""
    )
    return f"{found.page.total} articles match {query!r}{collapsed} (showing {shown})"


def hits_table(found: Found, *, query: str, zone: str, offset: int) -> Table:
    hits = found.hits
    table = Table(title=plain(_hits_title(found, query, offset)), show_lines=True, expand=True)
    table.add_column("id", justify="right", style="dim", no_wrap=True)
    table.add_column("title / snippet", ratio=4)
    # Wrapped between words, never cut: the source tells hits apart.
    longest = max((len(word) for hit in hits for word in hit.source.split()), default=6)
    table.add_column("source", min_width=min(longest, 20), max_width=20, overflow="fold")
    table.add_column(headed("published", zone, [hit.published for hit in hits]), no_wrap=True)
    for hit in hits:
        cell = plain(hit.title, style="bold")
        cell.append("\n")
        cell.append_text(snippet_text(hit.snippet))
        extras = found.extras.get(int(hit.id)) if hit.id.isdigit() else None
        if extras and extras.also_published_by:
            cell.append(
                "\nalso published by: " + one_line(", ".join(extras.also_published_by)),
                style="magenta",
            )
        table.add_row(plain(hit.id), cell, plain(hit.source), local_time(hit.published, zone))
    return table


def hits_data(found: Found, *, query: str, zone: str, offset: int) -> TableData:
    """The hits as a plain table, for output that is not a terminal: a row a hit, every value
    whole on one line."""
    hits = found.hits
    columns = [
        Column("id", "id"),
        Column("title", "long"),
        Column("source", "id"),
        Column(headed("published", zone, [hit.published for hit in hits]), "id"),
        Column("snippet", "long"),
        Column("also published by", "long"),
    ]
    rows: list[list[Cell]] = []
    for hit in hits:
        extras = found.extras.get(int(hit.id)) if hit.id.isdigit() else None
        others = ", ".join(extras.also_published_by) if extras else ""
        published = local_time(hit.published, zone)
        rows.append([hit.id, hit.title, hit.source, published, hit.snippet.text, others])
    return TableData(_hits_title(found, query, offset), columns, rows)


def article_view(
    article: ArticleRecord,
    extras: ArticleExtras,
    zone: str,
    *,
    more: Sequence[tuple[str, RenderableType]] = (),
) -> RenderableType:
    """One article; `more` rows (its versions and changes) end its metadata."""
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column(overflow="fold")  # a URL is folded whole, not cut
    meta.add_row("id", str(article.id))
    meta.add_row("url", plain(article.url))
    meta.add_row("source", plain(article.source))
    published = f"{local_time(article.published, zone)} ({article.date_source})"
    meta.add_row(headed("published", zone, [article.published]), plain(published))
    meta.add_row("author", plain(article.author or "—"))
    meta.add_row("language", plain(article.language or "—"))
    versions = ", ".join(f"{name} {version}" for name, version in sorted(article.versions.items()))
    meta.add_row("extractor", plain(article.extractor + (f" ({versions})" if versions else "")))
    if article.declared_language and article.declared_language != article.language:
        meta.add_row("declared language", plain(article.declared_language))
    if article.canonical_url:
        meta.add_row("canonical", plain(article.canonical_url))
    if extras.flags:
        meta.add_row("flags", plain(", ".join(extras.flags), style="yellow"))
    if extras.also_published_by:
        meta.add_row("also published by", plain(", ".join(extras.also_published_by)))
    if article.feeds:
        meta.add_row("feeds", Text("\n".join(one_line(feed) for feed in article.feeds)))
    for name, value in more:
        meta.add_row(name, value)
    return Group(
        Panel(meta, title=plain(article.title, style="bold"), title_align="left"),
        Text(printable(article.text)),
    )


def run_summary(summary: RunSummary, zone: str) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("feeds polled", f"{summary.feeds_due} ({summary.feeds_not_due} not due)")
    table.add_row("feeds ok", f"{summary.feeds_ok} ({summary.feeds_unchanged} unchanged)")
    table.add_row("feeds failed", str(summary.feeds_failed))
    if summary.feeds_deferred:
        table.add_row("feeds deferred (host asked to wait)", str(summary.feeds_deferred))
    table.add_row("entries seen", str(summary.entries_seen))
    table.add_row("entries new", str(summary.entries_new))
    table.add_row("articles new", str(summary.articles_new))
    table.add_row("articles already known", str(summary.articles_known))
    table.add_row("articles failed", str(summary.articles_failed))
    if summary.articles_skipped:
        table.add_row("pages skipped (robots.txt)", str(summary.articles_skipped))
    if summary.articles_deferred:
        table.add_row("pages deferred (host asked to wait)", str(summary.articles_deferred))
    revisits = summary.revisits
    if revisits.due:
        table.add_row(
            "articles revisited",
            f"{revisits.revisited} of {revisits.due} due: {revisits.edited} edited, "
            f"{revisits.gone} gone, {revisits.restored} restored",
        )
    if revisits.retitled:
        table.add_row("articles retitled in feeds", str(revisits.retitled))
    table.add_row("indexed", str(summary.indexed))
    table.add_row("next feed due", when(summary.next_poll_at, zone))
    if summary.interrupted:
        table.add_row(
            "interrupted", "the pages in hand were stored; the rest waits for the next run"
        )
    parts: list[RenderableType] = [table]
    if summary.failures:
        failures = Table(title="failures", title_justify="left", expand=True)
        failures.add_column("kind")
        failures.add_column("source")
        failures.add_column("url", overflow="fold")
        failures.add_column("reason", overflow="fold")
        for f in summary.failures:
            failures.add_row(plain(f.kind), plain(f.source), plain(f.url), plain(f.reason))
        parts.append(failures)
    for w in summary.warnings:
        parts.append(plain(f"warning: {w.source} {w.url}: {w.reason}", style="yellow"))
    style = "green" if summary.exit_code == 0 else "red"
    return Panel(Group(*parts), title=f"run {summary.run_id}", border_style=style)


def when(iso: str | None, zone: str, *, exact: bool = True) -> str:
    """How soon `iso` comes: "in 24 min", and with `exact` the time in `zone`, named."""
    if iso is None:
        return "now"
    at = datetime.fromisoformat(iso)
    seconds = (at - datetime.now(UTC)).total_seconds()
    if seconds <= 0:
        return "now"
    exactly = f" ({local_time(at, zone)} {zone_label(zone, [at])})" if exact else ""
    return f"in {duration(seconds)}{exactly}"


def duration(seconds: float) -> str:
    """A short human duration: 45 s, 12 min, 3.5 h, 2.0 d."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def stats_table(stats: dict[str, object]) -> Table:
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, value in stats.items():
        table.add_row(key.replace("_", " "), plain(_human(key, value)))
    return table


def _human(key: str, value: object) -> str:
    if key.endswith("_bytes") and isinstance(value, int):
        size = float(value)
        for unit in ("B", "KB", "MB", "GB"):
            if size < 1024 or unit == "GB":
                return f"{size:,.1f} {unit}" if unit != "B" else f"{int(size)} B"
            size /= 1024
    return f"{value:,}" if isinstance(value, int) else str(value)


def _bar(count: int, peak: int, originals: int | None = None) -> Text:
    """A bar of `count`; the part that is copies of other outlets' stories is drawn lighter."""
    width = round(BAR_WIDTH * count / peak) if peak else 0
    solid = width if originals is None else round(BAR_WIDTH * originals / peak) if peak else 0
    bar = Text("█" * solid, style="cyan").append("░" * (width - solid), style="cyan")
    bar.append(" " if width else "").append(str(count))
    if originals is not None and originals != count:
        bar.append(f" ({originals} without copies)", style="dim")
    return bar


def report_view(
    data: ReportData,
    *,
    days_view: RenderableType | None = None,
    sources_view: RenderableType | None = None,
) -> RenderableType:
    """The report; `days_view` and `sources_view` stand in for the per-day and per-source
    sections when given (attention by interval, a breakdown)."""
    scope = []
    if data.since:
        scope.append(f"since {data.since}")
    if data.until:
        scope.append(f"until {data.until}")
    copies = data.total - data.originals.total
    header = plain(
        f"{data.total} articles match {data.query!r}"
        + (f" ({', '.join(scope)})" if scope else "")
        + (f" ({data.originals.total} without near-duplicate copies)" if copies else "")
        + f"; days in {data.timezone}",
        style="bold",
    )
    snap = data.snapshot
    footer = Text(
        f"corpus snapshot: {snap['articles']} articles, max id {snap['max_article_id']}, "
        f"last extracted {snap['last_extracted_at'] or '—'}; top terms from "
        f"{data.sampled} articles; pages flagged not_article "
        + ("included" if data.include_non_articles else "left out (--include-non-articles)"),
        style="dim",
    )
    days = Table(title="per day", title_justify="left", box=None, show_header=False)
    days.add_column(no_wrap=True)
    days.add_column()
    peak = max((c for _, c, _o in data.by_day), default=0)
    for day, count, originals in data.by_day:
        days.add_row(day.isoformat(), _bar(count, peak, originals))
    if data.counts.undated:
        days.add_row("undated", Text(str(data.counts.undated), style="dim"))
    sources = Table(title="per source", title_justify="left", box=None, show_header=False)
    sources.add_column()
    sources.add_column()
    peak = max((c for _, c, _o in data.by_source), default=0)
    for source, count, originals in data.by_source:
        sources.add_row(plain(source), _bar(count, peak, originals))
    terms = Table(title="most frequent", title_justify="left")
    terms.add_column("word")
    terms.add_column("count", justify="right")
    terms.add_column("docs", justify="right")
    terms.add_column("two-syllable phrase")
    terms.add_column("count", justify="right")
    terms.add_column("docs", justify="right")
    for i in range(max(len(data.top_words), len(data.top_phrases))):
        w = data.top_words[i] if i < len(data.top_words) else None
        p = data.top_phrases[i] if i < len(data.top_phrases) else None
        terms.add_row(
            plain(w.term) if w else "",
            str(w.count) if w else "",
            str(w.docs) if w else "",
            plain(p.term) if p else "",
            str(p.count) if p else "",
            str(p.docs) if p else "",
        )
    return Group(header, days_view or days, sources_view or sources, terms, footer)


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """One character a day; blank days stay visible as a dot."""
    top = max(values, default=0)
    if top == 0:
        return "·" * len(values)
    return "".join(
        "·" if v == 0 else SPARK[min(len(SPARK) - 1, (v * len(SPARK) - 1) // top)] for v in values
    )


def saved_searches_table(saved: list[SavedSearch], zone: str) -> TableData:
    created = [from_iso(s.created_at) for s in saved]
    columns = [
        Column("name", "id"),
        Column("query", "long"),
        Column(headed("created", zone, created), "id"),
    ]
    rows: list[list[Cell]] = [
        [Text(f"@{s.name}", style="bold"), s.query, local_time(at, zone)]
        for s, at in zip(saved, created, strict=True)
    ]
    return TableData(f"{len(saved)} saved searches", columns, rows)
