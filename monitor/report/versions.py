"""An article's versions as plain data: one of them for `monitor show --version`, and the
word-level diff of two for `monitor diff`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Any

from monitor.archive import Archive
from monitor.archive.revisions import ChangeEvent, Version
from monitor.errors import NotFoundError
from monitor.extract.word_diff import WordDiff, word_diff
from monitor.models import ArticleRecord
from monitor.timestamps import to_iso


def change_json(event: ChangeEvent) -> dict[str, Any]:
    """One event as `monitor changes --format json` and `show --format json` give it."""
    return {
        "id": event.article_id,
        "url": event.url,
        "source": event.source,
        "kind": event.kind,
        "at": to_iso(event.at),
        "from_version": event.from_version,
        "to_version": event.to_version,
        "title_before": event.title_before,
        "title_after": event.title_after,
        "words_added": event.words_added,
        "words_removed": event.words_removed,
        "status": event.status,
        "returns_to": event.returns_to,
        "location": event.location,
        "reason": event.reason,
        "event_id": event.id,
        "title": event.title,
    }


@dataclass(frozen=True)
class Revisions:
    """An article as one of its versions shows it, with the versions and events it has."""

    article: ArticleRecord  # title, text and words of `shown`
    shown: Version
    versions: list[Version]
    events: list[ChangeEvent]

    def as_json(self) -> dict[str, Any]:
        """What `show --format json` adds to the article (keys only ever added)."""
        return {
            "version": self.shown.number,
            "version_count": len(self.versions),
            "version_fetched_at": to_iso(self.shown.fetched_at),
            "returns_to": self.shown.returns_to,
            "events": [change_json(e) for e in self.events],
        }


def _version(versions: list[Version], number: int | None, article_id: int) -> Version:
    if number is None:
        return versions[-1]
    for version in versions:
        if version.number == number:
            return version
    raise NotFoundError(
        f"article {article_id} has no version {number}; it has {len(versions)} "
        f"(`monitor show {article_id}` lists them)"
    )


def article_revisions(archive: Archive, article_id: int, number: int | None = None) -> Revisions:
    """The article as version `number` (the latest when None) shows it."""
    article = archive.article(article_id)
    versions = archive.revisions.versions(article_id)
    shown = _version(versions, number, article_id)
    if shown is not versions[-1]:
        article = replace(article, title=shown.title, text=shown.text, words=shown.words)
    return Revisions(article, shown, versions, archive.revisions.events(article_ids=[article_id]))


@dataclass(frozen=True)
class VersionDiff:
    article: ArticleRecord
    before: Version
    after: Version
    title: WordDiff
    text: WordDiff

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.article.id,
            "url": self.article.url,
            "source": self.article.source,
            "from_version": self.before.number,
            "to_version": self.after.number,
            "from_fetched_at": to_iso(self.before.fetched_at),
            "to_fetched_at": to_iso(self.after.fetched_at),
            "title_before": self.before.title,
            "title_after": self.after.title,
            "words_added": self.text.added,
            "words_removed": self.text.removed,
            "title_segments": [{"op": s.op, "text": s.text} for s in self.title.segments],
            "segments": [{"op": s.op, "text": s.text} for s in self.text.segments],
        }

    def unified(self, context: int = 3) -> list[str]:
        """The text as a unified diff by paragraph (lines without their end of line)."""
        label = f"article {self.article.id} version "
        return list(
            difflib.unified_diff(
                [f"# {self.before.title}", *self.before.text.splitlines()],
                [f"# {self.after.title}", *self.after.text.splitlines()],
                fromfile=label + f"{self.before.number} ({to_iso(self.before.fetched_at)})",
                tofile=label + f"{self.after.number} ({to_iso(self.after.fetched_at)})",
                n=context,
                lineterm="",
            )
        )


def version_diff(
    archive: Archive, article_id: int, before: int | None = None, after: int | None = None
) -> VersionDiff:
    """Version `before` (the one before `after` when None) against `after` (the latest)."""
    article = archive.article(article_id)
    versions = archive.revisions.versions(article_id)
    new = _version(versions, after, article_id)
    if before is None:
        earlier = [v for v in versions if v.number < new.number]
        old = earlier[-1] if earlier else new
    else:
        old = _version(versions, before, article_id)
    return VersionDiff(
        article, old, new, word_diff(old.title, new.title), word_diff(old.text, new.text)
    )
