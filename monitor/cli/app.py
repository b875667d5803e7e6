"""What every command shares: the application context (config, archive, index), options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from index.engine import Engine, discard_index, open_engine
from index.errors import IndexNeedsRebuild
from monitor.archive import Archive
from monitor.config import Config, load_config

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    """What commands share: the config, and the archive and index opened on first use."""

    config_path: Path | None
    console: Console = field(default_factory=Console)
    err: Console = field(default_factory=lambda: Console(stderr=True))
    _config: Config | None = None
    _archive: Archive | None = None
    _engine: Engine | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = Archive(self.config.archive_path)
        return self._archive

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.config.index.engine, self.config.index_dir)
        return self._engine

    def engine_for_rebuild(self) -> Engine:
        """The index, opened to be rebuilt: one that can't be used as it is (an older schema,
        damage) is deleted and made anew, since a rebuild replaces every document anyway."""
        if self._engine is None:
            try:
                self._engine = open_engine(self.config.index.engine, self.config.index_dir)
            except IndexNeedsRebuild:
                discard_index(self.config.index_dir)
                self._engine = open_engine(self.config.index.engine, self.config.index_dir)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        if self._archive is not None:
            self._archive.close()


pass_app = click.make_pass_decorator(App)


def format_option(*choices: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-22") from None


since_option = click.option(
    "--since", callback=parse_day, help="First day (YYYY-MM-DD, inclusive, report time zone)."
)
until_option = click.option(
    "--until", callback=parse_day, help="Last day (YYYY-MM-DD, inclusive, report time zone)."
)


# Options the analyses share (report, compare, kwic, keyness, sample).

snapshot_option = click.option(
    "--snapshot",
    type=click.IntRange(0),
    metavar="MAX_ID",
    help="Count the corpus of an earlier snapshot: only articles with id ≤ MAX_ID "
    "(the max_article_id an analysis names).",
)
non_articles_option = click.option(
    "--include-non-articles",
    is_flag=True,
    help="Count pages flagged not_article too (listings, home pages, videos; left out by default).",
)
exact_option = click.option("--exact", is_flag=True, help="Match diacritics exactly.")
excel_option = click.option(
    "--excel",
    is_flag=True,
    help="csv/tsv: start with a UTF-8 byte-order mark, so that Excel shows Vietnamese right.",
)
plot_option = click.option(
    "--plot",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE.png|FILE.svg",
    help="Also write the chart as an image (PNG or SVG, by the file's extension).",
)


def check_output_options(fmt: str, excel: bool, plot: Path | None = None) -> None:
    """--excel needs a CSV or TSV; --plot a file name ending in .png or .svg."""
    if excel and fmt not in ("csv", "tsv"):
        raise click.UsageError("--excel applies to --format csv (and tsv)")
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter("the file name must end in .png or .svg", param_hint="--plot")
