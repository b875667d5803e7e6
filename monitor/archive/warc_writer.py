"""WARC files of raw responses, written as runs fetch them and rotated by size.

Every record is its own gzip member, so a record is addressed by (file, offset, length) and read
with one seek (see `warc_reader`). `write_response` stores a group of records with a single
write: the `response` (status line, headers and body as received), the `request` we sent and,
when given, a `metadata` record linking the response to the article. Files are `.warc.gz`,
WARC/1.1, readable by warcio, pywb and the other standard tools.

httpx hands over a decoded body and lower-cased header names. So that the record says what it
holds, `content-encoding`, `transfer-encoding` and `content-length` are renamed
`x-original-content-encoding`, `x-original-transfer-encoding` and `x-original-content-length`,
and `content-length` is set to the length of the stored body.
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from io import FileIO
from pathlib import Path
from typing import IO, Any, NamedTuple

import httpx
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from monitor import __version__
from monitor.errors import ArchiveError
from monitor.models import WarcLocation

WARC_VERSION = "1.1"
SUFFIX = ".warc.gz"
# Headers that describe the transfer, not the body as stored (httpx has undone them).
TRANSFER_HEADERS = ("content-encoding", "transfer-encoding", "content-length")
_FIELD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


# warcio always deflates at level 9; level 6 is about twice as fast on HTML for a file a few
# percent larger, and the raw responses of every page are written during runs.
GZIP_LEVEL = 6


class _MemberWriter(WARCWriter):  # type: ignore[misc]
    """A WARCWriter that writes each record as its own gzip member, at GZIP_LEVEL."""

    def __init__(self, out: IO[bytes]) -> None:
        self._members = out
        self._raw = io.BytesIO()
        super().__init__(self._raw, gzip=False, warc_version=WARC_VERSION)

    def write_record(self, record: Any, params: Any = None) -> None:
        super().write_record(record, params)
        compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self._members.write(compressor.compress(self._raw.getvalue()) + compressor.flush())
        self._raw.seek(0)
        self._raw.truncate()


class WarcWriter:
    """Appends response groups to `{prefix}-{UTC time}-{pid}-{serial}.warc.gz` files.

    A file is opened at the first write and replaced by a new one once it has reached
    `max_bytes`. Thread-safe: workers of a run share one writer.
    """

    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int = 1_000_000_000,
        prefix: str = "press-monitor",
        software: str = f"press-monitor/{__version__}",
        user_agent: str | None = None,
    ) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be > 0")
        self.directory = directory
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.software = software
        self.user_agent = user_agent
        self._lock = threading.Lock()
        self._fh: FileIO | None = None
        self._name = ""
        self._serial = 0
        self._stamp = ""

    def write_response(
        self,
        *,
        url: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        fetched_at: datetime,
        request_headers: Mapping[str, str] | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> WarcLocation:
        """Store one response (with its request and metadata); return the response's location."""
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware")
        parsed = _target(url)
        target = parsed.uri
        date = fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        buffer = io.BytesIO()
        writer = _MemberWriter(buffer)
        http = StatusAndHeaders(
            f"{status} {_reason(status)}", _stored_headers(headers, len(body)), protocol="HTTP/1.1"
        )
        response = writer.create_warc_record(
            target,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            warc_headers_dict={"WARC-Date": date},
            http_headers=http,
        )
        record_id: str = response.rec_headers.get_header("WARC-Record-ID")
        writer.write_record(response)
        response_length = buffer.tell()
        request = StatusAndHeaders(
            f"{parsed.path} HTTP/1.1",
            self._request_headers(parsed.netloc, request_headers),
            protocol="GET",
        )
        linked = {"WARC-Date": date, "WARC-Concurrent-To": record_id}
        writer.write_record(
            writer.create_warc_record(
                target,
                "request",
                payload=io.BytesIO(b""),
                length=0,
                warc_headers_dict=linked,
                http_headers=request,
            )
        )
        if metadata is not None:
            fields = _warc_fields(metadata)
            writer.write_record(
                writer.create_warc_record(
                    target,
                    "metadata",
                    payload=io.BytesIO(fields),
                    length=len(fields),
                    warc_content_type="application/warc-fields",
                    warc_headers_dict={**linked, "WARC-Refers-To": record_id},
                )
            )
        with self._lock:
            offset = self._append(buffer.getvalue())
            return WarcLocation(self._name, offset, response_length, record_id)

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request_headers(
        self, netloc: str, sent: Mapping[str, str] | None
    ) -> list[tuple[str, str]]:
        if sent is None:
            sent = {"user-agent": self.user_agent} if self.user_agent else {}
        pairs = [(name, _one_line(value)) for name, value in sent.items()]
        if not any(name.lower() == "host" for name, _ in pairs):
            pairs.insert(0, ("host", netloc))
        return pairs

    def _append(self, data: bytes) -> int:
        """Write `data` at the end of the current file and return where it starts."""
        fh = self._fh
        if fh is None or fh.tell() >= self.max_bytes:
            fh = self._open_next()
        offset = fh.tell()
        try:
            _write_all(fh, data)
        except OSError as exc:
            # Cut the partial group off so the file stays readable to its end; if even that
            # fails, leave the file as it is and start a new one at the next write.
            try:
                fh.truncate(offset)
                fh.seek(offset)
            except OSError:
                fh.close()
                self._fh = None
            raise ArchiveError(f"can't write WARC file {self._name}: {exc}") from exc
        return offset

    def _open_next(self) -> FileIO:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"can't create WARC directory {self.directory}: {exc}") from exc
        # Never let a clock step back make a later file sort before an earlier one.
        self._stamp = max(self._stamp, time.strftime("%Y%m%d%H%M%S", time.gmtime()))
        while True:
            self._serial += 1
            name = f"{self.prefix}-{self._stamp}-{os.getpid()}-{self._serial:05d}{SUFFIX}"
            path = self.directory / name
            try:
                # Unbuffered: each group goes to the OS in one call, and nothing is left in a
                # buffer to be written after a failed write has been cut off.
                fh = FileIO(path, "xb")
            except FileExistsError:
                continue  # another writer of this process took the name this second
            except OSError as exc:
                raise ArchiveError(f"can't create WARC file {path}: {exc}") from exc
            break
        info = io.BytesIO()
        writer = WARCWriter(info, gzip=True, warc_version=WARC_VERSION)
        writer.write_record(warcinfo_record(writer, name, self.software, self.user_agent))
        try:
            _write_all(fh, info.getvalue())
        except OSError as exc:
            # A file without its warcinfo must not receive records: remove it.
            fh.close()
            path.unlink(missing_ok=True)
            raise ArchiveError(f"can't write WARC file {path}: {exc}") from exc
        self._fh, self._name = fh, name
        return fh


def _write_all(fh: FileIO, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = fh.write(view)
        if not written:
            raise OSError("no bytes written")
        view = view[written:]


def warcinfo_record(
    writer: WARCWriter, filename: str, software: str, user_agent: str | None
) -> Any:
    """The record that opens a WARC file (or an export stream)."""
    info = {
        "software": software,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/"
        "warc-1.1/",
        "robots": "obey",
        "http-header-user-agent": _one_line(user_agent) if user_agent else None,
    }
    return writer.create_warcinfo_record(filename, info)


def warc_bytes(directory: Path) -> int:
    """Bytes the WARC files of `directory` take."""
    return sum(f.stat().st_size for f in directory.glob(f"*{SUFFIX}") if f.is_file())


def warc_path(directory: Path, file: str) -> Path:
    """The path of a WARC file named in a location; refuses names that leave the directory."""
    if not file or file != Path(file).name or file in {".", ".."}:
        raise ArchiveError(f"not a WARC file name: {file!r}")
    return directory / file


class _Target(NamedTuple):
    uri: str  # percent-encoded ASCII, IDNA host, no fragment
    path: str  # the request line's target
    netloc: str


def _target(url: str) -> _Target:
    """The URI as requested, parsed once (a URL from httpx is already in this form)."""
    try:
        parsed = httpx.URL(url)
        if parsed.fragment:
            parsed = parsed.copy_with(fragment=None)
    except httpx.InvalidURL as exc:
        raise ValueError(f"not a URL: {url!r}") from exc
    return _Target(str(parsed), parsed.raw_path.decode("ascii"), parsed.netloc.decode("ascii"))


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _stored_headers(headers: Mapping[str, str], body_length: int) -> list[tuple[str, str]]:
    # Added names follow the received ones' case: httpx gives them all lower-case.
    lower = all(name.islower() for name in headers)
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        if name.lower() in TRANSFER_HEADERS:
            original = f"x-original-{name.lower()}" if lower else f"X-Original-{name.title()}"
            pairs.append((original, _one_line(value)))
        else:
            pairs.append((name, _one_line(value)))
    pairs.append(("content-length" if lower else "Content-Length", str(body_length)))
    return pairs


def _one_line(value: str) -> str:
    # A CR or LF inside a value would end the header block early and corrupt the record.
    return " ".join(value.splitlines())


def _warc_fields(fields: Mapping[str, str]) -> bytes:
    lines = []
    for name, value in fields.items():
        if not _FIELD_NAME.match(name):
            raise ValueError(f"not a valid metadata field name: {name!r}")
        lines.append(f"{name}: {_one_line(value)}\r\n")
    return "".join(lines).encode("utf-8")
