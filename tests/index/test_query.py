"""The query language: parsing, errors, simplification, rendering back to text."""

from __future__ import annotations

import random
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest

from index.errors import QuerySyntaxError
from index.query import (
    And,
    DateRange,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    parse,
    positive_terms,
    to_text,
)

NOW = datetime(2026, 3, 31, 12, 30, tzinfo=UTC)


def p(query: str, *, exact: bool = False) -> Node:
    return parse(query, now=NOW, exact=exact)


def day(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=UTC)


def T(text: str, field: str | None = None, exact: bool = False) -> Term:
    return Term(text, field, exact)


def P(*words: str, field: str | None = None, exact: bool = False) -> Phrase:
    return Phrase(words, field, exact)


def positive_only(node: Node) -> And:
    return And((MatchAll(), Not(node)))


# --- words, AND, OR, NOT -------------------------------------------------------------------------


def test_single_word_is_a_term() -> None:
    assert p("bóng") == T("bóng")


def test_words_are_anded() -> None:
    assert p("bóng đá Việt Nam") == And((T("bóng"), T("đá"), T("Việt"), T("Nam")))


def test_explicit_and_is_the_same_as_juxtaposition() -> None:
    assert p("bóng AND đá") == p("bóng đá")
    assert p("a AND b AND c") == And((T("a"), T("b"), T("c")))


def test_or() -> None:
    assert p("Hà OR Huế") == Or((T("Hà"), T("Huế")))
    assert p("a OR b OR c") == Or((T("a"), T("b"), T("c")))


def test_and_binds_tighter_than_or() -> None:
    assert p("a OR b c") == Or((T("a"), And((T("b"), T("c")))))
    assert p("a b OR c") == Or((And((T("a"), T("b"))), T("c")))
    assert p("a b OR c d") == Or((And((T("a"), T("b"))), And((T("c"), T("d")))))


def test_parentheses_group() -> None:
    assert p("(a OR b) c") == And((Or((T("a"), T("b"))), T("c")))
    assert p("(Hà Nội OR Huế) (lũ OR bão)") == And(
        (Or((And((T("Hà"), T("Nội"))), T("Huế"))), Or((T("lũ"), T("bão"))))
    )


def test_lowercase_operators_are_words() -> None:
    assert p("a or b") == And((T("a"), T("or"), T("b")))
    assert p("and not") == And((T("and"), T("not")))


def test_negation_forms() -> None:
    assert p("bóng -đá") == And((T("bóng"), Not(T("đá"))))
    assert p("bóng NOT đá") == And((T("bóng"), Not(T("đá"))))
    assert p('bóng -"đá banh"') == And((T("bóng"), Not(P("đá", "banh"))))
    assert p("bóng -(đá OR chuyền)") == And((T("bóng"), Not(Or((T("đá"), T("chuyền"))))))
    assert p("bóng -title:đá") == And((T("bóng"), Not(T("đá", "title"))))


def test_only_negative_parts_match_everything_else() -> None:
    assert p("-bóng") == positive_only(T("bóng"))
    assert p("NOT bóng") == positive_only(T("bóng"))
    assert p("-bóng -đá") == And((MatchAll(), Not(T("bóng")), Not(T("đá"))))
    assert p("* -bóng") == p("-bóng")


def test_negative_branch_of_an_or_is_grounded() -> None:
    assert p("a OR -b") == Or((T("a"), positive_only(T("b"))))
    assert p("a OR (-b -c)") == Or((T("a"), And((MatchAll(), Not(T("b")), Not(T("c"))))))


def test_double_negation_cancels() -> None:
    assert p("NOT NOT a") == T("a")
    assert p("-(-a)") == T("a")
    assert p("x -(-a)") == And((T("x"), T("a")))


def test_operator_words_after_minus_or_in_quotes_are_words() -> None:
    assert p("-OR") == positive_only(T("OR"))
    assert p('"OR" AND b') == And((T("OR"), T("b")))
    assert p("title:NOT") == T("NOT", "title")


def test_match_all() -> None:
    assert p("*") == MatchAll()
    # `*` next to another condition adds nothing.
    assert p("* bóng") == T("bóng")


# --- simplification -------------------------------------------------------------------------------


def test_single_child_groups_collapse_and_nested_and_flattens() -> None:
    assert p("(a)") == T("a")
    assert p("((a))") == T("a")
    assert p("a (b c) d") == And((T("a"), T("b"), T("c"), T("d")))
    assert p("a OR (b OR c)") == Or((T("a"), T("b"), T("c")))


# --- phrases and word splitting ------------------------------------------------------------------


def test_quoted_phrase() -> None:
    assert p('"hòa bình"') == P("hòa", "bình")


def test_quoted_single_word_is_a_term() -> None:
    assert p('"Hà"') == T("Hà")


def test_typographic_quotes() -> None:
    assert p("“hòa bình”") == P("hòa", "bình")
    assert p("title:“Hà Nội”") == P("Hà", "Nội", field="title")


def test_phrase_words_are_split_like_indexed_text() -> None:
    assert p('"COVID-19, Hà Nội"') == P("COVID", "19", "Hà", "Nội")


def test_hyphenated_word_becomes_a_phrase() -> None:
    assert p("covid-19") == P("covid", "19")
    assert p("Hà-Nội") == P("Hà", "Nội")
    assert p("source:vnexpress.net") == P("vnexpress", "net", field="source")


def test_words_without_letters_are_dropped() -> None:
    assert p("bóng … đá") == And((T("bóng"), T("đá")))
    assert p("bóng - đá") == And((T("bóng"), T("đá")))
    assert p('bóng ""') == T("bóng")


def test_words_keep_case_and_tone_placement_but_are_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Hòa Bình")
    assert p(decomposed) == And((T("Hòa"), T("Bình")))
    assert p("hoà") == T("hoà")


def test_address_is_words_not_a_field() -> None:
    assert p("https://tuoitre.vn/a") == P("https", "tuoitre", "vn", "a")


def test_word_ending_with_a_colon_is_a_word() -> None:
    assert p("Lưu ý: mưa") == And((T("Lưu"), T("ý"), T("mưa")))
    assert p("tướng:x") == P("tướng", "x")


# --- fields and exact matching -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "source", "url", "lang", "author"])
def test_fields_apply_to_a_word(field: str) -> None:
    assert p(f"{field}:abc") == T("abc", field)


def test_fields_apply_to_a_phrase() -> None:
    assert p('source:"Tuổi Trẻ"') == P("Tuổi", "Trẻ", field="source")
    assert p('title:"hòa bình"') == P("hòa", "bình", field="title")


def test_field_names_ignore_case() -> None:
    assert p("Title:bão") == T("bão", "title")


def test_field_applies_to_one_word_only() -> None:
    assert p("title:bão lũ") == And((T("bão", "title"), T("lũ")))


def test_exact_word_and_phrase() -> None:
    assert p("=bán") == T("bán", exact=True)
    assert p('="hòa bình"') == P("hòa", "bình", exact=True)
    assert p("=“Hà”") == T("Hà", exact=True)
    assert p("title:=bán") == T("bán", "title", exact=True)
    assert p('title:="hòa bình"') == P("hòa", "bình", field="title", exact=True)
    assert p("bán =bạn") == And((T("bán"), T("bạn", exact=True)))


def test_exact_flag_makes_every_word_exact() -> None:
    assert p('bán "hòa bình" title:x -y', exact=True) == And(
        (
            T("bán", exact=True),
            P("hòa", "bình", exact=True),
            T("x", "title", exact=True),
            Not(T("y", exact=True)),
        )
    )


def test_lone_equals_sign_is_dropped() -> None:
    assert p("= bán") == T("bán")


# --- dates ---------------------------------------------------------------------------------------


def test_date_range_of_days_includes_the_end_day() -> None:
    assert p("date:2026-01-19/2026-01-25") == DateRange(day(2026, 1, 19), day(2026, 1, 26))


def test_single_day_month_and_year() -> None:
    assert p("date:2026-01-19") == DateRange(day(2026, 1, 19), day(2026, 1, 20))
    assert p("date:2026-01") == DateRange(day(2026, 1, 1), day(2026, 2, 1))
    assert p("date:2026-12") == DateRange(day(2026, 12, 1), day(2027, 1, 1))
    assert p("date:2026") == DateRange(day(2026, 1, 1), day(2027, 1, 1))
    assert p("date:2024-02-29") == DateRange(day(2024, 2, 29), day(2024, 3, 1))


def test_open_ranges() -> None:
    assert p("date:2026-01/") == DateRange(day(2026, 1, 1), None)
    assert p("date:/2026-02") == DateRange(None, day(2026, 3, 1))
    assert p("date:/2026-02-01") == DateRange(None, day(2026, 2, 2))
    assert p("date:2026/2026") == DateRange(day(2026, 1, 1), day(2027, 1, 1))


def test_instants() -> None:
    assert p("date:2026-01-19T08:30Z/") == DateRange(day(2026, 1, 19, 8, 30), None)
    assert p("date:2026-01-19T08:30+07:00/2026-01-20T00:00Z") == DateRange(
        day(2026, 1, 19, 1, 30), day(2026, 1, 20)
    )


@pytest.mark.parametrize(
    ("value", "start"),
    [
        ("P7D/", NOW - timedelta(days=7)),
        ("P7D", NOW - timedelta(days=7)),
        ("p7d/", NOW - timedelta(days=7)),
        ("P1W/", NOW - timedelta(weeks=1)),
        ("PT12H/", NOW - timedelta(hours=12)),
        ("PT90M/", NOW - timedelta(minutes=90)),
        ("P1DT6H/", NOW - timedelta(days=1, hours=6)),
        # Calendar months, clamped to the end of a shorter month.
        ("P1M/", datetime(2026, 2, 28, 12, 30, tzinfo=UTC)),
        ("P2M/", datetime(2026, 1, 31, 12, 30, tzinfo=UTC)),
        ("P13M/", datetime(2025, 2, 28, 12, 30, tzinfo=UTC)),
        ("P1Y/", datetime(2025, 3, 31, 12, 30, tzinfo=UTC)),
    ],
)
def test_relative_durations_count_back_from_now(value: str, start: datetime) -> None:
    assert p(f"date:{value}") == DateRange(start, None)


def test_relative_date_defaults_to_the_current_time() -> None:
    before = datetime.now(UTC)
    node = parse("date:P1D/")
    after = datetime.now(UTC)
    assert isinstance(node, DateRange)
    assert node.start is not None and node.end is None
    assert before - timedelta(days=1) <= node.start <= after - timedelta(days=1)


def test_now_in_another_zone_or_naive_is_utc() -> None:
    hanoi = timezone(timedelta(hours=7))
    assert parse("date:PT1H", now=datetime(2026, 1, 1, 7, 0, tzinfo=hanoi)) == DateRange(
        datetime(2025, 12, 31, 23, 0, tzinfo=UTC), None
    )
    assert parse("date:PT1H", now=datetime(2026, 1, 1, 7, 0)) == DateRange(
        datetime(2026, 1, 1, 6, 0, tzinfo=UTC), None
    )


def test_dates_are_timezone_aware_utc() -> None:
    node = p("date:2026-01-19/2026-01-25")
    assert isinstance(node, DateRange)
    assert node.start is not None and node.start.utcoffset() == timedelta(0)
    assert node.end is not None and node.end.utcoffset() == timedelta(0)


def test_dates_are_days_of_the_zone_asked_for() -> None:
    from zoneinfo import ZoneInfo

    vietnam = ZoneInfo("Asia/Ho_Chi_Minh")
    node = parse("date:2026-01-19", now=NOW, zone=vietnam)
    assert node == DateRange(day(2026, 1, 18, 17), day(2026, 1, 19, 17))
    month = parse("date:2026-01/2026-02", now=NOW, zone=vietnam)
    assert month == DateRange(day(2025, 12, 31, 17), day(2026, 2, 28, 17))
    # An instant without an offset is the zone's; one with an offset is what it says.
    assert parse("date:2026-01-19T08:30/", now=NOW, zone=vietnam) == DateRange(
        day(2026, 1, 19, 1, 30), None
    )
    assert parse("date:2026-01-19T08:30Z/", now=NOW, zone=vietnam) == DateRange(
        day(2026, 1, 19, 8, 30), None
    )
    # A zone that changes its offset (daylight saving): each day from its own midnight.
    paris = ZoneInfo("Europe/Paris")
    assert parse("date:2026-03-29", now=NOW, zone=paris) == DateRange(
        day(2026, 3, 28, 23), day(2026, 3, 29, 22)
    )


def test_dates_combine_with_words() -> None:
    assert p("bão date:2026-01 -date:2026-01-19") == And(
        (
            T("bão"),
            DateRange(day(2026, 1, 1), day(2026, 2, 1)),
            Not(DateRange(day(2026, 1, 19), day(2026, 1, 20))),
        )
    )
    assert p("-date:2026") == positive_only(DateRange(day(2026, 1, 1), day(2027, 1, 1)))


# --- errors --------------------------------------------------------------------------------------


def error(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query, now=NOW)
    assert info.value.query == query
    return info.value


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ("(bóng đá", 0, "never closed"),
        ("a (b (c) d", 2, "never closed"),
        ("bóng) đá", 4, "closes nothing"),
        ("(a))", 3, "closes nothing"),
        ("()", 0, "empty parentheses"),
        ('bóng "đá banh', 5, "unterminated quote"),
        ("bóng “đá banh", 5, "unterminated quote"),
        ("title:“x", 6, "unterminated quote"),
        ("bóng OR", 5, "OR needs a term after it"),
        ("OR bóng", 0, "OR needs a term before it"),
        ("(OR a)", 1, "OR needs a term before it"),
        ("a OR OR b", 2, "OR needs a term after it"),
        ("a OR )", 2, "OR needs a term after it"),
        ("bóng NOT", 5, "NOT needs a term after it"),
        ("(a NOT) b", 3, "NOT needs a term after it"),
        ("a AND", 2, "AND needs a term after it"),
        ("AND a", 0, "AND needs a term before it"),
        ("a AND OR b", 2, "AND needs a term after it"),
        ("x foo:bar", 2, "unknown field 'foo'"),
        ("title:", 0, "after 'title:'"),
        ("a title: b", 2, "after 'title:'"),
        ("title:=", 0, "after 'title:'"),
        ("title:(a b)", 6, "not to parentheses"),
        ("!!!", 0, "no words"),
        ("  … -", 2, "no words"),
    ],
)
def test_errors_point_at_the_fault(query: str, position: int, message: str) -> None:
    e = error(query)
    assert e.position == position
    assert message in e.message


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    assert p("(" * 50 + "a" + ")" * 50) == T("a")
    assert error("(" * 5000 + "a" + ")" * 5000).position == 100
    assert error("-" * 5000 + "a").position == 100
    assert error("NOT " * 200 + "a").position == 400


def test_unknown_field_lists_the_fields() -> None:
    e = error("foo:bar")
    assert e.message.startswith(
        "unknown field 'foo'; fields are title, source, url, lang, author, flag, tag, status, date"
    )


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("date:", 0, "expected a date"),
        ("a date:2026-13", 7, "no such date"),
        ("date:2026-02-30", 5, "no such date"),
        ("date:0000", 5, "no such date"),
        ("date:9999", 5, "no such date"),
        ("date:hôm-nay", 5, "invalid date"),
        ("date:19-01-2026", 5, "invalid date"),
        ("date:2026-01-01/xx", 16, "invalid date"),
        ("date:2026-01-19T25:00/", 5, "invalid date"),
        ("date:/", 5, "needs a start or an end"),
        ("date:2026/2027/2028", 14, "one '/'"),
        ("date:2026-02/2026-01", 5, "ends before it starts"),
        ("date:2026/P7D", 10, "only start an open range"),
        ("date:P", 5, "invalid duration"),
        ("date:PT", 5, "invalid duration"),
        ("date:P1DT", 5, "invalid duration"),
        ("date:P7X/", 5, "invalid duration"),
        ("date:P99999999999Y/", 5, "too far back"),
    ],
)
def test_date_errors_point_at_the_date(query: str, position: int, message: str) -> None:
    e = error(query)
    assert e.position == position
    assert message in e.message


def test_error_renders_a_pointer() -> None:
    assert str(error("a (b")).endswith("  a (b\n    ^")


# --- positive_terms ------------------------------------------------------------------------------


def test_positive_terms_skip_excluded_ones() -> None:
    tree = p('bão -lũ (Huế OR -"Đà Nẵng") title:=mưa NOT NOT gió date:2026 *')
    assert positive_terms(tree) == [T("bão"), T("Huế"), T("mưa", "title", exact=True), T("gió")]


def test_positive_terms_count_double_negation() -> None:
    tree = Not(Not(T("a")))
    assert positive_terms(tree) == [T("a")]
    assert positive_terms(Not(And((T("a"), Not(P("b", "c")))))) == [P("b", "c")]


def test_positive_terms_of_match_all_and_dates_is_empty() -> None:
    assert positive_terms(p("*")) == []
    assert positive_terms(p("date:P7D")) == []


# --- to_text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "bóng",
        "bóng đá",
        "a OR b c",
        "(a OR b) (c OR d)",
        "a -(b OR c) -d",
        "-bóng",
        "a OR -b",
        '"hòa bình" -"đá banh"',
        'source:"Tuổi Trẻ" title:=bán lang:vi author:"Nguyễn Văn A" url:tuoitre.vn',
        '="hòa bình"',
        "covid-19 Hà-Nội",
        "-OR",
        '"AND" OR "NOT"',
        "*",
        "date:2026-01-19/2026-01-25",
        "date:2026-01/",
        "date:/2026-02",
        "date:2026-01-19",
        "date:2026",
        "date:2026-12",
        "date:2026-02/2026-03",
        "date:2026-01-19T08:30Z/2026-01-20",
        "bão -date:2026-01-19 date:P7D/",
        "date:PT12H/",
        "-(* -a)",
    ],
)
def test_to_text_round_trips(query: str) -> None:
    tree = p(query)
    text = to_text(tree)
    assert p(text) == tree
    assert to_text(p(text)) == text


def test_to_text_renders_readably() -> None:
    assert to_text(p("a OR b c")) == "a OR b c"
    assert to_text(p("(a OR b) c")) == "(a OR b) c"
    assert to_text(p("-bóng")) == "* -bóng"
    assert to_text(p("title:=“Hà Nội”")) == 'title:="Hà Nội"'
    assert to_text(p("date:2026-01-19/2026-01-25")) == "date:2026-01-19/2026-01-25"
    assert to_text(p("date:2026-01")) == "date:2026-01"
    assert to_text(p("date:/2026-02")) == "date:/2026-02-28"
    assert to_text(p("date:P7D/")) == "date:2026-03-24T12:30:00Z/"
    assert to_text(p("bán", exact=True)) == "=bán"


def test_to_text_quotes_words_that_would_read_differently() -> None:
    assert to_text(T("OR")) == '"OR"'
    assert to_text(T("covid-19")) == '"covid-19"'


def test_random_queries_parse_or_fail_cleanly_and_round_trip() -> None:
    pieces = [
        *("a", "bóng", "Hà-Nội", " ", " ", "OR", "AND", "NOT", "-", "(", ")", '"', "“", "”"),
        *("=", "title:", "source:", "foo:", "date:", "2026", "-01", "/", "P7D", "*", "…"),
        *("or", ":", "http://x"),
    ]
    rng = random.Random(0)
    parsed = 0
    for _ in range(3000):
        query = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        try:
            tree = p(query)
        except QuerySyntaxError as e:
            assert 0 <= e.position <= len(query)
            continue
        parsed += 1
        assert p(to_text(tree)) == tree
    assert parsed > 500
