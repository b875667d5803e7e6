"""The archive: a database (SQLite, or PostgreSQL shared by several collectors) and WARC files,
the truth from which the index and every report derive.

`Archive` (in `store`) is one open archive: entries, pages and articles, with its other parts
composed over the same connection (`feeds`, `fetch_log`, `clusters`, `saved`, `claims`,
`changes`). Raw responses are kept in WARC files (`warc_writer`, `warc_reader`). All of the
application's SQL is here; `backend` says what it asks of either engine.
"""

from monitor.archive.store import Archive

__all__ = ["Archive"]
