"""Counts and sizes of one archive and its index: what `monitor stats` shows."""

from __future__ import annotations

from typing import Any

from index.engine import Engine
from monitor.archive import Archive
from monitor.archive.warc_writer import warc_bytes
from monitor.config import Config


def archive_stats(archive: Archive, engine: Engine, config: Config) -> dict[str, Any]:
    """Feeds, entries, pages and articles, indexed documents, and the bytes each store takes."""
    return {
        **archive.stats(),
        "indexed": engine.doc_count(),
        "engine": config.index.engine,
        "archive_bytes": archive.size_bytes(),
        "warc_bytes": warc_bytes(config.warc_dir),
        "index_bytes": engine.size_bytes(),
        "storage_dir": str(config.storage.dir),
        "config": config.describe,
    }
