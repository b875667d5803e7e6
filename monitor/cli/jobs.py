"""`monitor run`, `monitor reindex` and `monitor reextract`: the workflows of `monitor.jobs`."""

from __future__ import annotations

import json
import sys

import click

from monitor.cli import views
from monitor.cli.app import App, format_option, pass_app
from monitor.cli.progress import progress_bar
from monitor.collect.http import Fetcher
from monitor.errors import ConfigError
from monitor.jobs.indexing import index_pending, reindex
from monitor.jobs.reextract import reextract
from monitor.jobs.run import run as run_pipeline


@click.command()
@click.option("--all", "all_feeds", is_flag=True, help="Poll every feed, due or not.")
@click.option(
    "--feed",
    "feed_selectors",
    multiple=True,
    metavar="FEED",
    help="Poll only this feed (id, URL or source; repeatable), due or not.",
)
@format_option("text", "json")
@pass_app
def run(app: App, all_feeds: bool, feed_selectors: tuple[str, ...], fmt: str) -> None:
    """Poll the feeds that are due, fetch new articles, extract, archive and index them.

    Each feed has its own next-poll time, which adapts to how often it brings new entries, to
    the publisher's hints and to failures (see `monitor feeds health`). Pages that failed for a
    passing reason are retried on later runs.

    Exits 0 when everything succeeded, 1 when some feed or page failed (each failure is
    recorded against its source with the reason, and the run goes on).

    Example: monitor run        (schedule it every few minutes with cron or a systemd timer)
    """
    config = app.config
    archive = app.archive
    archive.sync_feeds(config.feeds)
    if not archive.feeds.all():
        raise ConfigError(
            f"{config.describe}: no feeds: add [[feeds]] to the config or use `monitor feeds add`"
        )
    only = archive.feeds.select(feed_selectors) if feed_selectors else None
    with Fetcher(config.http) as fetcher, progress_bar(app.err) as on_event:
        summary = run_pipeline(
            config,
            archive,
            fetcher,
            app.engine,
            progress=on_event,
            all_feeds=all_feeds,
            only=only,
        )
    if fmt == "json":
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, default=str))
    else:
        app.console.print(views.run_summary(summary))
    if summary.exit_code:
        sys.exit(summary.exit_code)


@click.command("reindex")
@pass_app
def reindex_command(app: App) -> None:
    """Rebuild the search index of the configured engine from the archive (also when it can't
    be opened: an index of an older schema or a damaged one is deleted and made anew).

    Example: monitor reindex
    """
    with progress_bar(app.err) as on_event:
        count = reindex(app.archive, app.engine_for_rebuild(), progress=on_event)
    app.console.print(f"indexed {count} articles with {app.config.index.engine}")


@click.command("reextract")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Extraction processes (default: one per CPU).",
)
@format_option("text", "json")
@pass_app
def reextract_command(app: App, sources: tuple[str, ...], workers: int | None, fmt: str) -> None:
    """Extract every archived article again from its stored response, then re-cluster
    near-duplicates and re-index. No publisher is asked for anything.

    Run it after upgrading trafilatura or press-monitor; article ids stay the same.

    Example: monitor reextract --source VnExpress
    """
    archive = app.archive
    with progress_bar(app.err) as on_event:
        summary = reextract(
            archive, app.config, sources=sources, workers=workers, progress=on_event
        )
        indexed = index_pending(archive, app.engine, progress=on_event)
    data = {**summary.as_dict(), "indexed": indexed}
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    app.console.print(
        f"re-extracted {summary.articles} articles: {summary.changed} changed, "
        f"{summary.failed} kept as they were (no text found now); "
        f"{summary.clustered} in near-duplicate clusters; {indexed} indexed",
        highlight=False,
    )
    for article_id, reason in summary.failures[:20]:
        app.err.print(f"[yellow]article {article_id}: {reason}[/yellow]", highlight=False)
