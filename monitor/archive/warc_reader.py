"""WARC files read back: one response by its location, or every response of a directory.

Each record is its own gzip member (see `warc_writer`): a location (file, offset, length) is read
with one seek, and its block and payload digests are checked. A record cut off at the end of a
file, a write that never completed, is not a record.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from monitor.archive.warc_writer import SUFFIX, warc_path
from monitor.errors import ArchiveError
from monitor.models import WarcLocation

_CHUNK = 1 << 16


@dataclass(frozen=True)
class StoredResponse:
    """A response read back from a WARC file. Header names are lower-case, as httpx gives them."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    record_id: str


def read_response(directory: Path, location: WarcLocation) -> StoredResponse:
    """Read the response record at `location`. Raises ArchiveError if it isn't there intact."""
    path = warc_path(directory, location.file)
    try:
        with open(path, "rb") as fh:
            fh.seek(location.offset)
            data = fh.read(location.length)
    except OSError as exc:
        raise ArchiveError(f"can't read WARC file {path}: {exc}") from exc
    where = f"{location.file} at offset {location.offset}"
    if len(data) < location.length:
        raise ArchiveError(f"WARC record {where} is truncated")
    try:
        member = zlib.decompressobj(31)
        raw = member.decompress(data)
        if not member.eof or member.unused_data:
            raise ArchiveError(f"WARC record {where} is not one whole gzip member")
    except zlib.error as exc:
        raise ArchiveError(f"WARC record {where} is corrupt: {exc}") from exc
    record = _parse(raw, where)
    if record.type != "response":
        raise ArchiveError(f"WARC record {where} is a {record.type} record, not a response")
    if location.record_id and record.record_id != location.record_id:
        raise ArchiveError(
            f"WARC record {where} is {record.record_id}, expected {location.record_id}"
        )
    return record.response(where)


def iter_responses(
    directory: Path,
) -> Iterator[tuple[WarcLocation, StoredResponse, dict[str, str]]]:
    """Every response in the directory's WARC files (in name order), with its metadata fields.

    A record cut off at the end of a file (a write that never completed) is skipped; damage
    anywhere else raises ArchiveError.
    """
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        yield from _responses_in(path)


def _responses_in(path: Path) -> Iterator[tuple[WarcLocation, StoredResponse, dict[str, str]]]:
    pending: tuple[WarcLocation, StoredResponse, dict[str, str]] | None = None
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; a generator can't use `with` safely
    except OSError as exc:
        raise ArchiveError(f"can't read WARC file {path}: {exc}") from exc
    try:
        for offset, length, raw in gzip_members(fh, path.name):
            where = f"{path.name} at offset {offset}"
            record = _parse(raw, where)
            if record.type == "response":
                if pending is not None:
                    yield pending
                location = WarcLocation(path.name, offset, length, record.record_id)
                pending = (location, record.response(where), {})
            elif (
                record.type == "metadata"
                and pending is not None
                and record.refers_to == pending[0].record_id
            ):
                pending[2].update(_parse_fields(record.body))
        if pending is not None:
            yield pending
    finally:
        fh.close()


def gzip_members(fh: IO[bytes], name: str, start: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """(offset, compressed length, decompressed bytes) of each gzip member from `start`.

    Stops quietly at a member cut off by the end of the file; raises ArchiveError on corruption.
    """
    fh.seek(start)
    offset = start
    pending = b""
    while True:
        member = zlib.decompressobj(31)
        out: list[bytes] = []
        length = 0
        while not member.eof:
            if not pending:
                pending = fh.read(_CHUNK)
                if not pending:
                    return  # clean end of file, or a torn last member
            try:
                out.append(member.decompress(pending))
            except zlib.error as exc:
                message = f"WARC file {name} is corrupt at offset {offset}: {exc}"
                raise ArchiveError(message) from exc
            used = len(pending) - len(member.unused_data)
            length += used
            pending = member.unused_data
        yield offset, length, b"".join(out)
        offset += length


def read_headers_at(fh: IO[bytes], offset: int) -> dict[str, str] | None:
    """The WARC header fields of the record at `offset` (decompressing only as much as needed).

    None at the end of the file or when no complete header block is there.
    """
    fh.seek(offset)
    member = zlib.decompressobj(31)
    text = b""
    while b"\r\n\r\n" not in text and not member.eof:
        chunk = fh.read(4096)
        if not chunk:
            return None
        try:
            text += member.decompress(chunk)
        except zlib.error:
            return None
    head = text.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    if not head[0].startswith("WARC/"):
        return None
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}


@dataclass
class _Record:
    type: str
    record_id: str
    target: str
    date: str
    refers_to: str | None
    statusline: str
    http_headers: list[tuple[str, str]]
    body: bytes

    def response(self, where: str) -> StoredResponse:
        try:
            status = int(self.statusline.split(" ", 1)[0])
            fetched_at = datetime.fromisoformat(self.date).astimezone(UTC)
        except ValueError as exc:
            raise ArchiveError(f"WARC record {where} has a bad status or date: {exc}") from exc
        headers: dict[str, str] = {}
        for name, value in self.http_headers:
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return StoredResponse(self.target, status, headers, self.body, fetched_at, self.record_id)


def _parse(raw: bytes, where: str) -> _Record:
    """Parse one decompressed record, checking its block and payload digests."""
    try:
        records = ArchiveIterator(io.BytesIO(raw), check_digests="raise")
        record = next(iter(records))
        body = record.raw_stream.read()
        http = record.http_headers
        rec = record.rec_headers
        return _Record(
            type=record.rec_type,
            record_id=rec.get_header("WARC-Record-ID") or "",
            target=rec.get_header("WARC-Target-URI") or "",
            date=rec.get_header("WARC-Date") or "",
            refers_to=rec.get_header("WARC-Refers-To"),
            statusline=http.statusline if http else "",
            http_headers=list(http.headers) if http else [],
            body=body,
        )
    except (ArchiveLoadFailed, StatusAndHeadersParserException, StopIteration, EOFError) as exc:
        raise ArchiveError(f"WARC record {where} can't be read: {exc}") from exc


def _parse_fields(body: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in body.decode("utf-8", "replace").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields
