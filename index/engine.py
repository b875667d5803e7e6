"""The interface every search engine implements, and the registry that opens one by name."""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from index.engines.directory import MARKER
from index.engines.terms import Analyzed
from index.errors import EngineError, IndexNeedsRebuild
from index.model import Counts, Document, LabelCounts, SearchPage, Sort
from index.query import Node

# name -> "module:class"; imported on demand so that an unused engine's package need not load.
ENGINES: dict[str, str] = {
    "tantivy": "index.engines.tantivy_engine:TantivyEngine",
    "whoosh": "index.engines.whoosh_engine:WhooshEngine",
}


class Engine(Protocol):
    """A full-text index in one directory.

    Writes are buffered until `commit`; `add` replaces a document with the same id. Readers see
    the last commit. Implementations normalize text with `index.analysis` and compile query
    trees from `index.query` themselves.
    """

    name: str
    path: Path

    def add(self, docs: Iterable[Document]) -> int:
        """Add or replace documents (by id); returns how many were given."""
        ...

    def add_analyzed(self, docs: Iterable[Analyzed]) -> int:
        """`add` of documents analysed already (`analyze_documents`, perhaps in another
        process): the same index as `add` of the documents themselves."""
        ...

    def delete(self, ids: Iterable[str]) -> int:
        """Delete documents by id; returns how many ids were given."""
        ...

    def commit(self) -> None:
        """Make every buffered change durable and visible to searches."""
        ...

    def search(
        self,
        query: Node,
        *,
        limit: int = 10,
        offset: int = 0,
        sort: Sort = "relevance",
        snippets: bool = True,
    ) -> SearchPage:
        """One page of matches, best first (or by date), with the total number of matches."""
        ...

    def count(self, query: Node) -> int:
        """How many documents match."""
        ...

    def counts(self, query: Node, *, utc_offset: timedelta = timedelta(0)) -> Counts:
        """Matching documents by source, by day and by (source, day); days in `utc_offset`."""
        ...

    def label_counts(
        self, query: Node, field: str, *, utc_offset: timedelta = timedelta(0)
    ) -> LabelCounts:
        """Matching documents by the values of the label field `field` ("tag"), by day and by
        (value, day); a document counts once under each value it carries."""
        ...

    def ids(self, query: Node) -> list[str]:
        """The ids of every matching document (in no order to rely on)."""
        ...

    def doc_count(self) -> int:
        """How many documents the index holds (as of the last commit)."""
        ...

    def size_bytes(self) -> int:
        """Bytes the index takes on disk."""
        ...

    def clear(self) -> None:
        """Remove every document (used before a rebuild)."""
        ...

    def close(self) -> None:
        """Release files and locks; commits nothing."""
        ...


def open_engine(name: str, path: Path, *, replace_incompatible: bool = False) -> Engine:
    """Open (creating if needed) the index of engine `name` in directory `path`.

    An index this library wrote but cannot use (an older schema, another engine, a damaged
    one) raises IndexNeedsRebuild; with `replace_incompatible`, it is deleted and an empty
    index takes its place, for the caller to fill again. A directory that holds no index of
    this library is never deleted.
    """
    try:
        return _open(name, path)
    except IndexNeedsRebuild:
        if not replace_incompatible or not (Path(path) / MARKER).exists():
            raise
        discard_index(Path(path))
        return _open(name, path)


def _open(name: str, path: Path) -> Engine:
    try:
        target = ENGINES[name]
    except KeyError:
        raise EngineError(
            f"unknown search engine {name!r}; choose one of: {', '.join(sorted(ENGINES))}"
        ) from None
    module_name, class_name = target.split(":")
    engine_class = getattr(importlib.import_module(module_name), class_name)
    engine: Engine = engine_class(path)
    return engine


def discard_index(path: Path) -> None:
    """Delete the index in directory `path`, to build it again from scratch.

    Only a directory that holds an index's marker file is deleted (whatever its engine or
    schema version, readable or not); anything else raises EngineError and is left alone.
    """
    if not path.exists():
        return
    if not (path / MARKER).is_file():
        raise EngineError(f"{path} holds no press-monitor index (no {MARKER}); not deleting it")
    shutil.rmtree(path)
