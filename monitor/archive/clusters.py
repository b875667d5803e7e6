"""The archive's near-duplicate side: cluster assignment, re-clustering, and what searches
and reports read about clusters (facts for counts, extras for hits)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from monitor.archive.backend import Database, Row, Transaction, chunks
from monitor.models import ArticleExtras, ArticleFacts, NearDup
from monitor.timestamps import from_iso

# Candidates compared per lookup: bounds the work when a fingerprint key is very common.
MAX_CANDIDATES = 200


class Clusters:
    """The near-duplicate clusters of one archive connection (`Archive.clusters`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def assign(self, near_dup: NearDup) -> int | None:
        """The cluster the new article joins, or None when it matches no earlier article.

        Matches are earlier articles sharing a key whose similarity reaches the threshold. An
        earlier article without a cluster starts one named by its own id; when the matches lie
        in several clusters (the new text bridges them), they merge into the oldest.
        """
        matches: dict[int, int | None] = {}
        for chunk, marks in chunks(sorted(set(near_dup.keys)), 500):
            rows = self.db.execute(
                f"""SELECT a.id, a.fingerprint, a.cluster_id FROM articles a
                    WHERE a.id IN (SELECT DISTINCT article_id FROM near_dup_keys
                                   WHERE key IN ({marks}))
                    ORDER BY a.id DESC LIMIT {MAX_CANDIDATES}""",
                chunk,
            ).fetchall()
            for row in rows:
                fingerprint = row["fingerprint"]
                if fingerprint is not None and (
                    near_dup.similarity(near_dup.fingerprint, fingerprint) >= near_dup.threshold
                ):
                    matches[row["id"]] = row["cluster_id"]
        if not matches:
            return None
        clusters = {cluster if cluster is not None else aid for aid, cluster in matches.items()}
        oldest = min(clusters)
        for aid, cluster in matches.items():
            if cluster is None:
                self.db.execute("UPDATE articles SET cluster_id=? WHERE id=?", (oldest, aid))
        others = sorted(clusters - {oldest})
        for chunk, marks in chunks(others, 500):
            self.db.execute(
                f"UPDATE articles SET cluster_id=? WHERE cluster_id IN ({marks})", (oldest, *chunk)
            )
        return oldest

    def add_keys(self, article_id: int, near_dup: NearDup) -> None:
        """Make the article a candidate for the lookups of later articles."""
        self.db.executemany(
            "INSERT INTO near_dup_keys (key, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(key, article_id) for key in near_dup.keys],
        )

    def fingerprints(self) -> Iterator[tuple[int, bytes | None]]:
        """(article id, fingerprint) in id order, for re-clustering the whole archive."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT id, fingerprint FROM articles WHERE id > ? ORDER BY id LIMIT 5000",
                (last,),
            ).fetchall()
            if not rows:
                return
            yield from ((row[0], row[1]) for row in rows)
            last = rows[-1][0]

    def set_clusters(self, clusters: dict[int, list[int]]) -> int:
        """Replace every article's cluster: members of groups of two or more share the
        smallest id of their group; others have none. Returns how many articles are clustered.
        """
        clustered = 0
        with Transaction(self.db):
            self.db.execute("UPDATE articles SET cluster_id=NULL WHERE cluster_id IS NOT NULL")
            for members in clusters.values():
                if len(members) < 2:
                    continue
                clustered += len(members)
                first = min(members)
                for chunk, marks in chunks(sorted(members), 500):
                    self.db.execute(
                        f"UPDATE articles SET cluster_id=? WHERE id IN ({marks})", (first, *chunk)
                    )
        return clustered

    # articles ----------------------------------------------------------------------------

    def facts(self, ids: Iterable[int], *, batch: int = 500) -> list[ArticleFacts]:
        """Source, date and cluster of the given articles (unknown ids are left out)."""
        out: list[ArticleFacts] = []
        for chunk, marks in chunks(sorted(set(ids)), batch):
            for row in self.db.execute(
                f"""SELECT id, source, published, cluster_id FROM articles
                    WHERE id IN ({marks}) ORDER BY id""",
                chunk,
            ):
                out.append(ArticleFacts(row[0], row[1], from_iso(row[2]), row[3]))
        return out

    def extras(self, ids: Iterable[int]) -> dict[int, ArticleExtras]:
        """Date provenance, cluster, other outlets of the cluster, and quality flags."""
        rows: list[Row] = []
        for chunk, marks in chunks(sorted(set(ids)), 500):
            rows += self.db.execute(
                f"""SELECT id, source, date_source, cluster_id, flags, gone_at FROM articles
                    WHERE id IN ({marks})""",
                chunk,
            ).fetchall()
        clusters = sorted({row["cluster_id"] for row in rows if row["cluster_id"] is not None})
        sources: dict[int, set[str]] = {}
        for chunk, marks in chunks(clusters, 500):
            for cluster_id, source in self.db.execute(
                f"SELECT cluster_id, source FROM articles WHERE cluster_id IN ({marks})", chunk
            ):
                sources.setdefault(cluster_id, set()).add(source)
        return {
            row["id"]: ArticleExtras(
                date_source=row["date_source"],
                cluster=row["cluster_id"],
                also_published_by=tuple(
                    sorted(sources.get(row["cluster_id"], set()) - {row["source"]})
                ),
                flags=tuple(json.loads(row["flags"] or "[]")),
                gone_at=row["gone_at"],
            )
            for row in rows
        }

    def clusters_of(self, ids: Iterable[int]) -> dict[int, int]:
        """article id → cluster id, for the given articles that belong to a cluster."""
        wanted = set(ids)
        return {
            row[0]: row[1]
            for row in self.db.execute(
                "SELECT id, cluster_id FROM articles WHERE cluster_id IS NOT NULL"
            )
            if row[0] in wanted
        }

    def clustered_facts(self) -> Iterator[ArticleFacts]:
        """Facts of every article that belongs to a near-duplicate cluster."""
        for row in self.db.execute(
            "SELECT id, source, published, cluster_id FROM articles WHERE cluster_id IS NOT NULL"
        ):
            yield ArticleFacts(row[0], row[1], from_iso(row[2]), row[3])
