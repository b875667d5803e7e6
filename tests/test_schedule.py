"""The per-feed schedule: adaptive interval, publisher hints, graded backoff with jitter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.collect.http import RETRY_AFTER_CAP, parse_retry_after
from monitor.collect.schedule import (
    after_failure,
    after_success,
    document_hints,
    header_hints,
    strongest,
)
from monitor.config import ScheduleConfig
from monitor.models import Hint

NOW = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
CONFIG = ScheduleConfig(
    initial_interval=1800, min_interval=600, max_interval=86400, max_backoff=86400, jitter=0.2
)
EXACT = ScheduleConfig(
    initial_interval=1800, min_interval=600, max_interval=86400, max_backoff=86400, jitter=0.0
)


def success(interval: float | None, seen: int, new: int, **kw: object) -> float:
    decision = after_success(
        interval,
        seen=seen,
        new=new,
        changed=bool(new),
        hint=kw.get("hint"),  # type: ignore[arg-type]
        config=EXACT,
        now=NOW,
        rng=random.Random(1),
        first_poll=bool(kw.get("first_poll", False)),
    )
    assert decision.next_poll == NOW + timedelta(seconds=decision.interval)
    return decision.interval


def test_a_feed_that_brings_nothing_new_is_polled_less_often_up_to_the_maximum() -> None:
    interval: float | None = None
    intervals = []
    for _ in range(40):
        interval = success(interval, seen=20, new=0)
        intervals.append(interval)
    assert intervals[0] == 1800 * 1.25
    assert intervals == sorted(intervals)
    assert intervals[-1] == CONFIG.max_interval


def test_a_busy_feed_is_polled_more_often_down_to_the_minimum() -> None:
    interval: float | None = 7200
    for _ in range(20):
        interval = success(interval, seen=20, new=3)
    assert interval == CONFIG.min_interval


def test_when_every_entry_is_new_entries_may_have_been_missed_so_poll_at_the_minimum() -> None:
    assert success(14400, seen=20, new=20) == CONFIG.min_interval


def test_the_first_poll_keeps_the_initial_interval_whatever_the_backlog() -> None:
    assert success(None, seen=50, new=50, first_poll=True) == CONFIG.initial_interval


def test_a_publisher_hint_raises_the_interval_but_never_past_the_maximum() -> None:
    assert success(600, seen=20, new=5, hint=Hint(3600, "ttl")) == 3600
    huge = strongest([Hint(7 * 86400, "sy:updatePeriod"), Hint(60, "ttl")], CONFIG)
    assert huge == Hint(CONFIG.max_interval, "sy:updatePeriod")
    assert success(600, seen=20, new=5, hint=huge) == CONFIG.max_interval


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (b"<rss><channel><ttl>15</ttl><item></item></channel></rss>", [Hint(900, "ttl")]),
        (
            b"<rss xmlns:sy='http://purl.org/rss/1.0/modules/syndication/'><channel>"
            b"<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2"
            b"</sy:updateFrequency></channel></rss>",
            [Hint(1800, "sy:updatePeriod")],
        ),
        (
            b"<rss><channel><sy:updatePeriod> daily </sy:updatePeriod></channel></rss>",
            [Hint(86400, "sy:updatePeriod")],
        ),
        # "always" is outside the spec; Vietnamese sites publish it; read as hourly.
        (
            b"<channel><sy:updatePeriod>always</sy:updatePeriod></channel>",
            [Hint(3600, "sy:updatePeriod")],
        ),
        (b"<channel><ttl>0</ttl><sy:updatePeriod>never</sy:updatePeriod></channel>", []),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title></feed>", []),
    ],
)
def test_document_hints(xml: bytes, expected: list[Hint]) -> None:
    assert document_hints(xml) == expected


def test_header_hints_read_max_age_and_expires_relative_to_the_server_date() -> None:
    hints = header_hints(
        {
            "cache-control": "public, max-age=300",
            "date": "Sun, 22 Nov 2026 13:00:00 GMT",
            "expires": "Sun, 22 Nov 2026 14:00:00 GMT",
        },
        NOW + timedelta(minutes=7),  # a skewed local clock does not matter
    )
    assert hints == [Hint(300, "cache-control"), Hint(3600, "expires")]
    assert header_hints({"cache-control": "no-cache, max-age=600"}, NOW) == []
    assert header_hints({"expires": "0"}, NOW) == []
    assert header_hints({"expires": "Sun, 22 Nov 2026 12:00:00 GMT"}, NOW) == []


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("Sun, 22 Nov 2026 13:30:00 GMT", 1800.0),
        ("Sun, 22 Nov 2026 12:00:00 GMT", 0.0),  # in the past: now
        ("999999999", RETRY_AFTER_CAP),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_in_seconds_or_as_an_http_date(value: str | None, seconds: float) -> None:
    assert parse_retry_after(value, NOW) == seconds


def failures(count: int, *, status: int | None, config: ScheduleConfig = EXACT) -> list[float]:
    """Waits (seconds) after `count` consecutive failures of one feed."""
    score, waits = 0.0, []
    for _ in range(count):
        decision = after_failure(
            1800,
            score,
            status=status,
            permanent=False,
            retry_after=None,
            config=config,
            now=NOW,
            rng=random.Random(7),
        )
        score = decision.failure_score
        waits.append((decision.next_poll - NOW).total_seconds())
    return waits


def test_each_failure_lengthens_the_wait_linearly_up_to_the_cap_and_never_stops() -> None:
    waits = failures(200, status=503)
    assert waits[:3] == [900, 1800, 2700]  # soft failures weigh 0.5
    assert waits == sorted(waits)
    assert waits[-1] == CONFIG.max_backoff  # capped, and still scheduled: never given up


def test_errors_that_look_permanent_back_off_faster() -> None:
    assert failures(3, status=404) == [1800, 3600, 5400]
    assert failures(3, status=404)[-1] > failures(3, status=500)[-1]


def test_retry_after_is_a_floor_that_jitter_never_shortens() -> None:
    for seed in range(50):
        decision = after_failure(
            600,
            0,
            status=429,
            permanent=False,
            retry_after=7200,
            config=CONFIG,
            now=NOW,
            rng=random.Random(seed),
        )
        assert NOW + timedelta(seconds=7200) <= decision.next_poll
        assert decision.next_poll <= NOW + timedelta(seconds=7200 * 1.2)
        assert "Retry-After" in decision.reason


def test_jitter_spreads_feeds_of_one_host_that_failed_together() -> None:
    rng = random.Random(42)
    times = {
        after_failure(
            1800,
            1.0,
            status=503,
            permanent=False,
            retry_after=None,
            config=CONFIG,
            now=NOW,
            rng=rng,
        ).next_poll
        for _ in range(20)
    }
    assert len(times) == 20
    spread = (max(times) - min(times)).total_seconds()
    assert 0 < spread <= 2 * 0.2 * 1800 * 1.5
