"""The index directory: the marker file that says which engine and schema wrote it, and its size.

An index is rebuilt from the documents it was given, so what can't be opened as it is asks
for a rebuild (`IndexNeedsRebuild`): the application knows how to do that; this library does not.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from index.errors import EngineError, IndexNeedsRebuild

MARKER = "press-monitor-index.json"
_REMOVE_ATTEMPTS = 20


def check_directory(path: Path, engine: str, version: int) -> bool:
    """True when `path` holds this engine's index at this schema version, False when it is new.

    Raises EngineError for another engine's index, another schema version, or a non-empty
    directory that is not an index at all.
    """
    if path.exists() and not path.is_dir():
        raise EngineError(f"index path {path} is a file, not a directory")
    marker = path / MARKER
    # One listing, not "is there a marker?" then "is it empty?": another process may rename a
    # new index into place between two looks.
    try:
        names = {entry.name for entry in path.iterdir()}
    except FileNotFoundError:
        names = set()
    if MARKER not in names:
        if names:
            raise IndexNeedsRebuild(
                f"{path} is not empty but holds no press-monitor index (no {MARKER}); "
                "point the index at an empty directory, or if this is a damaged index, "
                "delete it and rebuild it"
            )
        return False
    try:
        data = json.loads(marker.read_text("utf-8"))
        found_engine = str(data["engine"])
        found_version = int(data["schema"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexNeedsRebuild(
            f"{marker} is unreadable ({exc}); the index looks corrupt and needs a rebuild"
        ) from exc
    if found_engine != engine:
        raise IndexNeedsRebuild(
            f"{path} holds a {found_engine} index, not a {engine} one; use the "
            f"{found_engine!r} engine, or rebuild the index with {engine}"
        )
    if found_version < version:
        raise IndexNeedsRebuild(
            f"index schema v{found_version} is older than this version needs (v{version}); "
            "the index needs a rebuild"
        )
    if found_version > version:
        raise IndexNeedsRebuild(
            f"index schema v{found_version} is newer than this version of press-monitor "
            f"understands (v{version}); upgrade press-monitor or rebuild the index"
        )
    return True


def create_index(path: Path, engine: str, version: int, create: Callable[[Path], object]) -> None:
    """Make a new index at `path` as a whole, so that processes opening a new directory at the
    same time never see half of one: `create` builds it in a temporary sibling directory, the
    marker is written, and the directory is renamed into place. When another process got
    there first, its index is kept and this one dropped."""
    path.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=path.parent))
    try:
        create(building)
        write_marker(building, engine, version)
        try:
            os.rename(building, path)  # replaces `path` only if it is an empty directory
        except OSError:
            if not (path / MARKER).exists():
                raise
    finally:
        _remove(building)


def _remove(directory: Path) -> None:
    """Remove a directory that an engine may still be writing a lock file into for a moment
    (tantivy does, from its own threads)."""
    for _attempt in range(_REMOVE_ATTEMPTS):
        shutil.rmtree(directory, ignore_errors=True)
        if not directory.exists():
            return
        time.sleep(0.05)


def write_marker(path: Path, engine: str, version: int) -> None:
    """Record which engine and schema version wrote the index (atomically)."""
    tmp = path / (MARKER + ".tmp")
    tmp.write_text(json.dumps({"engine": engine, "schema": version}) + "\n", "utf-8")
    os.replace(tmp, path / MARKER)


def directory_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except FileNotFoundError:
                # A segment merged away while we walked.
                continue
    return total
