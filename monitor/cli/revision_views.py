"""Edits and takedowns → rich renderables and table rows: diffs, change lists, summaries.

A diff is colored in a terminal (removed words red and struck through, added words green);
piped, it is plain text with git's word-diff marks, `[-removed-]{+added+}`, so that nothing is
lost where there is no color.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from monitor.archive.revisions import ChangeEvent
from monitor.cli.tables import Column
from monitor.cli.zones import headed, local_time, zone_label
from monitor.extract.word_diff import WordDiff
from monitor.jobs.revisit import RevisitSummary
from monitor.report.changes import ChangeReport
from monitor.report.versions import Revisions, VersionDiff

BAR_WIDTH = 40
REMOVED = "red strike"
ADDED = "bold green"


def change_columns(zone: str, events: Sequence[ChangeEvent]) -> list[Column]:
    """The columns of `change_row`, the zone of the events' times named."""
    return [
        Column(headed("at", zone, [event.at for event in events]), "id"),
        Column("id", "id", "right"),
        Column("source", "id"),
        Column("kind", "id"),
        Column("versions", "id"),
        Column("change", "id"),
        Column("title / where", "text"),  # wrapped, never cut: titles tell articles apart
    ]


def diff_text(diff: WordDiff, *, color: bool) -> Text:
    """The later version with what changed marked: by color, or by `[-…-]{+…+}`."""
    text = Text()
    for segment in diff.segments:
        if segment.op == "equal":
            text.append(segment.text)
        elif color:
            text.append(segment.text, style=REMOVED if segment.op == "delete" else ADDED)
        else:
            # Marks close before the whitespace that ends the segment, as git writes them.
            body = segment.text.rstrip()
            mark = ("[-", "-]") if segment.op == "delete" else ("{+", "+}")
            text.append(mark[0] + body + mark[1] + segment.text[len(body) :])
    return text


def version_diff_view(diff: VersionDiff, zone: str, *, color: bool) -> Text:
    before, after = diff.before, diff.after
    named = zone_label(zone, [before.fetched_at, after.fetched_at])
    text = Text(
        f"article {diff.article.id} ({diff.article.source}): version {before.number} "
        f"({_local(before.fetched_at, zone)} {named}) → version {after.number} "
        f"({_local(after.fetched_at, zone)} {named}): "
        f"+{diff.text.added} −{diff.text.removed} words\n",
        style="bold",
    )
    if before.number == after.number:
        return text.append("one version: nothing to compare\n", style="dim")
    text.append(diff.article.url + "\n", style="dim")
    text.append("title: ").append_text(diff_text(diff.title, color=color)).append("\n")
    if after.returns_to is not None:
        text.append(f"version {after.number} returns to the text of version {after.returns_to}\n")
    return text.append("\n").append_text(diff_text(diff.text, color=color)).append("\n")


def unified_view(lines: list[str], *, color: bool) -> Text:
    text = Text()
    for line in lines:
        style = ""
        if color and line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
            style = ADDED if line.startswith("+") else "red"
        text.append(line + "\n", style=style)
    return text


def change_row(event: ChangeEvent, zone: str) -> list[str]:
    """One event as a row of `change_columns`."""
    what = event.title
    if event.kind == "edited":
        versions = f"{event.from_version}→{event.to_version}"
        if event.returns_to is not None:
            versions += f" (={event.returns_to})"
        change = f"+{event.words_added or 0} −{event.words_removed or 0} words"
        if event.title_before != event.title_after:
            what = f"{event.title_before} → {event.title_after}"
    elif event.kind == "retitled":
        versions, change = f"{event.to_version}", "feed title"
        what = f"{event.title_before} → {event.title_after}"
    else:
        versions = f"{event.from_version}"
        change = f"HTTP {event.status}" if event.status else "—"
        if event.location:
            what += f" (→ {event.location})"
        elif event.reason and event.status == 200:
            what += f" ({event.reason})"
    return [
        _local(event.at, zone),
        str(event.article_id),
        event.source,
        event.kind,
        versions,
        change,
        what,
    ]


def revisions_rows(revisions: Revisions, zone: str) -> list[tuple[str, Text | str]]:
    """What `show` adds to an article's metadata: its versions and whether it is gone; each
    time in `zone`, named."""
    shown, versions = revisions.shown, revisions.versions
    rows: list[tuple[str, Text | str]] = []

    def at(value: datetime) -> str:
        return f"{_local(value, zone)} {zone_label(zone, [value])}"

    if len(versions) > 1 or shown.number != 1:
        note = f"{len(versions)}; this is version {shown.number}, fetched " + at(shown.fetched_at)
        if shown.returns_to is not None:
            note += f" (the text of version {shown.returns_to})"
        rows.append(("versions", note))
    gone_at = revisions.article.gone_at
    if gone_at:
        since = at(datetime.fromisoformat(gone_at))
        rows.append(("gone", Text(f"since {since} (the last good copy is shown)", style="red")))
    for event in revisions.events[-5:]:  # the latest; `monitor changes` lists them all
        rows.append(("change", " ".join(change_row(event, zone)[3:6]) + f" ({at(event.at)})"))
    return rows


def revisit_summary(summary: RevisitSummary, indexed: int) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("articles revisited", f"{summary.revisited} of {summary.due}")
    table.add_row("unchanged", str(summary.unchanged))
    table.add_row("edited (new versions)", f"{summary.edited} ({summary.returned} returns)")
    table.add_row("gone", str(summary.gone))
    table.add_row("restored", str(summary.restored))
    if summary.deferred:
        table.add_row("deferred (host asked to wait)", str(summary.deferred))
    if summary.skipped:
        table.add_row("skipped (robots.txt)", str(summary.skipped))
    table.add_row("failed", str(summary.failed))
    table.add_row("indexed", str(indexed))
    parts: list[RenderableType] = [table]
    for f in summary.failures:
        parts.append(Text(f"failed: {f.source} {f.url}: {f.reason}", style="yellow"))
    return Group(*parts)


def _local(value: datetime, zone: str) -> str:
    return local_time(value, zone)


_KIND_WORDS = {
    "edited": "edits",
    "retitled": "new titles in feeds",
    "gone": "takedowns",
    "restored": "restorations",
}


def change_report_view(report: ChangeReport) -> RenderableType:
    """`report --kind`: events per day and per source, as bars."""
    counts = report.counts
    scope = [
        f"since {report.since}" if report.since else "",
        f"until {report.until}" if report.until else "",
    ]
    header = Text(
        f"{counts.total} {_KIND_WORDS[report.kind]} of {counts.article_total()} articles matching "
        f"{report.query!r}"
        + (f" ({', '.join(s for s in scope if s)})" if any(scope) else "")
        + f"; days of the events in {report.timezone}",
        style="bold",
    )
    days = _bars("per day", [(d.isoformat(), c, a) for d, c, a in report.by_day])
    sources = _bars("per source", report.by_source)
    snap = report.snapshot
    footer = Text(
        f"corpus snapshot: {snap['articles']} articles, max id {snap['max_article_id']}; "
        f"{snap['events']} events, max event id {snap['max_event_id']}",
        style="dim",
    )
    return Group(header, days, sources, footer)


def _bars(title: str, rows: list[tuple[str, int, int]]) -> Table:
    table = Table(title=title, title_justify="left", box=None, show_header=False)
    table.add_column(no_wrap=True)
    table.add_column()
    peak = max((count for _, count, _a in rows), default=0)
    for name, count, articles in rows:
        bar = Text("█" * (round(BAR_WIDTH * count / peak) if peak else 0), style="cyan")
        bar.append(f" {count}" + (f" ({articles} articles)" if articles != count else ""))
        table.add_row(name, bar)
    return table
