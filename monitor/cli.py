"""The command line: the one composition root, and the one place errors become messages."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from index.errors import QuerySyntaxError, SearchError
from index.model import SORTS, Sort
from monitor import reports
from monitor.cli_app import (
    App,
    UsageProblem,
    format_option,
    pass_app,
    since_option,
    until_option,
)
from monitor.cli_archive import export_command, reextract_command
from monitor.cli_feeds import feeds
from monitor.collect.http import Fetcher
from monitor.errors import ConfigError, MonitorError
from monitor.jobs.indexing import reindex
from monitor.jobs.progress import Progress as RunProgress
from monitor.jobs.run import run as run_pipeline
from monitor.report.articles import article_json
from monitor.report.export import write_csv
from monitor.report.saved import (
    add_search,
    expand_saved,
    list_searches,
    remove_search,
    validate_name,
)
from monitor.report.search import (
    HIT_CSV_COLUMNS,
    build_query,
    build_report,
    find,
    found_hits_json,
    search_json,
)
from monitor.report.stats import archive_stats
from monitor.timestamps import from_iso


class MonitorGroup(click.Group):
    """Translates domain errors into one clear line and an exit code, at this one boundary."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QuerySyntaxError as exc:
            raise UsageProblem(
                f'query syntax error: {exc}\nHint: put a phrase in "double quotes"; '
                "OR and NOT are uppercase."
            ) from exc
        except ConfigError as exc:
            raise UsageProblem(str(exc)) from exc
        except (MonitorError, SearchError) as exc:
            if os.environ.get("MONITOR_DEBUG"):
                raise
            raise click.ClickException(str(exc)) from exc




@click.group(cls=MonitorGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (default: $MONITOR_CONFIG, ./config.toml, the user config dir, "
    "then built-in defaults).",
)
@click.version_option(package_name="press-monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """press-monitor: collect public news feeds, archive and index them, search and report.

    Example: monitor run && monitor search "hoà bình"
    """
    app = App(config_path)
    ctx.obj = app
    ctx.call_on_close(app.close)


@contextmanager
def run_progress(err: Console) -> Iterator[Callable[[RunProgress], None]]:
    progress = Progress(
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[label]}", style="dim"),
        console=err,
        disable=not err.is_terminal,
    )
    tasks: dict[str, TaskID] = {}

    def on_event(event: RunProgress) -> None:
        if event.stage not in tasks:
            tasks[event.stage] = progress.add_task(event.stage, total=event.total, label="")
        task = tasks[event.stage]
        if event.total is not None:
            progress.update(task, total=event.total)
        if event.advance:
            progress.update(task, advance=event.advance, label=event.label)

    with progress:
        yield on_event


@cli.command()
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
    with Fetcher(config.http) as fetcher, run_progress(app.err) as on_event:
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
        app.console.print(reports.run_summary(summary))
    if summary.exit_code:
        sys.exit(summary.exit_code)


@cli.command()
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(0, 10_000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--exact", is_flag=True, help="Match diacritics exactly (as =word does).")
@click.option("--count", "count_only", is_flag=True, help="Print only the number of matches.")
@click.option(
    "--collapse",
    is_flag=True,
    help="One result per near-duplicate cluster (copies of a story by other outlets are "
    "listed as 'also published by').",
)
@since_option
@until_option
@format_option("table", "json", "jsonl", "csv")
@pass_app
def search(
    app: App,
    query: str,
    limit: int,
    offset: int,
    sort: Sort,
    exact: bool,
    count_only: bool,
    collapse: bool,
    since: date | None,
    until: date | None,
    fmt: str,
) -> None:
    """Search the archive's index. Words are ANDed; "quoted phrases", OR, -word, fields.

    Diacritics, case, tone placement (hòa/hoà) and Unicode form are ignored unless --exact.

    Example: monitor search '"hoà bình" source:vnexpress' --sort newest --limit 5
    """
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(app.config.report.timezone)
    expanded = expand_saved(app.archive, query)
    node = build_query(expanded, exact=exact, since=since, until=until, zone=zone)
    if count_only:
        click.echo(app.engine.count(node))
        return
    found = find(
        app.archive, app.engine, node, limit=limit, offset=offset, sort=sort, collapse=collapse
    )
    if fmt == "json":
        data = search_json(query, found, sort=sort, offset=offset)
        if expanded != query:
            data["expanded_query"] = expanded
        click.echo(json.dumps(data, ensure_ascii=False))
    elif fmt == "jsonl":
        for row in found_hits_json(found):
            click.echo(json.dumps(row, ensure_ascii=False))
    elif fmt == "csv":
        out = io.StringIO()
        write_csv(found_hits_json(found), out, columns=HIT_CSV_COLUMNS)
        click.echo(out.getvalue(), nl=False)
    else:
        app.console.print(
            reports.hits_table(
                found,
                query=query,
                zone=app.config.report.timezone,
                offset=offset,
            )
        )


@cli.command()
@click.argument("article_id", type=int)
@format_option("text", "json")
@pass_app
def show(app: App, article_id: int, fmt: str) -> None:
    """Show one article: its metadata and full text.

    Example: monitor show 42 --format json
    """
    article = app.archive.article(article_id)
    extras = app.archive.clusters.extras([article_id])[article_id]
    if fmt == "json":
        click.echo(json.dumps(article_json(article, extras), ensure_ascii=False))
    else:
        app.console.print(reports.article_view(article, extras, app.config.report.timezone))


@cli.command()
@format_option("table", "json")
@pass_app
def stats(app: App, fmt: str) -> None:
    """Counts and sizes: feeds, entries, articles, indexed documents, archive and index.

    Example: monitor stats --format json
    """
    data = archive_stats(app.archive, app.engine, app.config)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        app.console.print(reports.stats_table(data))
        if data["indexed"] != data["articles"]:
            app.err.print(
                f"[yellow]the index holds {data['indexed']} of {data['articles']} articles: "
                "run `monitor reindex`[/yellow]"
            )


@cli.command()
@click.argument("query", default="*")
@since_option
@until_option
@click.option("--exact", is_flag=True, help="Match diacritics exactly.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option(
    "--snapshot",
    type=click.IntRange(0),
    metavar="MAX_ID",
    help="Recompute the report of an earlier corpus snapshot: only articles with id ≤ MAX_ID "
    "(the max_article_id a report names).",
)
@format_option("text", "json")
@pass_app
def report(
    app: App,
    query: str,
    since: date | None,
    until: date | None,
    exact: bool,
    top: int,
    snapshot: int | None,
    fmt: str,
) -> None:
    """Coverage report: matching articles per day and per source, with and without
    near-duplicate copies, most frequent words and two-syllable phrases. QUERY defaults to
    every article. Every report names its corpus snapshot; --snapshot recomputes it.

    Example: monitor report "bão" --since 2026-11-01 --until 2026-11-23
    """
    expanded = expand_saved(app.archive, query)
    data = build_report(
        app.archive,
        app.engine,
        expanded,
        since=since,
        until=until,
        timezone=app.config.report.timezone,
        exact=exact,
        top=top,
        snapshot=snapshot,
    )
    if fmt == "json":
        out = {**data.as_json(), "query": query}
        if expanded != query:
            out["expanded_query"] = expanded
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        app.console.print(reports.report_view(data))


@cli.command("reindex")
@pass_app
def reindex_command(app: App) -> None:
    """Rebuild the search index of the configured engine from the archive.

    Example: monitor reindex
    """
    with run_progress(app.err) as on_event:
        count = reindex(app.archive, app.engine, progress=on_event)
    app.console.print(f"indexed {count} articles with {app.config.index.engine}")


@cli.group()
def searches() -> None:
    """Saved searches: name a query once, run it with `monitor search @NAME [more words]`.

    Example: monitor searches add storms '(bão OR lũ) "miền Trung"'
    """


def check_name(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    try:
        return validate_name(value)
    except MonitorError as exc:
        raise click.BadParameter(str(exc)) from None


@searches.command("add")
@click.argument("name", callback=check_name)
@click.argument("query")
@click.option("--replace", is_flag=True, help="Overwrite a saved search of the same name.")
@pass_app
def searches_add(app: App, name: str, query: str, replace: bool) -> None:
    """Save QUERY under NAME (letters, digits, - and _; at most 64 characters).

    The query is checked now; an existing name is kept unless --replace.

    Example: monitor searches add storms '(bão OR lũ) "miền Trung"'
    """
    saved = add_search(app.archive, name, query, replace=replace)
    app.console.print(Text.assemble("saved ", (f"@{saved.name}", "bold"), ": ", saved.query))


@searches.command("list")
@format_option("table", "json")
@pass_app
def searches_list(app: App, fmt: str) -> None:
    """List the saved searches, by name.

    Example: monitor searches list --format json
    """
    saved = list_searches(app.archive)
    if fmt == "json":
        data = {"searches": [s.as_json() for s in saved]}
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    if not saved:
        app.console.print("no saved searches; add one with `monitor searches add NAME QUERY`")
        return
    table = Table(title=f"{len(saved)} saved searches")
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("query")
    table.add_column("created", no_wrap=True)
    zone = app.config.report.timezone
    for s in saved:
        table.add_row(
            Text(f"@{s.name}"), Text(s.query), reports.local_time(from_iso(s.created_at), zone)
        )
    app.console.print(table)


@searches.command("remove")
@click.argument("name")
@pass_app
def searches_remove(app: App, name: str) -> None:
    """Delete the saved search NAME.

    Example: monitor searches remove storms
    """
    saved = remove_search(app.archive, name)
    app.console.print(Text.assemble("removed ", (f"@{saved.name}", "bold"), ": ", saved.query))


cli.add_command(feeds)
cli.add_command(reextract_command)
cli.add_command(export_command)


def main() -> None:
    cli(prog_name="monitor")
