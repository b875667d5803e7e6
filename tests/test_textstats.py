"""Report term counts: words and two-syllable phrases, never across punctuation."""

from __future__ import annotations

from monitor.report.terms import top_terms


def test_phrases_do_not_span_sentences_clauses_or_lines() -> None:
    texts = [
        "Mưa lớn kéo dài ở Hà Nội. Sáng nay nước rút.",
        "Người dân Hà Nội, sáng nay, đi làm muộn\nSáng nay trời tạnh.",
    ]
    words, phrases = top_terms(texts, limit=50)
    found = {t.term: (t.count, t.docs) for t in phrases}
    assert found["hà nội"] == (2, 2)
    assert found["sáng nay"] == (3, 2)
    assert "nội sáng" not in found and "muộn sáng" not in found
    assert {t.term for t in words} >= {"mưa", "sáng", "nội"}


def test_function_syllables_and_numbers_stay_out() -> None:
    words, phrases = top_terms(["Năm 2026 là năm của những con số và của các bạn."], limit=50)
    assert "2026" not in {t.term for t in words}
    assert all("2026" not in t.term for t in phrases)
