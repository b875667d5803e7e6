"""Tables that stay readable at any width: in a terminal, the identifying columns (id, source)
are never dropped or cut and the long ones (URL, reason) are shortened with an ellipsis, unless
`wide`; piped, a table is plain tab-separated text with every value whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from monitor.safe_text import one_line

ID_MAX = 40
# A shortened column keeps at least this much of its value.
LONG_MIN = 10


@dataclass(frozen=True)
class Column:
    name: str
    # "id": never cut (id, source, dates); "long": cut with an ellipsis (URL, reason);
    # "text": wraps.
    kind: str = "text"
    justify: str = "left"


def print_table(
    console: Console,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    wide: bool = False,
) -> None:
    """`rows` (plain strings, printed as they are, markup and all) under `title`."""
    if not console.is_terminal:
        lines = [title, "\t".join(c.name for c in columns)]
        lines += ["\t".join(one_line(cell) for cell in row) for row in rows]
        # Written as they are: rich would turn tabs into spaces and wrap at 80 columns.
        console.file.write("\n".join(lines) + "\n")
        return
    # Rules under the header only: at 80 columns every character of padding counts.
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    widths = [
        min(max(len(c.name), max((len(row[i]) for row in rows), default=0)), ID_MAX)
        for i, c in enumerate(columns)
    ]
    longs = sum(c.kind == "long" for c in columns)
    overhead = 3 * len(columns)
    if not wide:
        # Narrow the widest identifying column (its values then wrap, whole) until the long
        # ones keep LONG_MIN characters each.
        while True:
            fixed = [i for i, c in enumerate(columns) if c.kind != "long"]
            excess = sum(widths[i] for i in fixed) + longs * LONG_MIN + overhead - console.width
            widest = max(fixed, key=lambda i: widths[i] - len(columns[i].name), default=None)
            if excess <= 0 or widest is None or widths[widest] <= len(columns[widest].name):
                break
            widths[widest] -= min(excess, widths[widest] - len(columns[widest].name))
    fixed_width = sum(w for c, w in zip(columns, widths, strict=True) if c.kind != "long")
    share = max(LONG_MIN, (console.width - fixed_width - overhead) // (longs or 1))
    for column, width in zip(columns, widths, strict=True):
        justify = column.justify
        if column.kind == "id":
            # Never squeezed away: as wide as its values, up to a point; wrapped, never cut.
            table.add_column(
                column.name,
                justify=justify,  # type: ignore[arg-type]
                min_width=width,
                max_width=width,
                overflow="fold",
            )
        elif column.kind == "long" and not wide:
            table.add_column(
                column.name,
                justify=justify,  # type: ignore[arg-type]
                no_wrap=True,
                overflow="ellipsis",
                max_width=share,
            )
        else:
            table.add_column(column.name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*(Text(one_line(cell)) for cell in row))
    console.print(table)
