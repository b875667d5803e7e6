"""What every command shares: the application context (config, archive, index), options."""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from index.engine import Engine, open_engine
from index.errors import IndexNeedsRebuild
from index.query import parse
from monitor.archive import Archive
from monitor.archive.claims import Collector
from monitor.archive.connection import open_database
from monitor.archive.host_leases import HostLeases
from monitor.archive.lock import StorageLock
from monitor.cli import logs
from monitor.config import Config, default_user_agent, load_config
from monitor.errors import ArchiveLocked
from monitor.report.saved import expand_saved
from monitor.report.sources import check_sources, query_sources

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    """What commands share: the config, the archive and index opened on first use, the storage
    lock of a command that writes, and the log files."""

    config_path: Path | None
    # No markup in strings: what is printed comes from publishers and users, and "[red]" or
    # "[/]" in a title must be printed as it is (styles are given as Text objects).
    console: Console = field(default_factory=lambda: Console(markup=False))
    err: Console = field(default_factory=lambda: Console(stderr=True, markup=False))
    _config: Config | None = None
    _archive: Archive | None = None
    _engine: Engine | None = None
    _lock: StorageLock | None = None
    _collector: Collector | None = None
    _handlers: list[tuple[str, logging.Handler]] = field(default_factory=list)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            # Tracebacks of what went wrong unexpectedly go to the storage dir's log.
            with contextlib.suppress(OSError):
                self.log_to(logs.ROOT_LOGGER, logs.ERRORS_LOG, logging.WARNING)
        return self._config

    @property
    def loaded_config(self) -> Config | None:
        """The config if it was loaded (it may be what failed)."""
        return self._config

    @property
    def log_dir(self) -> Path:
        return self.config.storage.dir / logs.LOG_DIR

    def log_to(self, logger: str, name: str, level: int) -> Path:
        """Send `logger`'s records to the log file `name` until the command ends."""
        path = self.log_dir / name
        self._handlers.append((logger, logs.attach(logger, path, level)))
        return path

    @property
    def archive(self) -> Archive:
        if self._archive is None:
            self._archive = Archive(self.config.archive_path, database=self.config.storage.database)
        return self._archive

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.config.index.engine, self.config.index_dir)
        return self._engine

    def writable_engine(self) -> Engine:
        """The index, for a command that indexes: one this version cannot use (an older schema,
        another engine) is replaced by an empty one, which the command fills from the archive.
        """
        if self._engine is None:
            try:
                self._engine = open_engine(self.config.index.engine, self.config.index_dir)
            except IndexNeedsRebuild as exc:
                self.err.print(f"[yellow]{escape(str(exc))}: rebuilding it from the archive[/]")
                self._engine = open_engine(
                    self.config.index.engine, self.config.index_dir, replace_incompatible=True
                )
        return self._engine

    def expanded(self, query: str) -> str:
        """`query` with its saved searches expanded and its `source:` names checked against
        the archive's (a typo is an error naming the closest, not an empty result)."""
        text = expand_saved(self.archive, query)
        check_sources(self.archive, query_sources(parse(text)))
        return text

    def ask_for_contact(self) -> None:
        """One line asking for `[http] contact` while the user agent names no one to reach."""
        http = self.config.http
        if not http.contact and http.user_agent == default_user_agent():
            self.err.print(
                Text.assemble(
                    ("publishers can't reach you", "yellow"),
                    f": set [http] contact (your email, or a web page about your research) in "
                    f"{self.config.describe}; it goes into the user agent",
                ),
                highlight=False,
            )

    def hint_if_empty(self) -> None:
        """Say so when the archive holds no article yet: a search of an empty archive (or of
        the one beside another folder's config) is otherwise only a silent zero."""
        if self.archive.article_count() == 0:
            self.err.print(
                Text.assemble(
                    (f"the archive at {self.archive.db.where} holds no articles yet", "yellow"),
                    ": `monitor run` collects the configured feeds, `monitor demo` builds a "
                    "sample archive to look at",
                ),
                highlight=False,
            )

    def lock(self, command: str) -> StorageLock:
        """The storage dir's lock for this command (not taken yet)."""
        if self._lock is None:
            self._lock = StorageLock(self.config.storage.dir, command=command)
        return self._lock

    def hold_lock(self, wait: float, *, command: str, stop: threading.Event | None = None) -> None:
        """Take the storage dir's lock until the command ends; ArchiveLocked (exit code 75)
        when another writer keeps it past `wait` seconds."""
        self.lock(command).acquire(wait, stop=stop)

    def try_lock(self, command: str) -> bool:
        """Take the storage dir's lock if no other command holds it, until the command ends."""
        try:
            self.lock(command).acquire(0)
        except ArchiveLocked:
            return False
        return True

    def collector(self) -> Collector | None:
        """This process as one of the collectors of a shared archive (None with SQLite)."""
        storage = self.config.storage
        if storage.database is None:
            return None
        if self._collector is None:
            self._collector = Collector(lease=storage.claim_lease)
        return self._collector

    @contextlib.contextmanager
    def host_gate(self) -> Iterator[HostLeases | None]:
        """Politeness shared with the other collectors of a shared archive (None with SQLite)."""
        collector = self.collector()
        if collector is None:
            yield None
            return
        archive = self.archive
        # A connection of its own: the fetcher's threads use it outside the archive's
        # transactions.
        gate = HostLeases(
            open_database(archive.path, archive.database),
            collector,
            self.config.http.per_host_delay,
        )
        try:
            yield gate
        finally:
            gate.close()

    def sync_feeds(self) -> None:
        """Bring the configured feeds into the archive, unless a writer holds it now: a command
        that only shows feeds shows them as stored then, rather than wait or fail."""
        config, archive = self.config, self.archive
        if self._lock is not None and self._lock.held:
            archive.sync_feeds(config.feeds)
            return
        if archive.feeds.in_sync(config.feeds):
            return  # the usual case, found by reading: no lock to take
        lock = StorageLock(config.storage.dir, command="monitor (syncing the config's feeds)")
        with contextlib.suppress(ArchiveLocked), lock:
            archive.sync_feeds(config.feeds)

    def close(self) -> None:
        try:
            if self._engine is not None:
                self._engine.close()
            if self._archive is not None:
                self._archive.close()
        finally:
            if self._lock is not None:
                self._lock.release()
            for logger, handler in self._handlers:
                logs.detach(logger, handler)
            self._handlers.clear()


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


wide_option = click.option(
    "--wide",
    is_flag=True,
    help="Never shorten a long value (URL, reason, title) to fit the terminal.",
)


def wait_option(f: F) -> F:
    return click.option(
        "--wait",
        type=click.FloatRange(min=0),
        default=0,
        show_default=True,
        metavar="SECONDS",
        help="When another command is writing to the archive, wait for it this long, then exit 75.",
    )(f)


def collects(f: F) -> F:
    """Like `writes`, but a collector of a shared (PostgreSQL) archive holds no lock: the
    collectors share the work by claims (`monitor.archive.claims`)."""
    return _holding_lock(f, lambda app: app.config.storage.database is None)


def hint_when_empty(f: F) -> F:
    """After the command succeeds, say so if the archive it read holds no article yet."""

    @functools.wraps(f)
    def hinted(*args: Any, **kwargs: Any) -> Any:
        result = f(*args, **kwargs)
        click.get_current_context().find_object(App).hint_if_empty()  # type: ignore[union-attr]
        return result

    return cast(F, hinted)


def writes(f: F) -> F:
    """The command writes to the archive: it holds the storage dir's lock while it runs
    (`--wait SECONDS` for another writer to finish). Put it under `@click.command`."""
    return _holding_lock(f, lambda _app: True)


def _holding_lock(f: F, needs_lock: Callable[[App], bool]) -> F:
    """`f` with `--wait`, holding the storage dir's lock while it runs when `needs_lock`."""

    @functools.wraps(f)
    def locked(*args: Any, wait: float, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        app = ctx.find_object(App)
        assert app is not None
        if needs_lock(app):
            app.hold_lock(wait, command=ctx.command_path)
        return f(*args, **kwargs)

    return wait_option(cast(F, locked))


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
