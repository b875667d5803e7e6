"""A query's coverage broken down by source or by collection (feed tag), overall and per bucket.

Each group's `count` is its matching articles and its `total` every article of that group in the
query's scope, so `ratio` is the share of the group's own output the query takes. An article
counts once under each tag it carries (an article listed by two feeds tagged differently is in
both collections), so the tags' counts may add up to more than the report's total; `untagged`
counts the matches that carry no tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from index.model import Counts, LabelCounts
from monitor.report.buckets import Bucket, ratio, summed_by_group

By = Literal["source", "tag"]
BY_CHOICES: tuple[By, ...] = ("source", "tag")


@dataclass(frozen=True)
class GroupRow:
    name: str
    count: int
    total: int
    # Per bucket of the report's interval: (count, total).
    cells: list[tuple[int, int]] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return ratio(self.count, self.total)

    def as_json(self, key: str, spans: list[Bucket]) -> dict[str, Any]:
        out: dict[str, Any] = {key: self.name, "count": self.count}
        out["total"] = self.total
        out["ratio"] = self.ratio
        if spans:
            out["by_interval"] = [
                {
                    "start": b.start.isoformat(),
                    "end": b.last.isoformat(),
                    "count": n,
                    "total": t,
                    "ratio": ratio(n, t),
                }
                for b, (n, t) in zip(spans, self.cells, strict=True)
            ]
        return out


@dataclass(frozen=True)
class Breakdown:
    by: By
    spans: list[Bucket]
    rows: list[GroupRow]
    untagged: int | None = None  # tag: matches carrying no tag

    def csv_columns(self) -> list[str]:
        columns = [self.by, "count", "total", "ratio"]
        for b in self.spans:
            columns += [f"{b.start.isoformat()}_count", f"{b.start.isoformat()}_ratio"]
        return columns

    def csv_rows(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for row in self.rows:
            values: dict[str, object] = {
                self.by: row.name,
                "count": row.count,
                "total": row.total,
                "ratio": row.ratio,
            }
            for b, (n, t) in zip(self.spans, row.cells, strict=True):
                values[f"{b.start.isoformat()}_count"] = n
                values[f"{b.start.isoformat()}_ratio"] = ratio(n, t)
            out.append(values)
        return out


def by_source(matches: Counts, scope_total: Counts, spans: list[Bucket]) -> Breakdown:
    """Every source of the scope (with articles in the window), most matches first."""
    return Breakdown(
        "source",
        spans,
        _rows(
            matches.by_source,
            scope_total.by_source,
            matches.by_source_day,
            scope_total.by_source_day,
            spans,
            names={},
        ),
    )


def by_tag(
    matches: LabelCounts, scope_total: LabelCounts, spans: list[Bucket], names: Mapping[str, str]
) -> Breakdown:
    """Every tag of the scope's articles; `names` maps a tag's counted form
    (`index.query.label_value`) to the name feeds give it."""
    rows = _rows(
        matches.by_value,
        scope_total.by_value,
        matches.by_value_day,
        scope_total.by_value_day,
        spans,
        names=names,
    )
    return Breakdown("tag", spans, rows, untagged=matches.unlabelled)


def _rows(
    counts: Mapping[str, int],
    totals: Mapping[str, int],
    counts_by_day: Mapping[tuple[str, date], int],
    totals_by_day: Mapping[tuple[str, date], int],
    spans: list[Bucket],
    *,
    names: Mapping[str, str],
) -> list[GroupRow]:
    per_bucket = summed_by_group(counts_by_day, spans)
    totals_per_bucket = summed_by_group(totals_by_day, spans)
    zeros = [0] * len(spans)
    rows = [
        GroupRow(
            names.get(group, group),
            counts.get(group, 0),
            total,
            list(
                zip(
                    per_bucket.get(group, zeros),
                    totals_per_bucket.get(group, zeros),
                    strict=True,
                )
            ),
        )
        for group, total in totals.items()
    ]
    return sorted(rows, key=lambda r: (-r.count, -r.total, r.name))
