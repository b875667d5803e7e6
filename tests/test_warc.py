"""WARC store: records written, read back by offset, rotated, checked with warcio's own tools."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from monitor import __version__
from monitor.archive.warc_reader import StoredResponse, iter_responses, read_response
from monitor.archive.warc_writer import WarcWriter
from monitor.collect.http import Fetcher
from monitor.config import parse_config
from monitor.errors import ArchiveError
from monitor.models import WarcLocation
from tests.localsite import LocalSite

FETCHED = datetime(2026, 11, 22, 13, 15, 42, 123456, tzinfo=UTC)
UA = "press-monitor-test/1 (+https://example.org/bot)"
# The packaged defaults, for settings the test does not care about.
DEFAULTS = parse_config("", None, base=Path("."))
VI_HTML = (
    "<html><body><h1>Mưa lớn ở miền Trung, nhiều hồ thủy điện xả lũ</h1>"
    "<p>Tại thôn Hòa Bình, xã Đại Lộc, nước ngập đến mái nhà.</p></body></html>"
).encode()


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def write(writer: WarcWriter, url: str, body: bytes, **extra: Any) -> WarcLocation:
    return writer.write_response(
        url=url,
        status=extra.pop("status", 200),
        headers=extra.pop("headers", {"content-type": "text/html; charset=utf-8"}),
        body=body,
        fetched_at=extra.pop("fetched_at", FETCHED),
        **extra,
    )


def records(path: Path) -> list[dict[str, Any]]:
    """Every record of a file as warcio's ArchiveIterator sees it, digests checked."""
    out = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, check_digests="raise")
        for record in it:
            body = record.raw_stream.read()
            out.append(
                {
                    "type": record.rec_type,
                    "headers": dict(record.rec_headers.headers),
                    "http": record.http_headers,
                    "body": body,
                    "offset": it.get_record_offset(),
                    "length": it.get_record_length(),
                }
            )
    return out


def warcio_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warcio.cli", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_response_round_trips_with_request_and_metadata(tmp_path: Path) -> None:
    meta = {"kind": "page", "source": "Tuổi Trẻ", "page-id": "42", "feed-url": "http://x/rss"}
    with WarcWriter(tmp_path, user_agent=UA) as writer:
        location = write(writer, "http://example.vn/a.html", VI_HTML, metadata=meta)

    stored = read_response(tmp_path, location)
    assert stored == StoredResponse(
        url="http://example.vn/a.html",
        status=200,
        headers={"content-type": "text/html; charset=utf-8", "content-length": str(len(VI_HTML))},
        body=VI_HTML,
        fetched_at=FETCHED,
        record_id=location.record_id,
    )
    assert list(iter_responses(tmp_path)) == [(location, stored, meta)]

    [path] = tmp_path.iterdir()
    assert path.name == location.file
    info, response, request, metadata = records(path)
    assert [r["type"] for r in (info, response, request, metadata)] == [
        "warcinfo",
        "response",
        "request",
        "metadata",
    ]
    assert (response["offset"], response["length"]) == (location.offset, location.length)
    assert response["headers"]["WARC-Record-ID"] == location.record_id
    assert response["headers"]["WARC-Date"] == "2026-11-22T13:15:42.123456Z"
    assert response["headers"]["WARC-Payload-Digest"] == sha1_b32(VI_HTML)
    block = response["http"].to_bytes() + VI_HTML
    assert response["headers"]["WARC-Block-Digest"] == sha1_b32(block)
    assert response["http"].protocol == "HTTP/1.1"
    assert response["http"].statusline == "200 OK"
    assert request["headers"]["WARC-Concurrent-To"] == location.record_id
    assert request["http"].protocol == "GET"
    assert request["http"].statusline == "/a.html HTTP/1.1"
    assert request["http"].get_header("host") == "example.vn"
    assert request["http"].get_header("user-agent") == UA
    assert metadata["headers"]["WARC-Refers-To"] == location.record_id
    assert metadata["headers"]["WARC-Concurrent-To"] == location.record_id
    assert metadata["headers"]["Content-Type"] == "application/warc-fields"
    assert metadata["body"].decode() == "".join(f"{k}: {v}\r\n" for k, v in meta.items())
    fields = dict(line.split(": ", 1) for line in info["body"].decode().splitlines())
    assert fields == {
        "software": f"press-monitor/{__version__}",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/"
        "warc-1.1/",
        "robots": "obey",
        "http-header-user-agent": UA,
    }
    assert info["headers"]["WARC-Filename"] == path.name


def test_every_record_is_its_own_gzip_member(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        first = write(writer, "http://example.vn/1", b"one", metadata={"kind": "feed"})
        second = write(writer, "http://example.vn/2", b"two")
    data = (tmp_path / first.file).read_bytes()
    # A response read alone from its slice is a complete gzip stream holding one WARC record.
    for location in (first, second):
        member = gzip.decompress(data[location.offset : location.offset + location.length])
        assert member.startswith(b"WARC/1.1\r\n")
        assert member.count(b"WARC/1.1\r\n") == 1
        assert location.record_id.encode() in member
    offsets = [r["offset"] for r in records(tmp_path / first.file)]
    assert len(offsets) == 6  # warcinfo, 2 × (response, request) and one metadata
    assert sorted(offsets) == offsets and offsets[0] == 0


def test_transfer_headers_are_renamed_for_the_decoded_body(tmp_path: Path) -> None:
    headers = {
        "content-type": "text/html",
        "content-encoding": "gzip",
        "transfer-encoding": "chunked",
        "content-length": "17",
        "x-cache": "HIT",
    }
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://example.vn/a", VI_HTML, headers=headers)
    assert read_response(tmp_path, location).headers == {
        "content-type": "text/html",
        "x-original-content-encoding": "gzip",
        "x-original-transfer-encoding": "chunked",
        "x-original-content-length": "17",
        "x-cache": "HIT",
        "content-length": str(len(VI_HTML)),
    }
    # warcio's decoding reader trusts these headers: the body must come out as stored.
    with open(tmp_path / location.file, "rb") as fh:
        fh.seek(location.offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.content_stream().read() == VI_HTML


def test_a_gzip_page_fetched_over_http_is_stored_decoded(site: LocalSite, tmp_path: Path) -> None:
    site.route(
        "/tin-tuc/bai-1.html",
        body=gzip.compress(VI_HTML),
        headers={"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"},
    )
    http = replace(DEFAULTS.http, per_host_delay=0, user_agent=UA, allow_private_addresses=True)
    with Fetcher(http) as client:
        response = client.get(site.url("/tin-tuc/bai-1.html"))
    with WarcWriter(tmp_path, user_agent=UA) as writer:
        location = writer.write_response(
            url=response.url,
            status=response.status,
            headers=response.headers,
            body=response.body,
            fetched_at=datetime.now(UTC),
        )
    stored = read_response(tmp_path, location)
    assert stored.body == VI_HTML
    assert stored.url == site.url("/tin-tuc/bai-1.html")
    assert stored.headers["x-original-content-encoding"] == "gzip"
    assert "content-encoding" not in stored.headers
    assert stored.headers["content-length"] == str(len(VI_HTML))
    assert warcio_cli("check", str(tmp_path / location.file)).returncode == 0


def test_request_headers_sent_are_recorded(tmp_path: Path) -> None:
    sent = {"host": "example.vn", "accept-encoding": "gzip, deflate", "user-agent": UA}
    with WarcWriter(tmp_path, user_agent="unused") as writer:
        location = write(writer, "http://example.vn/p?id=1", b"x", request_headers=sent)
    request = records(tmp_path / location.file)[2]
    assert request["http"].statusline == "/p?id=1 HTTP/1.1"
    assert request["http"].headers == list(sent.items())


@pytest.mark.parametrize("size", [0, 1, 50_000, 5_000_000])
def test_binary_bodies_of_every_size_round_trip(tmp_path: Path, size: int) -> None:
    body = random.Random(size).randbytes(size)
    headers = {"content-type": "image/jpeg"}
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://example.vn/anh.jpg", body, headers=headers)
        after = write(writer, "http://example.vn/after", b"after")
    stored = read_response(tmp_path, location)
    assert stored.body == body
    assert stored.headers["content-length"] == str(size)
    assert read_response(tmp_path, after).body == b"after"
    response = records(tmp_path / location.file)[1]
    assert response["headers"]["WARC-Payload-Digest"] == sha1_b32(body)


def test_all_256_byte_values_survive(tmp_path: Path) -> None:
    body = bytes(range(256)) * 4 + b"\r\n\r\nWARC/1.1\r\n"
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://example.vn/b", body)
    assert read_response(tmp_path, location).body == body


def test_vietnamese_urls_are_stored_percent_encoded(tmp_path: Path) -> None:
    raw = "http://báo.vn/thời-sự/mưa lũ miền Trung.html?q=hoà bình#đoạn-2"
    encoded = "http://example.vn/th%E1%BB%9Di-s%E1%BB%B1/tin.html"
    with WarcWriter(tmp_path) as writer:
        first = write(writer, raw, VI_HTML, metadata={"kind": "page"})
        second = write(writer, encoded, VI_HTML)
    stored = read_response(tmp_path, first)
    assert stored.url.isascii()
    parts = urlsplit(stored.url)
    assert parts.hostname == "xn--bo-mia.vn"
    assert unquote(parts.path) == "/thời-sự/mưa lũ miền Trung.html"
    assert unquote(parts.query) == "q=hoà bình"
    assert parts.fragment == ""  # never sent to the server
    assert read_response(tmp_path, second).url == encoded  # already encoded: kept as is
    request = records(tmp_path / first.file)[2]
    assert request["http"].get_header("host") == "xn--bo-mia.vn"
    assert request["http"].statusline.startswith("/th%E1%BB%9Di-s%E1%BB%B1/m%C6%B0a%20l%C5%A9")
    index = warcio_cli("index", "-f", "warc-type,warc-target-uri", str(tmp_path / first.file))
    assert index.returncode == 0, index.stderr
    targets = [json.loads(line).get("warc-target-uri") for line in index.stdout.splitlines()]
    assert targets == [None, stored.url, stored.url, stored.url, encoded, encoded]


def test_fetch_time_is_kept_to_the_microsecond_in_utc(tmp_path: Path) -> None:
    hanoi = timezone(timedelta(hours=7))
    local = datetime(2026, 11, 23, 8, 0, 0, 5, tzinfo=hanoi)
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://example.vn/t", b"t", fetched_at=local)
        with pytest.raises(ValueError, match="timezone-aware"):
            write(writer, "http://example.vn/naive", b"t", fetched_at=datetime(2026, 1, 1))
    fetched_at = read_response(tmp_path, location).fetched_at
    assert fetched_at == local
    assert fetched_at.tzinfo == UTC
    assert fetched_at.hour == 1


def test_unusual_statuses_and_header_values(tmp_path: Path) -> None:
    headers = {"content-type": "text/html", "x-note": "line one\r\nline two", "x-empty": ""}
    with WarcWriter(tmp_path) as writer:
        teapot = write(writer, "http://example.vn/418", b"", status=418, headers=headers)
        odd = write(writer, "http://example.vn/599", b"?", status=599)
        with pytest.raises(ValueError, match="field name"):
            write(writer, "http://example.vn/m", b"", metadata={"bad name": "x"})
    stored = read_response(tmp_path, teapot)
    assert stored.status == 418
    assert stored.headers["x-note"] == "line one line two"  # a CR/LF would end the headers early
    assert read_response(tmp_path, odd).status == 599
    assert records(tmp_path / odd.file)[3]["http"].statusline == "599 Unknown"


def test_files_rotate_by_size_and_sort_in_write_order(tmp_path: Path) -> None:
    bodies = [random.Random(i).randbytes(3_000 + 500 * i) for i in range(12)]
    with WarcWriter(tmp_path, max_bytes=10_000, prefix="pm", user_agent=UA) as writer:
        locations = [
            write(writer, f"http://example.vn/{i}", body, metadata={"page-id": str(i)})
            for i, body in enumerate(bodies)
        ]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) >= 4
    assert list(dict.fromkeys(loc.file for loc in locations)) == names
    pid = os.getpid()
    for serial, name in enumerate(names, start=1):
        prefix, stamp, file_pid, number = name.removesuffix(".warc.gz").split("-")
        assert (prefix, file_pid, number) == ("pm", str(pid), f"{serial:05d}")
        assert len(stamp) == 14 and stamp.isdigit()
        contents = records(tmp_path / name)
        assert contents[0]["type"] == "warcinfo"
        assert contents[0]["headers"]["WARC-Filename"] == name
        assert [r["type"] for r in contents].count("warcinfo") == 1
        # Only the last group may take a file past max_bytes.
        last_start = max(loc.offset for loc in locations if loc.file == name)
        assert last_start < 10_000
    for location, body in zip(locations, bodies, strict=True):
        assert read_response(tmp_path, location).body == body
    found = list(iter_responses(tmp_path))
    assert [loc for loc, _, _ in found] == locations
    assert [meta["page-id"] for _, _, meta in found] == [str(i) for i in range(12)]
    check = warcio_cli("check", *(str(tmp_path / n) for n in names))
    assert check.returncode == 0, check.stdout


def test_writers_in_one_process_never_share_a_file(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as one, WarcWriter(tmp_path) as two:
        a = write(one, "http://example.vn/a", b"a")
        b = write(two, "http://example.vn/b", b"b")
        c = write(one, "http://example.vn/c", b"c")
    assert a.file == c.file != b.file
    assert [read_response(tmp_path, loc).body for loc in (a, b, c)] == [b"a", b"b", b"c"]


def test_threads_can_share_a_writer(tmp_path: Path) -> None:
    found: dict[str, WarcLocation] = {}
    lock = threading.Lock()
    with WarcWriter(tmp_path, max_bytes=50_000) as writer:

        def work(worker: int) -> None:
            for i in range(20):
                key = f"{worker}-{i}"
                location = write(writer, f"http://h{worker}.vn/{i}", key.encode() * 200)
                with lock:
                    found[key] = location

        threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(found) == 80
    for key, location in found.items():
        assert read_response(tmp_path, location).body == key.encode() * 200
    assert len(list(iter_responses(tmp_path))) == 80
    for path in tmp_path.iterdir():
        assert records(path)[0]["type"] == "warcinfo"


@pytest.mark.parametrize("cut", [1, 30, 200, -1])
def test_a_torn_last_record_spares_the_earlier_ones(tmp_path: Path, cut: int) -> None:
    with WarcWriter(tmp_path) as writer:
        kept = [write(writer, f"http://example.vn/{i}", VI_HTML * (i + 1)) for i in range(3)]
        torn = write(writer, "http://example.vn/torn", b"z" * 5_000, metadata={"kind": "page"})
    path = tmp_path / torn.file
    size = path.stat().st_size
    # Cut into the response itself, or (-1) just short of the end of its metadata record.
    end = torn.offset + cut if cut > 0 else size - 1
    with open(path, "r+b") as fh:
        fh.truncate(end)

    for i, location in enumerate(kept):
        assert read_response(tmp_path, location).body == VI_HTML * (i + 1)
    found = [loc for loc, _, _ in iter_responses(tmp_path)]
    assert found == (kept if cut > 0 else [*kept, torn])
    if cut > 0:
        with pytest.raises(ArchiveError, match="truncated"):
            read_response(tmp_path, torn)

    # A later run writes its own file; the torn one is never appended to.
    with WarcWriter(tmp_path) as writer:
        later = write(writer, "http://example.vn/later", b"later")
    assert later.file != torn.file
    assert path.stat().st_size == end
    assert [loc for loc, _, _ in iter_responses(tmp_path)][-1] == later


def test_reading_a_bad_location_raises_archive_error(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://example.vn/a", VI_HTML, metadata={"kind": "page"})
    records_ = records(tmp_path / location.file)
    request_at = records_[2]["offset"]
    cases = {
        "No such file": WarcLocation("missing.warc.gz", 0, 10, location.record_id),
        "not a WARC file name": WarcLocation("../x.warc.gz", 0, 10, location.record_id),
        "not a response": WarcLocation(
            location.file, request_at, records_[2]["length"], location.record_id
        ),
        "expected <urn:uuid:other>": WarcLocation(
            location.file, location.offset, location.length, "<urn:uuid:other>"
        ),
        "corrupt|not one whole": WarcLocation(
            location.file, location.offset + 1, location.length, location.record_id
        ),
        "not one whole gzip member": WarcLocation(
            location.file, location.offset, location.length + 5, location.record_id
        ),
    }
    for message, bad in cases.items():
        with pytest.raises(ArchiveError, match=message):
            read_response(tmp_path, bad)


def test_damage_inside_a_file_is_reported_not_skipped(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        first = write(writer, "http://example.vn/1", VI_HTML * 20)
        second = write(writer, "http://example.vn/2", VI_HTML)
    path = tmp_path / first.file
    data = bytearray(path.read_bytes())
    data[first.offset + first.length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match=r"offset|can't be read"):
        read_response(tmp_path, first)
    assert read_response(tmp_path, second).body == VI_HTML
    with pytest.raises(ArchiveError, match=first.file):
        list(iter_responses(tmp_path))


def test_a_changed_body_fails_the_digest_check(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://example.vn/1", b"original body")
    path = tmp_path / location.file
    data = path.read_bytes()
    member = gzip.decompress(data[location.offset : location.offset + location.length])
    forged = gzip.compress(member.replace(b"original body", b"modified body"))
    path.write_bytes(data[: location.offset] + forged + data[location.offset + location.length :])
    moved = WarcLocation(location.file, location.offset, len(forged), location.record_id)
    with pytest.raises(ArchiveError, match="digest"):
        read_response(tmp_path, moved)


def test_an_empty_or_missing_directory_has_no_responses(tmp_path: Path) -> None:
    assert list(iter_responses(tmp_path / "nothing-yet")) == []
    WarcWriter(tmp_path / "unused").close()
    assert not (tmp_path / "unused").exists()  # no file until something is written


FAILING_DISK = """
import json, resource, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from monitor.errors import ArchiveError
from monitor.archive.warc_writer import WarcWriter

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, hard))
out = {"written": [], "error": None}
with WarcWriter(Path(sys.argv[1])) as writer:
    def write(i):
        loc = writer.write_response(
            url=f"http://example.vn/{i}", status=200, headers={}, body=bytes([i]) * 1000
            + bytes(range(256)) * 40 * i, fetched_at=datetime.now(UTC), metadata={"i": str(i)},
        )
        out["written"].append([loc.file, loc.offset, loc.length, loc.record_id, i])
    try:
        for i in range(1, 100):
            write(i)
    except ArchiveError as exc:
        out["error"] = str(exc)
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # the disk has room again
    write(100)
print(json.dumps(out))
"""


def test_a_failed_write_is_cut_off_and_the_file_stays_whole(tmp_path: Path) -> None:
    # A real short write: the child process limits its own file size (RLIMIT_FSIZE).
    run = subprocess.run(
        [sys.executable, "-c", FAILING_DISK, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert "can't write WARC file" in out["error"]
    written = [WarcLocation(*row[:4]) for row in out["written"]]
    assert 3 <= len(written) < 99
    [path] = tmp_path.iterdir()
    assert {loc.file for loc in written} == {path.name}
    # The group after the failure follows the last complete one directly.
    found = list(iter_responses(tmp_path))
    assert [loc for loc, _, _ in found] == written
    assert [meta["i"] for _, _, meta in found] == [str(row[4]) for row in out["written"]]
    assert [r["type"] for r in records(path)].count("response") == len(written)
    assert warcio_cli("check", str(path)).returncode == 0


def test_a_location_without_record_id_reads_whatever_response_is_there(tmp_path: Path) -> None:
    # The archive may keep only file, offset and length.
    with WarcWriter(tmp_path) as writer:
        location = write(writer, "http://example.vn/a", VI_HTML, metadata={"kind": "page"})
    bare = WarcLocation(location.file, location.offset, location.length, "")
    assert read_response(tmp_path, bare) == read_response(tmp_path, location)
    request = records(tmp_path / location.file)[2]
    with pytest.raises(ArchiveError, match="not a response"):
        at_request = WarcLocation(location.file, request["offset"], request["length"], "")
        read_response(tmp_path, at_request)
