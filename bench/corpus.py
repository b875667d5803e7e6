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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from index.analysis import fold
from index.model import Document

# Roughly in order of frequency in news text: the order sets the Zipf rank.
VOCABULARY = """
của và là các có được trong cho với những một người này đã không đến khi về từ ra theo tại
như sẽ năm cũng để đó nhiều làm vào lại thì đang nhưng việc ngày sau còn nên bị do hơn mới
trên rất đi phải nhà nước chúng tôi họ anh chị ông bà em cùng tháng tuần nay hôm qua giờ
Việt Nam Hà Nội thành phố Hồ Chí Minh Đà Nẵng Hải Phòng Cần Thơ Huế Nghệ An Thanh Hoá
chính phủ thủ tướng bộ trưởng quốc hội đại biểu chủ tịch tỉnh huyện xã phường quận uỷ ban
nhân dân kinh tế phát triển doanh nghiệp thị trường đầu tư tăng trưởng ngân hàng lãi suất
giá xăng dầu vàng đô la chứng khoán cổ phiếu bất động sản nhà ở dự án công trình xây dựng
giao thông đường cao tốc cầu sân bay tàu điện metro xe máy ô tô tai nạn va chạm cảnh sát
công an điều tra vụ án toà án xét xử bị cáo khởi tố bắt giữ tham nhũng lãng phí hối lộ
giáo dục học sinh sinh viên trường đại học thi tốt nghiệp điểm chuẩn giáo viên học phí
y tế bệnh viện bác sĩ bệnh nhân dịch bệnh vắc xin sức khoẻ điều trị cấp cứu thuốc
thời tiết mưa bão lũ lụt sạt lở nắng nóng rét đậm không khí lạnh áp thấp nhiệt đới
thuỷ điện hồ chứa xả lũ nước sông biển đảo Trường Sa Hoàng Sa chủ quyền biên giới
quốc phòng quân đội an ninh hoà bình hợp tác quốc tế ngoại giao hội nghị thượng đỉnh
Mỹ Trung Quốc Nhật Bản Hàn Quốc Nga châu Âu ASEAN Liên Hợp Quốc tổng thống bầu cử
văn hoá nghệ thuật âm nhạc ca sĩ phim điện ảnh lễ hội Tết du lịch khách sạn du khách
thể thao bóng đá đội tuyển cầu thủ huấn luyện viên trận đấu bàn thắng giải vô địch
công nghệ điện thoại internet mạng xã hội trí tuệ nhân tạo dữ liệu phần mềm an toàn
nông nghiệp nông dân lúa gạo cà phê xuất khẩu nhập khẩu thuế hải quan hàng hoá
lao động việc làm tiền lương bảo hiểm xã hội hưu trí công nhân khu công nghiệp
môi trường ô nhiễm rác thải khí thải năng lượng điện mặt trời gió than
gia đình trẻ em phụ nữ người cao tuổi đời sống thu nhập nghèo hỗ trợ chính sách
luật nghị định quy định thông tư văn bản đề xuất kiến nghị thảo luận thông qua
kết quả báo cáo số liệu thống kê tỷ lệ phần trăm triệu tỷ đồng nghìn
bán mua bạn ban bàn bận khoẻ mạnh thuỷ sản hoà giải hoá chất toà nhà loé sáng
thoả thuận xoá bỏ tích luỹ tuỳ theo uỷ quyền khuyến khích quý giá kỹ thuật
cho biết khẳng định nhấn mạnh thông tin chia sẻ phản ánh ghi nhận tiếp tục
đồng thời bên cạnh ngoài ra tuy nhiên trong khi đó vì vậy do đó hiện nay
trước đó sau đó gần đây thời gian tới dự kiến khoảng hơn gần trên dưới
lớn nhỏ cao thấp mạnh yếu nhanh chậm tốt xấu mới cũ đầu tiên cuối cùng
quan trọng cần thiết khó khăn thuận lợi nghiêm trọng đặc biệt chủ yếu
tổ chức cá nhân cơ quan đơn vị lực lượng cán bộ đảng viên lãnh đạo
khu vực địa phương trung ương miền Bắc miền Trung miền Nam Tây Nguyên
sáng chiều tối đêm trưa sáng nay chiều qua hôm nay ngày mai cuối tuần
"""

# Multi-syllable words that belong together, so that sampled sentences read like news and
# phrase queries over real two- to five-syllable words exist.
_COMPOUNDS = (
    "Việt Nam|Hà Nội|thành phố|Hồ Chí Minh|Đà Nẵng|Hải Phòng|Cần Thơ|Nghệ An|Thanh Hoá|"
    "chính phủ|thủ tướng|bộ trưởng|quốc hội|đại biểu|chủ tịch|uỷ ban|nhân dân|kinh tế|"
    "phát triển|doanh nghiệp|thị trường|đầu tư|tăng trưởng|ngân hàng|lãi suất|đô la|"
    "chứng khoán|cổ phiếu|bất động sản|nhà ở|dự án|công trình|xây dựng|giao thông|"
    "đường cao tốc|sân bay|tàu điện|xe máy|ô tô|tai nạn|va chạm|cảnh sát|công an|điều tra|"
    "vụ án|toà án|xét xử|bị cáo|khởi tố|bắt giữ|tham nhũng|lãng phí|hối lộ|giáo dục|"
    "học sinh|sinh viên|đại học|tốt nghiệp|điểm chuẩn|giáo viên|học phí|y tế|bệnh viện|"
    "bác sĩ|bệnh nhân|dịch bệnh|vắc xin|sức khoẻ|điều trị|cấp cứu|thời tiết|lũ lụt|"
    "sạt lở|nắng nóng|rét đậm|không khí lạnh|áp thấp nhiệt đới|thuỷ điện|hồ chứa|xả lũ|"
    "Trường Sa|Hoàng Sa|chủ quyền|biên giới|quốc phòng|quân đội|an ninh|hoà bình|hợp tác|"
    "quốc tế|ngoại giao|hội nghị|thượng đỉnh|Trung Quốc|Nhật Bản|Hàn Quốc|châu Âu|"
    "Liên Hợp Quốc|tổng thống|bầu cử|văn hoá|nghệ thuật|âm nhạc|ca sĩ|điện ảnh|lễ hội|"
    "du lịch|khách sạn|du khách|thể thao|bóng đá|đội tuyển|cầu thủ|huấn luyện viên|"
    "trận đấu|bàn thắng|giải vô địch|công nghệ|điện thoại|mạng xã hội|trí tuệ nhân tạo|"
    "dữ liệu|phần mềm|an toàn|nông nghiệp|nông dân|lúa gạo|cà phê|xuất khẩu|nhập khẩu|"
    "hải quan|hàng hoá|lao động|việc làm|tiền lương|bảo hiểm xã hội|hưu trí|công nhân|"
    "khu công nghiệp|môi trường|ô nhiễm|rác thải|khí thải|năng lượng|điện mặt trời|"
    "gia đình|trẻ em|phụ nữ|người cao tuổi|đời sống|thu nhập|hỗ trợ|chính sách|nghị định|"
    "quy định|thông tư|văn bản|đề xuất|kiến nghị|thảo luận|thông qua|kết quả|báo cáo|"
    "số liệu|thống kê|tỷ lệ|phần trăm|tỷ đồng|khoẻ mạnh|thuỷ sản|hoà giải|hoá chất|"
    "toà nhà|loé sáng|thoả thuận|xoá bỏ|tích luỹ|tuỳ theo|uỷ quyền|khuyến khích|quý giá|"
    "kỹ thuật|cho biết|khẳng định|nhấn mạnh|thông tin|chia sẻ|phản ánh|ghi nhận|tiếp tục|"
    "đồng thời|bên cạnh|ngoài ra|tuy nhiên|trong khi đó|vì vậy|do đó|hiện nay|trước đó|"
    "sau đó|gần đây|thời gian tới|dự kiến|đầu tiên|cuối cùng|quan trọng|cần thiết|"
    "khó khăn|thuận lợi|nghiêm trọng|đặc biệt|chủ yếu|tổ chức|cá nhân|cơ quan|đơn vị|"
    "lực lượng|cán bộ|đảng viên|lãnh đạo|khu vực|địa phương|trung ương|miền Bắc|"
    "miền Trung|miền Nam|Tây Nguyên|sáng nay|chiều qua|hôm nay|ngày mai|cuối tuần|"
    "chúng tôi|nhà nước|hôm qua"
).split("|")

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

# Old-style spellings of the new-style syllables used above (tone on the first vowel).
_NEW_TO_OLD = {
    "hoà": "hòa",
    "hoá": "hóa",
    "toà": "tòa",
    "thuỷ": "thủy",
    "khoẻ": "khỏe",
    "uỷ": "ủy",
    "luỹ": "lũy",
    "tuỳ": "tùy",
    "thoả": "thỏa",
    "xoá": "xóa",
    "loé": "lóe",
    "Hoá": "Hóa",
}
_OLD_RE = re.compile("|".join(sorted(_NEW_TO_OLD, key=len, reverse=True)))

START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_SECONDS = 365 * 24 * 3600


def _vocabulary() -> list[str]:
    """Words in rank order: compounds first where they occur in the list, then syllables."""
    compounds = set(_COMPOUNDS)
    text = " ".join(VOCABULARY.split())
    words: list[str] = []
    seen: set[str] = set()
    # Greedy longest match of compounds (up to 5 syllables) keeps the hand-written rank order.
    syllables = text.split(" ")
    i = 0
    while i < len(syllables):
        for size in (5, 4, 3, 2, 1):
            candidate = " ".join(syllables[i : i + size])
            if size == 1 or candidate in compounds:
                if candidate not in seen:
                    seen.add(candidate)
                    words.append(candidate)
                i += size
                break
    return words


def to_old_style(text: str) -> str:
    """Rewrite the new-style syllables of this vocabulary in the old tone placement."""
    return _OLD_RE.sub(lambda m: _NEW_TO_OLD[m.group(0)], text)


@dataclass(frozen=True, slots=True)
class Sampler:
    """Zipf-weighted word sampling and a pool of pre-sampled sentences."""

    words: list[str]
    cum_weights: list[float]
    sentences: list[str]
    old_sentences: list[str]

    @classmethod
    def build(cls, rng: random.Random, pool_size: int = 40_000) -> Sampler:
        words = _vocabulary()
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
        return " ".join(rng.choices(self.words, cum_weights=self.cum_weights, k=n_words))

    def sentence(self, rng: random.Random) -> str:
        body = self.phrase(rng, rng.randint(8, 22))
        if rng.random() < 0.4:
            words = body.split(" ")
            cut = rng.randint(2, max(2, len(words) - 2))
            body = " ".join(words[:cut]) + ", " + " ".join(words[cut:])
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
            None
            if rng.random() < 0.005
            else START + timedelta(seconds=rng.randrange(YEAR_SECONDS))
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
