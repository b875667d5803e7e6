"""A deterministic synthetic corpus of Vietnamese news articles for benchmarks.

Words are drawn from a vocabulary of real Vietnamese words with a Zipf-like frequency (the n-th
most common word is about 1/n as frequent as the first), so posting-list lengths look like those of
real news text. Sampling every word of a million ~3 KB articles one at a time would take minutes in
pure Python, so a pool of sentences is sampled once and each article is a random draw of sentences
from it; titles are sampled fresh. Some sources write the old tone placement ("hòa", "thủy"), as
real outlets do.

`articles(n, seed)` streams `Document`s; nothing is held for all `n` at once.
"""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from index.analysis import fold
from index.model import Document

# Roughly in order of frequency in news text: the order sets the Zipf rank. Syllables joined by
# "_" are one word (sampled together), so sentences read like news and phrase queries over real
# multi-syllable words exist.
VOCABULARY = """
của và là các có được trong cho với những một người này đã không đến khi về từ ra theo tại như
sẽ năm cũng để đó nhiều làm vào lại thì đang nhưng việc ngày sau còn nên bị do hơn mới trên rất
đi phải nhà_nước chúng_tôi họ anh chị ông bà em cùng tháng tuần nay hôm_qua giờ Việt_Nam Hà_Nội
thành_phố Hồ_Chí_Minh Đà_Nẵng Hải_Phòng Cần_Thơ Huế Nghệ_An Thanh_Hoá chính_phủ thủ_tướng
bộ_trưởng quốc_hội đại_biểu chủ_tịch tỉnh huyện xã phường quận uỷ_ban nhân_dân kinh_tế
phát_triển doanh_nghiệp thị_trường đầu_tư tăng_trưởng ngân_hàng lãi_suất giá xăng dầu vàng đô_la
chứng_khoán cổ_phiếu bất_động_sản nhà_ở dự_án công_trình xây_dựng giao_thông đường_cao_tốc cầu
sân_bay tàu_điện metro xe_máy ô_tô tai_nạn va_chạm cảnh_sát công_an điều_tra vụ_án toà_án xét_xử
bị_cáo khởi_tố bắt_giữ tham_nhũng lãng_phí hối_lộ giáo_dục học_sinh sinh_viên trường đại_học thi
tốt_nghiệp điểm_chuẩn giáo_viên học_phí y_tế bệnh_viện bác_sĩ bệnh_nhân dịch_bệnh vắc_xin
sức_khoẻ điều_trị cấp_cứu thuốc thời_tiết mưa bão lũ_lụt sạt_lở nắng_nóng rét_đậm không_khí_lạnh
áp_thấp_nhiệt_đới thuỷ_điện hồ_chứa xả_lũ nước sông biển đảo Trường_Sa Hoàng_Sa chủ_quyền
biên_giới quốc_phòng quân_đội an_ninh hoà_bình hợp_tác quốc_tế ngoại_giao hội_nghị thượng_đỉnh
Mỹ Trung_Quốc Nhật_Bản Hàn_Quốc Nga châu_Âu ASEAN Liên_Hợp_Quốc tổng_thống bầu_cử văn_hoá
nghệ_thuật âm_nhạc ca_sĩ phim điện_ảnh lễ_hội Tết du_lịch khách_sạn du_khách thể_thao bóng_đá
đội_tuyển cầu_thủ huấn_luyện_viên trận_đấu bàn_thắng giải_vô_địch công_nghệ điện_thoại internet
mạng_xã_hội trí_tuệ_nhân_tạo dữ_liệu phần_mềm an_toàn nông_nghiệp nông_dân lúa_gạo cà_phê
xuất_khẩu nhập_khẩu thuế hải_quan hàng_hoá lao_động việc_làm tiền_lương bảo_hiểm_xã_hội hưu_trí
công_nhân khu_công_nghiệp môi_trường ô_nhiễm rác_thải khí_thải năng_lượng điện_mặt_trời gió than
gia_đình trẻ_em phụ_nữ người_cao_tuổi đời_sống thu_nhập nghèo hỗ_trợ chính_sách luật nghị_định
quy_định thông_tư văn_bản đề_xuất kiến_nghị thảo_luận thông_qua kết_quả báo_cáo số_liệu thống_kê
tỷ_lệ phần_trăm triệu tỷ_đồng nghìn bán mua bạn ban bàn bận khoẻ_mạnh thuỷ_sản hoà_giải hoá_chất
toà_nhà loé_sáng thoả_thuận xoá_bỏ tích_luỹ tuỳ_theo uỷ_quyền khuyến_khích quý_giá kỹ_thuật
cho_biết khẳng_định nhấn_mạnh thông_tin chia_sẻ phản_ánh ghi_nhận tiếp_tục đồng_thời bên_cạnh
ngoài_ra tuy_nhiên trong_khi_đó vì_vậy do_đó hiện_nay trước_đó sau_đó gần_đây thời_gian_tới
dự_kiến khoảng hơn gần trên dưới lớn nhỏ cao thấp mạnh yếu nhanh chậm tốt xấu mới cũ đầu_tiên
cuối_cùng quan_trọng cần_thiết khó_khăn thuận_lợi nghiêm_trọng đặc_biệt chủ_yếu tổ_chức cá_nhân
cơ_quan đơn_vị lực_lượng cán_bộ đảng_viên lãnh_đạo khu_vực địa_phương trung_ương miền_Bắc
miền_Trung miền_Nam Tây_Nguyên sáng chiều tối đêm trưa sáng_nay chiều_qua hôm_nay ngày_mai
cuối_tuần
"""

SOURCES = (
    "VnExpress",
    "Tuổi Trẻ",
    "Thanh Niên",
    "Dân Trí",
    "VietNamNet",
    "Lao Động",
    "Tiền Phong",
    "Người Lao Động",
    "Zing News",
    "Sài Gòn Giải Phóng",
    "Nhân Dân",
    "Báo Quân Đội Nhân Dân",
)
# These outlets keep the old tone placement ("hòa", "thủy", "khỏe").
OLD_STYLE_SOURCES = frozenset({"Nhân Dân", "Sài Gòn Giải Phóng", "Báo Quân Đội Nhân Dân"})

_SECTIONS = ("thoi-su", "kinh-doanh", "the-gioi", "giao-duc", "suc-khoe", "the-thao", "phap-luat")
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ")
_MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Đức")
_GIVEN = ("An", "Bình", "Châu", "Dũng", "Hà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Tâm", "Thuỷ")

_TONES = (
    "",
    "\u0300",
    "\u0301",
    "\u0309",
    "\u0303",
    "\u0323",
)  # level, grave, acute, hook, tilde, dot


def _old_style_table() -> dict[str, str]:
    """New-style open syllable endings (hoà, khoẻ, thuỷ) → old style (hòa, khỏe, thủy)."""
    table: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for f in (first, first.upper()):
            for mark in _TONES[1:]:
                table[f + unicodedata.normalize("NFC", second + mark)] = (
                    unicodedata.normalize("NFC", f + mark) + second
                )
    return table


_NEW_TO_OLD = _old_style_table()
# Only at a syllable's end, and not after "q" ("quý" is written so in both styles).
_OLD_RE = re.compile(
    r"(?<![qQ])(" + "|".join(sorted(_NEW_TO_OLD, key=len, reverse=True)) + r")(?![^\W_])"
)

# The long tail: real-looking syllables from Vietnamese onsets, rhymes and tones. Real news
# text has tens of thousands of distinct words; without a tail every word of a few hundred would
# occur in most articles and no query would be selective.
_ONSETS_TEXT = "b c ch d đ g gi h kh l m n ng nh ph qu r s t th tr v x"
_ONSETS = ("", *_ONSETS_TEXT.split())
_RHYMES_TEXT = """
a ai am an ang anh ao au ay ac ach at ap ăm ăn ăng ăc ăt ăp âm ân âng âu ây ât âc âp
e em en eo et ec ep ê êm ên ênh êu êt êch êp i im in inh iu it ich ip ia iêm iên iêng iêu iêt
iêc iêp o oi om on ong oc ot op oa oai oan oang oanh oat oac oe oen oet ô ôi ôm ôn ông ôc ôt ôp
ơ ơi ơm ơn ơt ơp u ui um un ung uc ut up ua uân uât uôi uôn uông uôc uôt uy uyên uyêt uynh
ư ưa ưi ưng ưc ưt ươi ươn ương ươc ươt ươu
"""
_RHYMES = _RHYMES_TEXT.split()
_HATTED = "ăâêôơư"
_VOWELS = "aăâeêioôơuưy"


def _tone_index(rhyme: str) -> int:
    """Where the tone mark goes in a rhyme (new style: hoà, thuỷ)."""
    hatted = [i for i, ch in enumerate(rhyme) if ch in _HATTED]
    if hatted:
        return hatted[-1]
    vowels = [i for i, ch in enumerate(rhyme) if ch in _VOWELS]
    if rhyme[-1] not in _VOWELS or len(vowels) == 1:
        return vowels[-1]
    if len(vowels) == 3:
        return vowels[1]
    return vowels[1] if rhyme[vowels[0] : vowels[1] + 1] in ("oa", "oe", "uy") else vowels[0]


def _syllable(onset: str, rhyme: str, tone: str) -> str | None:
    # Syllables ending in a stop take only the acute or the dot below.
    if rhyme[-1] in "ctp" and tone not in ("\u0301", "\u0323"):
        return None
    if onset == "qu" and rhyme[0] in "uư":
        return None
    if rhyme[0] in "ieê":
        onset = {"c": "k", "g": "gh", "ng": "ngh"}.get(onset, onset)
    i = _tone_index(rhyme)
    return unicodedata.normalize("NFC", onset + rhyme[: i + 1] + tone + rhyme[i + 1 :])


def _tail(n_words: int) -> list[str]:
    """A fixed list of n_words tail words of one or two syllables."""
    rng = random.Random(20250101)
    syllables = [
        s
        for onset in _ONSETS
        for rhyme in _RHYMES
        for tone in _TONES
        if (s := _syllable(onset, rhyme, tone)) is not None
    ]
    rng.shuffle(syllables)
    syllables = syllables[:3000]
    words: list[str] = []
    for _ in range(n_words):
        if rng.random() < 0.5:
            words.append(rng.choice(syllables))
        else:
            words.append(rng.choice(syllables) + " " + rng.choice(syllables))
    return words


START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_SECONDS = 365 * 24 * 3600


def vocabulary(tail: int = 6000) -> list[str]:
    """Distinct words in rank order: the hand-written head, then `tail` generated words."""
    head = [w.replace("_", " ") for w in VOCABULARY.split()]
    return list(dict.fromkeys(head + _tail(tail)))


def to_old_style(text: str) -> str:
    """Rewrite new-style tone placement (hoà, thuỷ) in the old style (hòa, thủy)."""
    return _OLD_RE.sub(lambda m: _NEW_TO_OLD[m.group(1)], text)


@dataclass(frozen=True, slots=True)
class Sampler:
    """Zipf-weighted word sampling and a pool of pre-sampled sentences."""

    words: list[str]
    cum_weights: list[float]
    sentences: list[str]
    old_sentences: list[str]

    @classmethod
    def build(cls, rng: random.Random, pool_size: int = 40_000) -> Sampler:
        words = vocabulary()
        # Exponent a bit above 1 gives the steep head of real news text (của, và, là …).
        weights = [1.0 / (rank**1.05) for rank in range(1, len(words) + 1)]
        cum = list(itertools.accumulate(weights))
        sampler = cls(words, cum, [], [])
        for _ in range(pool_size):
            sentence = sampler.sentence(rng)
            sampler.sentences.append(sentence)
            sampler.old_sentences.append(to_old_style(sentence))
        return sampler

    def phrase(self, rng: random.Random, n_words: int) -> str:
        return " ".join(self._words(rng, n_words))

    def _words(self, rng: random.Random, n_words: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=n_words)

    def sentence(self, rng: random.Random) -> str:
        words = self._words(rng, rng.randint(8, 22))
        if rng.random() < 0.4:
            cut = rng.randint(2, len(words) - 2)
            words[cut - 1] += ","
        body = " ".join(words)
        return body[0].upper() + body[1:] + "."


def _slug(title: str) -> str:
    return "-".join(fold(title).replace(",", " ").replace(".", " ").split())


def articles(n: int, seed: int = 42, target_chars: int = 2300) -> Iterator[Document]:
    """Stream `n` synthetic articles, the same ones for the same `seed`."""
    rng = random.Random(seed)
    sampler = Sampler.build(rng)
    pool = len(sampler.sentences)
    # ~3 KB of text is about this many sentences of the pool's mean length.
    mean_len = sum(len(s) + 1 for s in sampler.sentences[:2000]) / 2000
    per_doc = max(1, round(target_chars / mean_len))
    domains = {s: fold(s).replace(" ", "") + ".vn" for s in SOURCES}
    rnd = rng.random
    for i in range(n):
        source = SOURCES[rng.randrange(len(SOURCES))]
        old = source in OLD_STYLE_SOURCES
        # int(random() * n) is several times cheaper than randrange and uniform enough here.
        picks = [int(rnd() * pool) for _ in range(per_doc + rng.randint(-3, 3))]
        chosen = sampler.old_sentences if old else sampler.sentences
        paragraphs = [
            " ".join(chosen[p] for p in picks[k : k + 5]) for k in range(0, len(picks), 5)
        ]
        title = sampler.phrase(rng, rng.randint(6, 14))
        title = title[0].upper() + title[1:]
        if old:
            title = to_old_style(title)
        # One article in 200 has no date, as some feeds and pages give none.
        published = (
            None if rng.random() < 0.005 else START + timedelta(seconds=rng.randrange(YEAR_SECONDS))
        )
        author = (
            f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
            if rng.random() < 0.7
            else None
        )
        section = _SECTIONS[rng.randrange(len(_SECTIONS))]
        yield Document(
            id=f"doc{i:07d}",
            url=f"https://{domains[source]}/{section}/{_slug(title)}-{i}.html",
            title=title,
            text="\n\n".join(paragraphs),
            source=source,
            published=published,
            language="vi",
            author=author,
        )


def sample_sentences(seed: int = 42) -> Sampler:
    """The sentence pool `articles(…, seed)` draws from, to pick phrase queries that occur."""
    return Sampler.build(random.Random(seed))
