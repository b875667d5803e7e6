"""Uniform random samples of the articles a query matches, the same for the same seed and
corpus snapshot.

The matching ids (up to the snapshot) are sorted, then `random.Random(seed).sample` draws from
them: the same seed over the same corpus draws the same articles in the same order, whatever
order the index returned them in. The order of the draw is kept, so the first k articles of a
sample of n are themselves a uniform sample of k (read the first 20 now, 30 more later).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from index.engine import Engine
from monitor.archive import Archive
from monitor.report.articles import export_rows
from monitor.report.selection import Selection


def matching_ids(engine: Engine, selection: Selection, text: str) -> list[int]:
    """The ids of the articles `text` matches in `selection`, sorted."""
    return sorted(int(i) for i in engine.ids(selection.node(text)) if i.isdigit())


def draw(ids: list[int], n: int, seed: int) -> list[int]:
    """`n` of `ids` (all of them, shuffled, when there are fewer), in the order drawn."""
    population = sorted(ids)
    return random.Random(seed).sample(population, min(n, len(population)))


@dataclass(frozen=True)
class Sample:
    query: str
    seed: int
    n: int
    population: int  # matching articles drawn from
    snapshot: dict[str, Any]
    ids: list[int]

    def header(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "seed": self.seed,
            "n": self.n,
            "population": self.population,
            "snapshot": self.snapshot,
        }


def sample(
    archive: Archive, engine: Engine, selection: Selection, text: str, *, n: int, seed: int
) -> Sample:
    snapshot = selection.snapshot_of(archive)
    ids = matching_ids(engine, selection, text)
    return Sample(text, seed, n, len(ids), snapshot, draw(ids, n, seed))


def sample_rows(archive: Archive, drawn: Sample) -> list[dict[str, object]]:
    """The export rows (`monitor.report.articles`) of the sample, in the order drawn."""
    rows = {int(str(row["id"])): row for row in export_rows(archive, drawn.ids)}
    return [rows[i] for i in drawn.ids if i in rows]
