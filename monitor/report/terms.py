"""Word and two-syllable phrase frequencies for reports.

Vietnamese words span syllables, and a single syllable alone means little ("hoà" in "hoà bình"),
so reports show both frequent syllables and frequent syllable pairs, minus function syllables.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
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


def top_terms(texts: Iterable[str], *, limit: int = 20) -> tuple[list[TermCount], list[TermCount]]:
    """The most frequent words and two-syllable phrases in `texts`."""
    stop = stopwords()
    words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    word_docs: Counter[str] = Counter()
    phrase_docs: Counter[str] = Counter()
    for text in texts:
        doc_words: list[str] = []
        doc_phrases: list[str] = []
        # A phrase never spans punctuation or a line break: "… Hà Nội. Sáng nay …" must not
        # count "nội sáng".
        for segment in _BREAK_RE.split(text):
            tokens = exact_tokens(segment)
            doc_words += [t for t in tokens if t not in stop and not t.isdigit() and len(t) > 1]
            doc_phrases += [
                f"{a} {b}"
                for a, b in pairwise(tokens)
                if a not in stop and b not in stop and not a.isdigit() and not b.isdigit()
            ]
        words.update(doc_words)
        word_docs.update(set(doc_words))
        phrases.update(doc_phrases)
        phrase_docs.update(set(doc_phrases))

    def top(counter: Counter[str], docs: Counter[str]) -> list[TermCount]:
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [TermCount(term, count, docs[term]) for term, count in ranked]

    return top(words, word_docs), top(phrases, phrase_docs)
