"""`monitor compare`, `kwic`, `keyness` and `sample`: the analyses researchers run on a corpus.

Each names the corpus snapshot it read, takes `--snapshot MAX_ID` to read it again, leaves
pages flagged not_article out unless `--include-non-articles`, and writes its table as CSV
(`--excel` for a byte-order mark) or JSON. `monitor report` (in `search`) is the first of them.
"""

from __future__ import annotations

import io
import re
import secrets
from datetime import date
from pathlib import Path

import click

from index.query import parse
from index.snippets import has_text_terms
from monitor.cli import analysis_views, plots
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
    wide_option,
)
from monitor.cli.arguments import query_argument, query_command
from monitor.cli.output import echo_csv, echo_json, echo_tsv
from monitor.cli.tables import print_data
from monitor.report import keyness as keyness_report
from monitor.report import kwic as kwic_report
from monitor.report.buckets import INTERVALS, Interval
from monitor.report.compare import Labelled, compare
from monitor.report.export import EXPORT_FIELDS, json_row, write_jsonl
from monitor.report.sample import sample as draw_sample
from monitor.report.sample import sample_rows
from monitor.report.selection import Selection

_LABEL_RE = re.compile(r"[^\W_][\w .\-]{0,63}")


def _selection(
    app: App,
    since: date | None,
    until: date | None,
    snapshot: int | None,
    include_non_articles: bool,
    exact: bool,
) -> Selection:
    return Selection(
        app.config.report.timezone, since, until, snapshot, include_non_articles, exact
    )


def _labelled(app: App, queries: tuple[str, ...], named: tuple[str, ...]) -> list[Labelled]:
    """A plain QUERY is labelled by itself (a saved `@name` by its name), `NAME=QUERY` by
    NAME. Labels name the CSV columns, so they must differ."""
    pairs: list[tuple[str, str]] = []
    for query in queries:
        pairs.append((query[1:] if re.fullmatch(r"@\S+", query) else query.strip(), query))
    for item in named:
        name, sep, query = item.partition("=")
        name = name.strip()
        if not sep or not query.strip():
            raise click.BadParameter(f"{item!r}: write NAME=QUERY", param_hint="--label")
        if not _LABEL_RE.fullmatch(name):
            raise click.BadParameter(
                f"{name!r}: letters, digits, spaces, '.', '-' and '_' (at most 64), "
                "starting with a letter or digit",
                param_hint="--label",
            )
        pairs.append((name, query))
    if not pairs:
        raise click.UsageError("give at least one QUERY or --label NAME=QUERY")
    labels = [label for label, _q in pairs]
    for label in labels:
        if labels.count(label) > 1:
            raise click.UsageError(
                f"two queries are labelled {label!r}; name them with --label NAME=QUERY"
            )
    return [Labelled(label, query, app.expanded(query)) for label, query in pairs]


@click.command("compare")
@click.argument("queries", nargs=-1)
@click.option(
    "--label",
    "named",
    multiple=True,
    metavar="NAME=QUERY",
    help="A query with a label of its own (repeatable); the label names its CSV columns.",
)
@click.option("--interval", type=click.Choice(INTERVALS), default="day", show_default=True)
@click.option("--absolute", is_flag=True, help="Chart the counts, not the ratios.")
@since_option
@until_option
@exact_option
@snapshot_option
@non_articles_option
@format_option("table", "json", "csv")
@excel_option
@plot_option
@pass_app
@hint_when_empty
def compare_command(
    app: App,
    queries: tuple[str, ...],
    named: tuple[str, ...],
    interval: Interval,
    absolute: bool,
    since: date | None,
    until: date | None,
    exact: bool,
    snapshot: int | None,
    include_non_articles: bool,
    fmt: str,
    excel: bool,
    plot: Path | None,
) -> None:
    """Compare queries over the same days, weeks or months: per bucket each query's count and
    its share of every article of the same sources, in one table, one chart, one CSV.

    Examples:

      monitor compare bão lũ "sạt lở" --interval week --since 2026-09-01

      monitor compare --label storms="bão OR lũ" --label gold=vàng --format csv --excel
    """
    check_output_options(fmt, excel, plot)
    labelled = _labelled(app, queries, named)
    selection = _selection(app, since, until, snapshot, include_non_articles, exact)
    comparison = compare(app.archive, app.engine, labelled, selection, interval)
    if plot is not None:
        plots.comparison_plot(plot, comparison, absolute=absolute)
        app.err.print(f"chart written to {plot}", highlight=False)
    if fmt == "json":
        echo_json(comparison.as_json())
    elif fmt == "csv":
        echo_csv(comparison.csv_rows(), comparison.csv_columns(), excel=excel)
    else:
        app.console.print(
            analysis_views.comparison_view(comparison, absolute=absolute, width=app.console.width)
        )


@query_command("kwic")
@query_argument()
@click.option(
    "--window", default=5, show_default=True, type=click.IntRange(0, 50), help="Words each side."
)
@click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(0), help="Lines (0: all)."
)
@click.option(
    "--sort",
    type=click.Choice(kwic_report.KWIC_SORTS),
    default="date",
    show_default=True,
    help="date: newest articles first; left/right: by the words just left/right of the keyword.",
)
@click.option(
    "--max-articles",
    default=2000,
    show_default=True,
    type=click.IntRange(1),
    help="--sort left|right: sort the lines of at most this many (newest) matching articles.",
)
@since_option
@until_option
@exact_option
@snapshot_option
@non_articles_option
@wide_option
@format_option("table", "tsv", "csv", "json")
@excel_option
@pass_app
@hint_when_empty
def kwic_command(
    app: App,
    query: str,
    window: int,
    limit: int,
    sort: kwic_report.KwicSort,
    max_articles: int,
    since: date | None,
    until: date | None,
    exact: bool,
    snapshot: int | None,
    include_non_articles: bool,
    wide: bool,
    fmt: str,
    excel: bool,
) -> None:
    """Key words in context: every occurrence of QUERY's words or phrases in the matching
    articles, with the words around it (id, date, source, pre, keyword, post).

    Diacritics are ignored unless =word or --exact, as in search.

    Examples:

      monitor kwic "biến đổi khí hậu" --window 8 --limit 50

      monitor kwic =bão --sort right --format csv --excel > bao.csv
    """
    check_output_options(fmt, excel)
    expanded = app.expanded(query)
    if not has_text_terms(parse(expanded, exact=exact)):
        raise click.UsageError(f"{query!r} has no words or phrases to show in context")
    selection = _selection(app, since, until, snapshot, include_non_articles, exact)
    found = kwic_report.concordance(
        app.archive,
        app.engine,
        selection,
        expanded,
        window=window,
        limit=limit,
        sort=sort,
        max_articles=max_articles,
    )
    rows = [line.as_row(selection.zone) for line in found.lines]
    if fmt == "json":
        echo_json({**found.as_json(), "query": query})
    elif fmt == "csv":
        echo_csv(rows, kwic_report.CSV_COLUMNS, excel=excel)
    elif fmt == "tsv":
        echo_tsv(rows, kwic_report.CSV_COLUMNS, excel=excel)
    else:
        print_data(app.console, analysis_views.concordance_table(found), wide=wide)
        app.console.print(analysis_views.snapshot_line(found.snapshot))


@click.command("keyness")
@click.argument("query_a")
@click.argument("query_b", required=False)
@click.option(
    "--reference",
    is_flag=True,
    help="Compare QUERY_A with every other article (the rest of the archive) instead of QUERY_B.",
)
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--min-count",
    default=3,
    show_default=True,
    type=click.IntRange(1),
    help="Leave out terms seen fewer times in A.",
)
@click.option(
    "--sample",
    "sample_size",
    default=5000,
    show_default=True,
    type=click.IntRange(1),
    help="Read at most this many articles a side (a seeded uniform sample beyond).",
)
@since_option
@until_option
@exact_option
@snapshot_option
@non_articles_option
@format_option("table", "csv", "json")
@excel_option
@pass_app
@hint_when_empty
def keyness_command(
    app: App,
    query_a: str,
    query_b: str | None,
    reference: bool,
    top: int,
    min_count: int,
    sample_size: int,
    since: date | None,
    until: date | None,
    exact: bool,
    snapshot: int | None,
    include_non_articles: bool,
    fmt: str,
    excel: bool,
) -> None:
    """The words and two-syllable phrases most over-represented in the articles of QUERY_A
    against those of QUERY_B (or, with --reference, every other article): counts and
    documents on both sides, log-likelihood G² and log ratio.

    Examples:

      monitor keyness "source:vnexpress bão" "source:tuoitre bão"

      monitor keyness "hoà bình" --reference --top 30 --format csv
    """
    check_output_options(fmt, excel)
    if reference == (query_b is not None):
        raise click.UsageError("give QUERY_B or --reference (the rest of the archive), not both")
    selection = _selection(app, since, until, snapshot, include_non_articles, exact)
    result = keyness_report.compare_terms(
        app.archive,
        app.engine,
        selection,
        app.expanded(query_a),
        app.expanded(query_b) if query_b is not None else None,
        top=top,
        min_count=min_count,
        sample=sample_size,
    )
    if fmt == "json":
        echo_json({**result.as_json(), "query_a": query_a, "query_b": query_b})
    elif fmt == "csv":
        echo_csv(result.csv_rows(), keyness_report.CSV_COLUMNS, excel=excel)
    else:
        app.console.print(analysis_views.keyness_view(result))


@query_command("sample")
@query_argument(default="*")
@click.option("--n", "n", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--seed",
    type=click.IntRange(0),
    help="The same seed over the same snapshot draws the same sample (default: a new one, "
    "printed so it can be given again).",
)
@since_option
@until_option
@exact_option
@snapshot_option
@non_articles_option
@wide_option
@format_option("table", "jsonl", "csv", "json")
@click.option("--no-text", is_flag=True, help="csv: leave the full text out.")
@excel_option
@pass_app
@hint_when_empty
def sample_command(
    app: App,
    query: str,
    n: int,
    seed: int | None,
    since: date | None,
    until: date | None,
    exact: bool,
    snapshot: int | None,
    include_non_articles: bool,
    wide: bool,
    fmt: str,
    no_text: bool,
    excel: bool,
) -> None:
    """A uniform random sample of the articles matching QUERY, for reading and coding: the
    same for the same seed and corpus snapshot, in the order drawn (so its first k articles
    are a sample of k too), with the export's fields.

    Example: monitor sample "bão" --n 50 --seed 7 --format csv --excel > bao-50.csv
    """
    check_output_options(fmt, excel)
    if seed is None:
        seed = secrets.randbelow(2**31)
    selection = _selection(app, since, until, snapshot, include_non_articles, exact)
    drawn = draw_sample(app.archive, app.engine, selection, app.expanded(query), n=n, seed=seed)
    rows = sample_rows(app.archive, drawn)
    if fmt == "json":
        echo_json({**drawn.header(), "query": query, "articles": [json_row(r) for r in rows]})
    elif fmt == "jsonl":
        out = io.StringIO()
        write_jsonl(rows, out)
        click.echo(out.getvalue(), nl=False)
    elif fmt == "csv":
        columns = [c for c in EXPORT_FIELDS if not (no_text and c == "text")]
        echo_csv(rows, columns, excel=excel)
    else:
        table = analysis_views.sample_table(drawn, rows, app.config.report.timezone)
        print_data(app.console, table, wide=wide)
        app.console.print(analysis_views.snapshot_line(drawn.snapshot))
    if fmt in ("jsonl", "csv"):
        app.err.print(
            f"{len(rows)} of {drawn.population} matching articles, seed {seed}, "
            f"snapshot max id {drawn.snapshot['max_article_id']}",
            highlight=False,
        )
