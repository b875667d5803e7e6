"""Coverage counts from the archive for a set of matching articles, with and without copies.

A copy is an article of a near-duplicate cluster that is not the first of that cluster among
the matches (earliest publication, then lowest id): counting without copies counts each story
once, for the outlet and the day that published it first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, tzinfo

from index.model import Counts
from monitor.models import ArticleFacts


@dataclass
class Coverage:
    total: int = 0
    by_source: Counter[str] = field(default_factory=Counter)
    by_day: Counter[date] = field(default_factory=Counter)
    undated: int = 0

    @classmethod
    def of(cls, counts: Counts) -> Coverage:
        return cls(counts.total, Counter(counts.by_source), Counter(counts.by_day), counts.undated)

    def add(self, facts: ArticleFacts, zone: tzinfo, sign: int = 1) -> None:
        self.total += sign
        self.by_source[facts.source] += sign
        if facts.published is None:
            self.undated += sign
        else:
            self.by_day[facts.published.astimezone(zone).date()] += sign

    def without(self, copies: Iterable[ArticleFacts], zone: tzinfo) -> Coverage:
        """These counts less the given articles."""
        out = Coverage(self.total, Counter(self.by_source), Counter(self.by_day), self.undated)
        for fact in copies:
            out.add(fact, zone, -1)
        return out


def first_of_each_cluster(facts: Iterable[ArticleFacts]) -> list[ArticleFacts]:
    """Each unclustered article, and the first article of each cluster."""
    singles: list[ArticleFacts] = []
    firsts: dict[int, ArticleFacts] = {}
    for fact in facts:
        if fact.cluster_id is None:
            singles.append(fact)
            continue
        best = firsts.get(fact.cluster_id)
        if best is None or _order(fact) < _order(best):
            firsts[fact.cluster_id] = fact
    return singles + list(firsts.values())


def copies_among(clustered: Iterable[ArticleFacts], ids: set[int]) -> list[ArticleFacts]:
    """The matching clustered articles that are not the first of their cluster among matches."""
    matching = [fact for fact in clustered if fact.id in ids]
    firsts = {fact.id for fact in first_of_each_cluster(matching)}
    return [fact for fact in matching if fact.id not in firsts]


def _order(fact: ArticleFacts) -> tuple[bool, str, int]:
    # Undated articles sort after dated ones: a known first publication wins.
    return (fact.published is None, fact.published.isoformat() if fact.published else "", fact.id)
