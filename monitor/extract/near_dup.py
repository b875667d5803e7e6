"""Near-duplicate articles: text fingerprints, LSH keys and clustering.

An outlet that republishes a news-agency story (TTXVN, VietnamPlus) changes the title, adds a
lead or a "Theo TTXVN" line, edits a few sentences or cuts the tail. Those copies keep most of
the story's word sequences; two outlets' own reports of the same event share words and set
phrases but few longer sequences. So the fingerprint is a MinHash of the set of 4-syllable
shingles of the folded text, and similarity is the estimated Jaccard index of those sets.

Measured (bench/near_dup.py, ~600-word texts): copies of the kinds above, alone or combined,
have an estimated Jaccard index ≥ 0.54 (mean 0.84); reports of one event by two outlets that
share a fifth of their sentences ≤ 0.17 (mean 0.09), and real same-event reports from several
Vietnamese outlets measure 0.02–0.10. NEAR_DUPLICATE = 0.4 leaves both sides three standard
errors (0.044 at 128 slots) clear; it errs toward keeping texts apart, since a wrong merge hides
an outlet's own reporting while a missed copy only shows up twice.

One-permutation hashing: each shingle is hashed once; the hash picks one of 128 slots and the
slot keeps its smallest value. A text of ~600 words fills nearly every slot, so it estimates like
128 independent permutations at the cost of one. A short text leaves slots empty; each empty
slot takes the value of the first filled slot in its own fixed probe order ("optimal
densification", Shrivastava 2017), the same for every text, so equal sets still match slot by
slot.

Storage: a fingerprint is `bytes` (a SQLite BLOB): a format byte, then 128 slot values of 32
bits. `lsh_keys` gives 32 signed 64-bit keys (bands of 3 slots): two texts share one with
probability 1 - (1 - J³)³², 0.986 at Jaccard 0.5 and 0.9996 at 0.6, but 0.03 at 0.1.
"""

from __future__ import annotations

import hashlib
import operator
from typing import NewType

from index.analysis import folded_tokens

Fingerprint = NewType("Fingerprint", bytes)
"""A storable fingerprint: `FORMAT` byte + SLOTS big-endian uint32 values."""

# The format byte leads every fingerprint and every key's hash input, so a change of shingle
# size, hash or layout makes old and new fingerprints fail loudly instead of comparing as
# unrelated texts.
FORMAT = 1
SHINGLE = 4
SLOTS = 128
# Bands of 3 slots: 4 would miss one pair in eight at Jaccard 0.5; 2 would make every article
# a candidate for others on its topic.
ROWS = 3
BANDS = 32
MIN_WORDS = 50
NEAR_DUPLICATE = 0.4

_SLOT_MASK = SLOTS - 1
_VALUE_BYTES = 4
_SIZE = 1 + SLOTS * _VALUE_BYTES
_EMPTY = 1 << 32


def _probe_order(slot: int) -> tuple[int, ...]:
    """The other slots in a fixed pseudo-random order, from a hash (stable across Pythons)."""

    def rank(other: int) -> bytes:
        return hashlib.blake2b(f"probe {slot} {other}".encode(), digest_size=8).digest()

    return tuple(sorted((t for t in range(SLOTS) if t != slot), key=rank))


_PROBES = tuple(_probe_order(slot) for slot in range(SLOTS))


def _shingles(tokens: list[str]) -> set[str]:
    return {" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def fingerprint(text: str) -> Fingerprint | None:
    """The fingerprint of an article's text, or None below MIN_WORDS words (too unreliable).

    Pass the body text; a title line may be included (a changed title moves few shingles).
    """
    tokens = folded_tokens(text)
    if len(tokens) < MIN_WORDS:
        return None
    shingles = _shingles(tokens)
    # A text of 50 words that mostly repeats itself says nothing about its origin.
    if len(shingles) < MIN_WORDS // 2:
        return None
    slots = [_EMPTY] * SLOTS
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    for h in [from_bytes(blake2b(s.encode(), digest_size=8).digest()) for s in shingles]:
        slot = h & _SLOT_MASK
        # The top 32 bits are independent of the slot bits at the bottom.
        value = h >> 32
        if value < slots[slot]:
            slots[slot] = value
    if _EMPTY in slots:
        filled = slots.copy()
        for slot, value in enumerate(filled):
            if value == _EMPTY:
                # Probe the slots as hashed, not as densified, so the order of filling
                # can't change a value.
                slots[slot] = next(filled[t] for t in _PROBES[slot] if filled[t] != _EMPTY)
    body = b"".join(v.to_bytes(_VALUE_BYTES, "big") for v in slots)
    return Fingerprint(bytes((FORMAT,)) + body)


def _slot_values(fp: bytes) -> memoryview:
    if len(fp) != _SIZE or fp[0] != FORMAT:
        raise ValueError(
            f"not a format-{FORMAT} fingerprint ({len(fp)} bytes, format "
            f"{fp[0] if fp else None}); fingerprint the text again"
        )
    # Only equality of slots matters, so native byte order is fine.
    return memoryview(fp)[1:].cast("I")


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard index of the two texts' shingle sets, in [0, 1]."""
    equal = int(sum(map(operator.eq, _slot_values(a), _slot_values(b))))
    return equal / SLOTS


def is_near_duplicate(a: bytes, b: bytes) -> bool:
    """Whether two fingerprints are copies of one text (similarity ≥ NEAR_DUPLICATE)."""
    return similarity(a, b) >= NEAR_DUPLICATE


def lsh_keys(fp: bytes) -> list[int]:
    """BANDS signed 64-bit keys: near-duplicates share at least one with high probability."""
    _slot_values(fp)
    width = ROWS * _VALUE_BYTES
    keys: list[int] = []
    for band in range(BANDS):
        start = 1 + band * width
        data = bytes((FORMAT, band)) + fp[start : start + width]
        digest = hashlib.blake2b(data, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


class Clusterer:
    """Assign cluster ids to a stream of articles, by LSH key lookups and similarity.

    The rule, also for an incremental SQL version (a `(key, article_id)` table):

    1. candidates: earlier articles sharing an `lsh_keys` key with the new one;
    2. matches: candidates with `similarity` ≥ threshold;
    3. no match: the article starts a cluster, whose id is its own article id;
    4. else it joins its matches' cluster. When they lie in several clusters (the new text
       bridges them, so all are copies of one story), those merge under the id of the one
       started first: `UPDATE … SET cluster = :first WHERE cluster IN (:others)`.

    A version without step 4's merge (join the most similar match's cluster) gives the same
    clusters except where a text bridges two.

    An article without a fingerprint (a short text) is a cluster of its own.
    """

    def __init__(self, threshold: float = NEAR_DUPLICATE) -> None:
        self.threshold = threshold
        self._by_key: dict[int, list[int]] = {}
        self._fingerprints: dict[int, bytes] = {}
        self._parent: dict[int, int] = {}
        self._order: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._parent)

    def _find(self, article_id: int) -> int:
        root = article_id
        while self._parent[root] != root:
            root = self._parent[root]
        # Path compression keeps later lookups O(1)-ish on long chains of copies.
        while self._parent[article_id] != root:
            self._parent[article_id], article_id = root, self._parent[article_id]
        return root

    def candidates(self, fp: bytes) -> set[int]:
        """Articles added so far that share an LSH key with `fp`."""
        return self._candidates(lsh_keys(fp))

    def _candidates(self, keys: list[int]) -> set[int]:
        found: set[int] = set()
        for key in keys:
            found.update(self._by_key.get(key, ()))
        return found

    def add(self, article_id: int, fp: bytes | None) -> int:
        """Add an article and return its cluster id. Adding an id again changes nothing."""
        if article_id in self._parent:
            return self._find(article_id)
        self._order[article_id] = len(self._order)
        self._parent[article_id] = article_id
        if fp is None:
            return article_id
        keys = lsh_keys(fp)
        roots = {
            self._find(c)
            for c in self._candidates(keys)
            if similarity(fp, self._fingerprints[c]) >= self.threshold
        }
        if roots:
            first = min(roots, key=self._order.__getitem__)
            for root in roots:
                self._parent[root] = first
            self._parent[article_id] = first
        self._fingerprints[article_id] = fp
        for key in keys:
            self._by_key.setdefault(key, []).append(article_id)
        return self._find(article_id)

    def cluster_of(self, article_id: int) -> int:
        """The cluster id of an added article (KeyError if it was never added)."""
        return self._find(article_id)

    def clusters(self) -> dict[int, list[int]]:
        """Every cluster id with its members in the order they were added."""
        out: dict[int, list[int]] = {}
        for article_id in sorted(self._parent, key=self._order.__getitem__):
            out.setdefault(self._find(article_id), []).append(article_id)
        return out
