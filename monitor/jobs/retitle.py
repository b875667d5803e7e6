"""Headline changes seen in feeds: the same entry with a new title, recorded without a request.

A feed that lists an entry again (same GUID) under another title says the outlet changed the
headline. The entry takes the new title, and its article gets a `retitled` event with both
titles. Titles that differ only in case, punctuation or spacing are the same title
(`monitor.extract.revision.normal_form`), and an article listed by several feeds under one new
title gets one event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from monitor.archive import Archive
from monitor.extract.revision import normal_form
from monitor.models import EntryData, FeedRow


def record_retitles(
    archive: Archive, feed: FeedRow, entries: Sequence[EntryData], at: datetime
) -> int:
    """Record the entries of `feed` that now have another title; returns how many events."""
    stored = archive.revisions.entry_titles(feed.id, [entry.guid for entry in entries])
    events = 0
    for entry in entries:
        before, article_id = stored.get(entry.guid, (None, None))
        if not before or not entry.title or before == entry.title:
            continue
        if normal_form(before, "") == normal_form(entry.title, ""):
            continue
        events += archive.revisions.retitled(
            feed.id, entry.guid, article_id=article_id, before=before, after=entry.title, at=at
        )
    return events
