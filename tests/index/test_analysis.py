"""Vietnamese normalization: NFC, tone placement, the exact and folded token forms, spans."""

from __future__ import annotations

import unicodedata

import pytest

from index.analysis import (
    TOKEN_RE,
    analyze,
    exact_tokens,
    fold,
    fold_all,
    folded_tokens,
    nfc,
    normalize,
    spans,
    unify_tones,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_nfc_composes_decomposed_text() -> None:
    composed = "Hòa bình ở Việt Nam"
    decomposed = nfd(composed)
    assert decomposed != composed
    assert len(decomposed) > len(composed)
    assert nfc(decomposed) == composed
    assert nfc(composed) == composed
    assert nfc("ascii only") == "ascii only"


def test_nfd_and_nfc_give_the_same_tokens() -> None:
    text = "Thủ tướng Phạm Minh Chính thăm Đà Nẵng"
    assert analyze(nfd(text)) == analyze(text)
    # Without NFC a combining mark is not a token character and would split words.
    assert len(exact_tokens(nfd(text))) == 8


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("hóa", "hoá"),
        ("thủy", "thuỷ"),
        ("khỏe", "khoẻ"),
        ("Hòa Bình", "Hoà Bình"),
        ("HÒA", "HOÀ"),
        ("ủy ban", "uỷ ban"),
        ("tùy", "tuỳ"),
    ],
)
def test_old_tone_placement_becomes_new(old: str, new: str) -> None:
    assert unify_tones(old) == new
    assert len(unify_tones(old)) == len(old)
    assert exact_tokens(old) == exact_tokens(new)


@pytest.mark.parametrize(
    "word",
    # Syllables with a final consonant or a vowel that carries its own mark are written alike in
    # both conventions and must not be touched.
    ["hoàng", "thuyền", "khoái", "Nguyễn", "khuya", "quý", "hoà"],
)
def test_other_syllables_keep_their_tone_placement(word: str) -> None:
    assert unify_tones(word) == word


def test_uppercase_is_lowered_in_both_forms() -> None:
    assert exact_tokens("VIỆT NAM") == ["việt", "nam"]
    assert folded_tokens("VIỆT NAM") == ["viet", "nam"]
    assert exact_tokens("HOÀ") == exact_tokens("hòa") == ["hoà"]


def test_d_with_stroke_folds_to_d() -> None:
    assert fold("Đà Nẵng") == "da nang"
    assert fold("đường") == "duong"
    assert folded_tokens("ĐỒNG") == ["dong"]


def test_i_and_y_spellings_stay_different() -> None:
    # quí/quý and kĩ/kỹ are spelling variants, not tone placement: not merged, even folded.
    assert exact_tokens("quí") != exact_tokens("quý")
    assert folded_tokens("quí") == ["qui"]
    assert folded_tokens("quý") == ["quy"]
    assert folded_tokens("kĩ") != folded_tokens("kỹ")


def test_exact_forms_keep_diacritics_and_folded_forms_drop_them() -> None:
    assert exact_tokens("bán") != exact_tokens("bạn")
    assert folded_tokens("bán") == folded_tokens("bạn") == ["ban"]
    exact, folded = analyze("Bán nhà")
    assert exact == ["bán", "nhà"]
    assert folded == ["ban", "nha"]


def test_tokens_split_on_punctuation_and_underscore() -> None:
    assert exact_tokens("COVID-19, Hà_Nội… (tin nóng)") == [
        "covid",
        "19",
        "hà",
        "nội",
        "tin",
        "nóng",
    ]
    assert exact_tokens("— … !!") == []


def test_dotted_capital_i_stays_one_token() -> None:
    # "İ".lower() is "i" plus a combining dot; exact_tokens must cut words as spans does.
    assert exact_tokens("İstanbul") == [s.exact for s in spans("İstanbul")]
    assert len(exact_tokens("İstanbul")) == 1
    assert folded_tokens("İstanbul") == ["istanbul"]


@pytest.mark.parametrize(
    "text",
    [
        "Hòa bình ở Việt Nam",
        nfd("Hòa bình ở Việt Nam, thủy điện khỏe"),
        "  ĐÀ NẴNG\n\t(ngày 19/1) — ủy ban tỉnh họp về quí I. ",
        "",
        "no vietnamese here, just ASCII 2026",
    ],
)
def test_spans_line_up_with_the_nfc_text(text: str) -> None:
    composed = nfc(text)
    found = list(spans(text))
    assert [s.exact for s in found] == exact_tokens(text)
    assert [s.folded for s in found] == folded_tokens(text)
    for s in found:
        # Same text at those offsets, up to case and tone placement.
        assert normalize(composed[s.start : s.end]).lower() == s.exact
        assert fold(composed[s.start : s.end]) == s.folded
    assert [s.start for s in found] == sorted(s.start for s in found)


def test_spans_of_old_style_text_point_at_the_original_letters() -> None:
    text = "Thủy điện Hòa Bình"
    found = list(spans(text))
    assert [text[s.start : s.end] for s in found] == ["Thủy", "điện", "Hòa", "Bình"]
    assert [s.exact for s in found] == ["thuỷ", "điện", "hoà", "bình"]
    assert [s.folded for s in found] == ["thuy", "dien", "hoa", "binh"]


def reference_tokens(text: str) -> list[str]:
    """The definition of the exact tokens: runs of TOKEN_RE in the normalized text, lowercased."""
    return [t.lower() for t in TOKEN_RE.findall(normalize(text))]


def reference_fold(token: str) -> str:
    decomposed = unicodedata.normalize("NFD", token.lower())
    stripped = "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d"))


@pytest.mark.parametrize(
    "text",
    [
        "Giá xăng (RON-95) tăng 1.000đ/lít; “khó lường”… 100% snake_case_word",
        "tab\tnbsp\u00a0line\u2028sep\x1cend",
        # Lowercasing "İ" adds a combining dot, which is not a token character.
        "İstanbul và İzmir",
        # Final sigma: "Σ" lowers to "ς" or "σ" by what follows it, beyond the token too.
        "ΑΣ'Β ΟΔΟΣ ΣΑ",
        # More distinct separators than one text usually holds.
        "".join(chr(c) for c in range(0x21, 0x7F)) * 2,
        nfd("Thủ tướng thăm Đà Nẵng, hòa bình"),
        "",
    ],
)
def test_tokens_are_the_runs_of_token_characters(text: str) -> None:
    exact = exact_tokens(text)
    assert exact == reference_tokens(text)
    assert folded_tokens(text) == [reference_fold(t) for t in exact]
    assert analyze(text) == (exact, folded_tokens(text))


def test_fold_all_matches_fold_for_known_and_new_tokens() -> None:
    tokens = ["hoà", "bình", "Đà", "nẵng", "chưa-thấy-bao-giờ-ẩ" + "ợ" * 50, "x" * 200]
    assert fold_all(tokens) == [reference_fold(t) for t in tokens]
    # A second time every token is in the cache.
    assert fold_all(tokens) == [reference_fold(t) for t in tokens]
    long_text = "Đường " * 50
    assert fold(long_text) == fold(long_text) == reference_fold(long_text)


def test_folding_never_lengthens_a_token() -> None:
    # Engines cap tokens by checking the exact form only; this is what makes that enough.
    for code in range(0x20000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = unicodedata.normalize("NFC", chr(code)).lower()
        if TOKEN_RE.fullmatch(char):
            assert len(fold(char)) <= len(char), hex(code)
