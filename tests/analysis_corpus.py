"""A small archive of eight weeks of articles from three outlets, for the analyses' tests.

2026-03-02 (Monday, ISO week 10) to 2026-04-26 (Sunday, week 17), days in Asia/Ho_Chi_Minh:

* Báo A (feed tagged "quốc gia"): one article a day at 08:00; on Mondays and Tuesdays about a
  storm ("bão … miền Trung"), else about gold prices. Plus one undated storm article and one
  storm page flagged not_article.
* Báo B (tagged "địa phương"): one a day at 00:30, which is the evening before in UTC; about
  the storm on Mondays; it stops after 2026-04-12, so weeks 16 and 17 are a hole in collection.
* Báo C: every other day at 12:00 in its news feed (tagged "quốc gia"); on days divisible by 4
  its business feed (tagged "kinh tế") lists the article too; flash floods ("lũ quét") on those.

Expected figures are computed from `ITEMS` by the tests, not written down by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.archive_builder import Builder, Item
from tests.cli import Cli

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST = date(2026, 3, 2)
LAST = date(2026, 4, 26)
B_STOPS = date(2026, 4, 12)

A_FEED = "https://baoa.vn/rss"
B_FEED = "https://baob.vn/rss"
C_NEWS = "https://baoc.vn/thoi-su.rss"
C_BUSINESS = "https://baoc.vn/kinh-te.rss"
FEEDS = (
    (A_FEED, "Báo A", ("quốc gia",)),
    (B_FEED, "Báo B", ("địa phương",)),
    (C_NEWS, "Báo C", ("quốc gia",)),
    (C_BUSINESS, "Báo C", ("kinh tế",)),
)

STORM = (
    "Bão số 3 gây mưa lớn ở miền Trung. Nước lũ dâng cao, chính quyền sơ tán người dân vùng "
    "trũng. Bão số 3 đổ bộ vào đất liền trong đêm."
)
GOLD = (
    "Giá vàng trong nước tăng nhẹ. Ngân hàng giữ lãi suất ổn định, giá vàng miếng đi ngang "
    "trong phiên sáng."
)
FLOOD = "Lũ quét ở vùng núi phía Bắc làm hư hỏng nhiều nhà dân. Lũ quét xảy ra trong đêm."


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(UTC)


def _days() -> Iterator[date]:
    day = FIRST
    while day <= LAST:
        yield day
        day += timedelta(days=1)


def _items() -> list[Item]:
    items: list[Item] = []
    for day in _days():
        storm_a = day.weekday() in (0, 1)
        items.append(
            Item("Báo A", f"Tin A {day}", STORM if storm_a else GOLD, at(day, 8), (A_FEED,))
        )
        if day <= B_STOPS:
            items.append(
                Item(
                    "Báo B",
                    f"Tin B {day}",
                    STORM if day.weekday() == 0 else GOLD,
                    at(day, 0, 30),
                    (B_FEED,),
                )
            )
        if day.day % 2 == 0:
            both = day.day % 4 == 0
            items.append(
                Item(
                    "Báo C",
                    f"Tin C {day}",
                    FLOOD if both else GOLD,
                    at(day, 12),
                    (C_NEWS, C_BUSINESS) if both else (C_NEWS,),
                )
            )
    items.append(Item("Báo A", "Tin A không ngày", STORM, None, (A_FEED,)))
    items.append(
        Item("Báo A", "Chuyên mục bão", STORM, at(FIRST, 9), (A_FEED,), flags=("not_article",))
    )
    return items


ITEMS = _items()
ARTICLES = [i for i in ITEMS if "not_article" not in i.flags]
DATED = [i for i in ARTICLES if i.published is not None]


def local_day(item: Item) -> date:
    assert item.published is not None
    return item.published.astimezone(ZONE).date()


@dataclass
class Corpus(Cli):
    config: Path
    builder: Builder


def build(directory: Path, *, engine: str = "tantivy", timezone: str | None = None) -> Corpus:
    """The archive of ITEMS in `directory/data`, indexed; `timezone` sets [report] timezone."""
    lines = ['[storage]\ndir = "data"', f'[index]\nengine = "{engine}"']
    if timezone:
        lines.append(f'[report]\ntimezone = "{timezone}"')
    config = directory / "config.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    builder = Builder(directory / "data" / "archive.sqlite3")
    for url, source, tags in FEEDS:
        builder.feed(url, source, *tags)
    builder.store(ITEMS)
    corpus = Corpus(config, builder)
    result = corpus("reindex")
    assert result.exit_code == 0, result.output
    return corpus
