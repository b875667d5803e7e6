"""`monitor revisit`, `changes` and `diff`: edits and takedowns of the articles collected."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import asdict
from datetime import date
from zoneinfo import ZoneInfo

import click

from monitor.cli import revision_views as views
from monitor.cli.app import (
    App,
    format_option,
    hint_when_empty,
    pass_app,
    since_option,
    until_option,
    writes,
)
from monitor.cli.arguments import query_argument, query_command
from monitor.cli.progress import progress_bar
from monitor.cli.signals import stop_on_signals
from monitor.cli.tables import print_table
from monitor.collect.http import Fetcher
from monitor.jobs.revisit_now import revisit_now
from monitor.report.changes import (
    CHANGE_CSV_COLUMNS,
    KINDS,
    build_change_report,
    find_changes,
    matching_ids,
)
from monitor.report.export import write_csv
from monitor.report.versions import change_json, version_diff


@query_command("revisit")
@writes
@query_argument(default="*")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Every article stored within the last check's age (30 days by default), due or not.",
)
@click.option("--limit", type=click.IntRange(1), help="Revisit at most this many articles.")
@format_option("text", "json")
@pass_app
@hint_when_empty
def revisit(app: App, query: str, everything: bool, limit: int | None, fmt: str) -> None:
    """Fetch again now the stored articles whose next check is due (of those QUERY matches),
    record edits and takedowns, and index them. Runs do this by themselves (`[revisions]`);
    this is for checking a story today.

    Exits 1 when some article could not be fetched (the others are recorded).

    Example: monitor revisit 'source:VnExpress bão' --all
    """
    engine = app.writable_engine()
    zone = ZoneInfo(app.config.report.timezone)
    ids = matching_ids(engine, app.expanded(query), zone=zone)
    with (
        stop_on_signals() as stop,
        Fetcher(app.config.http, stop=stop) as fetcher,
        progress_bar(app.err) as on_event,
    ):
        outcome = revisit_now(
            app.config,
            app.archive,
            fetcher,
            engine,
            ids=ids,
            everything=everything,
            limit=limit,
            progress=on_event,
        )
    summary = outcome.revisits
    if fmt == "json":
        data = {**asdict(summary), "indexed": outcome.indexed}
        data.pop("retitled")  # a run's feeds see retitles; a revisit asks no feed
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        app.console.print(views.revisit_summary(summary, outcome.indexed))
    if summary.failed:
        sys.exit(1)


@query_command("changes")
@query_argument(default="*")
@click.option(
    "--kind",
    "kinds",
    type=click.Choice(KINDS),
    multiple=True,
    help="Only events of this kind (repeatable; default: all).",
)
@click.option("--exact", is_flag=True, help="Match diacritics exactly.")
@since_option
@until_option
@click.option("--wide", is_flag=True, help="Never shorten a title or an address.")
@format_option("table", "json", "csv")
@pass_app
@hint_when_empty
def changes(
    app: App,
    query: str,
    kinds: tuple[str, ...],
    exact: bool,
    since: date | None,
    until: date | None,
    wide: bool,
    fmt: str,
) -> None:
    """What happened to the articles QUERY matches after they were stored, oldest first:
    edited (a new version), retitled (a new title in a feed), gone (404, 410, a redirect to
    the home or a section page, no longer an article) and restored. --since/--until are days
    of the events.

    Example: monitor changes 'source:"Tuổi Trẻ"' --kind gone --since 2026-11-01
    """
    found = find_changes(
        app.archive,
        app.engine,
        app.expanded(query),
        kinds=kinds or KINDS,
        since=since,
        until=until,
        timezone=app.config.report.timezone,
        exact=exact,
    )
    rows = [change_json(event) for event in found]
    if fmt == "json":
        click.echo(json.dumps({"changes": rows}, ensure_ascii=False))
    elif fmt == "csv":
        out = io.StringIO()
        write_csv(rows, out, columns=CHANGE_CSV_COLUMNS)
        click.echo(out.getvalue(), nl=False)
    elif not found:
        app.console.print("no changes recorded" + (f" since {since}" if since else ""))
    else:
        zone = app.config.report.timezone
        print_table(
            app.console,
            f"{len(found)} changes of articles matching {query!r}",
            views.change_columns(zone, found),
            [views.change_row(event, zone) for event in found],
            wide=wide,
        )


@click.command("diff")
@click.argument("article_id", type=int)
@click.option(
    "--from", "before", type=click.IntRange(1), help="Earlier version (default: the one before)."
)
@click.option("--to", "after", type=click.IntRange(1), help="Later version (default: latest).")
@format_option("table", "unified", "json")
@pass_app
def diff(app: App, article_id: int, before: int | None, after: int | None, fmt: str) -> None:
    """How an article's text changed between two versions, word by word (a Vietnamese
    syllable is a word): removed words red, added green; piped, [-removed-]{+added+}.
    `--format unified` gives a unified diff by paragraph.

    Example: monitor diff 42 --from 1 --to 3
    """
    data = version_diff(app.archive, article_id, before, after)
    color = app.console.is_terminal
    if fmt == "json":
        click.echo(json.dumps(data.as_json(), ensure_ascii=False))
    else:
        text = (
            views.unified_view(data.unified(), color=color)
            if fmt == "unified"
            else views.version_diff_view(data, app.config.report.timezone, color=color)
        )
        if color:
            app.console.print(text, end="")
        else:
            # Piped: every line whole, not wrapped at the console's width.
            click.echo(text.plain, nl=False)


def print_change_report(
    app: App,
    query: str,
    expanded: str,
    kind: str,
    since: date | None,
    until: date | None,
    exact: bool,
    snapshot: int | None,
    snapshot_events: int | None,
    include_non_articles: bool,
    fmt: str,
) -> None:
    """`monitor report --kind KIND`: events of one kind per day and source, for the report
    command (its options, QUERY as typed and as expanded from saved searches)."""
    data = build_change_report(
        app.archive,
        app.engine,
        expanded,
        kind,
        since=since,
        until=until,
        timezone=app.config.report.timezone,
        exact=exact,
        snapshot=snapshot,
        snapshot_events=snapshot_events,
        include_non_articles=include_non_articles,
    )
    if fmt != "json":
        app.console.print(views.change_report_view(data))
        return
    out = {**data.as_json(), "query": query}
    if expanded != query:
        out["expanded_query"] = expanded
    click.echo(json.dumps(out, ensure_ascii=False))
