"""Every engine answers every query the same way: one suite, parametrized over the engines.

The corpus is small and hand-written so that each test can name the exact ids it expects.
Queries are written as users type them (`parse`), with a few hand-built trees for the cases the
parser never produces.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from index import ENGINES, Document, Engine, EngineError, Sort, open_engine
from index.engines.directory import MARKER
from index.errors import IndexNeedsRebuild
from index.model import SORTS
from index.query import And, DateRange, MatchAll, Node, Not, Or, Phrase, Term, parse
from index.snippets import make_snippet

ENGINE_NAMES = sorted(ENGINES)
NOW = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


DOCS = [
    # hoà bình: old tone placement here, new in the next two; not adjacent in "hoa-giai".
    Document(
        "hb-old",
        "https://nhandan.vn/the-gioi/hoi-nghi-hoa-binh-101.html",
        "Hội nghị về hòa bình khu vực",
        "Các nước cam kết giữ gìn hòa bình và ổn định lâu dài.",
        "Nhân Dân",
        at(15, 8),
        "vi",
        "Trần Văn Bình",
    ),
    Document(
        "hb-new",
        "https://vnexpress.net/the-gioi/keu-goi-hoa-binh-102.html",
        "Thế giới kêu gọi hoà bình",
        "Liên Hợp Quốc kêu gọi các bên đối thoại và đàm phán hoà bình.",
        "VnExpress",
        at(16, 9),
        "vi",
        "Nguyễn Thị Mai",
    ),
    Document(
        "hoa-giai",
        "https://tuoitre.vn/phap-luat/hoa-giai-103.html",
        "Hoà giải tranh chấp đất đai",
        "Tổ hoà giải ở cơ sở giúp người dân sống bình yên.",
        "Tuổi Trẻ",
        at(17, 10),
        "vi",
    ),
    Document(
        "td-old",
        "https://tuoitre.vn/thoi-su/thuy-dien-son-la-104.html",
        "Thủy điện Sơn La xả lũ",
        "Nhà máy thủy điện Sơn La mở cửa xả đáy để điều tiết lũ.",
        "Tuổi Trẻ",
        at(18, 7),
        "vi",
        "Lê Minh",
    ),
    # 18:30 UTC is 01:30 the next day at UTC+7.
    Document(
        "td-new",
        "https://thanhnien.vn/thoi-su/thuy-dien-hoa-binh-105.html",
        "Thuỷ điện Hoà Bình tăng công suất",
        "Nhà máy thuỷ điện lớn nhất miền Bắc vận hành thêm tổ máy.",
        "Thanh Niên",
        at(19, 18, 30),
        "vi",
        "Nguyễn Văn An",
    ),
    # bán / bạn / ban: one occurrence each, in texts of the same shape.
    Document(
        "ban-sell",
        "https://dantri.com.vn/kinh-doanh/cho-tet-106.html",
        "Chợ Tết đông vui",
        "Người bán hàng ở chợ Tết rất đông từ sáng sớm.",
        "Dân Trí",
        at(20, 2),
        "vi",
    ),
    Document(
        "ban-friend",
        "https://dantri.com.vn/doi-song/gap-lai-107.html",
        "Gặp lại người quen",
        "Người bạn học cũ ở chợ Tết rất vui từ sáng sớm.",
        "Dân Trí",
        at(20, 3),
        "vi",
    ),
    Document(
        "ban-board",
        "https://laodong.vn/van-hoa/le-hoi-108.html",
        "Chuẩn bị lễ hội",
        "Người ban tổ chức ở chợ Tết rất vội từ sáng sớm.",
        "Lao Động",
        at(20, 4),
        "vi",
    ),
    Document(
        "vn-upper",
        "https://dantri.com.vn/the-thao/huy-chuong-109.html",
        "VIỆT NAM GIÀNH HUY CHƯƠNG VÀNG",
        "Đội tuyển Việt Nam thi đấu xuất sắc tại giải vô địch.",
        "Dân Trí",
        at(21, 12),
        "vi",
    ),
    # Decomposed (NFD) text, as some feeds deliver it.
    Document(
        "nfd",
        "https://znews.vn/du-lich/da-nang-110.html",
        nfd("Du lịch Đà Nẵng khởi sắc"),
        nfd("Đà Nẵng đón nhiều khách quốc tế dịp Tết."),
        "Zing News",
        at(21, 13),
        "vi",
    ),
    Document(
        "storm",
        "https://vnexpress.net/thoi-su/bao-so-3-111.html",
        "Bão số 3 đổ bộ miền Trung",
        "Mưa lớn gây lũ quét ở nhiều tỉnh miền Trung.",
        "VnExpress",
        at(22, 6),
        "vi",
    ),
    Document(
        "flood-north",
        "https://thanhnien.vn/thoi-su/lu-lon-112.html",
        "Lũ lớn ở miền Bắc",
        "Nước sông dâng cao gây ngập nhiều xã.",
        "Thanh Niên",
        at(22, 7),
        "vi",
    ),
    Document(
        "english",
        "https://e.vnexpress.net/news/economy-113.html",
        "Vietnam economy grows",
        "The economy of Vietnam grew strongly last year.",
        "VnExpress International",
        at(23, 8),
        "EN",
        "Nguyen Quy",
    ),
    Document(
        "title-kt",
        "https://tienphong.vn/kinh-te/tang-truong-114.html",
        "Kinh tế tăng trưởng mạnh",
        "Số liệu quý bốn có nhiều tín hiệu tích cực.",
        "Tiền Phong",
        at(24, 9),
        "vi",
    ),
    Document(
        "body-kt",
        "https://tienphong.vn/kinh-te/so-lieu-115.html",
        "Số liệu quý bốn",
        "Kinh tế tăng trưởng mạnh với nhiều tín hiệu tích cực.",
        "Tiền Phong",
        at(24, 10),
        "vi",
    ),
    Document(
        "undated",
        "https://laodong.vn/thoi-su/thuy-dien-nho-116.html",
        "Bài viết không có ngày",
        "Thủy điện nhỏ ở Tây Nguyên.",
        "Lao Động",
        None,
        None,
    ),
]
# Labels the application attaches: quality flags, feed tags (collections), status.
LABELS = {
    "hb-old": (("flag", "short"),),
    "english": (("flag", "not_article"), ("tag", "Báo quốc gia"), ("tag", "english")),
    "storm": (("status", "gone"), ("tag", "Báo quốc gia")),
}
DOCS = [replace(d, labels=LABELS.get(d.id, ())) for d in DOCS]
ALL_IDS = {d.id for d in DOCS}
BY_ID = {d.id: d for d in DOCS}
NEWEST_FIRST = [d.id for d in sorted(DOCS[:-1], key=lambda d: d.published or NOW, reverse=True)]


def q(text: str, exact: bool = False) -> Node:
    return parse(text, exact=exact, now=NOW)


def build(name: str, path: Path) -> Engine:
    engine = open_engine(name, path)
    # Two commits, so that engines search across more than one segment.
    engine.add(DOCS[:8])
    engine.commit()
    engine.add(DOCS[8:])
    engine.commit()
    return engine


@pytest.fixture(scope="module", params=ENGINE_NAMES)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A shared, read-only index of DOCS."""
    e = build(request.param, tmp_path_factory.mktemp(request.param) / "index")
    yield e
    e.close()


@pytest.fixture(params=ENGINE_NAMES)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An index of DOCS that the test may change."""
    e = build(request.param, tmp_path / "index")
    yield e
    e.close()


def ids(engine: Engine, query: str | Node, exact: bool = False) -> set[str]:
    node = q(query, exact) if isinstance(query, str) else query
    found = engine.ids(node)
    assert len(found) == len(set(found))
    page = engine.search(node, limit=100, snippets=False)
    assert page.total == len(found) == engine.count(node)
    assert {h.id for h in page.hits} == set(found)
    return set(found)


def ranked(engine: Engine, query: str | Node, sort: Sort = "relevance") -> list[str]:
    node = q(query) if isinstance(query, str) else query
    return [h.id for h in engine.search(node, limit=100, snippets=False, sort=sort).hits]


# --- boolean structure -------------------------------------------------------------------------


def test_words_are_anded(engine: Engine) -> None:
    assert ids(engine, "thuỷ điện sơn") == {"td-old"}
    assert ids(engine, "hoà bình") == {"hb-old", "hb-new", "td-new", "hoa-giai"}


def test_or(engine: Engine) -> None:
    assert ids(engine, "bão OR lũ") == {"storm", "flood-north", "td-old"}


def test_not(engine: Engine) -> None:
    assert ids(engine, "thuỷ điện -sơn") == {"td-new", "undated"}
    assert ids(engine, "thuỷ điện NOT sơn") == {"td-new", "undated"}


def test_exclusion_of_the_first_match(engine: Engine) -> None:
    # "storm" is the first document with "mưa"; "nhiều" occurs in an earlier one ("nfd") too.
    # whoosh's own AndNot lets such a first match through.
    assert ids(engine, "mưa -nhiều") == set()
    assert ids(engine, "lũ -nhiều") == {"td-old"}


def test_only_negative_words_match_everything_else(engine: Engine) -> None:
    assert ids(engine, "-chợ") == ALL_IDS - {"ban-sell", "ban-friend", "ban-board"}


def test_bare_not_node_is_handled(engine: Engine) -> None:
    assert ids(engine, Not(Term("chợ"))) == ALL_IDS - {"ban-sell", "ban-friend", "ban-board"}
    assert ids(engine, Or((Term("bão"), Not(Term("tết"))))) == ALL_IDS - {
        "ban-sell",
        "ban-friend",
        "ban-board",
        "nfd",
    }


def test_parentheses(engine: Engine) -> None:
    assert ids(engine, "(bão OR lũ) miền trung") == {"storm"}
    assert ids(engine, "(bão OR lũ) -miền") == {"td-old"}
    assert ids(engine, "lũ (quét OR sơn)") == {"storm", "td-old"}


def test_match_all(engine: Engine) -> None:
    assert ids(engine, "*") == ALL_IDS
    assert ids(engine, MatchAll()) == ALL_IDS


def test_no_match(engine: Engine) -> None:
    assert ids(engine, "thuỷ điện bão") == set()
    page = engine.search(q("khôngcótừnày"))
    assert (page.total, page.hits) == (0, [])


def test_word_without_letters_matches_nothing(engine: Engine) -> None:
    assert ids(engine, Term("…")) == set()
    assert ids(engine, And((Term("bão"), Term("—")))) == set()


# --- phrases -------------------------------------------------------------------------------------


def test_phrase_needs_adjacent_words(engine: Engine) -> None:
    # "hoa-giai" has both words, but not next to each other.
    assert ids(engine, '"hoà bình"') == {"hb-old", "hb-new", "td-new"}
    assert ids(engine, '"bình hoà"') == set()


def test_long_phrases(engine: Engine) -> None:
    assert ids(engine, '"nhà máy thủy điện sơn la"') == {"td-old"}
    assert ids(engine, '"máy thuỷ điện lớn nhất"') == {"td-new"}
    # Every word is there, in another order.
    assert ids(engine, '"nhà máy sơn la thủy điện"') == set()
    assert ids(engine, '"ở chợ tết rất"') == {"ban-sell", "ban-friend", "ban-board"}


def test_phrase_node_and_multi_token_term(engine: Engine) -> None:
    assert ids(engine, Phrase(("Đà", "Nẵng"))) == {"nfd"}
    # A hand-built term holding two words is the phrase of them.
    assert ids(engine, Term("ĐÀ NẴNG")) == {"nfd"}
    assert ids(engine, Term("lũ-quét")) == {"storm"}


def test_uppercase_text_and_queries(engine: Engine) -> None:
    assert ids(engine, '"việt nam"') == {"vn-upper"}
    assert ids(engine, "VIỆT NAM") == {"vn-upper"}
    assert ids(engine, 'title:"huy chương vàng"') == {"vn-upper"}


# --- Vietnamese normalization --------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["hoà bình", "hòa bình", "HOÀ BÌNH", "Hòa Bình", "hoa binh", nfd("hoà bình"), nfd("HÒA BÌNH")],
)
def test_tone_placement_case_and_nfd_queries_agree(engine: Engine, query: str) -> None:
    assert ids(engine, query) == {"hb-old", "hb-new", "td-new", "hoa-giai"}
    assert ids(engine, f'"{query}"') == {"hb-old", "hb-new", "td-new"}


@pytest.mark.parametrize("query", ["thủy điện", "thuỷ điện", "THỦY ĐIỆN", nfd("thủy điện")])
def test_old_and_new_tone_placement_in_documents(engine: Engine, query: str) -> None:
    assert ids(engine, query) == {"td-old", "td-new", "undated"}
    assert ids(engine, f'"{query}"') == {"td-old", "td-new", "undated"}
    assert ids(engine, f'="{query}"') == {"td-old", "td-new", "undated"}
    assert ids(engine, query, exact=True) == {"td-old", "td-new", "undated"}


def test_unaccented_query_is_folded_only(engine: Engine) -> None:
    assert ids(engine, "thuy dien") == {"td-old", "td-new", "undated"}
    assert ids(engine, "=thuy") == set()


@pytest.mark.parametrize("query", ["Đà Nẵng", nfd("Đà Nẵng"), "đà nẵng", "da nang", "=Đà =Nẵng"])
def test_nfd_document_is_found(engine: Engine, query: str) -> None:
    assert ids(engine, query) == {"nfd"}


def test_stored_text_comes_back_nfc(engine: Engine) -> None:
    (hit,) = engine.search(q("đà nẵng")).hits
    assert hit.title == "Du lịch Đà Nẵng khởi sắc"
    assert unicodedata.is_normalized("NFC", hit.snippet.text)


def test_folded_matching_by_default(engine: Engine) -> None:
    assert ids(engine, "ban") == {"ban-sell", "ban-friend", "ban-board"}
    assert ids(engine, "bán") == {"ban-sell", "ban-friend", "ban-board"}


def test_exact_matching_keeps_diacritics(engine: Engine) -> None:
    assert ids(engine, "=bán") == {"ban-sell"}
    assert ids(engine, "=bạn") == {"ban-friend"}
    assert ids(engine, "=ban") == {"ban-board"}
    assert ids(engine, "bán", exact=True) == {"ban-sell"}
    assert ids(engine, Term("BÁN", exact=True)) == {"ban-sell"}


def test_exact_phrase(engine: Engine) -> None:
    assert ids(engine, '="ban tổ chức"') == {"ban-board"}
    assert ids(engine, '="bán tổ chức"') == set()
    assert ids(engine, '"bán tổ chức"') == {"ban-board"}
    assert ids(engine, Phrase(("người", "bạn", "học"), exact=True)) == {"ban-friend"}


def test_exact_form_ranks_above_folded_only_matches(engine: Engine) -> None:
    assert ranked(engine, "bán")[0] == "ban-sell"
    assert ranked(engine, "bạn")[0] == "ban-friend"
    assert ranked(engine, '"người bạn"')[0] == "ban-friend"


def test_title_match_ranks_above_body_match(engine: Engine) -> None:
    # body-kt is newer, so this is not the date tie-break.
    assert ranked(engine, "kinh tế") == ["title-kt", "body-kt"]
    assert ranked(engine, "tăng trưởng mạnh") == ["title-kt", "body-kt"]


# --- fields -------------------------------------------------------------------------------------


def test_title_field(engine: Engine) -> None:
    assert ids(engine, "title:hoà") == {"hb-old", "hb-new", "td-new", "hoa-giai"}
    assert ids(engine, 'title:"hoà bình"') == {"hb-old", "hb-new", "td-new"}
    assert ids(engine, "title:tết") == {"ban-sell"}
    assert ids(engine, "title:sớm") == set()
    assert ids(engine, "title:=Hòa") == {"hb-old", "hb-new", "td-new", "hoa-giai"}


@pytest.mark.parametrize(
    "query", ['source:"Tuổi Trẻ"', 'source:"tuoi tre"', "source:tuoitre", "source:TUỔI-TRẺ"]
)
def test_source_field_matches_the_whole_folded_name(engine: Engine, query: str) -> None:
    assert ids(engine, query) == {"hoa-giai", "td-old"}


def test_source_field_single_word(engine: Engine) -> None:
    # "VnExpress International" is another source, not a match for the word.
    assert ids(engine, "source:vnexpress") == {"hb-new", "storm"}
    assert ids(engine, 'source:"vnexpress international"') == {"english"}
    assert ids(engine, "source:tuổi") == set()
    assert ids(engine, "source:vnexpress bão") == {"storm"}


def test_url_field(engine: Engine) -> None:
    assert ids(engine, "url:vnexpress.net") == {"hb-new", "storm", "english"}
    assert ids(engine, "url:thoi-su") == {"td-old", "td-new", "storm", "flood-north", "undated"}
    assert ids(engine, "url:tuoitre.vn/thoi-su") == {"td-old"}
    assert ids(engine, "url:laodong") == {"ban-board", "undated"}


def test_lang_field(engine: Engine) -> None:
    assert ids(engine, "lang:en") == {"english"}
    assert ids(engine, "lang:EN") == {"english"}
    assert ids(engine, "lang:vi") == ALL_IDS - {"english", "undated"}


def test_label_fields(engine: Engine) -> None:
    assert ids(engine, "flag:not_article") == {"english"}
    assert ids(engine, "flag:NOT_ARTICLE") == {"english"}
    assert ids(engine, "flag:short") == {"hb-old"}
    assert ids(engine, "-flag:not_article") == ALL_IDS - {"english"}
    # A label is a whole value, folded: accents and spaces as the user types them.
    assert ids(engine, 'tag:"báo quốc gia"') == {"english", "storm"}
    assert ids(engine, 'tag:"bao quoc gia"') == {"english", "storm"}
    assert ids(engine, "tag:bao") == set()
    assert ids(engine, "status:gone") == {"storm"}
    assert ids(engine, "status:gone bão") == {"storm"}
    # Labels are not words of the text, and one field's value is not another's.
    assert ids(engine, "gone") == set()
    assert ids(engine, "flag:gone") == set()


def test_author_field(engine: Engine) -> None:
    assert ids(engine, "author:nguyễn") == {"hb-new", "td-new", "english"}
    assert ids(engine, 'author:"nguyen thi mai"') == {"hb-new"}
    assert ids(engine, 'author:"thị nguyễn"') == set()
    # An author's name is not in the text fields.
    assert ids(engine, "mai") == set()


# --- dates -------------------------------------------------------------------------------------


def test_closed_date_range(engine: Engine) -> None:
    assert ids(engine, "date:2026-01-20/2026-01-21") == {
        "ban-sell",
        "ban-friend",
        "ban-board",
        "vn-upper",
        "nfd",
    }
    assert ids(engine, "chợ date:2026-01-20") == {"ban-sell", "ban-friend", "ban-board"}


def test_open_date_ranges(engine: Engine) -> None:
    assert ids(engine, "date:/2026-01-16") == {"hb-old", "hb-new"}
    assert ids(engine, "date:2026-01-24/") == {"title-kt", "body-kt"}


def test_date_range_is_half_open_and_never_matches_undated(engine: Engine) -> None:
    assert ids(engine, DateRange(at(19, 18, 30), at(20, 2))) == {"td-new"}
    assert ids(engine, DateRange(None, None)) == ALL_IDS - {"undated"}
    assert ids(engine, And((Term("thủy"), DateRange(start=at(1))))) == {"td-old", "td-new"}


def test_relative_dates(engine: Engine) -> None:
    # NOW is 2026-01-31 12:00; a week back is 2026-01-24 12:00.
    assert ids(engine, "date:P7D/") == set()
    assert ids(engine, "date:P8D/") == {"title-kt", "body-kt"}


# --- sorting and paging --------------------------------------------------------------------------


def test_sort_newest_and_oldest_put_undated_last(engine: Engine) -> None:
    assert ranked(engine, "*", sort="newest") == [*NEWEST_FIRST, "undated"]
    assert ranked(engine, "*", sort="oldest") == [*NEWEST_FIRST[::-1], "undated"]
    assert ranked(engine, "thủy điện", sort="newest") == ["td-new", "td-old", "undated"]
    assert ranked(engine, "thủy điện", sort="oldest") == ["td-old", "td-new", "undated"]


def test_relevance_ties_are_broken_newest_first(engine: Engine) -> None:
    # Filters don't score: every match ties.
    assert ranked(engine, 'source:"tuổi trẻ"') == ["td-old", "hoa-giai"]
    assert ranked(engine, "*") == [*NEWEST_FIRST, "undated"]
    assert ranked(engine, "date:2026-01-20") == ["ban-board", "ban-friend", "ban-sell"]


@pytest.mark.parametrize("sort", SORTS)
def test_paging(engine: Engine, sort: Sort) -> None:
    everything = ranked(engine, "*", sort=sort)
    pages = [engine.search(q("*"), limit=5, offset=o, sort=sort) for o in (0, 5, 10, 15)]
    assert [p.total for p in pages] == [16] * 4
    assert [len(p.hits) for p in pages] == [5, 5, 5, 1]
    assert [h.id for p in pages for h in p.hits] == everything
    past_the_end = engine.search(q("*"), limit=5, offset=40, sort=sort)
    assert (past_the_end.total, past_the_end.hits) == (16, [])


def test_paging_a_scored_query(engine: Engine) -> None:
    full = ranked(engine, "chợ OR tết OR hoà")
    assert len(full) == 8
    paged = [
        h.id
        for o in range(0, 8, 3)
        for h in engine.search(q("chợ OR tết OR hoà"), limit=3, offset=o).hits
    ]
    assert paged == full
    assert engine.search(q("chợ OR tết OR hoà"), limit=0).total == 8


# --- hits ---------------------------------------------------------------------------------------


def test_hit_carries_the_stored_fields(engine: Engine) -> None:
    (hit,) = engine.search(q('"nhà máy thủy điện sơn la"')).hits
    doc = BY_ID["td-old"]
    assert (hit.id, hit.url, hit.title, hit.source) == (doc.id, doc.url, doc.title, doc.source)
    assert hit.published == doc.published
    assert hit.published is not None and hit.published.tzinfo is not None
    assert (hit.language, hit.author) == ("vi", "Lê Minh")
    assert hit.score > 0


def test_undated_hit(engine: Engine) -> None:
    (hit,) = engine.search(q("tây nguyên")).hits
    assert (hit.id, hit.published, hit.language, hit.author) == ("undated", None, None, None)


def test_snippets(engine: Engine) -> None:
    query = q("hoà bình lâu dài")
    (hit,) = engine.search(query).hits
    assert hit.id == "hb-old"
    assert hit.snippet == make_snippet(BY_ID["hb-old"].text, query)
    assert "[hòa" in hit.snippet.marked() and "[lâu" in hit.snippet.marked()
    (bare,) = engine.search(q("hoà bình lâu dài"), snippets=False).hits
    assert bare.snippet.text == ""


# --- counts -------------------------------------------------------------------------------------


def test_counts_by_source_and_day(engine: Engine) -> None:
    c = engine.counts(q("*"))
    assert c.total == 16
    assert c.undated == 1
    assert c.by_source == {
        "Nhân Dân": 1,
        "VnExpress": 2,
        "Tuổi Trẻ": 2,
        "Thanh Niên": 2,
        "Dân Trí": 3,
        "Lao Động": 2,
        "Zing News": 1,
        "VnExpress International": 1,
        "Tiền Phong": 2,
    }
    assert c.by_day == {
        date(2026, 1, 15): 1,
        date(2026, 1, 16): 1,
        date(2026, 1, 17): 1,
        date(2026, 1, 18): 1,
        date(2026, 1, 19): 1,
        date(2026, 1, 20): 3,
        date(2026, 1, 21): 2,
        date(2026, 1, 22): 2,
        date(2026, 1, 23): 1,
        date(2026, 1, 24): 2,
    }
    assert sum(c.by_source_day.values()) == 15
    assert c.by_source_day[("Dân Trí", date(2026, 1, 20))] == 2
    assert c.by_source_day[("Dân Trí", date(2026, 1, 21))] == 1
    assert ("Lao Động", date(2026, 1, 20)) in c.by_source_day


def test_counts_shift_days_by_utc_offset(engine: Engine) -> None:
    utc = engine.counts(q("thuỷ điện"))
    assert (utc.total, utc.undated) == (3, 1)
    assert utc.by_day == {date(2026, 1, 18): 1, date(2026, 1, 19): 1}
    assert utc.by_source == {"Tuổi Trẻ": 1, "Thanh Niên": 1, "Lao Động": 1}
    # At UTC+7, td-new (18:30 UTC) is published the next day.
    vn = engine.counts(q("thuỷ điện"), utc_offset=timedelta(hours=7))
    assert vn.by_day == {date(2026, 1, 18): 1, date(2026, 1, 20): 1}
    assert vn.by_source_day == {
        ("Tuổi Trẻ", date(2026, 1, 18)): 1,
        ("Thanh Niên", date(2026, 1, 20)): 1,
    }
    assert (vn.total, vn.undated) == (3, 1)
    # And west of UTC, td-old (07:00 UTC) falls the day before.
    west = engine.counts(q("thuỷ điện"), utc_offset=timedelta(hours=-8))
    assert west.by_day == {date(2026, 1, 17): 1, date(2026, 1, 19): 1}


def test_counts_of_no_match(engine: Engine) -> None:
    c = engine.counts(q("khôngcótừnày"))
    assert (c.total, c.undated, c.by_source, c.by_day, c.by_source_day) == (0, 0, {}, {}, {})


# --- writing ------------------------------------------------------------------------------------


def test_doc_count_and_size(fresh: Engine) -> None:
    assert fresh.doc_count() == 16
    assert fresh.size_bytes() > 0


def test_add_replaces_by_id(fresh: Engine) -> None:
    new = Document(
        "storm",
        "https://vnexpress.net/thoi-su/bao-tan-111.html",
        "Bão tan",
        "Trời nắng.",
        "VnExpress",
        at(25),
    )
    fresh.add([new])
    # Not visible before commit.
    assert ids(fresh, "lũ quét") == {"storm"}
    fresh.commit()
    assert ids(fresh, "lũ quét") == set()
    assert ids(fresh, "trời nắng") == {"storm"}
    assert fresh.doc_count() == 16
    (hit,) = fresh.search(q("trời nắng")).hits
    assert (hit.title, hit.published) == ("Bão tan", at(25))


def test_add_twice_in_one_batch_keeps_the_last(fresh: Engine) -> None:
    first = Document("x1", "https://a.vn/1", "Bản đầu", "Nội dung thứ nhất.", "A")
    second = Document("x1", "https://a.vn/1", "Bản sau", "Nội dung thứ hai.", "A")
    assert fresh.add([first, second]) == 2
    fresh.commit()
    assert fresh.doc_count() == 17
    assert ids(fresh, "nội dung") == {"x1"}
    assert [h.title for h in fresh.search(q("nội dung")).hits] == ["Bản sau"]


def test_words_longer_than_the_token_cap(fresh: Engine) -> None:
    # Tokens are cut at 100 characters in the index and in queries alike.
    word = "Đẩy" + "ợ" * 150
    fresh.add([Document("long", "https://a.vn/long", "Từ dài", f"Mở đầu {word} kết thúc.", "A")])
    fresh.commit()
    assert ids(fresh, word) == {"long"}
    assert ids(fresh, "day" + "o" * 150) == {"long"}
    assert ids(fresh, f"={word}") == {"long"}
    assert ids(fresh, f'"mở đầu {word} kết"') == {"long"}
    # Differs within the first 100 characters.
    assert ids(fresh, "Đẩy" + "ợ" * 96 + "x") == set()


def test_delete(fresh: Engine) -> None:
    assert fresh.delete(["storm", "no-such-id"]) == 2
    fresh.commit()
    assert fresh.doc_count() == 15
    assert ids(fresh, "bão") == set()
    assert "storm" not in ids(fresh, "*")


def test_delete_then_add_in_one_batch(fresh: Engine) -> None:
    fresh.delete(["storm"])
    fresh.add([Document("storm", "https://a.vn/s", "Bão mới", "Gió mạnh.", "A")])
    fresh.add([Document("gone", "https://a.vn/g", "Sẽ bị xoá", "Gió nhẹ.", "A")])
    fresh.delete(["gone"])
    fresh.commit()
    assert ids(fresh, "gió") == {"storm"}
    assert fresh.doc_count() == 16


def test_reopen_after_close(fresh: Engine, tmp_path: Path) -> None:
    name = fresh.name
    fresh.add([Document("late", "https://a.vn/late", "Chưa lưu", "Không commit.", "A")])
    fresh.close()
    with pytest.raises(EngineError):
        fresh.search(q("*"))
    again = open_engine(name, tmp_path / "index")
    try:
        assert again.doc_count() == 16
        assert ids(again, '"hoà bình"') == {"hb-old", "hb-new", "td-new"}
        again.add([Document("more", "https://a.vn/m", "Thêm bài", "Bài mới.", "A")])
        again.commit()
        assert again.doc_count() == 17
    finally:
        again.close()


def test_clear(fresh: Engine) -> None:
    fresh.add([Document("pending", "https://a.vn/p", "Chờ", "Chờ commit.", "A")])
    fresh.clear()
    assert fresh.doc_count() == 0
    assert ids(fresh, "*") == set()
    fresh.add(DOCS[:2])
    fresh.commit()
    assert ids(fresh, "*") == {"hb-old", "hb-new"}


# --- opening directories ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_new_directory_is_created(name: str, tmp_path: Path) -> None:
    e = open_engine(name, tmp_path / "a" / "b")
    try:
        assert e.doc_count() == 0
        assert e.search(q("*")).total == 0
        assert json.loads((tmp_path / "a" / "b" / MARKER).read_text())["engine"] == name
    finally:
        e.close()


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_a_new_directory_opened_by_many_at_once_becomes_one_index(
    name: str, tmp_path: Path
) -> None:
    start = threading.Barrier(6)
    opened: list[Engine] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            opened.append(open_engine(name, tmp_path / "index"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert errors == []
        assert [e.doc_count() for e in opened] == [0] * 6
    finally:
        for e in opened:
            e.close()
    # Nothing is left beside it of the copies that lost the race.
    assert [p.name for p in tmp_path.iterdir()] == ["index"]


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_another_engines_index_is_refused(name: str, tmp_path: Path) -> None:
    other = next(n for n in ENGINE_NAMES if n != name)
    open_engine(other, tmp_path).close()
    with pytest.raises(IndexNeedsRebuild, match=f"holds a {other} index"):
        open_engine(name, tmp_path)


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_older_schema_asks_for_reindex(name: str, tmp_path: Path) -> None:
    open_engine(name, tmp_path).close()
    (tmp_path / MARKER).write_text(json.dumps({"engine": name, "schema": 0}))
    with pytest.raises(IndexNeedsRebuild, match=r"index schema v0 is older .* needs a rebuild"):
        open_engine(name, tmp_path)


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_foreign_directory_is_refused(name: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an index")
    with pytest.raises(EngineError, match="holds no press-monitor index"):
        open_engine(name, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_corrupt_index_is_reported(name: str, tmp_path: Path) -> None:
    e = open_engine(name, tmp_path)
    e.add(DOCS[:3])
    e.commit()
    e.close()
    for path in tmp_path.iterdir():
        if path.name != MARKER and path.is_file():
            path.write_bytes(b"\x00garbage")
    with pytest.raises(IndexNeedsRebuild, match=r"corrupt|stored fields"):
        broken = open_engine(name, tmp_path)
        # Some damage only shows when the index is read.
        try:
            broken.search(q("hoà bình"))
        finally:
            broken.close()


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_unreadable_marker(name: str, tmp_path: Path) -> None:
    (tmp_path / MARKER).write_text("{not json")
    with pytest.raises(EngineError, match="corrupt"):
        open_engine(name, tmp_path)


def test_tantivy_counts_source_by_source_past_the_bucket_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from index.engines import tantivy_counts

    e = build("tantivy", tmp_path / "index")
    try:
        expected = e.counts(q("*"), utc_offset=timedelta(hours=7))
        assert expected.total == 16
        # 9 sources × 11 days no longer fit: days are counted source by source.
        monkeypatch.setattr(tantivy_counts, "_BUCKET_LIMIT", 20)
        assert e.counts(q("*"), utc_offset=timedelta(hours=7)) == expected
    finally:
        e.close()
