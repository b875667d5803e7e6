"""Line charts drawn in the terminal with braille dots (2 × 4 dots a character cell).

Several series share the axes, each in its own colour; a cell holding dots of several series
takes the colour of the last one drawn. A missing value (a bucket with no article at all)
breaks the line. Plain renderables, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Group
from rich.text import Text

COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red", "bright_white", "bright_green")
# The braille bit of the dot at (column 0-1, row 0-3) of a cell.
_DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
_BLANK = 0x2800


def line_chart(
    series: Sequence[tuple[str, Sequence[float | None]]],
    labels: Sequence[str],
    *,
    width: int = 60,
    height: int = 10,
    value_format: Callable[[float], str] = lambda v: f"{v:g}",
) -> Group:
    """`series` of (name, one value per label) over the x labels `labels`."""
    top = max((v for _n, values in series for v in values if v is not None), default=0.0)
    top = top or 1.0
    columns = max(width, 4)
    dots_x, dots_y = 2 * columns, 4 * height
    cells = [[_BLANK] * columns for _ in range(height)]
    owner: list[list[int | None]] = [[None] * columns for _ in range(height)]

    def x_of(i: int) -> int:
        return 0 if len(labels) < 2 else round(i * (dots_x - 1) / (len(labels) - 1))

    def y_of(v: float) -> int:
        return dots_y - 1 - round(v / top * (dots_y - 1))

    def dot(x: int, y: int, which: int) -> None:
        row, col = y // 4, x // 2
        cells[row][col] |= _DOT_BITS[y % 4][x % 2]
        owner[row][col] = which

    for which, (_name, values) in enumerate(series):
        previous: tuple[int, int] | None = None
        for i, v in enumerate(values):
            if v is None:
                previous = None
                continue
            point = (x_of(i), y_of(v))
            for x, y in _segment(previous or point, point):
                dot(x, y, which)
            previous = point
    margin = max(len(value_format(top)), len(value_format(0.0)))
    lines: list[Text] = []
    for row in range(height):
        axis = value_format(top) if row == 0 else value_format(0.0) if row == height - 1 else ""
        line = Text(axis.rjust(margin) + " ┤" if axis else " " * margin + " │", style="dim")
        for col in range(columns):
            who = owner[row][col]
            line.append(
                chr(cells[row][col]), style=COLORS[who % len(COLORS)] if who is not None else ""
            )
        lines.append(line)
    lines.append(_x_axis(labels, margin, columns))
    legend = Text(" " * (margin + 2))
    for which, (name, _values) in enumerate(series):
        legend.append("━━ ", style=COLORS[which % len(COLORS)]).append(name + "   ")
    return Group(*lines, legend)


def _x_axis(labels: Sequence[str], margin: int, columns: int) -> Text:
    axis = Text(" " * (margin + 2), style="dim")
    if not labels:
        return axis
    first, last = labels[0], labels[-1]
    gap = columns - len(first) - len(last)
    axis.append(first + (" " * gap + last if gap > 0 and len(labels) > 1 else ""), style="dim")
    return axis


def _segment(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    """The dots of a straight line from a to b (Bresenham)."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    out = [(x0, y0)]
    while (x0, y0) != (x1, y1):
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy
        out.append((x0, y0))
    return out
