"""`monitor reextract` and `monitor export`: working on the archive itself."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from monitor.cli_app import App, format_option, pass_app, since_option, until_option
from monitor.jobs.indexing import index_pending
from monitor.jobs.progress import Progress as RunProgress
from monitor.jobs.progress import ProgressFn
from monitor.jobs.reextract import reextract
from monitor.report.articles import export_rows
from monitor.report.export import write_csv, write_jsonl, write_warc
from monitor.report.saved import expand_saved
from monitor.report.search import build_query


@contextmanager
def _bar(app: App, label: str) -> Iterator[ProgressFn]:
    progress = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        console=app.err,
        disable=not app.err.is_terminal,
    )
    with progress:
        task = progress.add_task(label, total=None)

        def on_event(event: RunProgress) -> None:
            if event.total is not None:
                progress.update(task, total=event.total)
            progress.update(task, advance=event.advance)

        yield on_event


@click.command("reextract")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Extraction processes (default: one per CPU).",
)
@format_option("text", "json")
@pass_app
def reextract_command(
    app: App, sources: tuple[str, ...], workers: int | None, fmt: str
) -> None:
    """Extract every archived article again from its stored response, then re-cluster
    near-duplicates and re-index. No publisher is asked for anything.

    Run it after upgrading trafilatura or press-monitor; article ids stay the same.

    Example: monitor reextract --source VnExpress
    """
    archive = app.archive
    with _bar(app, "extract") as on_progress:
        summary = reextract(
            archive, app.config, sources=sources, workers=workers, progress=on_progress
        )
    with _bar(app, "index") as on_progress:
        indexed = index_pending(archive, app.engine, progress=on_progress)
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


@click.command("export")
@click.argument("query", default="*")
@format_option("jsonl", "csv", "warc")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (default: standard output; required for warc).",
)
@click.option("--no-text", is_flag=True, help="csv: leave the full text out.")
@since_option
@until_option
@pass_app
def export_command(
    app: App,
    query: str,
    fmt: str,
    output: Path | None,
    no_text: bool,
    since: date | None,
    until: date | None,
) -> None:
    """Export articles matching QUERY (default: all) with their metadata and full text,
    or (--format warc) the raw responses they were extracted from.

    Examples:

      monitor export -o corpus.jsonl

      monitor export 'source:"Tuổi Trẻ"' --format csv --since 2026-11-01 -o tt.csv

      monitor export --format warc -o pages.warc.gz
    """
    archive = app.archive
    ids = None
    if query.strip() != "*" or since or until:
        node = build_query(
            expand_saved(archive, query),
            since=since,
            until=until,
            zone=ZoneInfo(app.config.report.timezone),
        )
        ids = sorted(int(i) for i in app.engine.ids(node) if i.isdigit())
    if fmt == "warc":
        if output is None:
            raise click.UsageError("--format warc needs --output FILE.warc.gz")
        refs = archive.warc_refs(ids if ids is not None else archive.article_ids())
        with output.open("wb") as out:
            copied = write_warc(
                refs,
                app.config.warc_dir,
                out,
            )
        app.err.print(f"{len(refs)} responses ({copied} records) written to {output}")
        return
    rows = export_rows(archive, ids)
    with _text_output(output) as out:
        count = write_csv(rows, out, text=not no_text) if fmt == "csv" else write_jsonl(rows, out)
    if output is not None:
        app.err.print(f"{count} articles written to {output}")


@contextmanager
def _text_output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    # newline="" so that the csv module's CRLF row ends are written as they are.
    with path.open("w", encoding="utf-8", newline="") as out:
        yield out
