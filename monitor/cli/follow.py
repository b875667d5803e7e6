"""`monitor index [--follow]`: a search node's index, kept up to date from the archive."""

from __future__ import annotations

import json
import sys

import click

from index.engine import Engine, open_engine
from monitor.archive.lock import StorageLock
from monitor.cli import views
from monitor.cli.app import App, format_option, pass_app, wait_option
from monitor.cli.progress import progress_bar
from monitor.cli.signals import stop_on_signals
from monitor.errors import EXIT_INTERRUPTED
from monitor.jobs.follow import CatchUp, follow, locked_round, position_path


@click.command("index")
@click.option(
    "--follow",
    "keep_following",
    is_flag=True,
    help="Keep going: index what collectors store every --interval seconds, until SIGTERM "
    "or Ctrl-C.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="With --follow, how often to look for new and changed articles.",
)
@wait_option
@format_option("text", "json")
@pass_app
def index_command(app: App, keep_following: bool, interval: float, wait: float, fmt: str) -> None:
    """Bring the search index up to date with the archive: every article stored or changed
    (a new version, a re-extraction, gone, retagged) since the index's last position.

    The position is kept beside the index, so an index stopped anywhere resumes where it was,
    without missing or indexing twice. A search node of a shared archive sets its own
    `[index] dir` and runs `monitor index --follow`; readers on it search as usual.

    Example: monitor index --follow --interval 10
    """
    config = app.config
    index_dir = config.index_dir
    path = position_path(index_dir)
    lock = _index_lock(app)

    def open_index() -> Engine:
        # An index this version can't use is replaced by an empty one, filled from the top.
        return open_engine(config.index.engine, index_dir, replace_incompatible=True)

    if not keep_following:
        with progress_bar(app.err) as on_event:
            done = locked_round(app.archive, open_index, path, lock, wait=wait, progress=on_event)
        _say(app, done, fmt)
        return
    app.err.print(
        views.plain(f"following {app.archive.db.where} into {index_dir} every {interval:g} s")
    )
    with stop_on_signals() as stop:
        summary = follow(
            app.archive,
            open_index,
            path,
            lock,
            stop=stop,
            interval=interval,
            on_round=lambda done: _say(app, done, fmt) if done.indexed or fmt == "json" else None,
        )
    app.err.print(
        f"stopped after {summary.rounds} rounds: {summary.indexed} indexed, "
        f"position {summary.position.seq}"
    )
    sys.exit(EXIT_INTERRUPTED)


def _index_lock(app: App) -> StorageLock:
    """The lock of whoever writes this index: the storage dir's for the index beside the
    archive (which runs write too), the index's own for a search node's `[index] dir`."""
    if app.config.index.dir is None:
        return app.lock("monitor index")
    index_dir = app.config.index_dir
    return StorageLock(
        index_dir.parent,
        command="monitor index",
        name=f".{index_dir.name}.lock",
        held_by=("another `monitor index`", "is writing this index"),
    )


def _say(app: App, done: CatchUp, fmt: str) -> None:
    if fmt == "json":
        data = {
            "indexed": done.indexed,
            "position": done.position.seq,
            "restarted": done.restarted,
            "engine": app.config.index.engine,
            "index": str(app.config.index_dir),
        }
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    restarted = " (from the top: a new or emptied index)" if done.restarted else ""
    app.console.print(
        f"indexed {done.indexed} new or changed articles{restarted}; position {done.position.seq}",
        highlight=False,
    )
