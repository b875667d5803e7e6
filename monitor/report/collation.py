"""Vietnamese alphabetical order, for sorting words as a Vietnamese dictionary does.

Code-point order puts "đ" after "z" and mixes "a", "ă" and "â"; folding the marks away puts
"đi" among "di…". The Vietnamese alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư
v x y: letters are compared first, then tones, in the dictionaries' order: none, grave (huyền),
hook above (hỏi), tilde (ngã), acute (sắc), dot below (nặng). Letters outside the alphabet
(f, j, w, z, digits, other scripts) sort after it, by code point.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
# Marks that make another letter of the alphabet (breve, circumflex, horn) …
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# … and the tones, in dictionary order.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

SortKey = tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]


def vietnamese_key(text: str) -> SortKey:
    """A key that sorts text in Vietnamese alphabetical order, syllable by syllable as
    dictionaries do ("ba", "ba bà", "bà"), case ignored."""
    return tuple(_syllable_key(syllable) for syllable in text.split())


@lru_cache(maxsize=100_000)
def _syllable_key(syllable: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The letters' ranks, then the tone of each letter (0 for none)."""
    letters: list[str] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", syllable.lower()):
        if char in _LETTER_MARKS and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + char)
        elif char in _TONES and letters:
            tones[-1] = _TONES[char]
        else:
            letters.append(char)
            tones.append(0)
    ranks = tuple(_RANK.get(c, len(_RANK) + ord(c[0])) for c in letters)
    return ranks, tuple(tones)
