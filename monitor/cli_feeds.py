"""`monitor feeds`: the subscription list and its health."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click

from monitor import reports
from monitor.cli_app import App, format_option, pass_app
from monitor.feed_store import FeedRow
from monitor.health import feed_health


@click.group()
def feeds() -> None:
    """List, add, remove, import and export feeds; check their health.

    Feeds listed in the config file are synced on every run; feeds added here live in the
    archive. Removing a feed stops polling it; what it brought stays in the archive.
    """


def feed_json(feed: FeedRow) -> dict[str, object]:
    return {
        "id": feed.id,
        "url": feed.url,
        "source": feed.source,
        "name": feed.name,
        "title": feed.title,
        "language": feed.language,
        "tags": list(feed.tags),
        "origin": feed.origin,
        "removed_at": feed.removed_at,
        "last_success_at": feed.last_success_at,
        "consecutive_failures": feed.consecutive_failures,
        "next_poll_at": feed.next_poll_at,
        "poll_interval_s": feed.poll_interval,
    }


@feeds.command("list")
@click.option("--removed", is_flag=True, help="Include removed feeds.")
@format_option("table", "json")
@pass_app
def feeds_list(app: App, removed: bool, fmt: str) -> None:
    """The feeds that are polled (with --removed, also the ones that no longer are).

    Example: monitor feeds list --format json
    """
    archive = app.archive
    archive.sync_feeds(app.config.feeds)
    rows = archive.feeds.all(include_removed=removed)
    if fmt == "json":
        click.echo(json.dumps([feed_json(f) for f in rows], ensure_ascii=False, indent=2))
        return
    app.console.print(reports.feeds_table(rows))


@feeds.command("remove")
@click.argument("selectors", nargs=-1, required=True, metavar="FEED...")
@pass_app
def feeds_remove(app: App, selectors: tuple[str, ...]) -> None:
    """Stop polling feeds, named by id, URL or source. Their articles stay in the archive.

    Example: monitor feeds remove https://example.vn/rss/old.rss
    """
    archive = app.archive
    archive.sync_feeds(app.config.feeds)
    for feed in archive.feeds.select(selectors):
        archive.feeds.remove(feed)
        note = (
            " (it is also in the config file; it stays removed until `monitor feeds add`)"
            if feed.origin == "config"
            else ""
        )
        app.console.print(f"removed feed {feed.id} {feed.url}{note}", highlight=False)


@feeds.command("health")
@click.option("--days", default=14, show_default=True, type=click.IntRange(3, 90))
@click.option("--problems", is_flag=True, help="Only feeds that fail or whose volume dropped.")
@format_option("table", "json")
@pass_app
def feeds_health(app: App, days: int, problems: bool, fmt: str) -> None:
    """Per feed: last success, last error, failures, next poll, volume per day, drops.

    A feed is flagged `zero` when it brought no new entry for 3 days although it usually brings
    at least one a day, and `low` when it brought under a quarter of its usual volume.

    Example: monitor feeds health --problems
    """
    archive = app.archive
    archive.sync_feeds(app.config.feeds)
    tz = ZoneInfo(app.config.report.timezone)
    now = datetime.now(UTC)
    health = feed_health(archive, archive.feeds.all(), tz=tz, now=now, days=days)
    if problems:
        health = [h for h in health if h.status != "ok" or h.volume_flag]
    if fmt == "json":
        data = {
            "generated_at": now.isoformat(timespec="seconds"),
            "timezone": app.config.report.timezone,
            "days": days,
            "feeds": [h.as_dict() for h in health],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    app.console.print(reports.health_table(health, now))
