"""Saved searches as the archive keeps them: a query under a name (`Archive.saved`).

What a name may be and how `@name` expands are `monitor.report.saved`'s business; this part
only stores, lists, finds and deletes rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.archive.backend import Database


@dataclass(frozen=True)
class SavedSearch:
    name: str
    query: str
    created_at: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "query": self.query, "created_at": self.created_at}


class SavedSearches:
    """The saved searches of one archive connection."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, saved: SavedSearch, *, replace: bool) -> bool:
        """Store `saved`; False when its name is taken and `replace` is not set."""
        then = (
            "DO UPDATE SET query=excluded.query, created_at=excluded.created_at"
            if replace
            else "DO NOTHING"
        )
        cursor = self.db.execute(
            f"""INSERT INTO saved_searches (name, query, created_at) VALUES (?, ?, ?)
                ON CONFLICT(name) {then}""",
            (saved.name, saved.query, saved.created_at),
        )
        return bool(cursor.rowcount)

    def all(self) -> list[SavedSearch]:
        """Every saved search, by name."""
        rows = self.db.execute(
            "SELECT name, query, created_at FROM saved_searches ORDER BY name"
        ).fetchall()
        return [SavedSearch(name=r[0], query=r[1], created_at=r[2]) for r in rows]

    def get(self, name: str) -> SavedSearch | None:
        row = self.db.execute(
            "SELECT name, query, created_at FROM saved_searches WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else SavedSearch(name=row[0], query=row[1], created_at=row[2])

    def remove(self, name: str) -> None:
        self.db.execute("DELETE FROM saved_searches WHERE name = ?", (name,))
