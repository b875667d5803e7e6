"""A search node's index, kept up to date from the archive's change log (`monitor index`).

The node keeps its position in the log in a small file beside its index, written only after
the index has committed what came before it. A node stopped anywhere, even by SIGKILL between
the commit and the file, starts again from the last position written: what it indexes twice is
replaced, never duplicated (documents are keyed by article id), and nothing after the position
is skipped. An index emptied or made anew (another engine, a damaged one) starts from the top;
so does a position past the end of the log, which belongs to another archive.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.engine import Engine
from monitor.archive import Archive
from monitor.archive.lock import StorageLock
from monitor.errors import ArchiveLocked
from monitor.jobs.indexing import BATCH, documents
from monitor.jobs.progress import Progress, ProgressFn, ignore

POSITION_SUFFIX = ".position.json"


@dataclass(frozen=True)
class CatchUp:
    """One pass over the change log."""

    indexed: int  # documents added or replaced
    position: int  # the node's position in the log afterwards
    latest: int  # the newest change in the log when the pass began
    restarted: bool  # the node started from the top (new, emptied or foreign index)


@dataclass(frozen=True)
class FollowSummary:
    rounds: int
    indexed: int
    position: int


def position_path(index_dir: Path) -> Path:
    """Where the node keeps its position: beside the index directory, which engines manage."""
    return index_dir.with_name(index_dir.name + POSITION_SUFFIX)


def read_position(index_dir: Path) -> int:
    """The position written last (0 when there is none, or it can't be read)."""
    try:
        data = json.loads(position_path(index_dir).read_text("utf-8"))
    except (OSError, ValueError):
        return 0
    value = data.get("position") if isinstance(data, dict) else None
    return value if isinstance(value, int) and value >= 0 else 0


def write_position(index_dir: Path, position: int) -> None:
    """Replace the position file whole (a crash leaves the old file or the new one)."""
    path = position_path(index_dir)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump({"position": position}, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def catch_up(
    archive: Archive,
    engine: Engine,
    index_dir: Path,
    *,
    progress: ProgressFn = ignore,
    stop: threading.Event | None = None,
) -> CatchUp:
    """Index every change after the node's position; the position moves after each commit."""
    position = read_position(index_dir)
    latest = archive.changes.latest()
    restarted = position > latest or (position > 0 and engine.doc_count() == 0)
    if restarted:
        engine.clear()
        engine.commit()
        position = 0
    progress(Progress("index", total=archive.changes.pending(position)))
    indexed = 0
    for batch in archive.changes.batches(position, limit=BATCH):
        records = list(archive.articles(batch.article_ids))
        engine.add(documents(archive, records))
        engine.commit()
        write_position(index_dir, batch.position)
        progress(Progress("index", advance=batch.changes))
        indexed += len(records)
        position = batch.position
        if stop is not None and stop.is_set():
            break
    return CatchUp(indexed, position, latest, restarted)


def follow(
    archive: Archive,
    open_index: Callable[[], Engine],
    index_dir: Path,
    lock: StorageLock,
    *,
    stop: threading.Event,
    interval: float,
    on_round: Callable[[CatchUp], None] = lambda _round: None,
) -> FollowSummary:
    """Catch up every `interval` seconds until `stop` is set.

    The index is opened, and `lock` held, for a round only: between rounds another process
    may write the same index (a run indexing what it stored, a reindex).
    """
    rounds = indexed = 0
    position = read_position(index_dir)
    while not stop.is_set():
        try:
            lock.acquire(interval, stop=stop)
        except ArchiveLocked:
            continue  # busy for a whole interval, or stopped: ask again, or leave
        try:
            engine = open_index()
            try:
                done = catch_up(archive, engine, index_dir, stop=stop)
            finally:
                engine.close()
        finally:
            lock.release()
        rounds += 1
        indexed += done.indexed
        position = done.position
        on_round(done)
        stop.wait(interval)
    return FollowSummary(rounds, indexed, position)
