"""Text analysis shared by indexing and querying.

Every string that reaches an index, and every query word, goes through the same three steps:

1. NFC: text from feeds in windows-1258 or typed on some keyboards arrives as NFD (base letter
   plus combining marks). Folding and tone placement are defined on NFC only.
2. Tone placement unified: outlets write the same syllable as "hòa" (old style) or "hoà"
   (new style). Both become the new style, so they are one term. The change keeps the length
   of the string, so offsets found in the unified text are valid in the NFC text.
3. Two token forms: *exact* (lowercase, diacritics kept: "bán" is not "bạn") and *folded*
   (diacritics and case removed, đ→d: "ban" matches both).

i/y spelling variants (quí/quý, kĩ/kỹ) are different spellings, not tone placement, and are
left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# A token is a run of letters and digits. `_` is a word character for `re` but never part of a
# word in news text.
TOKEN_RE = re.compile(r"[^\W_]+")

_TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"  # grave, acute, hook above, tilde, dot below


def _toned(base: str) -> dict[str, str]:
    """Map each tone mark to the precomposed form of `base` carrying it."""
    return {mark: unicodedata.normalize("NFC", base + mark) for mark in _TONE_MARKS}


def _build_old_style_table() -> dict[str, str]:
    """Old-style syllable endings (tone on the first vowel) → new style (tone on the second).

    Only the open syllables oa, oe and uy differ between the two conventions; a syllable with a
    final consonant ("hoàng") or with a vowel carrying its own mark ("thuyền") is written the same
    way in both.
    """
    table: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for lower in (True, False):
            f = first if lower else first.upper()
            for s in (second, second.upper()):
                firsts, seconds = _toned(f), _toned(s)
                for mark in _TONE_MARKS:
                    table[firsts[mark] + s] = f + seconds[mark]
    return table


_OLD_TO_NEW = _build_old_style_table()
# An old-style pair counts only at the end of a syllable: "hòan" is not a Vietnamese spelling,
# and "òa" inside a longer foreign word is left alone.
_OLD_STYLE_RE = re.compile(
    r"(" + "|".join(sorted(_OLD_TO_NEW, key=len, reverse=True)) + r")(?![^\W_])"
)


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC (cheap when it already is)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


def unify_tones(text: str) -> str:
    """Rewrite old-style tone placement (hòa, thủy, khỏe) to the new style (hoà, thuỷ, khoẻ).

    Expects NFC text; keeps the string's length.
    """
    if text.isascii():
        return text
    return _OLD_STYLE_RE.sub(lambda m: _OLD_TO_NEW[m.group(1)], text)


def normalize(text: str) -> str:
    """NFC, then unified tone placement: the form in which text is stored for the index."""
    return unify_tones(nfc(text))


_COMBINING_RE = re.compile(r"[\u0300-\u036f]")

# Folded forms by token. A plain dict is ~3x faster than functools.lru_cache on the indexing
# path (and lets a whole token list be folded in one C-level `map`); it is emptied when full
# rather than evicting, which costs one refill of the common words.
_FOLDED: dict[str, str] = {}
_FOLD_CACHE_SIZE = 500_000
_CACHED_CHARS = 40


def _fold(text: str) -> str:
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    stripped = _COMBINING_RE.sub("", unicodedata.normalize("NFD", lowered))
    return unicodedata.normalize("NFC", stripped.replace("đ", "d"))


def fold(text: str) -> str:
    """Lowercase and remove diacritics, with đ→d: "Đà Nẵng" → "da nang". Cached per string."""
    folded = _FOLDED.get(text)
    if folded is None:
        folded = _fold(text)
        # Words repeat, whole strings (a URL) rarely do: caching those would only evict words.
        if len(text) <= _CACHED_CHARS:
            if len(_FOLDED) >= _FOLD_CACHE_SIZE:
                _FOLDED.clear()
            _FOLDED[text] = folded
    return folded


def fold_all(tokens: list[str]) -> list[str]:
    """`fold` of every token, in order."""
    try:
        return list(map(_FOLDED.__getitem__, tokens))
    except KeyError:
        return [fold(t) for t in tokens]


# Characters by whether they are token characters (True) or separators (False), filled as
# texts show them. Tokenizing by replacing the separators a text holds with spaces and
# splitting is ~2x faster than `TOKEN_RE.findall` and gives the same tokens: TOKEN_RE matches
# maximal runs of a per-character class, and every `str.split` whitespace is a separator.
_IS_TOKEN_CHAR: dict[str, bool] = {}
# A text has a few distinct separators (",", ".", quotes); past this many, findall is faster.
_MAX_SEPARATORS = 24


def _separators(chars: set[str]) -> list[str] | None:
    """The separators among `chars` (whitespace excluded), or None when there are too many."""
    out: list[str] = []
    for ch in chars:
        word = _IS_TOKEN_CHAR.get(ch)
        if word is None:
            word = _IS_TOKEN_CHAR[ch] = TOKEN_RE.fullmatch(ch) is not None
        if not word and not ch.isspace():
            out.append(ch)
    return out if len(out) <= _MAX_SEPARATORS else None


def _lower_tokens(norm: str) -> list[str]:
    """Lowercased tokens of `normalize`d text: `[t.lower() for t in TOKEN_RE.findall(norm)]`.

    Lowercasing never moves a character in or out of the token class (checked over all of
    Unicode), so the whole text is lowercased once; split first, as `spans` does, when that
    changes a length ("İ" becomes "i" plus a combining dot, which would cut "İstanbul" in two)
    or depends on context (final sigma: "Σ" lowers by what follows, maybe past the token's end).
    """
    lowered = norm.lower()
    if len(lowered) != len(norm) or "Σ" in norm:
        return [t.lower() for t in TOKEN_RE.findall(norm)]
    separators = _separators(set(lowered))
    if separators is None:
        return TOKEN_RE.findall(lowered)
    for ch in separators:
        lowered = lowered.replace(ch, " ")
    return lowered.split()


def exact_tokens(text: str) -> list[str]:
    """Lowercase tokens with diacritics kept, after NFC and tone unification."""
    return _lower_tokens(normalize(text))


def folded_tokens(text: str) -> list[str]:
    """Tokens with case and diacritics removed."""
    return fold_all(exact_tokens(text))


def analyze(text: str) -> tuple[list[str], list[str]]:
    """Both token forms of `text`, position for position: (exact, folded)."""
    exact = exact_tokens(text)
    return exact, fold_all(exact)


@dataclass(frozen=True, slots=True)
class Span:
    """One token of a text: its character offsets in the NFC text and both of its forms."""

    start: int
    end: int
    exact: str
    folded: str


def spans(text: str) -> Iterator[Span]:
    """Tokens of `text` with offsets valid in `nfc(text)` (tone unification keeps lengths)."""
    for m in TOKEN_RE.finditer(normalize(text)):
        exact = m.group(0).lower()
        yield Span(m.start(), m.end(), exact, fold(exact))
