"""A search node's index kept up to date from the archive's change sequence (`monitor index`).

The node's position, the (number, article id) of the last change it indexed, is kept in a
small file beside its index and written (a new file renamed over the old) only once the index
has committed every change up to it. A node that stops at any point, however it stops, takes
up from its position: what it indexed past the position is indexed again, which replaces the
same documents, so nothing is missed and nothing is in the index twice. An empty index (new,
or rebuilt after an upgrade) starts from the beginning.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from index.engine import Engine
from monitor.archive import Archive
from monitor.errors import ArchiveError
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


def index_changes(
    archive: Archive,
    engine: Engine,
    path: Path,
    *,
    batch: int = BATCH,
    progress: ProgressFn = ignore,
) -> int:
    """Index the articles changed since the position kept at `path`; returns how many."""
    position = read_position(path)
    if engine.doc_count() == 0:
        position = Position()
    done = 0
    while True:
        changes = archive.changes.after(position.seq, position.article_id, batch)
        if not changes:
            return done
        engine.add(documents(archive, list(archive.articles(aid for _seq, aid in changes))))
        engine.commit()
        position = Position(*changes[-1])
        write_position(path, position)
        done += len(changes)
        progress(Progress("index", advance=len(changes)))


def follow(
    archive: Archive,
    engine: Engine,
    path: Path,
    *,
    stop: threading.Event,
    interval: float,
    progress: ProgressFn = ignore,
) -> int:
    """`index_changes` every `interval` seconds until `stop` is set; returns how many."""
    done = 0
    while not stop.is_set():
        done += index_changes(archive, engine, path, progress=progress)
        stop.wait(interval)
    return done
