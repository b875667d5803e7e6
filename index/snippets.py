"""Snippets: the passage of a document that best shows why it matched, with matches marked.

Engine-neutral: the passage is chosen and marked with `index.analysis` alone, so every engine
shows the same snippet for the same document and query.

* A token of the text matches a query Term when their folded forms are equal ("hoà" marks
  "Hòa", "hoa" and "HOÀ"), or their exact forms when the Term is exact; a Phrase matches on
  consecutive tokens and is marked as one range.
* Only words that can occur in the text count: terms of `source:`, `url:`, `lang:`,
  `author:` and the label fields (`flag:`, `tag:`, `status:`) name metadata, not body text, so
  they are not marked. Excluded terms are not marked.
* Runs of whitespace (newlines included) become single spaces before anything else, so the
  offsets computed on the collapsed text are the offsets in the returned snippet.
* The window holds the most distinct query terms, and of equal windows the earliest; it is cut
  on spaces and "…" marks each side where text was left out. Without any match (`*`, a date
  query) the snippet is the beginning of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.analysis import TOKEN_RE, exact_tokens, fold_all, folded_tokens, nfc, normalize
from index.model import Snippet
from index.query import LABEL_FIELDS, Node, Term, positive_terms

ELLIPSIS = "…"
_METADATA_FIELDS = frozenset({"source", "url", "lang", "author", *LABEL_FIELDS})


@dataclass(frozen=True, slots=True)
class _Pattern:
    """The token forms a Term or Phrase must match, in order."""

    keys: tuple[str, ...]
    exact: bool


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    pattern: int


def make_snippet(text: str, query: Node, *, max_chars: int = 240) -> Snippet:
    """The window of `text` (NFC) of at most `max_chars` holding the most query matches.

    Highlights are [start, end) offsets into the returned text, sorted and non-overlapping.
    `max_chars` counts the "…" marks; it must be at least 3.
    """
    if max_chars < 3:
        raise ValueError(f"max_chars must be at least 3, not {max_chars}")
    flat = " ".join(nfc(text).split())
    matches = _find(flat, _patterns(query))
    if len(flat) <= max_chars:
        return Snippet(flat, _highlights(matches, 0, len(flat), 0))

    budget = max_chars - 2 * len(ELLIPSIS)
    if matches:
        lo, hi = _best_group(matches, budget)
        first = matches[lo].start
        last = min(max(m.end for m in matches[lo:hi]), first + budget)
    else:
        first = last = 0
    start, end = _place(flat, first, last, budget)

    before = ELLIPSIS if start > 0 else ""
    after = ELLIPSIS if end < len(flat) else ""
    highlights = _highlights(matches, start, end, len(before))
    return Snippet(before + flat[start:end] + after, highlights)


def match_spans(text: str, query: Node) -> list[tuple[int, int]]:
    """Every occurrence in `text` (NFC) of the query's words and phrases that can occur in text
    (not excluded ones), as [start, end) offsets sorted by start, matched as highlights are.

    A word that is also part of a matching phrase of the query gives both spans; the same span
    is given once.
    """
    spans = [(m.start, m.end) for m in _find(text, _patterns(query))]
    return sorted(set(spans))


def has_text_terms(query: Node) -> bool:
    """Whether the query has words or phrases that can occur in a document's text."""
    return bool(_patterns(query))


def _patterns(query: Node) -> list[_Pattern]:
    patterns: dict[_Pattern, None] = {}  # ordered set: a term repeated in the query counts once
    for node in positive_terms(query):
        if node.field in _METADATA_FIELDS:
            continue
        words = (node.text,) if isinstance(node, Term) else node.words
        tokenize = exact_tokens if node.exact else folded_tokens
        keys = tuple(key for word in words for key in tokenize(word))
        if keys:
            patterns[_Pattern(keys, node.exact)] = None
    return list(patterns)


def _find(text: str, patterns: list[_Pattern]) -> list[_Match]:
    """Every occurrence of every pattern in `text`, by start (then pattern order)."""
    if not patterns:
        return []
    # Patterns are looked up by their first token, so the scan is linear in the text; only a
    # phrase's remaining tokens are compared one by one.
    folded_first: dict[str, list[int]] = {}
    exact_first: dict[str, list[int]] = {}
    for i, pattern in enumerate(patterns):
        (exact_first if pattern.exact else folded_first).setdefault(pattern.keys[0], []).append(i)
    tokens, exact, folded = _tokens(text)
    candidates = [i for i, f in enumerate(folded) if f in folded_first]
    if exact_first:
        candidates = sorted({*candidates, *(i for i, e in enumerate(exact) if e in exact_first)})
    found: list[_Match] = []
    for i in candidates:
        for p in sorted(folded_first.get(folded[i], []) + exact_first.get(exact[i], [])):
            keys = patterns[p].keys
            j = i + len(keys)
            if j > len(tokens):
                continue
            forms = exact if patterns[p].exact else folded
            if len(keys) == 1 or tuple(forms[i:j]) == keys:
                found.append(_Match(tokens[i].start(), tokens[j - 1].end(), p))
    return found


def _tokens(text: str) -> tuple[list[re.Match[str]], list[str], list[str]]:
    """The tokens of `text` with their exact and folded forms, as `analysis.spans` gives them.

    `spans` builds an object per token, which takes ~2 ms for a 3 KB article; lowercasing the
    whole text once and tokenizing that is several times faster. Lowercasing keeps every
    character a token character or not, so the tokens are the same, unless it changes the
    length ("İ" becomes "i" plus a combining dot) or depends on what follows (final sigma);
    then tokens are lowercased one by one.
    """
    norm = normalize(text)
    lowered = norm.lower()
    whole = len(lowered) == len(norm) and "Σ" not in norm
    found = list(TOKEN_RE.finditer(lowered if whole else norm))
    exact = [m.group() for m in found]
    if not whole:
        exact = [t.lower() for t in exact]
    return found, exact, fold_all(exact)


def _best_group(matches: list[_Match], budget: int) -> tuple[int, int]:
    """Indices [lo, hi) of the matches to show: most distinct patterns, then earliest.

    A sliding window over the matches (sorted by start): each match in turn opens a group that
    takes every following match ending within `budget` characters of its start.
    """
    seen: dict[int, int] = {}
    best = (-1, 0, 1)
    hi = 0
    for lo, opening in enumerate(matches):
        if hi <= lo:
            # A match longer than the budget still gets shown, cut.
            seen[opening.pattern] = seen.get(opening.pattern, 0) + 1
            hi = lo + 1
        while hi < len(matches) and matches[hi].end - opening.start <= budget:
            seen[matches[hi].pattern] = seen.get(matches[hi].pattern, 0) + 1
            hi += 1
        if len(seen) > best[0]:
            best = (len(seen), lo, hi)
        seen[opening.pattern] -= 1
        if not seen[opening.pattern]:
            del seen[opening.pattern]
    return best[1], best[2]


def _place(text: str, first: int, last: int, budget: int) -> tuple[int, int]:
    """A window of at most `budget` characters around text[first:last], cut on spaces."""
    n = len(text)
    # A third of the spare room goes before the matches: enough to lead into the sentence,
    # while most of it is left for what follows.
    spare = max(budget - (last - first), 0)
    start = max(first - spare // 3, 0)
    end = min(start + budget, n)
    start = max(min(start, end - budget), 0)

    if start > 0 and text[start - 1] != " ":
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else first
    if end < n and text[end] != " ":
        space = text.rfind(" ", last, end)
        # No space to cut on: a single run longer than the window, cut where it must be.
        end = space if space >= 0 else end
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


def _highlights(
    matches: list[_Match], start: int, end: int, shift: int
) -> tuple[tuple[int, int], ...]:
    """Matches inside text[start:end], clipped and merged, as offsets in the snippet."""
    out: list[tuple[int, int]] = []
    for m in matches:
        if m.start >= end:
            break
        s, e = max(m.start, start), min(m.end, end)
        if s >= e:
            continue
        s, e = s - start + shift, e - start + shift
        if out and s < out[-1][1]:
            # Matches are sorted by start, so only the last range can overlap this one.
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return tuple(out)
