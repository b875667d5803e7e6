"""Data → rich renderables. No I/O: the commands print what these return."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from index.model import Snippet
from monitor.archive.saved_searches import SavedSearch
from monitor.collect.discovery import DiscoveredFeed
from monitor.jobs.run import RunSummary
from monitor.models import ArticleExtras, ArticleRecord, FeedRow
from monitor.report.health import FeedHealth
from monitor.report.search import Found, ReportData
from monitor.safe_text import one_line, printable
from monitor.timestamps import from_iso

BAR_WIDTH = 40


def plain(value: object, style: str = "") -> Text:
    """A value shown as it is: never read as markup, and without control characters (archives
    written by older versions may hold some)."""
    return Text(one_line(str(value)), style=style)


def local_time(value: datetime | None, zone: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(ZoneInfo(zone)).strftime(fmt) if value else "—"


def snippet_text(snippet: Snippet) -> Text:
    # Text built from plain strings: markup-like characters in article text are printed as-is.
    text = Text(printable(snippet.text))
    for start, end in snippet.highlights:
        text.stylize("bold yellow", start, end)
    return text


def hits_table(found: Found, *, query: str, zone: str, offset: int) -> Table:
    hits = found.hits
    shown = f"{offset + 1}–{offset + len(hits)}" if hits else "0"
    collapsed = (
        f", {found.total_without_copies} without near-duplicate copies"
        if found.total_without_copies is not None
        else ""
    )
    table = Table(
        title=plain(f"{found.page.total} articles match {query!r}{collapsed} (showing {shown})"),
        show_lines=True,
        expand=True,
    )
    table.add_column("id", justify="right", style="dim", no_wrap=True)
    table.add_column("title / snippet", ratio=4)
    table.add_column("source", ratio=1)
    table.add_column("published", no_wrap=True)
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
    meta.add_column()
    meta.add_row("id", str(article.id))
    meta.add_row("url", plain(article.url))
    meta.add_row("source", plain(article.source))
    published = f"{local_time(article.published, zone)} ({article.date_source})"
    meta.add_row("published", plain(published))
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


def run_summary(summary: RunSummary) -> RenderableType:
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
    table.add_row("next feed due", _when(summary.next_poll_at))
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


def _when(iso: str | None, *, exact: bool = True) -> str:
    if iso is None:
        return "now"
    at = datetime.fromisoformat(iso)
    seconds = (at - datetime.now(UTC)).total_seconds()
    if seconds <= 0:
        return "now"
    return f"in {duration(seconds)}" + (f" ({at:%Y-%m-%d %H:%M} UTC)" if exact else "")


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


def feeds_table(rows: list[FeedRow]) -> Table:
    table = Table(title=f"{len(rows)} feeds", title_justify="left")
    table.add_column("id", justify="right")
    table.add_column("source")
    table.add_column("url", overflow="fold")
    table.add_column("origin")
    table.add_column("last success")
    table.add_column("next poll")
    for feed in rows:
        table.add_row(
            str(feed.id),
            plain(feed.source + (f" · {feed.name}" if feed.name else "")),
            plain(feed.url),
            plain(feed.origin + (" (removed)" if feed.removed_at else "")),
            (feed.last_success_at or "never")[:16].replace("T", " "),
            _when(feed.next_poll_at, exact=False) if not feed.removed_at else "—",
        )
    return table


def discovered_table(found: list[DiscoveredFeed], added: set[str]) -> Table:
    table = Table(title=f"{len(found)} feeds found", title_justify="left")
    table.add_column("url", overflow="fold")
    table.add_column("title")
    table.add_column("kind")
    table.add_column("entries", justify="right")
    table.add_column("found by")
    table.add_column("")
    for feed in found:
        table.add_row(
            plain(feed.url),
            plain(feed.title or "—"),
            plain(feed.kind),
            str(feed.entries),
            plain(feed.how),
            Text("added", style="green") if feed.url in added else "",
        )
    return table


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """One character a day; blank days stay visible as a dot."""
    top = max(values, default=0)
    if top == 0:
        return "·" * len(values)
    return "".join(
        "·" if v == 0 else SPARK[min(len(SPARK) - 1, (v * len(SPARK) - 1) // top)] for v in values
    )


def health_table(health: list[FeedHealth], now: datetime) -> Table:
    days = len(health[0].days) if health else 0
    table = Table(
        title=f"feed health, last {days} days",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        collapse_padding=True,
        pad_edge=False,
    )
    table.add_column("id", justify="right", min_width=2)
    table.add_column("source", min_width=9, max_width=24)
    table.add_column("status", no_wrap=True, min_width=7)
    table.add_column("last ok", no_wrap=True, min_width=10)
    table.add_column("fails", justify="right", min_width=5)
    table.add_column("next", no_wrap=True, min_width=7)
    table.add_column("entries/day", no_wrap=True, min_width=max(days, 11))
    table.add_column("new", justify="right", min_width=3)
    table.add_column("usual", justify="right", min_width=5)
    table.add_column("flag / last error", no_wrap=True, overflow="ellipsis", max_width=40)
    for h in health:
        feed = h.feed
        status = Text(h.status, style="green" if h.status == "ok" else "red")
        note = Text()
        if h.volume_flag:
            note.append(one_line(f"{h.volume_flag}: {h.flag_reason}"), style="yellow")
        if feed.last_error:
            note.append(("\n" if note else "") + one_line(feed.last_error), style="red")
        table.add_row(
            str(feed.id),
            plain(feed.source + (f" · {feed.name}" if feed.name else "")),
            status,
            _ago(feed.last_success_at, now),
            str(feed.consecutive_failures),
            _when(feed.next_poll_at, exact=False).removeprefix("in "),
            sparkline([d.entries for d in h.days]),
            str(sum(d.articles for d in h.days)),
            "—" if h.usual_per_day is None else f"{h.usual_per_day:.1f}",
            note,
        )
    return table


def _ago(iso: str | None, now: datetime) -> str:
    if iso is None:
        return "never"
    return duration((now - datetime.fromisoformat(iso)).total_seconds()) + " ago"


def saved_searches_table(saved: list[SavedSearch], zone: str) -> Table:
    table = Table(title=f"{len(saved)} saved searches")
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("query")
    table.add_column("created", no_wrap=True)
    for s in saved:
        table.add_row(plain(f"@{s.name}"), plain(s.query), local_time(from_iso(s.created_at), zone))
    return table
