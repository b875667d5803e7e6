"""Near-duplicate fingerprints: syndicated copies match, same-event reports don't, clustering."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from index.analysis import folded_tokens
from monitor.extract.near_dup import (
    BANDS,
    FORMAT,
    MIN_WORDS,
    NEAR_DUPLICATE,
    SHINGLE,
    Clusterer,
    fingerprint,
    is_near_duplicate,
    lsh_keys,
    similarity,
)

# A news-agency story, as an outlet would republish it.
AGENCY = """Bảo đảm tuyệt đối an ninh, an toàn Đại hội XIV của Đảng
Chiều 29/12, tại Hà Nội, Bộ Công an tổ chức hội nghị kiểm điểm công tác bảo đảm an ninh, trật tự \
phục vụ Đại hội đại biểu toàn quốc lần thứ XIV của Đảng. Thượng tướng Phạm Thế Tùng, Thứ trưởng \
Bộ Công an, Trưởng Tiểu ban An ninh trật tự Đại hội, chủ trì hội nghị. Hội nghị được tổ chức \
trực tiếp kết hợp trực tuyến tới công an 34 tỉnh, thành phố. Theo báo cáo, từ đầu tháng 12 lực \
lượng công an đã rà soát hơn 1.200 cơ sở lưu trú, kiểm tra 860 điểm kinh doanh có điều kiện về \
an ninh và xử lý 45 trường hợp vi phạm. Các đơn vị nghiệp vụ đã xây dựng 27 phương án, kế hoạch \
bảo vệ các mục tiêu, công trình trọng điểm và tổ chức diễn tập phương án chống khủng bố tại \
Trung tâm Hội nghị Quốc gia. Phát biểu chỉ đạo, Thứ trưởng Phạm Thế Tùng yêu cầu các đơn vị tiếp \
tục nắm chắc tình hình, không để bị động, bất ngờ trong mọi tình huống. Công an Hà Nội cần tăng \
cường tuần tra, kiểm soát trên các tuyến đường dẫn vào trung tâm, bảo đảm trật tự an toàn giao \
thông cho đoàn đại biểu. Lực lượng an ninh mạng phải theo dõi chặt chẽ không gian mạng, kịp thời \
gỡ bỏ thông tin sai sự thật về Đại hội. Thứ trưởng cũng đề nghị các địa phương lân cận phối hợp \
kiểm soát người và phương tiện ra vào Thủ đô trong những ngày diễn ra Đại hội. Đại hội dự kiến \
diễn ra trong bảy ngày, từ 19 đến 25/1/2026, với khoảng 1.600 đại biểu chính thức tham dự. Kết \
thúc hội nghị, Bộ Công an đã khen thưởng 12 tập thể và 30 cá nhân có thành tích xuất sắc trong \
đợt cao điểm."""

# Another outlet's own report of the same event: same facts and set phrases, its own sentences.
OWN_REPORT = """Công an Hà Nội ra quân bảo vệ Đại hội XIV
Sáng 30/12, Công an thành phố Hà Nội tổ chức lễ ra quân cao điểm bảo đảm an ninh, trật tự phục \
vụ Đại hội đại biểu toàn quốc lần thứ XIV của Đảng. Đại tá Nguyễn Tiến Đạt, Phó Giám đốc Công an \
thành phố, cho biết đơn vị đã huy động hơn 5.000 cán bộ, chiến sĩ tham gia bảo vệ Đại hội. Các \
tuyến phố quanh Trung tâm Hội nghị Quốc gia sẽ được phân luồng từ ngày 18/1, người dân được \
khuyến cáo đi theo hướng dẫn của cảnh sát giao thông. Lực lượng cảnh sát cơ động và cảnh sát \
phòng cháy sẽ trực 24/24 giờ tại các khách sạn nơi đại biểu lưu trú. Theo kế hoạch, các quận nội \
thành tăng cường tuần tra ban đêm, kiểm tra hành chính các cơ sở kinh doanh karaoke, quán bar và \
nhà nghỉ. Phó Giám đốc Nguyễn Tiến Đạt đề nghị người dân chủ động cung cấp thông tin về các đối \
tượng khả nghi, không chia sẻ tin đồn thất thiệt trên mạng xã hội. Trước đó, Bộ Công an đã chỉ \
đạo các đơn vị bảo đảm tuyệt đối an ninh, an toàn Đại hội, không để bị động, bất ngờ. Đại hội dự \
kiến diễn ra từ 19 đến 25/1/2026 tại Hà Nội."""

# An unrelated story.
FLOOD = """Mưa lớn ở miền Trung, nhiều hồ thuỷ điện xả lũ
Từ đêm 20/11, mưa lớn kéo dài khiến nước sông Vu Gia, Thu Bồn lên nhanh, nhiều hồ thuỷ điện phải \
mở cửa xả tràn. Tại thôn Hoà Bình, xã Đại Lộc, nước ngập đến mái nhà ở một số hộ sát bờ sông. \
Chính quyền xã đã di dời 215 hộ với gần 700 nhân khẩu đến trường học và nhà văn hoá an toàn. Bà \
Trần Thị Lệ, 67 tuổi, kể nước lên rất nhanh, gia đình chỉ kịp mang theo giấy tờ và ít lương \
thực. Trung tâm Dự báo khí tượng thuỷ văn quốc gia cho biết mưa còn kéo dài đến hết ngày 23/11, \
lượng mưa phổ biến 150-300 mm, có nơi trên 400 mm. Các tỉnh từ Quảng Trị đến Quảng Ngãi được yêu \
cầu theo dõi sát diễn biến mưa lũ, sẵn sàng sơ tán người dân vùng thấp trũng và ven sông."""

SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


def split(text: str) -> tuple[str, list[str]]:
    title, body = text.split("\n", 1)
    return title, SENTENCE_RE.split(body)


def join(title: str, sentences: list[str]) -> str:
    return title + "\n" + " ".join(sentences)


def exact_jaccard(a: str, b: str) -> float:
    def shingles(text: str) -> set[tuple[str, ...]]:
        t = folded_tokens(text)
        return {tuple(t[i : i + SHINGLE]) for i in range(len(t) - SHINGLE + 1)}

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def new_title(text: str) -> str:
    return join("Bộ Công an họp kiểm điểm công tác an ninh phục vụ Đại hội", split(text)[1])


def lead_added(text: str) -> str:
    title, sentences = split(text)
    lead = "(Báo Tin tức) - Công tác bảo đảm an ninh được triển khai ở mức cao nhất."
    return join(title, [lead, *sentences])


def lead_removed(text: str) -> str:
    title, sentences = split(text)
    return join(title, sentences[1:])


def agency_credit(text: str) -> str:
    title, sentences = split(text)
    middle = len(sentences) // 2
    sentences = [
        "Hà Nội (TTXVN) - " + sentences[0],
        *sentences[1:middle],
        "Ảnh: Phạm Kiên/TTXVN.",
        *sentences[middle:],
        "Theo TTXVN",
    ]
    return join(title, sentences)


def edited(text: str) -> str:
    """Two of eleven sentences reworded (18%), as a copy editor would."""
    title, sentences = split(text)
    sentences[4] = (
        "Lực lượng nghiệp vụ cũng lập 27 kế hoạch riêng để bảo vệ các công trình trọng điểm, "
        "đồng thời diễn tập chống khủng bố ở khu vực Trung tâm Hội nghị Quốc gia."
    )
    sentences[8] = (
        "Ông đề nghị các tỉnh giáp Hà Nội cùng kiểm soát người, xe ra vào Thủ đô suốt thời gian "
        "Đại hội."
    )
    return join(title, sentences)


def truncated(text: str, keep: float = 0.7) -> str:
    """The first `keep` of the body's words, cut at a sentence end (the copy drops the tail)."""
    title, sentences = split(text)
    total = sum(len(s.split()) for s in sentences)
    kept: list[str] = []
    while sum(len(s.split()) for s in kept) < keep * total:
        kept.append(sentences[len(kept)])
    return join(title, kept)


COPIES = [new_title, lead_added, lead_removed, agency_credit, edited, truncated]


def fp(text: str) -> bytes:
    result = fingerprint(text)
    assert result is not None
    return result


def test_test_texts_are_long_enough_and_edits_as_described() -> None:
    for text in (AGENCY, OWN_REPORT, FLOOD):
        assert len(folded_tokens(text)) > 2 * MIN_WORDS
    words = len(split(AGENCY)[1][0].split())
    assert words > 0
    body_words = sum(len(s.split()) for s in split(AGENCY)[1])
    kept_words = sum(len(s.split()) for s in split(truncated(AGENCY))[1])
    assert 0.7 <= kept_words / body_words < 0.8


@pytest.mark.parametrize("copy", COPIES, ids=lambda f: f.__name__)
def test_syndicated_copies_are_near_duplicates(copy: object) -> None:
    assert callable(copy)
    text = copy(AGENCY)
    assert text != AGENCY
    assert is_near_duplicate(fp(text), fp(AGENCY))
    assert is_near_duplicate(fp(AGENCY), fp(text))


@pytest.mark.parametrize("copy", COPIES, ids=lambda f: f.__name__)
def test_similarity_estimates_the_jaccard_index(copy: object) -> None:
    assert callable(copy)
    text = copy(AGENCY)
    # 128 slots: the standard error is at most 0.044; four of them is a generous bound.
    assert abs(similarity(fp(text), fp(AGENCY)) - exact_jaccard(text, AGENCY)) < 0.18


def test_reports_of_the_same_event_are_not_near_duplicates() -> None:
    assert exact_jaccard(AGENCY, OWN_REPORT) < 0.1
    score = similarity(fp(AGENCY), fp(OWN_REPORT))
    assert score < NEAR_DUPLICATE
    assert not is_near_duplicate(fp(AGENCY), fp(OWN_REPORT))
    assert not is_near_duplicate(fp(AGENCY), fp(FLOOD))
    assert similarity(fp(AGENCY), fp(FLOOD)) < 0.1


def test_similarity_bounds_and_symmetry() -> None:
    a, b = fp(AGENCY), fp(edited(AGENCY))
    assert similarity(a, a) == 1.0
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 <= similarity(a, fp(FLOOD)) <= similarity(a, b) < 1.0


def test_short_texts_get_no_fingerprint() -> None:
    words = " ".join(folded_tokens(FLOOD))
    tokens = words.split()
    assert fingerprint(" ".join(tokens[: MIN_WORDS - 1])) is None
    assert fingerprint(" ".join(tokens[:MIN_WORDS])) is not None
    assert fingerprint("") is None
    # Fifty words that repeat one phrase carry no evidence of origin either.
    assert fingerprint("an ninh trật tự " * 20) is None


def test_fingerprint_is_stable_storable_bytes() -> None:
    first = fp(AGENCY)
    assert isinstance(first, bytes)
    assert first[0] == FORMAT
    assert len(first) == 1 + 128 * 4
    assert fp(AGENCY) == first


def test_fingerprint_ignores_unicode_form_tone_style_and_case() -> None:
    base = fp(AGENCY)
    assert fp(unicodedata.normalize("NFD", AGENCY)) == base
    old_style = AGENCY.replace("thuỷ", "thủy").replace("hoà", "hòa")
    assert fp(old_style) == base
    assert fp(AGENCY.upper()) == base
    # Typed without tone marks (folded): still the same shingles.
    assert fp(" ".join(folded_tokens(AGENCY))) == base


def test_wrong_bytes_are_refused() -> None:
    good = fp(AGENCY)
    with pytest.raises(ValueError, match="fingerprint the text again"):
        similarity(good, good[:-4])
    with pytest.raises(ValueError):
        similarity(bytes((FORMAT + 1,)) + good[1:], good)
    with pytest.raises(ValueError):
        lsh_keys(b"")


def test_lsh_keys_are_signed_64_bit_and_shared_by_copies() -> None:
    keys = lsh_keys(fp(AGENCY))
    assert len(keys) == BANDS == len(set(keys))
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert any(k < 0 for k in keys)
    for copy in COPIES:
        assert set(lsh_keys(fp(copy(AGENCY)))) & set(keys), copy.__name__
    assert not set(lsh_keys(fp(FLOOD))) & set(keys)


# Generated texts for clustering: sentences of real syllables, from a seeded generator.
SYLLABLE_TEXT = """
an ninh trật tự đại hội công tác bảo đảm lực lượng phối hợp kiểm tra tuần tra giao thông đơn vị
địa phương thành phố tỉnh huyện xã người dân cán bộ chiến sĩ kế hoạch phương án triển khai chỉ
đạo nhiệm vụ tình hình kết quả báo cáo hội nghị trực tuyến diễn tập khu vực trung tâm quốc gia
mạng xã hội thông tin tuyên truyền doanh nghiệp kinh tế giá thị trường
"""


def sentences(rng: random.Random, n: int) -> list[str]:
    words = SYLLABLE_TEXT.split()
    return [" ".join(rng.choices(words, k=rng.randint(12, 20))) + "." for _ in range(n)]


def test_generated_copies_are_found_and_unrelated_texts_are_not() -> None:
    rng = random.Random(5)
    originals = [sentences(rng, 14) for _ in range(40)]
    clusterer = Clusterer()
    for i, parts in enumerate(originals):
        assert clusterer.add(i, fp(" ".join(parts))) == i
    for i, parts in enumerate(originals):
        copy = parts[: round(len(parts) * 0.75)]
        copy[2] = sentences(rng, 1)[0]
        assert clusterer.add(100 + i, fp(" ".join(copy))) == i
    assert len(clusterer.clusters()) == 40


def test_cluster_takes_the_id_of_its_first_article_whatever_the_order() -> None:
    copies = [AGENCY, agency_credit(AGENCY), truncated(AGENCY), edited(AGENCY)]
    for order in ([0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]):
        clusterer = Clusterer()
        clusterer.add(50, fp(OWN_REPORT))
        ids = [10 + i for i in order]
        assigned = [clusterer.add(10 + i, fp(copies[i])) for i in order]
        clusterer.add(60, fp(FLOOD))
        assert assigned == [ids[0]] * 4
        assert clusterer.clusters() == {50: [50], ids[0]: ids, 60: [60]}


def test_a_text_bridging_two_clusters_merges_them_under_the_first() -> None:
    rng = random.Random(9)
    pool = sentences(rng, 16)
    # Early and late share 4 of 16 sentences; the bridge shares 9 of 15 with each.
    early, late, bridge = pool[0:10], pool[6:16], pool[1:15]
    assert exact_jaccard(" ".join(early), " ".join(late)) < NEAR_DUPLICATE - 0.1
    assert exact_jaccard(" ".join(bridge), " ".join(early)) > NEAR_DUPLICATE + 0.1
    assert exact_jaccard(" ".join(bridge), " ".join(late)) > NEAR_DUPLICATE + 0.1
    clusterer = Clusterer()
    assert clusterer.add(7, fp(" ".join(early))) == 7
    assert clusterer.add(3, fp(" ".join(late))) == 3
    assert clusterer.add(5, fp(" ".join(bridge))) == 7
    assert clusterer.cluster_of(3) == 7
    assert clusterer.clusters() == {7: [7, 3, 5]}


def test_short_and_repeated_articles() -> None:
    clusterer = Clusterer()
    assert clusterer.add(1, None) == 1
    assert clusterer.add(2, None) == 2
    assert clusterer.add(3, fp(AGENCY)) == 3
    # Adding an article again keeps its cluster, even with another text.
    assert clusterer.add(3, fp(FLOOD)) == 3
    assert clusterer.add(4, fp(FLOOD)) == 4
    assert len(clusterer) == 4
    with pytest.raises(KeyError):
        clusterer.cluster_of(99)


def test_a_stricter_threshold_keeps_heavier_edits_apart() -> None:
    text = truncated(edited(AGENCY), keep=0.6)
    score = similarity(fp(text), fp(AGENCY))
    assert NEAR_DUPLICATE <= score < 0.95
    strict = Clusterer(threshold=min(1.0, score + 0.05))
    strict.add(1, fp(AGENCY))
    assert strict.add(2, fp(text)) == 2
    default = Clusterer()
    default.add(1, fp(AGENCY))
    assert default.add(2, fp(text)) == 1
