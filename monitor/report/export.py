"""Exports for researchers: articles as JSON Lines or CSV, raw responses as one WARC stream.

An article is a mapping with the keys of EXPORT_FIELDS; a missing key exports as null (JSONL) or
an empty cell (CSV). Lists are JSON arrays in JSONL and `; `-joined in CSV. Datetimes are ISO 8601
with their offset; a naive datetime is taken as UTC, which is how the archive stores times.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, BinaryIO

from warcio.warcwriter import WARCWriter

from monitor import __version__
from monitor.archive.warc_reader import gzip_members, read_headers_at
from monitor.archive.warc_writer import SUFFIX, WARC_VERSION, warc_path, warcinfo_record
from monitor.errors import ArchiveError
from monitor.models import WarcLocation
from monitor.safe_text import printable

EXPORT_FIELDS: tuple[str, ...] = (
    "id",
    "url",
    "canonical_url",
    "source",
    "feeds",
    "title",
    "author",
    "published",
    "date_source",
    "language",
    "declared_language",
    "method",
    "flags",
    "cluster",
    "also_published_by",
    "words",
    "text",
)
LIST_SEPARATOR = "; "
BOM = "\ufeff"
_TSV_UNSAFE = re.compile(r"[\t\r\n]+")
_COPY_CHUNK = 1 << 20


def write_jsonl(
    articles: Iterable[Mapping[str, object]], out: IO[str], *, text: bool = True
) -> int:
    """One JSON object per line with every field (`text=False`: all but the text). Returns the
    count."""
    count = 0
    for article in articles:
        row = json_row(article)
        if not text:
            del row["text"]
        out.write(json.dumps(row, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def json_row(article: Mapping[str, object]) -> dict[str, object]:
    """An article as one JSON object of the export's fields (dates as ISO 8601)."""
    return {name: _json_value(article.get(name)) for name in EXPORT_FIELDS}


def write_csv(
    rows: Iterable[Mapping[str, object]],
    out: IO[str],
    *,
    columns: Sequence[str] = EXPORT_FIELDS,
    text: bool = True,
    bom: bool = False,
) -> int:
    """RFC 4180 CSV of `columns` (the export's by default) with a header row; `text=False`
    leaves out the text column. Every CSV the application writes is written here.

    Open `out` with `newline=""` so the CRLF row ends and the newlines inside quoted text are
    written as they are. `bom` starts it with a UTF-8 byte-order mark, without which Excel
    reads the file in the system's code page and mangles Vietnamese. Returns the number of
    rows.
    """
    fields = [name for name in columns if text or name != "text"]
    if bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(row.get(name)) for name in fields])
        count += 1
    return count


def write_tsv(
    rows: Iterable[Mapping[str, object]],
    out: IO[str],
    *,
    columns: Sequence[str],
    bom: bool = False,
) -> int:
    """Tab-separated values with a header row and no quoting (as R's `read.delim(quote = "")`
    and spreadsheet pastes expect): tabs and line breaks inside a value become spaces."""
    if bom:
        out.write(BOM)
    out.write("\t".join(columns) + "\n")
    count = 0
    for row in rows:
        out.write("\t".join(_TSV_UNSAFE.sub(" ", _csv_value(row.get(c))) for c in columns))
        out.write("\n")
        count += 1
    return count


def write_warc(locations: Iterable[WarcLocation], directory: Path, out: BinaryIO) -> int:
    """Copy each response, with the request and metadata records written with it, into `out`.

    Records are copied byte for byte after a fresh warcinfo record; a location given twice is
    copied once. Returns the number of records copied (the warcinfo not counted).
    """
    info = io.BytesIO()
    writer = WARCWriter(info, gzip=True, warc_version=WARC_VERSION)
    name = getattr(out, "name", None)
    filename = Path(name).name if isinstance(name, str) and name.endswith(SUFFIX) else ""
    writer.write_record(warcinfo_record(writer, filename, f"press-monitor/{__version__}", None))
    out.write(info.getvalue())
    copied = 0
    seen: set[WarcLocation] = set()
    handles: dict[str, BinaryIO] = {}
    try:
        for location in locations:
            if location in seen:
                continue
            seen.add(location)
            fh = handles.get(location.file)
            if fh is None:
                fh = handles[location.file] = _open(directory, location.file)
            copied += _copy_group(fh, location, out)
    finally:
        for fh in handles.values():
            fh.close()
    return copied


def _copy_group(fh: BinaryIO, location: WarcLocation, out: BinaryIO) -> int:
    """Copy the response at `location` and the records that follow it and refer to it."""
    where = f"{location.file} at offset {location.offset}"
    headers = read_headers_at(fh, location.offset)
    if headers is None or headers.get("warc-type") != "response":
        raise ArchiveError(f"no WARC response record in {where}")
    record_id = headers.get("warc-record-id", "")
    if location.record_id and record_id != location.record_id:
        raise ArchiveError(f"WARC record in {where} is not {location.record_id}")
    _copy(fh, location.offset, location.length, out, where)
    copied = 1
    offset = location.offset + location.length
    while True:
        follower = read_headers_at(fh, offset)
        if follower is None or record_id not in (
            follower.get("warc-concurrent-to"),
            follower.get("warc-refers-to"),
        ):
            return copied
        member = next(gzip_members(fh, location.file, offset), None)
        if member is None:
            return copied  # cut off by the end of the file: not a record
        _copy(fh, offset, member[1], out, where)
        copied += 1
        offset += member[1]


def _open(directory: Path, file: str) -> BinaryIO:
    path = warc_path(directory, file)
    try:
        return open(path, "rb")
    except OSError as exc:
        raise ArchiveError(f"can't read WARC file {path}: {exc}") from exc


def _copy(fh: BinaryIO, offset: int, length: int, out: BinaryIO, where: str) -> None:
    fh.seek(offset)
    left = length
    while left:
        chunk = fh.read(min(left, _COPY_CHUNK))
        if not chunk:
            raise ArchiveError(f"WARC record in {where} is truncated")
        out.write(chunk)
        left -= len(chunk)


def _iso(value: date) -> str:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value.isoformat()


def _json_value(value: object) -> object:
    if isinstance(value, date):
        return _iso(value)
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return _iso(value)
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(_csv_value(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    # What older versions stored may hold control characters; a CSV may go to a terminal.
    return printable(str(value), keep_cr=True)
