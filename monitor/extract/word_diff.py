"""A word-level diff of two versions of an article, and how many words each side changed.

Words are what the index calls tokens: runs of letters and digits, so a Vietnamese syllable
("Hà", "Nội") is a word, and a figure written with separators ("3,4-3,6", "62.000") is one; a
punctuation mark is a token of its own that counts for no word.
Tokens are compared in NFC with one tone placement (hòa = hoà), case kept.

Two versions of a 2,000-word article are compared sentence by sentence first, then word by word
inside the sentences that changed: an edit of a few sentences costs a few milliseconds where one
word-level pass over the whole text would cost tens. A large block that changed throughout is
compared with difflib's "popular token" heuristic, which keeps the worst case short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from index.analysis import nfc, unify_tones

Op = Literal["equal", "insert", "delete"]

# A token and the whitespace after it. A figure is one token with its separators ("3,4-3,6",
# "62.000", "22/11", "10:35"): when it changes, the figure is what changed.
_TOKEN_RE = re.compile(r"(\d+(?:[.,/:-]\d+)+|[^\W_]+|[^\w\s]|_)(\s*)")
_SENTENCE_END = frozenset(".!?…")
# Above this many token pairs, a changed block is compared with difflib's junk heuristic.
_EXHAUSTIVE_PAIRS = 250_000


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text that both versions share (equal), or that one of them alone has."""

    op: Op
    text: str


@dataclass(frozen=True)
class WordDiff:
    segments: tuple[Segment, ...]
    added: int  # words of the later version not in the earlier one
    removed: int  # words of the earlier version not in the later one

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed) or any(s.op != "equal" for s in self.segments)


@dataclass(frozen=True, slots=True)
class _Token:
    key: str
    text: str  # the token as written, with the whitespace after it
    word: bool


def tokens(text: str) -> list[_Token]:
    """The tokens of `text` (in NFC, as written otherwise), each with the whitespace after it."""
    written = nfc(text)
    keys = unify_tones(written)  # of the same length: a token's key is at its own offsets
    lead = len(written) - len(written.lstrip())
    out = [
        _Token(keys[m.start(1) : m.end(1)], m.group(0), m.group(1)[0].isalnum())
        for m in _TOKEN_RE.finditer(written, lead)
    ]
    if out and lead:
        out[0] = _Token(out[0].key, written[:lead] + out[0].text, out[0].word)
    return out


def word_diff(before: str, after: str) -> WordDiff:
    """What changed from `before` to `after`, as segments in the order of reading."""
    a, b = tokens(before), tokens(after)
    ops: list[tuple[Op, list[_Token]]] = []
    sa, sb = _sentences(a), _sentences(b)
    outer = SequenceMatcher(None, [s[0] for s in sa], [s[0] for s in sb], autojunk=False)
    for tag, i1, i2, j1, j2 in outer.get_opcodes():
        left = [t for s in sa[i1:i2] for t in s[1]]
        right = [t for s in sb[j1:j2] for t in s[1]]
        if tag == "equal":
            ops.append(("equal", right))
        elif tag == "replace":
            ops += _word_ops(left, right)
        elif tag == "delete":
            ops.append(("delete", left))
        else:
            ops.append(("insert", right))
    return _merged(ops)


def _sentences(toks: list[_Token]) -> list[tuple[tuple[str, ...], list[_Token]]]:
    """Tokens cut after each sentence end and each line break, with the keys of each part."""
    out: list[tuple[tuple[str, ...], list[_Token]]] = []
    current: list[_Token] = []
    for token in toks:
        current.append(token)
        if token.key in _SENTENCE_END or "\n" in token.text:
            out.append((tuple(t.key for t in current), current))
            current = []
    if current:
        out.append((tuple(t.key for t in current), current))
    return out


def _word_ops(left: list[_Token], right: list[_Token]) -> list[tuple[Op, list[_Token]]]:
    matcher = SequenceMatcher(
        None,
        [t.key for t in left],
        [t.key for t in right],
        autojunk=len(left) * len(right) > _EXHAUSTIVE_PAIRS,
    )
    ops: list[tuple[Op, list[_Token]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", right[j1:j2]))
            continue
        if i2 > i1:
            ops.append(("delete", left[i1:i2]))
        if j2 > j1:
            ops.append(("insert", right[j1:j2]))
    return ops


def _merged(ops: list[tuple[Op, list[_Token]]]) -> WordDiff:
    """Adjacent runs of one kind joined; a deletion put before the insertion beside it."""
    segments: list[Segment] = []
    added = removed = 0
    for op, toks in ops:
        if not toks:
            continue
        words = sum(t.word for t in toks)
        added += words if op == "insert" else 0
        removed += words if op == "delete" else 0
        text = "".join(t.text for t in toks)
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))
    return WordDiff(tuple(segments), added, removed)
