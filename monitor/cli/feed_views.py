"""Feeds → tables: the subscription list, the feeds found on a site, and their health. No I/O:
the commands print what these return (`tables.print_data`)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from monitor.cli.tables import Cell, Column, TableData
from monitor.cli.views import duration, sparkline, when
from monitor.cli.zones import headed, local_time, zone_label
from monitor.collect.discovery import DiscoveredFeed
from monitor.models import FeedRow
from monitor.report.health import FeedHealth
from monitor.safe_text import one_line
from monitor.timestamps import from_iso


def _source(feed: FeedRow) -> str:
    return feed.source + (f" · {feed.name}" if feed.name else "")


def feeds_table(rows: list[FeedRow], zone: str) -> TableData:
    successes = [from_iso(feed.last_success_at) for feed in rows]
    columns = [
        Column("id", "id", "right"),
        Column("source", "id"),
        Column("url", "long"),
        Column("origin", "id"),
        Column(headed("last success", zone, successes), "id"),
        Column("next poll", "id"),
    ]
    table: list[list[Cell]] = [
        [
            str(feed.id),
            _source(feed),
            feed.url,
            feed.origin + (" (removed)" if feed.removed_at else ""),
            local_time(success, zone) if success else "never",
            when(feed.next_poll_at, zone, exact=False) if not feed.removed_at else "—",
        ]
        for feed, success in zip(rows, successes, strict=True)
    ]
    return TableData(f"{len(rows)} feeds", columns, table)


def discovered_table(found: list[DiscoveredFeed], added: set[str]) -> TableData:
    columns = [
        Column("url", "long"),
        Column("title", "long"),
        Column("kind", "id"),
        Column("entries", "id", "right"),
        Column("found by", "id"),
        Column("", "id"),
    ]
    rows: list[list[Cell]] = [
        [
            feed.url,
            feed.title or "—",
            feed.kind,
            str(feed.entries),
            feed.how,
            Text("added", style="green") if feed.url in added else "",
        ]
        for feed in found
    ]
    return TableData(f"{len(found)} feeds found", columns, rows)


def health_table(health: list[FeedHealth], now: datetime, zone: str) -> TableData:
    """One row a feed; the days of entries/day are those of `zone`, which the title names."""
    days = len(health[0].days) if health else 0
    columns = [
        Column("id", "id", "right"),
        Column("source", "id"),
        Column("status", "id"),
        Column("last ok", "id"),
        Column("fails", "id", "right"),
        Column("next", "id"),
        Column("entries/day", "id"),
        Column("new", "id", "right"),
        Column("usual", "id", "right"),
        Column("flag / last error", "long"),
    ]
    rows: list[list[Cell]] = []
    for h in health:
        feed = h.feed
        note = Text()
        if h.volume_flag:
            note.append(one_line(f"{h.volume_flag}: {h.flag_reason}"), style="yellow")
        if feed.last_error:
            note.append(("; " if note else "") + one_line(feed.last_error), style="red")
        rows.append(
            [
                str(feed.id),
                _source(feed),
                Text(h.status, style="green" if h.status == "ok" else "red"),
                _ago(feed.last_success_at, now),
                str(feed.consecutive_failures),
                when(feed.next_poll_at, zone, exact=False).removeprefix("in "),
                sparkline([d.entries for d in h.days]),
                str(sum(d.articles for d in h.days)),
                "—" if h.usual_per_day is None else f"{h.usual_per_day:.1f}",
                note,
            ]
        )
    return TableData(f"feed health, last {days} days ({zone_label(zone)})", columns, rows)


def _ago(iso: str | None, now: datetime) -> str:
    if iso is None:
        return "never"
    return duration((now - datetime.fromisoformat(iso)).total_seconds()) + " ago"
