"""`monitor search`, `show`, `report` and `stats`: reading the archive through the index."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from index.model import SORTS, Sort
from monitor.cli import analysis_views, plots, revision_views, views
from monitor.cli.app import (
    App,
    check_output_options,
    exact_option,
    excel_option,
    format_option,
    hint_when_empty,
    non_articles_option,
    pass_app,
    plot_option,
    since_option,
    snapshot_option,
    until_option,
)
from monitor.cli.arguments import query_argument, query_command
from monitor.cli.output import echo_csv
from monitor.cli.revisions import print_change_report
from monitor.cli.tables import print_data
from monitor.report.articles import article_json
from monitor.report.attention import BUCKET_CSV_COLUMNS
from monitor.report.breakdown import BY_CHOICES, By
from monitor.report.buckets import INTERVALS, Interval
from monitor.report.changes import KINDS
from monitor.report.export import write_csv
from monitor.report.saved import expand_saved
from monitor.report.search import (
    HIT_CSV_COLUMNS,
    ReportData,
    build_query,
    build_report,
    find,
    found_hits_json,
    search_json,
)
from monitor.report.sources import check_sources, query_sources
from monitor.report.stats import archive_stats
from monitor.report.versions import article_revisions


@query_command()
@query_argument()
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
@hint_when_empty
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
    """Search the archive's index. QUERY is the rest of the line: words are ANDed; "quoted
    phrases", OR, -word, fields (title: source: flag: tag: date: …): see `monitor help query`.

    Diacritics, case, tone placement (hòa/hoà) and Unicode form are ignored unless --exact.

    Example: monitor search '"hoà bình" source:vnexpress' --sort newest --limit 5
    """
    zone = ZoneInfo(app.config.report.timezone)
    expanded = expand_saved(app.archive, query)
    node = build_query(expanded, exact=exact, since=since, until=until, zone=zone)
    check_sources(app.archive, query_sources(node))
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
    elif app.console.is_terminal:
        shown_in = app.config.report.timezone
        app.console.print(views.hits_table(found, query=query, zone=shown_in, offset=offset))
    else:
        # Piped: a row a hit, tab-separated, every value whole.
        shown_in = app.config.report.timezone
        plain = views.hits_data(found, query=query, zone=shown_in, offset=offset)
        print_data(app.console, plain)


@click.command()
@click.argument("article_id", type=int)
@click.option(
    "--version",
    type=click.IntRange(1),
    metavar="N",
    help="Show version N of the article (default: the latest; `show ID` says how many).",
)
@format_option("text", "json")
@pass_app
def show(app: App, article_id: int, version: int | None, fmt: str) -> None:
    """Show one article: its metadata and full text, its versions and changes.

    Example: monitor show 42 --format json
    """
    revisions = article_revisions(app.archive, article_id, version)
    article = revisions.article
    extras = app.archive.clusters.extras([article_id])[article_id]
    zone = app.config.report.timezone
    if fmt == "json":
        data = {**article_json(article, extras), **revisions.as_json()}
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        more = revision_views.revisions_rows(revisions, zone)
        app.console.print(views.article_view(article, extras, zone, more=more))


@click.command()
@format_option("table", "json")
@pass_app
@hint_when_empty
def stats(app: App, fmt: str) -> None:
    """Counts and sizes: feeds, entries, articles, indexed documents, archive and index.

    Example: monitor stats --format json
    """
    data = archive_stats(app.archive, app.engine, app.config)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        app.console.print(views.stats_table(data))
        if data["indexed"] != data["articles"]:
            app.err.print(
                f"the index holds {data['indexed']} of {data['articles']} articles: "
                "run `monitor reindex`",
                style="yellow",
            )


@query_command()
@query_argument(default="*")
@since_option
@until_option
@exact_option
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 500))
@snapshot_option
@non_articles_option
@click.option(
    "--interval",
    type=click.Choice(INTERVALS),
    help="Attention per day, ISO week or calendar month: count, total of the same sources, "
    "ratio, partial buckets and collection gaps.",
)
@click.option(
    "--absolute", is_flag=True, help="Chart the counts, not the ratios (with --interval)."
)
@click.option(
    "--by",
    type=click.Choice(BY_CHOICES),
    help="Break the counts down by source or by tag (collection), with totals and ratios "
    "(per bucket with --interval).",
)
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    help="Count events of this kind (edits, retitles, takedowns, restorations) per day and "
    "source, instead of articles; days are those of the events.",
)
@click.option(
    "--snapshot-events",
    type=click.IntRange(0),
    metavar="MAX_EVENT_ID",
    help="With --kind: only events with id ≤ MAX_EVENT_ID (the max_event_id a report names).",
)
@format_option("text", "json", "csv")
@excel_option
@plot_option
@pass_app
@hint_when_empty
def report(
    app: App,
    query: str,
    since: date | None,
    until: date | None,
    exact: bool,
    top: int,
    snapshot: int | None,
    include_non_articles: bool,
    interval: Interval | None,
    absolute: bool,
    by: By | None,
    kind: str | None,
    snapshot_events: int | None,
    fmt: str,
    excel: bool,
    plot: Path | None,
) -> None:
    """Coverage report: matching articles per day and per source, with and without
    near-duplicate copies, most frequent words and two-syllable phrases. QUERY (the rest of
    the line; `monitor help query`) defaults to every article. Every report names its corpus
    snapshot; --snapshot recomputes it.

    --interval day|week|month adds attention over time: per bucket the matches, every article
    of the same sources (the total), their ratio, partial buckets and the sources that brought
    nothing. --by source|tag breaks it down by outlet or collection. --format csv writes the
    buckets (days by default), or with --by the group table (× buckets with --interval).

    Examples:

      monitor report "bão" --since 2026-11-01 --until 2026-11-23

      monitor report "bão" --interval week --by tag --format csv --excel > bao.csv
    """
    check_output_options(fmt, excel, plot)
    # A CSV of buckets and a chart need buckets: days unless asked otherwise. A CSV by source
    # or tag without --interval is the group table alone.
    if interval is None and (plot or (fmt == "csv" and by is None)):
        interval = "day"
    expanded = expand_saved(app.archive, query)
    if kind is not None:
        print_change_report(
            app,
            query,
            expanded,
            kind,
            since,
            until,
            exact,
            snapshot,
            snapshot_events,
            include_non_articles,
            fmt,
        )
        return
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
        include_non_articles=include_non_articles,
        interval=interval,
        by=by,
    )
    if plot is not None and interval is not None:
        plots.report_plot(plot, data, interval, absolute=absolute)
        app.err.print(f"chart written to {plot}", highlight=False)
    _print_report(
        app, data, query, expanded, fmt=fmt, excel=excel, interval=interval, absolute=absolute
    )


def _print_report(
    app: App,
    data: ReportData,
    query: str,
    expanded: str,
    *,
    fmt: str,
    excel: bool,
    interval: Interval | None,
    absolute: bool,
) -> None:
    if fmt == "json":
        out = {**data.as_json(), "query": query}
        if expanded != query:
            out["expanded_query"] = expanded
        click.echo(json.dumps(out, ensure_ascii=False))
    elif fmt == "csv":
        if data.breakdown is not None:
            echo_csv(data.breakdown.csv_rows(), data.breakdown.csv_columns(), excel=excel)
        else:
            echo_csv([row.as_json() for row in data.by_interval], BUCKET_CSV_COLUMNS, excel=excel)
    else:
        app.console.print(
            views.report_view(
                data,
                days_view=analysis_views.attention_view(
                    data.by_interval, interval, absolute=absolute, scope=data.scope
                )
                if interval
                else None,
                sources_view=analysis_views.breakdown_view(data.breakdown, interval)
                if data.breakdown
                else None,
            )
        )
