"""Key words in context: one line per occurrence of the query's words or phrases in the
matching articles' titles and texts, with the `window` words before and after (quanteda's
`kwic` columns, plus the date and the source).

Occurrences are found as search highlights are (`index.snippets.match_spans`): folded by
default (`hoa` finds "Hòa", "hoà", "HOÀ"), exact for `=word` and `--exact`; phrases are one
keyword. Excluded words and metadata fields (`source:`, `tag:` …) are never keywords. Lines are
single-line: runs of whitespace become one space and control characters are dropped.

Sorting: `date` reads the newest articles first (their lines in text order) and stops as soon
as `limit` lines are found, so a common word answers fast on any archive; `left` and `right`
sort the lines of at most `max_articles` matching articles (the newest) by the words just left
of the keyword (nearest first), or just right of it, in Vietnamese alphabetical order
(`monitor.report.collation`), as AntConc and CQPweb sort concordances.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from index.analysis import TOKEN_RE, nfc, normalize
from index.engine import Engine
from index.query import Node
from index.snippets import has_text_terms, match_spans
from monitor.archive import Archive
from monitor.models import ArticleRecord
from monitor.report.collation import SortKey, vietnamese_key
from monitor.report.selection import Selection

KwicSort = Literal["date", "left", "right"]
KWIC_SORTS: tuple[KwicSort, ...] = ("date", "left", "right")
CSV_COLUMNS = ("id", "date", "source", "pre", "keyword", "post")
# Articles fetched from the archive at a time while reading newest first.
_PAGE = 50
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class KwicLine:
    id: int
    published: datetime | None
    source: str
    pre: str
    keyword: str
    post: str

    def as_row(self, zone: ZoneInfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.published.astimezone(zone).isoformat() if self.published else None,
            "source": self.source,
            "pre": self.pre,
            "keyword": self.keyword,
            "post": self.post,
        }


@dataclass(frozen=True)
class Concordance:
    query: str
    window: int
    sort: KwicSort
    selection: Selection
    snapshot: dict[str, Any]
    matching: int  # articles the query matches
    read: int  # articles whose lines were read
    lines: list[KwicLine]
    more: bool  # lines were left out by the limit

    def as_json(self) -> dict[str, Any]:
        zone = self.selection.zone
        return {
            "query": self.query,
            "window": self.window,
            "sort": self.sort,
            **self.selection.as_json(),
            "snapshot": self.snapshot,
            "articles": self.matching,
            "articles_read": self.read,
            "more": self.more,
            "lines": [line.as_row(zone) for line in self.lines],
        }


def contexts(text: str, query: Node, window: int) -> Iterator[tuple[str, str, str]]:
    """(pre, keyword, post) of every occurrence of the query's words in `text`."""
    flat = _CONTROL_RE.sub("", " ".join(nfc(text).split()))
    spans = match_spans(flat, query)
    if not spans:
        return
    # Tone unification keeps lengths: token offsets are offsets in `flat`.
    tokens = list(TOKEN_RE.finditer(normalize(flat)))
    starts = [t.start() for t in tokens]
    ends = [t.end() for t in tokens]
    for start, end in spans:
        first = bisect_left(starts, start)  # the keyword's first token
        after = bisect_right(starts, end - 1)  # the token after the keyword
        pre_from = starts[first - window] if first >= window else 0
        post_to = ends[after + window - 1] if after + window <= len(tokens) else len(flat)
        pre = flat[pre_from:start].strip() if window else ""
        post = flat[end:post_to].strip() if window else ""
        yield pre, flat[start:end], post


def article_lines(article: ArticleRecord, query: Node, window: int) -> list[KwicLine]:
    return [
        KwicLine(article.id, article.published, article.source, pre, keyword, post)
        for part in (article.title, article.text)
        for pre, keyword, post in contexts(part, query, window)
    ]


def concordance(
    archive: Archive,
    engine: Engine,
    selection: Selection,
    query: str,
    *,
    window: int = 5,
    limit: int = 100,
    sort: KwicSort = "date",
    max_articles: int = 2000,
) -> Concordance:
    """The concordance of `query` (see the module); `limit` 0 means every line."""
    snapshot = selection.snapshot_of(archive)
    parsed = selection.parse(query)
    if not has_text_terms(parsed):
        raise ValueError(f"{query!r} has no words or phrases to show in context")
    node = selection.restrict(parsed)
    lines: list[KwicLine] = []
    read = matching = 0
    wanted = limit if sort == "date" and limit else None
    budget = max_articles if sort != "date" else None
    while True:
        page = engine.search(node, limit=_PAGE, offset=read, sort="newest", snippets=False)
        matching = page.total
        ids = [int(h.id) for h in page.hits if h.id.isdigit()]
        if budget is not None:
            ids = ids[: max(budget - read, 0)]
        by_id = {a.id: a for a in archive.articles(ids)}
        for doc_id in ids:
            if doc_id in by_id:
                lines += article_lines(by_id[doc_id], parsed, window)
        read += len(ids)
        done = not page.hits or read >= page.total or len(ids) < len(page.hits)
        if done or (wanted is not None and len(lines) >= wanted):
            break
    if sort != "date":
        lines.sort(key=_left_key if sort == "left" else _right_key)
    more = (bool(limit) and len(lines) > limit) or read < matching
    return Concordance(
        query,
        window,
        sort,
        selection,
        snapshot,
        matching,
        read,
        lines[:limit] if limit else lines,
        more,
    )


def _words(text: str) -> list[str]:
    return TOKEN_RE.findall(normalize(text).lower())


def _left_key(line: KwicLine) -> tuple[SortKey, SortKey, int]:
    return (
        vietnamese_key(" ".join(reversed(_words(line.pre)))),
        vietnamese_key(line.keyword),
        -line.id,
    )


def _right_key(line: KwicLine) -> tuple[SortKey, SortKey, int]:
    return vietnamese_key(" ".join(_words(line.post))), vietnamese_key(line.keyword), -line.id
