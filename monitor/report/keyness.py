"""Keyness: the words and two-syllable phrases over-represented in one set of articles (A)
against another (B: a second query, or the rest of the archive).

Terms are counted as the report's top words are (`monitor.report.terms`: Vietnamese function
syllables and numbers out). For each term, the 2×2 table of its occurrences and of all other
counted occurrences in A and in B gives:

* `g2`: Dunning's log-likelihood, G² = 2 Σ O·ln(O/E) over the four cells, signed positive when
  the term is relatively more frequent in A, negative when in B; `p` is its chi-square
  probability with one degree of freedom (G² 3.84 → p 0.05, 10.83 → 0.001, 15.13 → 0.0001).
* `log_ratio`: Hardie's effect size, log2 of the ratio of the term's relative frequencies in A
  and B, a zero count taken as 0.5 so that a term absent from one side has a finite size. +1
  means twice as frequent in A, −1 half as frequent.

The top terms are those over-represented in A with at least `min_count` occurrences there,
ranked by G² (how sure), then by log ratio (how much). A side larger than `sample` articles is
read through a seeded uniform sample of that many (`monitor.report.sample`), which is said.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from index.engine import Engine
from index.query import And, MatchAll, Node, Not
from monitor.archive import Archive
from monitor.report.sample import draw
from monitor.report.selection import Selection
from monitor.report.terms import TermTable, count_terms


@dataclass(frozen=True)
class Key:
    term: str
    count_a: int
    docs_a: int
    count_b: int
    docs_b: int
    g2: float
    p: float
    log_ratio: float

    def as_json(self, key: str) -> dict[str, Any]:
        return {
            key: self.term,
            "count_a": self.count_a,
            "docs_a": self.docs_a,
            "count_b": self.count_b,
            "docs_b": self.docs_b,
            "g2": round(self.g2, 4),
            "p": float(f"{self.p:.4g}"),
            "log_ratio": round(self.log_ratio, 4),
        }


def log_likelihood(a: int, b: int, size_a: int, size_b: int) -> float:
    """Signed G² of a term seen `a` times among `size_a` tokens and `b` among `size_b`."""
    total = size_a + size_b
    if total == 0 or a + b == 0:
        return 0.0
    rest_a, rest_b = size_a - a, size_b - b
    g2 = 0.0
    for observed, row, column in (
        (a, size_a, a + b),
        (b, size_b, a + b),
        (rest_a, size_a, rest_a + rest_b),
        (rest_b, size_b, rest_a + rest_b),
    ):
        if observed > 0:
            g2 += observed * math.log(observed / (row * column / total))
    g2 *= 2
    return g2 if a * size_b >= b * size_a else -g2


def p_value(g2: float) -> float:
    """P(X ≥ |G²|) for X chi-square with one degree of freedom."""
    return math.erfc(math.sqrt(abs(g2) / 2))


def log_ratio(a: int, b: int, size_a: int, size_b: int) -> float:
    """Hardie's log ratio (base 2), a zero count taken as 0.5."""
    if size_a == 0 or size_b == 0:
        return 0.0
    return math.log2(((a or 0.5) / size_a) / ((b or 0.5) / size_b))


def keyness(a: TermTable, b: TermTable, *, top: int, min_count: int = 3) -> list[Key]:
    """The terms most over-represented in `a` against `b`."""
    keys: list[Key] = []
    for term, count_a in a.counts.items():
        count_b = b.counts.get(term, 0)
        if count_a < min_count or count_a * b.tokens <= count_b * a.tokens:
            continue
        g2 = log_likelihood(count_a, count_b, a.tokens, b.tokens)
        keys.append(
            Key(
                term,
                count_a,
                a.docs[term],
                count_b,
                b.docs.get(term, 0),
                g2,
                p_value(g2),
                log_ratio(count_a, count_b, a.tokens, b.tokens),
            )
        )
    keys.sort(key=lambda k: (-k.g2, -k.log_ratio, k.term))
    return keys[:top]


# The seed of the samples a side larger than `sample` articles is read through: fixed, so that
# the same corpus snapshot gives the same keyness table.
SAMPLE_SEED = 0


@dataclass(frozen=True)
class Side:
    query: str | None  # None: the rest of the archive
    articles: int
    sampled: int
    words: TermTable
    phrases: TermTable

    def as_json(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "sampled": self.sampled,
            "word_tokens": self.words.tokens,
            "phrase_tokens": self.phrases.tokens,
        }


@dataclass(frozen=True)
class KeynessResult:
    a: Side
    b: Side
    selection: Selection
    snapshot: dict[str, Any]
    words: list[Key]
    phrases: list[Key]

    def as_json(self) -> dict[str, Any]:
        return {
            "query_a": self.a.query,
            "query_b": self.b.query,
            "reference": "query" if self.b.query is not None else "rest",
            **self.selection.as_json(),
            "snapshot": self.snapshot,
            "a": self.a.as_json(),
            "b": self.b.as_json(),
            "words": [k.as_json("word") for k in self.words],
            "phrases": [k.as_json("phrase") for k in self.phrases],
        }

    def csv_rows(self) -> list[dict[str, object]]:
        return [
            {"kind": kind, **k.as_json("term")}
            for kind, keys in (("word", self.words), ("phrase", self.phrases))
            for k in keys
        ]


CSV_COLUMNS = ("kind", "term", "count_a", "docs_a", "count_b", "docs_b", "g2", "p", "log_ratio")


def compare_terms(
    archive: Archive,
    engine: Engine,
    selection: Selection,
    query_a: str,
    query_b: str | None,
    *,
    top: int = 20,
    min_count: int = 3,
    sample: int = 5000,
) -> KeynessResult:
    """Keyness of the articles of `query_a` against those of `query_b`, or (None) against
    every other article of the selection."""
    snapshot = selection.snapshot_of(archive)
    parsed_a = selection.parse(query_a)
    node_b = selection.parse(query_b) if query_b is not None else And((MatchAll(), Not(parsed_a)))
    a = _side(archive, engine, query_a, selection.restrict(parsed_a), sample)
    b = _side(archive, engine, query_b, selection.restrict(node_b), sample)
    return KeynessResult(
        a,
        b,
        selection,
        snapshot,
        keyness(a.words, b.words, top=top, min_count=min_count),
        keyness(a.phrases, b.phrases, top=top, min_count=min_count),
    )


def _side(archive: Archive, engine: Engine, query: str | None, node: Node, cap: int) -> Side:
    ids = sorted(int(i) for i in engine.ids(node) if i.isdigit())
    read = draw(ids, cap, SAMPLE_SEED) if len(ids) > cap else ids
    words, phrases = count_terms(f"{a.title}\n{a.text}" for a in archive.articles(read))
    return Side(query, len(ids), len(read), words, phrases)
