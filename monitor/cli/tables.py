"""Tables that stay readable at any width: in a terminal, the identifying columns (id, source)
are never dropped or cut and the long ones (URL, reason, title) are shortened with an ellipsis,
unless `wide`; piped, a table is plain tab-separated text with every value whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from monitor.safe_text import one_line

ID_MAX = 40
# A shortened column keeps this much of its value, or if the identifying ones can't make
# room, at least LAST_MIN.
LONG_MIN = 10
LAST_MIN = 4
# A text column (wrapped, never cut) is narrowed to no less than this.
TEXT_MIN = 20
ELLIPSIS = "…"

# A cell: a plain string (printed as it is, never read as markup) or a styled Text of one line.
Cell = str | Text


@dataclass(frozen=True)
class Column:
    name: str
    # "id": never cut (id, source, dates); "long": cut with an ellipsis (URL, reason, title):
    # at its end, or at its start when right-justified (the left context of a concordance,
    # whose words next to the keyword are the ones that count); "text": wraps.
    kind: str = "text"
    justify: JustifyMethod = "left"
    style: str = ""


def print_table(
    console: Console,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    wide: bool = False,
) -> None:
    """`rows` under `title`: fitted to the terminal, or plain text when piped."""
    cells = [[_text(cell) for cell in row] for row in rows]
    if not console.is_terminal:
        lines = [title, "\t".join(c.name for c in columns)]
        lines += ["\t".join(cell.plain for cell in row) for row in cells]
        # Written as they are: rich would turn tabs into spaces and wrap at 80 columns.
        console.file.write("\n".join(lines) + "\n")
        return
    # Rules under the header only, two spaces between columns and none at the edges: at 80
    # columns every character counts.
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        padding=(0, 1, 0, 0),
    )
    natural = [
        max(cell_len(c.name), max((row[i].cell_len for row in cells), default=0))
        for i, c in enumerate(columns)
    ]
    widths = [min(w, ID_MAX) for w in natural]
    # How narrow a column may get: an identifying one, its longest word (it then wraps between
    # words, never inside one); a text one, which folds anyway, TEXT_MIN.
    least = [
        min(_longest_word([c.name, *(row[i].plain for row in cells)]), widths[i])
        if c.kind == "id"
        else min(TEXT_MIN, widths[i])
        for i, c in enumerate(columns)
    ]
    # Wide, the long columns want their whole values: the identifying ones make what room they
    # can (wrapping between words) so that the long ones fold over few lines. Otherwise they
    # wrap only to leave the long ones LONG_MIN characters, and the long ones get what is left.
    for i, c in enumerate(columns):
        if c.kind == "long":
            widths[i] = natural[i] if wide else min(natural[i], LONG_MIN)
    share = _fit(columns, widths, least, console.width)
    for column, width, whole in zip(columns, widths, natural, strict=True):
        _add_column(table, column, width if column.kind != "long" else min(whole, share), wide)
    for row in cells:
        table.add_row(
            *(
                _cut_start(cell, share)
                if c.kind == "long" and c.justify == "right" and not wide
                else cell
                for c, cell in zip(columns, row, strict=True)
            )
        )
    # The title on its own line: a table's title would wrap at the table's width.
    console.print(Text(title), table)


def _add_column(table: Table, column: Column, width: int, wide: bool) -> None:
    justify = column.justify
    if column.kind == "long":
        # Given its width outright: left to rich, it may be measured wider than the room the
        # other columns leave, and the console would crop the table's right edge.
        table.add_column(
            column.name,
            justify=justify,
            style=column.style,
            width=width,
            no_wrap=not wide,
            overflow="fold" if wide else "ellipsis",
        )
    else:
        # Never squeezed away: as wide as its values, up to a point; wrapped, never cut.
        table.add_column(
            column.name,
            justify=justify,
            style=column.style,
            min_width=width,
            max_width=width,
            overflow="fold",
        )


def _fit(columns: Sequence[Column], widths: list[int], least: list[int], width: int) -> int:
    """Narrow the columns that are not long ones (`widths`, in place; down to `least`, so that
    they wrap and are never cut) until the long ones have the width they want (`widths` too);
    the width each long one gets (at least LAST_MIN)."""
    longs = [i for i, c in enumerate(columns) if c.kind == "long"]
    fixed = [i for i, c in enumerate(columns) if c.kind != "long"]
    # Two characters between columns (a padding and a rule), none at the edges.
    overhead = 2 * (len(columns) - 1)
    wanted = sum(widths[i] for i in longs)
    while True:
        excess = sum(widths[i] for i in fixed) + wanted + overhead - width
        # Text columns first (they wrap anyway), then the identifying ones.
        narrowable = [i for i in fixed if widths[i] > least[i]]
        widest = max(
            narrowable,
            key=lambda i: (columns[i].kind == "text", widths[i] - least[i]),
            default=None,
        )
        if excess <= 0 or widest is None:
            break
        widths[widest] -= min(excess, widths[widest] - least[widest])
    room = width - sum(widths[i] for i in fixed) - overhead
    return max(LAST_MIN, room // (len(longs) or 1))


def _longest_word(values: Sequence[str]) -> int:
    return max((cell_len(word) for value in values for word in value.split()), default=1)


def _text(cell: Cell) -> Text:
    if isinstance(cell, Text):
        line = one_line(cell.plain)
        if len(line) != len(cell.plain):  # control characters dropped: the spans would slip
            return Text(line, style=cell.style)
        text = cell.copy()
        text.plain = line  # breaks made spaces, one for one: the styles stay where they were
        return text
    return Text(one_line(cell))


def _cut_start(text: Text, width: int) -> Text:
    """`text` ending as it does, cut at its start to `width` cells, an ellipsis first."""
    if text.cell_len <= width:
        return text
    keep = len(text.plain)
    while keep > 0 and cell_len(text.plain[len(text.plain) - keep :]) > width - 1:
        keep -= 1
    return Text(ELLIPSIS, style=text.style) + text[len(text.plain) - keep :]


@dataclass(frozen=True)
class TableData:
    """A table as the views make it; the command prints it with `print_data`."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]


def print_data(console: Console, data: TableData, *, wide: bool = False) -> None:
    print_table(console, data.title, data.columns, data.rows, wide=wide)
