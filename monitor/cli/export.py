"""`monitor export`: articles as JSON Lines or CSV, raw responses as WARC, for researchers."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any, TypeVar
from zoneinfo import ZoneInfo

import click

from monitor.cli.app import App, hint_when_empty, pass_app, since_option, until_option
from monitor.cli.arguments import query_argument, query_command
from monitor.errors import OutputError
from monitor.report.articles import export_rows
from monitor.report.export import write_csv, write_jsonl, write_warc
from monitor.report.saved import expand_saved
from monitor.report.search import build_query
from monitor.report.sources import check_sources, query_sources

F = TypeVar("F", bound=IO[Any])
FORMATS = ("jsonl", "csv", "warc")
# What a file name says of its format.
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".warc": "warc", ".gz": "warc"}


@query_command("export")
@query_argument(default="*")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format (default: what -o's name says, else jsonl).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (default: standard output; required for warc).",
)
@click.option("--no-text", is_flag=True, help="Leave the full text out (jsonl and csv).")
@click.option(
    "--excel",
    is_flag=True,
    help="csv: begin with a byte-order mark, so that Excel reads Vietnamese as UTF-8.",
)
@since_option
@until_option
@pass_app
@hint_when_empty
def export_command(
    app: App,
    query: str,
    fmt: str | None,
    output: Path | None,
    no_text: bool,
    excel: bool,
    since: date | None,
    until: date | None,
) -> None:
    """Export articles matching QUERY (default: all) with their metadata and full text,
    or (--format warc) the raw responses they were extracted from. QUERY is the rest of the
    line (`monitor help query`). The format follows the name of -o (.jsonl, .csv, .warc.gz)
    unless --format says it.

    Examples:

      monitor export -o corpus.jsonl

      monitor export 'source:"Tuổi Trẻ"' --since 2026-11-01 -o tt.csv --excel

      monitor export -o pages.warc.gz
    """
    fmt = output_format(fmt, output)
    if excel and fmt != "csv":
        raise OutputError("--excel is for csv: it adds the byte-order mark Excel looks for")
    if fmt == "warc" and output is None:
        raise OutputError("--format warc needs --output FILE.warc.gz")
    archive = app.archive
    ids = None
    if query.strip() != "*" or since or until:
        node = build_query(
            expand_saved(archive, query),
            since=since,
            until=until,
            zone=ZoneInfo(app.config.report.timezone),
        )
        check_sources(archive, query_sources(node))
        ids = sorted(int(i) for i in app.engine.ids(node) if i.isdigit())
    if fmt == "warc":
        assert output is not None
        refs = archive.warc_refs(ids if ids is not None else archive.article_ids())
        with _writable(output, lambda: output.open("wb")) as out:
            copied = write_warc(refs, app.config.warc_dir, out)
        app.err.print(f"{len(refs)} responses ({copied} records) written to {output}")
        return
    rows = export_rows(archive, ids)
    with _text_output(output, bom=excel) as out:
        if fmt == "csv":
            count = write_csv(rows, out, text=not no_text)
        else:
            count = write_jsonl(rows, out, text=not no_text)
    if output is not None:
        app.err.print(f"{count} articles written to {output}")


def output_format(asked: str | None, output: Path | None) -> str:
    """The format asked for, else the one -o's name says, else jsonl; a name that says
    another format than the one asked for is refused rather than silently mislabelled."""
    named = _SUFFIXES.get(output.suffix.lower()) if output is not None else None
    if asked is not None:
        if named is not None and named != asked:
            raise OutputError(
                f"--format {asked}, but {output} is named like a {named} file; "
                "rename the file or drop --format"
            )
        return asked
    if output is not None and named is None:
        raise OutputError(
            f"can't tell the format from the name {output.name!r}: "
            f"give --format {'|'.join(FORMATS)} or name it .jsonl, .csv or .warc.gz"
        )
    return named or "jsonl"


@contextmanager
def _text_output(path: Path | None, *, bom: bool) -> Iterator[IO[str]]:
    if path is None:
        if bom:
            sys.stdout.write("\ufeff")
        yield sys.stdout
        return
    # newline="" so that the csv module's CRLF row ends are written as they are.
    encoding = "utf-8-sig" if bom else "utf-8"
    with _writable(path, lambda: path.open("w", encoding=encoding, newline="")) as out:
        yield out


@contextmanager
def _writable(path: Path, opener: Callable[[], F]) -> Iterator[F]:
    """The file `opener` opens for writing at `path`, or one clear line saying why it can't."""
    try:
        out = opener()
    except OSError as exc:
        raise OutputError(f"can't write {path}: {exc.strerror or exc}") from exc
    with out:
        yield out
