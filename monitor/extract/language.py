"""The language a text is written in, from its letters: scripts, Vietnamese letters, stopwords.

Small and pure Python on purpose: a page needs one call of well under a millisecond, and no model
file has to be shipped. It answers ISO 639-1 codes for vi, en, fr, de, es, it, pt, nl, id, zh, ja,
ko, ru, uk, th, lo, km, my, ar, he, el, hi; None when the text is too short or unclear.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

SAMPLE_CHARS = 2500
MIN_LETTERS = 20
# Letters that among Latin-script languages only Vietnamese writes. â, ê, ô and the plain acute
# or grave vowels are left out: French, Portuguese and others use them too ("rôle", "Hôi An").
VI_LETTERS = frozenset(
    "ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĩũ"
    "ĂĐƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸĨŨ"
)
# They make 17-26% of the letters of the Vietnamese passages in tests/fixtures/eval; text in
# another language that quotes Vietnamese names stays well under 6% and has its own stopwords.
VI_SHARE = 0.02
VI_CERTAIN_SHARE = 0.06

# (first code point, script) for the blocks that decide a language on their own; "latin" and the
# CJK blocks are refined below. Code points below the first entry are not letters of interest.
_BLOCKS: list[tuple[int, str]] = [
    (0x0000, "latin"),
    (0x0370, "el"),
    (0x0400, "cyrillic"),
    (0x0530, "other"),
    (0x0590, "he"),
    (0x0600, "ar"),
    (0x0700, "other"),
    (0x0900, "hi"),
    (0x0980, "other"),
    (0x0E00, "th"),
    (0x0E80, "lo"),
    (0x0F00, "other"),
    (0x1000, "my"),
    (0x10A0, "other"),
    (0x1100, "ko"),
    (0x1200, "other"),
    (0x1780, "km"),
    (0x1800, "other"),
    (0x1E00, "latin"),
    (0x2000, "other"),
    (0x3040, "kana"),
    (0x3100, "other"),
    (0x3400, "han"),
    (0xA000, "other"),
    (0xAC00, "ko"),
    (0xD7B0, "other"),
    (0xF900, "han"),
    (0xFB00, "other"),
]
_BLOCK_STARTS = [start for start, _ in _BLOCKS]
_UKRAINIAN = frozenset("іїєґІЇЄҐ")

# The most frequent function words; together they make a third or more of running text.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the of and to in is was for that on with as by at from it are be has have this an "
        "which or its were will their they said been not but who after also".split()
    ),
    "fr": frozenset(
        "le la les de des du et un une est en que qui dans pour sur au aux par pas plus ce "
        "cette sont ont été avec se il elle ils son sa ses leur".split()
    ),
    "de": frozenset(
        "der die das und ist nicht ein eine zu den von mit sich des auf für im dem auch es "
        "an als wie bei nach wird sind oder aus".split()
    ),
    "es": frozenset(
        "el la los las de del y que en un una es por con para se su al lo como más pero sus "
        "le ha este esta fue son".split()
    ),
    "it": frozenset(
        "il lo la gli le di del della dei e che un una è per con non si da in sono nel alla "
        "ha anche come più questo".split()
    ),
    "pt": frozenset(
        "o a os as de do da dos das e que em um uma é para com não por se no na mais como ao "
        "foi são pelo pela".split()
    ),
    "nl": frozenset(
        "de het een en van is dat op te in voor met zijn niet aan er ook als bij door wordt "
        "naar om maar".split()
    ),
    "id": frozenset(
        "yang dan di ini itu dengan untuk dari dalam tidak akan pada ke adalah juga oleh ada "
        "bisa mereka telah karena sebagai".split()
    ),
}
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Below this share of stopwords among the words, no Latin-script guess is trusted.
MIN_STOPWORD_SHARE = 0.08


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it is too short or unclear."""
    sample = text[:SAMPLE_CHARS]
    scripts: Counter[str] = Counter()
    vi_letters = 0
    ukrainian = 0
    # Distinct characters first (counted in C): a page's sample has a hundred or so, not 2,500.
    # They come in order of first appearance, so ties between scripts break as before.
    for char, count in Counter(sample).items():
        if not char.isalpha():
            continue
        code = ord(char)
        script = _BLOCKS[bisect_right(_BLOCK_STARTS, code) - 1][1] if code >= 0x80 else "latin"
        scripts[script] += count
        if char in VI_LETTERS:
            vi_letters += count
        elif char in _UKRAINIAN:
            ukrainian += count
    letters = sum(scripts.values())
    if letters < MIN_LETTERS:
        return None
    script, _ = scripts.most_common(1)[0]
    if script == "latin":
        share = vi_letters / scripts["latin"]
        if share >= VI_CERTAIN_SHARE:
            return "vi"
        # Below that, a text in another language may just be quoting Vietnamese names.
        return _by_stopwords(sample) or ("vi" if share >= VI_SHARE else None)
    if script in ("han", "kana"):
        # Japanese mixes kana into Han text; Chinese has none.
        return "ja" if scripts["kana"] >= 0.05 * (scripts["han"] + scripts["kana"]) else "zh"
    if script == "cyrillic":
        return "uk" if ukrainian >= 0.005 * scripts["cyrillic"] else "ru"
    return None if script == "other" else script


def _by_stopwords(sample: str) -> str | None:
    words = [w.casefold() for w in _WORD_RE.findall(sample)]
    if not words:
        return None
    scores = {
        language: sum(word in stopwords for word in words)
        for language, stopwords in _STOPWORDS.items()
    }
    best = max(scores, key=lambda language: scores[language])
    return best if scores[best] >= MIN_STOPWORD_SHARE * len(words) else None
