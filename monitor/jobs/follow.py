"""A search node's index kept up to date from the archive's change sequence (`monitor index`).

The node's position, the (number, article id) of the last change it indexed, is kept in a
small file beside its index and written (a new file renamed over the old) only once the index
has committed every change up to it. A node that stops at any point, however it stops, takes
up from its position: what it indexed past the position is indexed again, which replaces the
same documents, so nothing is missed and nothing is in the index twice. An empty index (new,
or rebuilt after an upgrade) starts from the beginning; so does a position past the end of the
sequence, which belongs to another archive.
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
from monitor.errors import ArchiveError, ArchiveLocked
from monitor.jobs.indexing import documents
from monitor.jobs.progress import Progress, ProgressFn, ignore

BATCH = 1000
POSITION_SUFFIX = ".position.json"


@dataclass(frozen=True)
class Position:
    seq: int = 0
    article_id: int = 0


def position_path(index_dir: Path) -> Path:
    """Where the node keeps its position: beside its index directory."""
    return index_dir.with_name(index_dir.name + POSITION_SUFFIX)


def read_position(path: Path) -> Position:
    try:
        data = json.loads(path.read_text("utf-8"))
        return Position(int(data["change_seq"]), int(data["article_id"]))
    except FileNotFoundError:
        return Position()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(
            f"{path}: unreadable index position ({exc}); delete it to index everything again"
        ) from exc


def write_position(path: Path, position: Position) -> None:
    temporary = path.with_name(path.name + ".tmp")
    data = {"change_seq": position.seq, "article_id": position.article_id}
    try:
        temporary.write_text(json.dumps(data) + "\n", "utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot write the index position: {exc}") from exc


@dataclass(frozen=True)
class CatchUp:
    """One pass over the change sequence."""

    indexed: int  # changes indexed (each article once per change)
    position: Position  # the node's position afterwards
    restarted: bool  # from the beginning: a new or emptied index, or another archive's position


def catch_up(
    archive: Archive,
    engine: Engine,
    path: Path,
    *,
    batch: int = BATCH,
    progress: ProgressFn = ignore,
    stop: threading.Event | None = None,
) -> CatchUp:
    """Index the articles changed since the position kept at `path`."""
    position = read_position(path)
    restarted = position != Position() and (
        engine.doc_count() == 0 or position.seq > archive.changes.last()
    )
    if restarted:
        engine.clear()
        engine.commit()
        position = Position()
    done = 0
    while stop is None or not stop.is_set():
        changes = archive.changes.after(position.seq, position.article_id, batch)
        if not changes:
            break
        engine.add(documents(archive, list(archive.articles(aid for _seq, aid in changes))))
        engine.commit()
        position = Position(*changes[-1])
        write_position(path, position)
        done += len(changes)
        progress(Progress("index", advance=len(changes)))
    return CatchUp(done, position, restarted)


def locked_round(
    archive: Archive,
    open_index: Callable[[], Engine],
    path: Path,
    lock: StorageLock,
    *,
    wait: float,
    stop: threading.Event | None = None,
    progress: ProgressFn = ignore,
) -> CatchUp:
    """`catch_up` holding `lock` (waited for up to `wait` seconds; ArchiveLocked after) on an
    index opened for it and closed after, so that between rounds another process may write
    the same index (a run indexing what it stored, a reindex)."""
    lock.acquire(wait, stop=stop)
    try:
        engine = open_index()
        try:
            return catch_up(archive, engine, path, progress=progress, stop=stop)
        finally:
            engine.close()
    finally:
        lock.release()


@dataclass(frozen=True)
class FollowSummary:
    rounds: int
    indexed: int
    position: Position


def follow(
    archive: Archive,
    open_index: Callable[[], Engine],
    path: Path,
    lock: StorageLock,
    *,
    stop: threading.Event,
    interval: float,
    on_round: Callable[[CatchUp], None] = lambda _round: None,
) -> FollowSummary:
    """`locked_round` every `interval` seconds until `stop` is set."""
    rounds = indexed = 0
    position = read_position(path)
    while not stop.is_set():
        try:
            done = locked_round(archive, open_index, path, lock, wait=interval, stop=stop)
        except ArchiveLocked:
            continue  # busy for a whole interval, or stopped: ask again, or leave
        rounds += 1
        indexed += done.indexed
        position = done.position
        on_round(done)
        stop.wait(interval)
    return FollowSummary(rounds, indexed, position)
