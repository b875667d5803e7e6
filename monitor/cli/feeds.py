"""`monitor feeds`: the subscription list and its health."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import click

from monitor.cli import feed_views, views
from monitor.cli.app import App, format_option, pass_app, wait_option, wide_option, writes
from monitor.cli.tables import print_data
from monitor.collect.discovery import discover_feeds
from monitor.collect.http import Fetcher
from monitor.collect.opml import OpmlFeed, read_opml, write_opml
from monitor.config import FeedConfig
from monitor.errors import NotFoundError
from monitor.report.health import feed_health

# Outlets' /rss pages list dozens of section feeds; each candidate costs one request.
DISCOVERY_CANDIDATES = 60


@click.group()
def feeds() -> None:
    """List, add, remove, import and export feeds; check their health.

    Feeds listed in the config file are synced on every run; feeds added here live in the
    archive. Removing a feed stops polling it; what it brought stays in the archive.
    """


@feeds.command("list")
@click.option("--removed", is_flag=True, help="Include removed feeds.")
@wide_option
@format_option("table", "json")
@pass_app
def feeds_list(app: App, removed: bool, wide: bool, fmt: str) -> None:
    """The feeds that are polled (with --removed, also the ones that no longer are).

    Example: monitor feeds list --format json
    """
    app.sync_feeds()
    rows = app.archive.feeds.all(include_removed=removed)
    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in rows], ensure_ascii=False, indent=2))
        return
    print_data(app.console, feed_views.feeds_table(rows, app.config.report.timezone), wide=wide)


@feeds.command("add")
@click.argument("url")
@click.option("--source", help="Outlet name used in search and reports (default: the host).")
@click.option("--name", help="A name for this feed, e.g. its section.")
@click.option("--language", help="The feed's language, e.g. vi.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--all-found", is_flag=True, help="Add every feed found on the page.")
@wide_option
@format_option("text", "json")
@wait_option
@pass_app
def feeds_add(
    app: App,
    url: str,
    source: str | None,
    name: str | None,
    language: str | None,
    tags: tuple[str, ...],
    all_found: bool,
    wide: bool,
    fmt: str,
    wait: float,
) -> None:
    """Add a feed by its URL, or find the feeds of a site from its homepage.

    A homepage is searched for <link rel="alternate"> feeds, links to feed pages, then common
    feed paths (and news sitemaps). When one feed is found it is added; when several are, they
    are listed and --all-found adds them all (or add the one you want by its URL).

    Example: monitor feeds add https://vnexpress.net/ --source VnExpress
    """
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("give an http:// or https:// URL", param_hint="URL")
    # A one-off look at one site, asked for by a person waiting: a shorter pause per request
    # (still one request at a time) keeps it to seconds, not minutes.
    http = replace(app.config.http, per_host_delay=min(app.config.http.per_host_delay, 1.0))
    with Fetcher(http) as fetcher:
        if app.err.is_terminal:
            app.err.print(views.plain(f"looking for feeds at {url} …"))
        found = discover_feeds(
            url,
            # The URL given is the user's choice; what the page links to is checked.
            lambda candidate: fetcher.get(candidate, trusted=candidate == url),
            max_candidates=DISCOVERY_CANDIDATES,
        )
    if not found:
        raise NotFoundError(
            f"no feed found at {url} (looked for feed links on the page and at common paths)"
        )
    chosen = found if all_found or len(found) == 1 else []
    # The archive is locked for the writing only, not while the site is searched.
    app.hold_lock(wait, command="monitor feeds add")
    archive = app.archive
    archive.sync_feeds(app.config.feeds)
    added = []
    for feed in chosen:
        row, changed = archive.feeds.add(
            FeedConfig(
                url=feed.url,
                source=source or default_source(feed.url),
                name=name or feed.title,
                language=language,
                tags=tags,
            ),
            origin="cli",
        )
        added.append((feed, row, changed))
    if fmt == "json":
        data = {
            "found": [asdict(feed) for feed in found],
            "added": [row.as_dict() for _feed, row, changed in added if changed],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        newly = {r.url for _f, r, c in added if c}
        print_data(app.console, feed_views.discovered_table(found, newly), wide=wide)
        for _feed, row, changed in added:
            if not changed:
                app.console.print(
                    f"{row.url} is already there (feed {row.id}, {row.source}): nothing added",
                    highlight=False,
                )
        if not chosen:
            app.console.print(
                f"{len(found)} feeds found: add one by its URL, or all with --all-found",
                highlight=False,
            )
    if not chosen:
        sys.exit(1)


def default_source(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


@feeds.command("import")
@writes
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--source", help="Source for feeds the file doesn't name (default: the host).")
@pass_app
def feeds_import(app: App, file: Path, source: str | None) -> None:
    """Add the feeds of an OPML file (from another feed reader, or `feeds export`).

    Folders become tags. Feeds already present are left as they are.

    Example: monitor feeds import subscriptions.opml
    """
    entries = read_opml(file.read_bytes())
    archive = app.archive
    archive.sync_feeds(app.config.feeds)
    added = 0
    for entry in entries:
        _row, changed = archive.feeds.add(
            FeedConfig(
                url=entry.url,
                source=entry.source or source or default_source(entry.url),
                name=entry.title,
                language=entry.language,
                tags=entry.tags,
            ),
            origin="opml",
        )
        added += changed
    app.console.print(
        views.plain(
            f"{len(entries)} feeds in {file.name}: {added} added, "
            f"{len(entries) - added} already there"
        )
    )


@feeds.command("export")
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Default: stdout."
)
@pass_app
def feeds_export(app: App, output: Path | None) -> None:
    """Write the feeds being polled as OPML 2.0 (source, language and tags included).

    Example: monitor feeds export -o feeds.opml
    """
    app.sync_feeds()
    data = write_opml(
        (
            OpmlFeed(
                url=f.url,
                title=f.name or f.title,
                source=f.source,
                language=f.language,
                tags=f.tags,
            )
            for f in app.archive.feeds.all()
        ),
        title="press-monitor feeds",
    )
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        output.write_bytes(data)


@feeds.command("remove")
@writes
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
        app.console.print(views.plain(f"removed feed {feed.id} {feed.url}{note}"))


@feeds.command("health")
@click.option("--days", default=14, show_default=True, type=click.IntRange(3, 90))
@click.option("--problems", is_flag=True, help="Only feeds that fail or whose volume dropped.")
@wide_option
@format_option("table", "json")
@pass_app
def feeds_health(app: App, days: int, problems: bool, wide: bool, fmt: str) -> None:
    """Per feed: last success, last error, failures, next poll, volume per day, drops.

    A feed is flagged `zero` when it brought no new entry for 3 days although it usually brings
    at least one a day, and `low` when it brought under a quarter of its usual volume.

    Example: monitor feeds health --problems
    """
    app.sync_feeds()
    archive = app.archive
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
    if problems and not health:
        app.console.print(f"no problems: every feed is ok over the last {days} days")
        return
    table = feed_views.health_table(health, now, app.config.report.timezone)
    print_data(app.console, table, wide=wide)
