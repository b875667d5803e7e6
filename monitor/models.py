"""The values that cross stages: what one stage hands to the next.

No I/O and nothing but the standard library, so that every stage (collect, extract, archive) and
every workflow above them can import this module while it imports none of them. A type that only
one stage uses stays in that stage's package.

* EntryData: one entry of a feed document, as parsed (collect → archive)
* Hint, Decision: a publisher's polling hint and a scheduling outcome (collect → archive)
* FeedRow: a feed as the archive holds it: subscription, validators, schedule
* PageTask: a page to fetch, with what its feed said about it (archive → jobs → extract)
* Article: what extraction makes of a page (extract → archive)
* NearDup: an article's text fingerprint and how to compare two (extract → archive)
* StoredPage: a page an article came from, to make it again (archive → jobs)
* ArticleRecord: an article as the archive holds it (archive → jobs, report, cli)
* ArticleFacts, ArticleExtras: the narrow reads of stored articles that counts and hits need
* WarcLocation: where a raw response is kept in the WARC files (archive ↔ jobs, report)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

# --- feeds ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryData:
    """One entry of a feed document, as parsed."""

    guid: str
    url: str
    title: str | None
    summary: str | None
    author: str | None
    published: datetime | None


@dataclass(frozen=True)
class Hint:
    """A publisher's suggestion of how often to poll: `seconds`, and where it came from."""

    seconds: float
    source: str  # ttl | sy:updatePeriod | cache-control | expires


@dataclass(frozen=True)
class Decision:
    """The outcome of scheduling: the next interval, the next poll time and why."""

    interval: float
    next_poll: datetime
    failure_score: float
    reason: str


@dataclass(frozen=True)
class FeedRow:
    """A feed as the archive holds it: what it is, its validators and its schedule."""

    id: int
    url: str
    source: str
    name: str | None
    language: str | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    tags: tuple[str, ...] = ()
    title: str | None = None
    origin: str = "config"
    removed_at: str | None = None
    last_polled_at: str | None = None
    last_success_at: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    failure_score: float = 0.0
    next_poll_at: str | None = None
    poll_interval: float | None = None
    hint_seconds: float | None = None
    hint_source: str | None = None
    schedule_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None

    def as_dict(self) -> dict[str, object]:
        """The feed as `monitor feeds list --format json` shows it."""
        return {
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "name": self.name,
            "title": self.title,
            "language": self.language,
            "tags": list(self.tags),
            "origin": self.origin,
            "removed_at": self.removed_at,
            "last_success_at": self.last_success_at,
            "consecutive_failures": self.consecutive_failures,
            "next_poll_at": self.next_poll_at,
            "poll_interval_s": self.poll_interval,
        }


# --- pages and articles ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageTask:
    """A page to fetch, with what the feeds said about it."""

    id: int
    url: str
    source: str
    attempts: int
    feed_title: str | None
    feed_summary: str | None
    feed_author: str | None
    feed_published: datetime | None
    feed_language: str | None


@dataclass(frozen=True)
class FeedHints:
    """What the feed said about an entry, used when the page says less."""

    title: str | None = None
    summary: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Article:
    """An article's fields. `extractor` is `method` with the trafilatura version, for display.

    `canonical_url` is what the page claims until the page is made into an article for the
    archive (`monitor.extract.page.process_page`), which keeps it only when it holds up.
    """

    title: str
    text: str
    author: str | None
    published: datetime | None
    date_source: str  # page | feed | search | none
    language: str | None  # detected from the text, else the declared one
    declared_language: str | None  # <html lang>, then <meta>, then the feed
    extractor: str
    flags: tuple[str, ...] = ()
    # trafilatura | trafilatura-recall | feed-summary | lead-only (a video or photo page)
    method: str = "trafilatura"
    versions: dict[str, str] = field(default_factory=dict)
    canonical_url: str | None = None

    @property
    def words(self) -> int:
        return len(self.text.split())

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "text": self.text,
            "author": self.author,
            "published": self.published,
            "date_source": self.date_source,
            "language": self.language,
            "declared_language": self.declared_language,
            "extractor": self.extractor,
            "flags": list(self.flags),
            "method": self.method,
            "versions": dict(self.versions),
            "canonical_url": self.canonical_url,
        }


@dataclass(frozen=True)
class NearDup:
    """An article's text fingerprint, its lookup keys and how to compare two fingerprints."""

    fingerprint: bytes
    keys: Sequence[int]
    similarity: Callable[[bytes, bytes], float]
    threshold: float


@dataclass(frozen=True)
class StoredPage:
    """A page an article came from: its raw body here (older archives) or in a WARC file."""

    article_id: int
    task: PageTask
    final_url: str
    content_type: str | None
    headers: dict[str, str]
    body: bytes | None
    warc: WarcLocation | None


@dataclass(frozen=True)
class ArticleRecord:
    """An article as the archive holds it. `extractor` is the stored method (`Article.method`)."""

    id: int
    url: str
    source: str
    title: str
    text: str
    author: str | None
    published: datetime | None
    date_source: str
    language: str | None
    declared_language: str | None
    extractor: str
    extracted_at: str
    feeds: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    versions: dict[str, str] = field(default_factory=dict)
    canonical_url: str | None = None
    words: int | None = None
    cluster_id: int | None = None
    gone_at: str | None = None  # when a revisit found it removed; its last good copy is kept


@dataclass(frozen=True)
class ArticleFacts:
    """What coverage counts need of a stored article."""

    id: int
    source: str
    published: datetime | None
    cluster_id: int | None


@dataclass(frozen=True)
class ArticleExtras:
    """What a search hit shows beyond the index's stored fields."""

    date_source: str
    cluster: int | None
    also_published_by: tuple[str, ...]
    flags: tuple[str, ...]
    gone_at: str | None = None


# --- raw responses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WarcLocation:
    """Where a record is: file name (relative to the WARC directory), offset, compressed length.

    Readers check that the record found there has `record_id`; an empty one skips that check.
    """

    file: str
    offset: int
    length: int
    record_id: str
