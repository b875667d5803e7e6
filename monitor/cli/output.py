"""Tables written as CSV, TSV or JSON on standard output, the same way by every command."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click

from monitor.report.export import write_csv, write_tsv


def echo_csv(rows: Iterable[Mapping[str, object]], columns: Sequence[str], *, excel: bool) -> None:
    """CSV (UTF-8, CRLF rows) with a header; `excel` starts it with a byte-order mark."""
    out = io.StringIO(newline="")
    write_csv(rows, out, columns=columns, bom=excel)
    click.echo(out.getvalue(), nl=False)


def echo_tsv(rows: Iterable[Mapping[str, object]], columns: Sequence[str], *, excel: bool) -> None:
    out = io.StringIO(newline="")
    write_tsv(rows, out, columns=columns, bom=excel)
    click.echo(out.getvalue(), nl=False)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))
