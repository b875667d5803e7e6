"""When to poll a feed next: an adaptive interval, publisher hints, graded failure backoff.

Pure functions of a feed's state and the outcome of one poll; `monitor.jobs.poll` stores the
result.

- Success: the interval shrinks when a poll brings new entries (to the minimum when every entry
  in the document is new: entries may have scrolled out unseen) and grows by a quarter when it
  brings none, within [min_interval, max_interval]. A publisher's hint (RSS `<ttl>`,
  `sy:updatePeriod`/`sy:updateFrequency`, `Cache-Control: max-age`, `Expires`; the largest wins)
  raises the floor, itself clamped to max_interval.
- Failure: each consecutive failure adds to a score (1 for errors that look permanent, 0.5 for
  ones that usually pass: timeouts, 429, 5xx, malformed documents); the wait is the interval
  times the score, capped at max_backoff, and never shorter than a server's Retry-After (capped
  at a day). A feed is never disabled: it is polled again after the capped wait, forever.
- Jitter (±`jitter`, uniformly) spreads every next-poll time, so that feeds of one host that
  failed together do not come back together.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from monitor.collect.http import PERMANENT_STATUSES, http_date
from monitor.config import ScheduleConfig
from monitor.models import Decision, Hint

SOFT_FAILURE = 0.5
HARD_FAILURE = 1.0

_PERIOD_SECONDS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 7 * 86400,
    "monthly": 30 * 86400,
    "yearly": 365 * 86400,
}
# Feed-level elements sit before the first item; looking at the head of the document is enough.
_HEAD_BYTES = 65536
_TTL_RE = re.compile(rb"<(?:[\w-]+:)?ttl\s*>\s*(\d{1,7})\s*<", re.IGNORECASE)
_SY_PERIOD_RE = re.compile(rb"<(?:[\w-]+:)?updatePeriod\s*>\s*(\w+)\s*<", re.IGNORECASE)
_SY_FREQUENCY_RE = re.compile(rb"<(?:[\w-]+:)?updateFrequency\s*>\s*(\d{1,6})\s*<", re.IGNORECASE)
_MAX_AGE_RE = re.compile(r"(?:^|,)\s*(?:s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)


def document_hints(body: bytes) -> list[Hint]:
    """Hints written in the feed document: RSS `<ttl>` (minutes) and the syndication module."""
    head = body[:_HEAD_BYTES]
    hints: list[Hint] = []
    if m := _TTL_RE.search(head):
        minutes = int(m.group(1))
        if minutes > 0:
            hints.append(Hint(minutes * 60.0, "ttl"))
    if m := _SY_PERIOD_RE.search(head):
        period = m.group(1).decode("ascii", "ignore").lower()
        # "always" is not in the spec but seen in the wild; read as hourly, like others do.
        seconds = _PERIOD_SECONDS.get("hourly" if period == "always" else period)
        if seconds is not None:
            frequency = 1
            if f := _SY_FREQUENCY_RE.search(head):
                frequency = max(1, int(f.group(1)))
            hints.append(Hint(seconds / frequency, "sy:updatePeriod"))
    return hints


def header_hints(headers: dict[str, str], now: datetime) -> list[Hint]:
    """Hints in HTTP response headers (lower-case names): Cache-Control max-age and Expires."""
    hints: list[Hint] = []
    cache_control = headers.get("cache-control", "")
    if "no-cache" not in cache_control.lower() and (m := _MAX_AGE_RE.search(cache_control)):
        seconds = float(m.group(1))
        if seconds > 0:
            hints.append(Hint(seconds, "cache-control"))
    if (expires := headers.get("expires")) and (at := http_date(expires)) is not None:
        base = http_date(headers.get("date", "")) or now
        seconds = (at - base).total_seconds()
        if seconds > 0:
            hints.append(Hint(seconds, "expires"))
    return hints


def strongest(hints: list[Hint], config: ScheduleConfig) -> Hint | None:
    """The hint that asks for the longest interval, clamped to the configured maximum."""
    if not hints:
        return None
    best = max(hints, key=lambda hint: hint.seconds)
    return Hint(min(best.seconds, config.max_interval), best.source)


def after_success(
    interval: float | None,
    *,
    seen: int,
    new: int,
    changed: bool,
    hint: Hint | None,
    config: ScheduleConfig,
    now: datetime,
    rng: random.Random,
    first_poll: bool = False,
) -> Decision:
    """Schedule after a poll that worked (200 or 304)."""
    current = interval or config.initial_interval
    if first_poll:
        # The first document is the backlog: it says nothing yet about the feed's pace.
        proposed, reason = current, "first poll"
    elif new and new >= seen:
        proposed, reason = config.min_interval, "every entry was new"
    elif new:
        proposed, reason = current * 0.75, f"{new} new"
    else:
        proposed, reason = current * 1.25, "nothing new" if changed else "unchanged"
    proposed = min(max(proposed, config.min_interval), config.max_interval)
    if hint is not None and hint.seconds > proposed:
        proposed, reason = hint.seconds, f"{reason}; publisher asks {hint.source}"
    return Decision(proposed, _jittered(now, proposed, config, rng), 0.0, reason)


def after_failure(
    interval: float | None,
    failure_score: float,
    *,
    status: int | None,
    permanent: bool,
    retry_after: float | None,
    config: ScheduleConfig,
    now: datetime,
    rng: random.Random,
) -> Decision:
    """Schedule after a failed poll; `failure_score` is the score before this failure."""
    current = interval or config.initial_interval
    # A refusing status makes the feed most likely gone; still retried, just less often.
    hard = permanent or status in PERMANENT_STATUSES
    score = failure_score + (HARD_FAILURE if hard else SOFT_FAILURE)
    wait = min(max(current, config.min_interval) * score, config.max_backoff)
    reason = f"failure score {score:g}"
    next_poll = _jittered(now, wait, config, rng)
    if retry_after is not None and next_poll < now + timedelta(seconds=retry_after):
        # Jitter only ever adds to what the server asked for.
        next_poll = not_before(now, retry_after, config, rng)
        reason = f"{reason}; server asks Retry-After {retry_after:g} s"
    return Decision(current, next_poll, score, reason)


def not_before(
    now: datetime, seconds: float, config: ScheduleConfig, rng: random.Random
) -> datetime:
    """`seconds` from now, spread by jitter that only ever adds: a server's wait is a floor."""
    return now + timedelta(seconds=seconds + rng.uniform(0, seconds * config.jitter))


def _jittered(
    now: datetime, seconds: float, config: ScheduleConfig, rng: random.Random
) -> datetime:
    spread = seconds * config.jitter
    return now + timedelta(seconds=seconds + rng.uniform(-spread, spread))
