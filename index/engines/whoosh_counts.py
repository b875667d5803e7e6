"""Matches counted by source or by label, and by day, over whoosh's columns and postings.

whoosh has no aggregations: the matching document numbers are walked once, their source and
publication time read from columns (`source`, `sort_new`). Labels are not a column; a label
field's values are read from the `labels` lexicon by prefix, and each value's posting list is
intersected with the matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from index.engines import terms
from index.engines.ordering import UNDATED_KEY
from index.model import Counts, LabelCounts


class _Days:
    """Publication times (microseconds, or UNDATED_KEY) → local days, each day number once."""

    def __init__(self, reader: Any, utc_offset: timedelta) -> None:
        self.published = reader.column_reader("sort_new")
        self.utc_offset = utc_offset
        self.offset_us = utc_offset // timedelta(microseconds=1)
        self.seen: dict[int, date] = {}

    def __call__(self, docnum: int) -> date | None:
        micros = self.published[docnum]
        if micros == UNDATED_KEY:
            return None
        number = (micros + self.offset_us) // terms.MICROS_PER_DAY
        day = self.seen.get(number)
        if day is None:
            day = self.seen[number] = terms.day_of(micros, self.utc_offset)
        return day


def counts(reader: Any, docnums: Iterable[int], utc_offset: timedelta) -> Counts:
    sources = reader.column_reader("source")
    day_of = _Days(reader, utc_offset)
    by_source: dict[str, int] = {}
    by_day: dict[date, int] = {}
    by_source_day: dict[tuple[str, date], int] = {}
    total = undated = 0
    for docnum in docnums:
        total += 1
        source = sources[docnum]
        by_source[source] = by_source.get(source, 0) + 1
        day = day_of(docnum)
        if day is None:
            undated += 1
            continue
        by_day[day] = by_day.get(day, 0) + 1
        key = (source, day)
        by_source_day[key] = by_source_day.get(key, 0) + 1
    return Counts(total, by_source, by_day, by_source_day, undated)


def label_counts(
    reader: Any, docnums: Iterable[int], field: str, utc_offset: timedelta
) -> LabelCounts:
    matched = set(docnums)
    day_of = _Days(reader, utc_offset)
    days = {docnum: day_of(docnum) for docnum in matched}
    by_day: dict[date, int] = {}
    for day in days.values():
        if day is not None:
            by_day[day] = by_day.get(day, 0) + 1
    prefix = f"{field}:"
    by_value: dict[str, int] = {}
    by_value_day: dict[tuple[str, date], int] = {}
    labelled: set[int] = set()
    for raw in list(reader.expand_prefix("labels", prefix)):
        key = raw.decode("utf-8")
        # Deleted documents are left out by the reader's postings.
        carrying = matched.intersection(reader.postings("labels", key).all_ids())
        if not carrying:
            continue
        value = key.removeprefix(prefix)
        by_value[value] = len(carrying)
        labelled |= carrying
        for docnum in carrying:
            day = days[docnum]
            if day is not None:
                pair = (value, day)
                by_value_day[pair] = by_value_day.get(pair, 0) + 1
    undated = sum(1 for day in days.values() if day is None)
    return LabelCounts(
        len(matched), by_value, by_day, by_value_day, undated, len(matched) - len(labelled)
    )
