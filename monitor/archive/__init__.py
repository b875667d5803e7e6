"""The archive: SQLite and WARC files, the truth from which the index and every report derive.

`Archive` (in `store`) is one open archive: entries, pages and articles, with its other parts
composed over the same connection (`feeds`, `fetch_log`, `clusters`, `saved`). Raw responses
are kept in WARC files (`warc_writer`, `warc_reader`). All of the application's SQL is here.
"""

from monitor.archive.store import Archive

__all__ = ["Archive"]
