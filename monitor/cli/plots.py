"""Charts of analyses written as image files (`--plot FILE.png|FILE.svg`), with matplotlib.

matplotlib is imported only here and only when a file is asked for (it takes about half a
second to load), and used without pyplot: a Figure of its own, no global state, no display.
Buckets that are partial (still running, or cut by --since/--until) are drawn as hollow points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from monitor.cli.analysis_views import of_scope
from monitor.report.buckets import Interval
from monitor.report.compare import Comparison
from monitor.report.search import ReportData


def write_plot(
    path: Path,
    *,
    title: str,
    starts: Sequence[date],
    series: Sequence[tuple[str, Sequence[float | None]]],
    ylabel: str,
    percent: bool,
    partial: Sequence[bool] = (),
) -> None:
    """A line per series over the buckets starting on `starts`, saved to `path` in the format
    its extension names (.png or .svg)."""
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    figure = Figure(figsize=(10, 4.5), layout="constrained")
    axes = figure.add_subplot()
    axes.xaxis_date()
    # date2num has no type hints; it gives the float days matplotlib plots dates as.
    xs = [float(x) for x in date2num(list(starts))]  # type: ignore[no-untyped-call]
    for name, values in series:
        ys = [math.nan if v is None else v for v in values]
        (line,) = axes.plot(xs, ys, marker="o", markersize=3.5, linewidth=1.5, label=name)
        hollow = [(x, y) for x, y, cut in zip(xs, ys, partial, strict=False) if cut]
        if hollow:
            hx, hy = zip(*hollow, strict=True)
            axes.plot(
                hx,
                hy,
                linestyle="",
                marker="o",
                markersize=6,
                markerfacecolor="white",
                markeredgecolor=line.get_color(),
            )
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    axes.set_ylim(bottom=0)
    if percent:
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    else:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(series) > 1:
        axes.legend(loc="best", frameon=False)
    figure.autofmt_xdate()
    suffix = path.suffix.lower().lstrip(".")
    # No creation date in an SVG: the same data gives the same file.
    metadata = {"Date": None} if suffix == "svg" else None
    figure.savefig(path, format=suffix, metadata=metadata)


def report_plot(path: Path, data: ReportData, interval: Interval, *, absolute: bool) -> None:
    """The report's attention per bucket: the ratio, or the count (`absolute`); with a
    breakdown, a line for each source or tag beside the line of all of them."""
    rows = data.by_interval
    what = "matching articles" if absolute else f"share of {of_scope(data.scope)}"
    series: list[tuple[str, Sequence[float | None]]] = [
        (data.query, [float(r.count) if absolute else r.ratio for r in rows])
    ]
    if data.breakdown is not None and data.breakdown.spans:
        series[0] = ("all", series[0][1])
        series += [
            (
                group.name,
                [float(n) if absolute else (n / t if t else None) for n, t in group.cells],
            )
            for group in data.breakdown.rows
        ]
        what += f", by {data.breakdown.by}"
    write_plot(
        path,
        title=f"{data.query} — {what}, per {interval}",
        starts=[r.bucket.start for r in rows],
        series=series,
        ylabel="articles" if absolute else "share of articles",
        percent=not absolute,
        partial=[r.bucket.partial for r in rows],
    )


def comparison_plot(path: Path, comparison: Comparison, *, absolute: bool) -> None:
    """Every query of a comparison: their ratios, or their counts (`absolute`)."""
    write_plot(
        path,
        title=f"per {comparison.interval}; total: {of_scope(comparison.scope)}",
        starts=[b.start for b in comparison.spans],
        series=[
            (s.label, [float(n) for n in s.counts] if absolute else s.ratios)
            for s in comparison.series
        ],
        ylabel="articles" if absolute else "share of articles",
        percent=not absolute,
        partial=[b.partial for b in comparison.spans],
    )
