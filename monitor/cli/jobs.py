"""`monitor run`, `watch`, `reindex` and `reextract`: the workflows of `monitor.jobs`.

Each of them writes, so each holds the storage dir's lock (`--wait`), but for run and watch on a
shared (PostgreSQL) archive, whose collectors share the work by claims and index only when the
lock is free; run, watch and reextract stop cleanly on SIGINT or SIGTERM (see `signals`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Callable, Iterator

import click

from monitor.archive.lock import WATCH_LOCK_NAME, StorageLock
from monitor.cli import logs, views
from monitor.cli.app import App, F, collects, format_option, pass_app, wait_option, writes
from monitor.cli.progress import progress_bar
from monitor.cli.signals import stop_on_signals
from monitor.collect.http import Fetcher
from monitor.errors import EXIT_INTERRUPTED, ArchiveLocked, ConfigError
from monitor.jobs.indexing import index_pending, reindex
from monitor.jobs.reextract import reextract
from monitor.jobs.run import RunSummary
from monitor.jobs.run import run as run_pipeline
from monitor.jobs.runners import Runner
from monitor.jobs.watch import watch as watch_loop
from monitor.report.sources import check_sources


@click.command()
@collects
@click.option("--all", "all_feeds", is_flag=True, help="Poll every feed, due or not.")
@click.option(
    "--feed",
    "feed_selectors",
    multiple=True,
    metavar="FEED",
    help="Poll only this feed (id, URL or source; repeatable), due or not.",
)
@format_option("text", "json")
@pass_app
def run(app: App, all_feeds: bool, feed_selectors: tuple[str, ...], fmt: str) -> None:
    """Poll the feeds that are due, fetch new articles, extract, archive and index them.

    Each feed has its own next-poll time, which adapts to how often it brings new entries, to
    the publisher's hints and to failures (see `monitor feeds health`). Pages that failed for a
    passing reason are retried on later runs.

    Exits 0 when everything succeeded, 1 when some feed or page failed (each failure is
    recorded against its source with the reason, and the run goes on), 75 when another
    command holds the archive, 130 when stopped by Ctrl-C or SIGTERM (the pages in hand are
    finished and stored first).

    Example: monitor run        (schedule it every few minutes with cron or a systemd timer)
    """
    app.ask_for_contact()
    summary = collect(app, all_feeds=all_feeds, feed_selectors=feed_selectors)
    if fmt == "json":
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, default=str))
    else:
        app.console.print(views.run_summary(summary, app.config.report.timezone))
    if summary.exit_code:
        sys.exit(summary.exit_code)


def collect(
    app: App, *, all_feeds: bool = False, feed_selectors: tuple[str, ...] = ()
) -> RunSummary:
    """One collection run on `app`'s config, with a progress bar: what `monitor run` does."""
    config = app.config
    archive = app.archive
    archive.sync_feeds(config.feeds)
    if not archive.feeds.all():
        raise ConfigError(
            f"{config.describe}: no feeds: add [[feeds]] to the config or use `monitor feeds add`"
        )
    only = archive.feeds.select(feed_selectors) if feed_selectors else None
    collector = app.collector()
    # A collector of a shared archive indexes when no other command holds its storage dir.
    engine = app.writable_engine() if collector is None or app.try_lock("monitor run") else None
    with (
        app.host_gate() as gate,
        stop_on_signals() as stop,
        Fetcher(config.http, stop=stop, gate=gate) as fetcher,
        progress_bar(app.err) as on_event,
    ):
        return run_pipeline(
            config,
            archive,
            fetcher,
            engine,
            progress=on_event,
            all_feeds=all_feeds,
            only=only,
            collector=collector,
        )


@click.command()
@wait_option
@pass_app
def watch(app: App, wait: float) -> None:
    """Keep collecting: poll feeds as they fall due (the schedule of `monitor run`), until
    SIGTERM or Ctrl-C.

    One line per poll goes to STORAGE/logs/watch.log (rotated). The archive is locked while
    feeds are polled and free while the watch sleeps, so other commands can go in between.
    On SIGTERM or Ctrl-C the pages in hand are finished and it exits (130) within seconds.

    Example: monitor watch      (as a systemd service; see the README)
    """
    config = app.config
    archive = app.archive
    lock = app.lock("monitor watch")
    collector = app.collector()
    # Collectors of a shared archive share the work by claims: any number may watch.
    one_watch = (
        contextlib.nullcontext()
        if collector is not None
        else StorageLock(
            config.storage.dir,
            command="monitor watch",
            name=WATCH_LOCK_NAME,
            held_by=("another watch", "is running"),
            advice="one watch per storage dir is enough",
        )
    )
    with stop_on_signals() as stop, one_watch:
        try:
            if collector is None:
                lock.acquire(0)
        except ArchiveLocked as locked:
            if not wait:
                raise
            app.err.print(views.plain(f"waiting up to {wait:g} s: {locked}"))
            try:
                lock.acquire(wait, stop=stop)
            except ArchiveLocked:
                if stop.is_set():  # stopped while waiting for another writer
                    sys.exit(EXIT_INTERRUPTED)
                raise
        archive.sync_feeds(config.feeds)
        if not archive.feeds.all():
            raise ConfigError(
                f"{config.describe}: no feeds: add [[feeds]] to the config or use "
                "`monitor feeds add`"
            )
        app.ask_for_contact()
        path = app.log_to(logs.WATCH_LOGGER, logs.WATCH_LOG, logging.INFO)
        app.err.print(f"watching {len(archive.feeds.all())} feeds; log: {path}")
        with app.host_gate() as gate, Fetcher(config.http, stop=stop, gate=gate) as fetcher:
            summary = watch_loop(config, archive, fetcher, lock, collector=collector)
    app.err.print(
        f"stopped after {summary.cycles} runs"
        + (f" ({summary.failed_cycles} failed; see {app.log_dir})" if summary.failed_cycles else "")
    )
    sys.exit(EXIT_INTERRUPTED)


def dask_option(work: str, needs: str) -> Callable[[F], F]:
    return click.option(
        "--dask",
        "dask_address",
        metavar="tcp://HOST:8786",
        help=f"{work} on the workers of this Dask scheduler; the archive and the index are "
        f"written here. Each worker needs press-monitor installed, in this version{needs}.",
    )


@contextlib.contextmanager
def cluster(app: App, address: str | None, *, reads_warc: bool) -> Iterator[Runner | None]:
    """The Dask cluster at `address`, checked (that its workers read the WARC storage, when
    they are to); none (local work) without an address."""
    if address is None:
        yield None
        return
    # Imported only when asked for: distributed is an optional dependency and slow to import.
    from monitor.jobs import dask_runner as dask

    dask.load()
    # distributed logs to the terminal by itself (tracebacks while it tries to reach a lost
    # scheduler): the command says what happened in one line, errors.log keeps the rest.
    with (
        logs.diverted(dask.LOGGER, app.log_dir / logs.ERRORS_LOG, logging.WARNING),
        dask.dask_runner(address, warc_dir=app.config.warc_dir if reads_warc else None) as runner,
    ):
        yield runner


@click.command("reindex")
@writes
@dask_option("Analyse the documents", "")
@pass_app
def reindex_command(app: App, dask_address: str | None) -> None:
    """Rebuild the search index of the configured engine from the archive (also when it can't
    be opened: an index of an older schema or a damaged one is deleted and made anew).

    Example: monitor reindex
    """
    with (
        cluster(app, dask_address, reads_warc=False) as runner,
        progress_bar(app.err) as on_event,
    ):
        count = reindex(app.archive, app.writable_engine(), progress=on_event, runner=runner)
    app.console.print(f"indexed {count} articles with {app.config.index.engine}")


@click.command("reextract")
@writes
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Extraction processes (default: one per CPU).",
)
@dask_option("Extract", ", and the WARC storage (STORAGE/warc) readable at the same path")
@format_option("text", "json")
@pass_app
def reextract_command(
    app: App, sources: tuple[str, ...], workers: int | None, dask_address: str | None, fmt: str
) -> None:
    """Extract every archived article again from its stored response, then re-cluster
    near-duplicates and re-index. No publisher is asked for anything.

    Run it after upgrading trafilatura or press-monitor; article ids stay the same. Ctrl-C
    keeps what was done; run it again to do the rest.

    Example: monitor reextract --source VnExpress
    """
    if workers is not None and dask_address is not None:
        raise click.UsageError("--workers and --dask exclude each other: the cluster has its own")
    check_sources(app.archive, sources)
    with (
        cluster(app, dask_address, reads_warc=True) as runner,
        stop_on_signals() as stop,
        progress_bar(app.err) as on_event,
    ):
        archive = app.archive
        summary = reextract(
            archive,
            app.config,
            sources=sources,
            workers=workers,
            runner=runner,
            progress=on_event,
            stop=stop,
        )
        indexed = (
            0
            if summary.interrupted
            else index_pending(archive, app.writable_engine(), progress=on_event, runner=runner)
        )
    data = {**summary.as_dict(), "indexed": indexed}
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        changed = ", ".join(f"{n} {f}" for f, n in summary.changed_fields.items() if n)
        app.console.print(
            f"re-extracted {summary.articles} articles: {summary.changed} changed"
            + (f" ({changed})" if changed else "")
            + f", {summary.failed} kept as they were (no text found now); "
            f"{summary.clustered} in near-duplicate clusters; {indexed} indexed"
            + ("; interrupted: run it again to do the rest" if summary.interrupted else ""),
            highlight=False,
        )
        for article_id, reason in summary.failures[:20]:
            app.err.print(views.plain(f"article {article_id}: {reason}", style="yellow"))
    if summary.interrupted:
        sys.exit(EXIT_INTERRUPTED)
