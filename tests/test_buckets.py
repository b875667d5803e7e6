"""Buckets, their sums, partial buckets, gaps, scopes and time-zone spans, as plain functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from index.query import And, DateRange, parse
from monitor.report.attention import gaps_by_bucket
from monitor.report.buckets import Bucket, buckets, day_range, ratio, summed, summed_by_group
from monitor.report.scope import common_scope, describe, scope_of
from monitor.report.selection import Selection, Window, window_of
from monitor.report.zoned import offset_spans

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LATER = datetime(2030, 1, 1, tzinfo=UTC)


def starts(spans: list[Bucket]) -> list[str]:
    return [b.start.isoformat() for b in spans]


def test_iso_weeks_start_on_monday_across_the_new_year() -> None:
    spans = buckets(date(2026, 12, 24), date(2027, 1, 6), "week", zone=VN, now=LATER)
    assert starts(spans) == ["2026-12-21", "2026-12-28", "2027-01-04"]
    assert spans[1].last == date(2027, 1, 3)
    assert date(2026, 12, 28).isocalendar()[:2] == (2026, 53)


def test_calendar_months_and_days() -> None:
    months = buckets(date(2026, 11, 15), date(2027, 2, 1), "month", zone=VN, now=LATER)
    assert starts(months) == ["2026-11-01", "2026-12-01", "2027-01-01", "2027-02-01"]
    assert [m.last.day for m in months] == [30, 31, 31, 28]
    days = buckets(date(2026, 2, 27), date(2026, 3, 1), "day", zone=VN, now=LATER)
    assert starts(days) == ["2026-02-27", "2026-02-28", "2026-03-01"]


def test_sums_of_days_into_weeks_lose_nothing_inside_and_count_nothing_outside() -> None:
    spans = buckets(date(2026, 3, 2), date(2026, 3, 15), "week", zone=VN, now=LATER)
    by_day = {date(2026, 3, 1) + timedelta(days=i): i for i in range(20)}
    assert summed(by_day, spans) == [sum(range(1, 8)), sum(range(8, 15))]
    by_group = {("A", day): n for day, n in by_day.items()} | {("B", date(2026, 3, 9)): 4}
    assert summed_by_group(by_group, spans) == {"A": [28, 77], "B": [0, 4]}


def test_partial_buckets_and_the_part_covered() -> None:
    window = Window(
        datetime(2026, 3, 4, tzinfo=VN).astimezone(UTC),
        datetime(2026, 3, 18, tzinfo=VN).astimezone(UTC),
    )
    spans = buckets(date(2026, 3, 4), date(2026, 3, 17), "week", zone=VN, window=window, now=LATER)
    assert [(b.partial, round(b.covered, 4)) for b in spans] == [
        (True, round(5 / 7, 4)),
        (False, 1.0),
        (True, round(2 / 7, 4)),
    ]
    running = buckets(
        date(2026, 3, 2),
        date(2026, 3, 8),
        "week",
        zone=VN,
        now=datetime(2026, 3, 3, 17, tzinfo=UTC),
    )
    assert running[0].partial and running[0].covered == pytest.approx(2 / 7)


def test_day_range_follows_the_window_else_the_data() -> None:
    days = [date(2026, 3, 5), date(2026, 3, 9)]
    assert day_range(Window(), VN, days) == (date(2026, 3, 5), date(2026, 3, 9))
    assert day_range(Window(), VN, []) is None
    node = Selection(since=date(2026, 3, 1), until=date(2026, 3, 31)).node("bão")
    assert day_range(window_of(node), VN, days) == (date(2026, 3, 1), date(2026, 3, 31))
    # Dates in a query are UTC: 2026-03-13T00:00Z is 07:00 on the 13th in Vietnam.
    dated = window_of(And((parse("bão date:2026-03-10/2026-03-12"), DateRange())))
    assert day_range(dated, VN, days) == (date(2026, 3, 10), date(2026, 3, 13))


def test_ratio_of_an_empty_bucket_is_none() -> None:
    assert ratio(0, 0) is None and ratio(0, 5) == 0.0 and ratio(1, 4) == 0.25


def weekly(counts: dict[str, list[int]], partial: int | None = None) -> list[tuple[str, ...]]:
    first = date(2026, 3, 2)
    spans = [
        Bucket(first + timedelta(weeks=i), first + timedelta(weeks=i + 1), partial == i)
        for i in range(len(next(iter(counts.values()))))
    ]
    by_source_day = {
        (source, first + timedelta(weeks=i)): n
        for source, values in counts.items()
        for i, n in enumerate(values)
        if n
    }
    return gaps_by_bucket(by_source_day, spans)


def test_gaps_need_a_usual_volume() -> None:
    gaps = weekly(
        {
            "steady": [10, 12, 0, 11, 9, 0],  # missed two weeks, the last one too
            "sporadic": [1, 0, 0, 2, 0, 1],  # zeros are normal for it
            "new": [0, 0, 0, 8, 9, 7],  # not collected before its first article
            "thin": [2, 3, 0, 2, 2, 3],  # a median of 2: a zero happens by chance
        }
    )
    assert gaps == [(), (), ("steady",), (), (), ("steady",)]


def test_a_stopped_feed_is_a_gap_and_a_partial_bucket_expects_less() -> None:
    assert weekly({"stopped": [20, 18, 0, 0]}) == [(), (), ("stopped",), ("stopped",)]
    # A partial last bucket (covered in full here by the default) still counts.
    assert weekly({"a": [20, 18, 21, 0]}, partial=3)[3] == ("a",)
    first = date(2026, 3, 2)
    spans = [
        Bucket(first, first + timedelta(weeks=1)),
        Bucket(first + timedelta(weeks=1), first + timedelta(weeks=2), True, covered=0.1),
    ]
    # Expected 6 × 0.1 < 3 in the part covered: no gap yet.
    assert gaps_by_bucket({("a", first): 6}, spans) == [(), ()]


def test_scope_is_the_conjuncts_that_select_sources_collections_and_dates() -> None:
    node = parse('bão source:vnexpress -tag:"thể thao" date:2026-03 lang:vi')
    assert describe(scope_of(node)) == 'source:vnexpress -tag:"thể thao" date:2026-03 lang:vi'
    assert scope_of(parse("bão OR source:vnexpress")) == ()  # mixed: topic
    assert scope_of(parse("* -bão")) == ()
    assert describe(scope_of(parse("(source:a OR source:b) bão"))) == "(source:a OR source:b)"
    a, b = scope_of(parse("bão source:a lang:vi")), scope_of(parse("lũ lang:vi source:a"))
    assert describe(common_scope([a, b])) == "source:a lang:vi"
    assert common_scope([a, scope_of(parse("lũ"))]) == ()


def test_offset_spans_split_days_where_the_zone_changes_its_offset() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    spans = offset_spans(date(2026, 3, 27), date(2026, 3, 31), berlin)
    hour = timedelta(hours=1)
    assert spans == [
        (date(2026, 3, 27), date(2026, 3, 28), hour),
        (date(2026, 3, 29), date(2026, 3, 29), hour),  # 23 hours long
        (date(2026, 3, 30), date(2026, 3, 31), 2 * hour),
    ]
    assert offset_spans(date(2020, 1, 1), date(2026, 12, 31), VN) == [
        (date(2020, 1, 1), date(2026, 12, 31), 7 * hour)
    ]
