"""Feed health: is each feed still delivering, and as much as usual?

Per feed: the last success and the last error, consecutive failures, the next poll, entries and
new articles per day over the last `days` days (counted in the report time zone) and a volume flag
when a feed that usually brings entries went silent (`zero`) or far below its usual level (`low`).
The usual level is the daily mean over the `baseline_days` before the window; the first day of a
feed is left out, since its first document is a backlog.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.archive import Archive
from monitor.models import FeedRow

RECENT_DAYS = 3
# A feed must usually bring at least this many entries a day before its silence means something.
MIN_USUAL_PER_DAY = 1.0
LOW_RATIO = 0.25


@dataclass(frozen=True)
class DayCount:
    day: date
    entries: int
    articles: int


@dataclass(frozen=True)
class FeedHealth:
    feed: FeedRow
    days: list[DayCount]
    usual_per_day: float | None
    recent_per_day: float
    volume_flag: str | None  # zero | low
    flag_reason: str | None

    @property
    def status(self) -> str:
        if self.feed.last_polled_at is None:
            return "never polled"
        return "failing" if self.feed.consecutive_failures else "ok"

    def as_dict(self) -> dict[str, object]:
        feed = self.feed
        return {
            **feed.as_dict(),
            "status": self.status,
            "last_polled_at": feed.last_polled_at,
            "last_status": feed.last_status,
            "last_error": feed.last_error,
            "failure_score": feed.failure_score,
            "schedule_reason": feed.schedule_reason,
            "hint": (
                {"seconds": feed.hint_seconds, "source": feed.hint_source}
                if feed.hint_source
                else None
            ),
            "days": [
                {"day": d.day.isoformat(), "entries": d.entries, "articles": d.articles}
                for d in self.days
            ],
            "entries": sum(d.entries for d in self.days),
            "articles": sum(d.articles for d in self.days),
            "usual_per_day": self.usual_per_day,
            "recent_per_day": self.recent_per_day,
            "volume_flag": self.volume_flag,
            "flag_reason": self.flag_reason,
        }


def feed_health(
    archive: Archive,
    feeds: list[FeedRow],
    *,
    tz: ZoneInfo,
    now: datetime,
    days: int = 14,
    baseline_days: int = 28,
) -> list[FeedHealth]:
    today = now.astimezone(tz).date()
    first_day = today - timedelta(days=days - 1)
    baseline_start = first_day - timedelta(days=baseline_days)
    since = datetime.combine(baseline_start, datetime.min.time(), tz)
    entries: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    articles: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for feed_id, seen, has_article in archive.feeds.entries_seen_since(since):
        day = seen.astimezone(tz).date()
        entries[feed_id][day] += 1
        articles[feed_id][day] += int(has_article)
    added = archive.feeds.added_at()
    result = []
    for feed in feeds:
        window = [
            DayCount(
                first_day + timedelta(days=n),
                entries[feed.id][first_day + timedelta(days=n)],
                articles[feed.id][first_day + timedelta(days=n)],
            )
            for n in range(days)
        ]
        added_at = added.get(feed.id)
        first_counted = (added_at.astimezone(tz).date() if added_at else baseline_start) + (
            timedelta(days=1)
        )
        result.append(_judge(feed, window, entries[feed.id], max(first_counted, baseline_start)))
    return result


def _judge(
    feed: FeedRow,
    window: list[DayCount],
    per_day: dict[date, int],
    baseline_from: date,
) -> FeedHealth:
    """The usual level: mean over the known days before the recent ones; then compare."""
    recent = window[-RECENT_DAYS:]
    recent_per_day = sum(d.entries for d in recent) / len(recent)
    usual_days = [
        baseline_from + timedelta(days=n) for n in range((recent[0].day - baseline_from).days)
    ]
    usual = sum(per_day.get(day, 0) for day in usual_days) / len(usual_days) if usual_days else None
    flag = reason = None
    if usual is not None and usual >= MIN_USUAL_PER_DAY and len(usual_days) >= RECENT_DAYS:
        if recent_per_day == 0:
            flag = "zero"
            reason = f"no new entries in {RECENT_DAYS} days; usually {usual:.1f} a day"
        elif recent_per_day < LOW_RATIO * usual:
            flag = "low"
            reason = (
                f"{recent_per_day:.1f} new entries a day over {RECENT_DAYS} days; "
                f"usually {usual:.1f}"
            )
    return FeedHealth(feed, window, usual, recent_per_day, flag, reason)
