"""Word and two-syllable phrase frequencies for reports.

Vietnamese words span syllables, and a single syllable alone means little ("hoà" in "hoà bình"),
so reports show both frequent syllables and frequent syllable pairs, minus function syllables.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from index.analysis import exact_tokens

_BREAK_RE = re.compile(r"[^\w\s]+|\n")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("monitor.report").joinpath("stopwords_vi.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@dataclass(frozen=True)
class TermCount:
    term: str
    count: int  # occurrences
    docs: int  # documents containing it


@dataclass
class TermTable:
    """Occurrences and documents of each term over some texts, and the tokens counted."""

    counts: Counter[str] = field(default_factory=Counter)
    docs: Counter[str] = field(default_factory=Counter)
    tokens: int = 0  # every occurrence counted (the corpus size for keyness)
    texts: int = 0

    def add(self, terms: list[str]) -> None:
        self.counts.update(terms)
        self.docs.update(set(terms))
        self.tokens += len(terms)
        self.texts += 1

    def top(self, limit: int) -> list[TermCount]:
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [TermCount(term, count, self.docs[term]) for term, count in ranked]


def text_terms(text: str) -> tuple[list[str], list[str]]:
    """The words and two-syllable phrases of one text, as reports count them: lowercase with
    diacritics (tone placement unified), function syllables and numbers left out."""
    stop = stopwords()
    # A phrase never spans punctuation or a line break: "… Hà Nội. Sáng nay …" must not count
    # "nội sáng". Each break becomes the token "0", a number, which no word or phrase counted
    # holds, so the text is tokenized once rather than piece by piece (3x faster).
    tokens = exact_tokens(_BREAK_RE.sub(" 0 ", text))
    kept = [t if t not in stop and not t.isdigit() else None for t in tokens]
    words = [t for t in kept if t is not None and len(t) > 1]
    phrases = [f"{a} {b}" for a, b in pairwise(kept) if a is not None and b is not None]
    return words, phrases


def count_terms(texts: Iterable[str]) -> tuple[TermTable, TermTable]:
    """The words and the two-syllable phrases of `texts`, counted."""
    words, phrases = TermTable(), TermTable()
    for text in texts:
        doc_words, doc_phrases = text_terms(text)
        words.add(doc_words)
        phrases.add(doc_phrases)
    return words, phrases


def top_terms(texts: Iterable[str], *, limit: int = 20) -> tuple[list[TermCount], list[TermCount]]:
    """The most frequent words and two-syllable phrases in `texts`."""
    words, phrases = count_terms(texts)
    return words.top(limit), phrases.top(limit)
