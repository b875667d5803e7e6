"""The archive's counts: for `monitor stats`, and the corpus snapshot analyses name."""

from __future__ import annotations

from typing import Any

from monitor.archive.backend import Database

# Attempts at a page before it is given up.
MAX_ATTEMPTS = 3


def counts(db: Database) -> dict[str, int]:
    """What `monitor stats` counts in the archive."""

    def one(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0])

    return {
        "feeds": one("SELECT COUNT(*) FROM feeds WHERE removed_at IS NULL"),
        "feeds_failing": one(
            "SELECT COUNT(*) FROM feeds WHERE consecutive_failures > 0 AND removed_at IS NULL"
        ),
        "entries": one("SELECT COUNT(*) FROM entries"),
        "pages_pending": one(
            f"SELECT COUNT(*) FROM pages WHERE state='new' OR "
            f"(state='failed' AND attempts < {MAX_ATTEMPTS})"
        ),
        "pages_failed": one("SELECT COUNT(*) FROM pages WHERE state IN ('failed','skipped')"),
        "articles": one("SELECT COUNT(*) FROM articles"),
        "articles_unindexed": one("SELECT COUNT(*) FROM articles WHERE indexed_at IS NULL"),
        "sources": one("SELECT COUNT(DISTINCT source) FROM articles"),
        "pages_merged": one("SELECT COUNT(*) FROM pages WHERE merged_into IS NOT NULL"),
        "clusters": one("SELECT COUNT(DISTINCT cluster_id) FROM articles"),
        "articles_in_clusters": one("SELECT COUNT(*) FROM articles WHERE cluster_id IS NOT NULL"),
        "articles_flagged": one("SELECT COUNT(*) FROM articles WHERE flags != '[]'"),
    }


def corpus_snapshot(db: Database, max_id: int | None) -> dict[str, Any]:
    """Article count, highest article id and last extraction time (of the articles up to
    `max_id`, when given), counted from the index on extraction times (`Archive.snapshot`)."""
    if max_id is None:
        row = db.execute(
            """SELECT (SELECT COUNT(*) FROM articles INDEXED BY articles_extracted),
                 (SELECT COALESCE(MAX(id), 0) FROM articles),
                 (SELECT MAX(extracted_at) FROM articles)"""
        ).fetchone()
    else:
        row = db.execute(
            """SELECT COUNT(*), COALESCE(MAX(id), 0), MAX(extracted_at)
               FROM articles INDEXED BY articles_extracted WHERE id <= ?""",
            (max_id,),
        ).fetchone()
    return {"articles": row[0], "max_article_id": row[1], "last_extracted_at": row[2]}
