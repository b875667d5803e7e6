"""The order of results every engine gives: by score, ties newest first, undated last."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

# Sort keys put undated documents last whichever way the dates run.
UNDATED_KEY = -(2**62)
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Candidate(Generic[R]):
    score: float
    sort_key: int  # publication micros, UNDATED_KEY when undated
    ref: R


def relevance_page(
    fetch: Callable[[int], tuple[Sequence[Candidate[R]], int]], offset: int, limit: int
) -> tuple[list[Candidate[R]], int]:
    """One page by score, ties broken newest first (undated last), and the total.

    `fetch(n)` returns the engine's best `n` candidates (its own order among equal scores) and
    the total. Equal scores are common (syndicated copies, filter-only branches), so candidates
    are fetched until the whole group tied with the page's last score is in hand.
    """
    want = offset + limit
    if want <= 0:
        return [], fetch(1)[1]
    # More than the page, to see whether the page's last score is shared beyond it; a second
    # run of the query costs more than a longer first list.
    n = 2 * want + 10
    while True:
        cands, total = fetch(n)
        if len(cands) < n or cands[-1].score < cands[want - 1].score:
            break
        n *= 4
    ordered = sorted(cands, key=lambda c: (-c.score, -c.sort_key))
    return ordered[offset:want], total
