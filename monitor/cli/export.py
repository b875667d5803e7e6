"""`monitor export`: articles as JSON Lines or CSV, raw responses as WARC, for researchers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import click

from monitor.cli.app import App, format_option, pass_app, since_option, until_option
from monitor.report.articles import export_rows
from monitor.report.export import write_csv, write_jsonl, write_warc
from monitor.report.saved import expand_saved
from monitor.report.search import build_query


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
