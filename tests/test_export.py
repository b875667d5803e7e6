"""Exports: JSONL and CSV of articles read back with json/csv, WARC streams read with warcio."""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from monitor.archive.warc_reader import read_response
from monitor.archive.warc_writer import WarcWriter
from monitor.errors import ArchiveError
from monitor.models import WarcLocation
from monitor.report.export import EXPORT_FIELDS, write_csv, write_jsonl, write_warc

HANOI = timezone(timedelta(hours=7))
TEXT_1 = (
    "Mưa lớn ở miền Trung, nhiều hồ thủy điện xả lũ.\n\n"
    'Bà Trần Thị Lệ, 67 tuổi, kể: "nước lên rất nhanh", chỉ trong một đêm.\r\n'
    "Chính quyền xã đã di dời 215 hộ; ngập đến mái nhà."
)
ARTICLES: list[dict[str, object]] = [
    {
        "id": 4,
        "url": "https://vnexpress.net/mua-lon-o-mien-trung-4812345.html",
        "canonical_url": "https://vnexpress.net/mua-lon-o-mien-trung-4812345.html",
        "source": "VnExpress",
        "feeds": ["Thời sự", "Tin mới nhất"],
        "title": "Mưa lớn ở miền Trung, nhiều hồ thủy điện xả lũ",
        "author": "Đắc Thành",
        "published": datetime(2026, 11, 21, 20, 15, tzinfo=HANOI),
        "date_source": "page",
        "language": "vi",
        "declared_language": "vi",
        "method": "trafilatura",
        "flags": ["near_duplicate", "updated"],
        "cluster": 3,
        "also_published_by": ["Tuổi Trẻ", "Thanh Niên"],
        "words": 512,
        "text": TEXT_1,
    },
    {
        "id": 7,
        "url": "https://tuoitre.vn/kham-suc-khoe.htm",
        "canonical_url": None,
        "source": "Tuổi Trẻ",
        "feeds": ("Sức khoẻ",),
        "title": "=SUM(1,2) is kept as text, not a formula",
        "author": None,
        "published": datetime(2026, 11, 22, 13, 15),  # naive: the archive's UTC
        "date_source": "feed",
        "language": "vi",
        "declared_language": None,
        "method": "trafilatura",
        "flags": [],
        "cluster": None,
        "also_published_by": [],
        "words": 3,
        "text": "Khám sức khoẻ\tmiễn phí",
    },
]


def test_export_fields_name_every_column_once() -> None:
    assert len(set(EXPORT_FIELDS)) == len(EXPORT_FIELDS)
    assert EXPORT_FIELDS[0] == "id"
    assert EXPORT_FIELDS[-1] == "text"
    assert {"feeds", "flags", "also_published_by", "published", "cluster"} <= set(EXPORT_FIELDS)


def test_jsonl_has_one_full_object_per_line() -> None:
    out = io.StringIO()
    assert write_jsonl(iter(ARTICLES), out) == 2
    raw = out.getvalue()
    assert raw.endswith("\n")
    assert "Mưa lớn" in raw  # not \u-escaped
    lines = raw.splitlines()
    assert len(lines) == 2  # newlines inside the text are escaped, not literal
    rows = [json.loads(line) for line in lines]
    for row, article in zip(rows, ARTICLES, strict=True):
        assert list(row) == list(EXPORT_FIELDS)
        assert row["text"] == article["text"]
        for name in ("feeds", "flags", "also_published_by"):
            assert row[name] == list(article[name])  # type: ignore[call-overload]
        for name in ("id", "url", "canonical_url", "author", "cluster", "words", "title"):
            assert row[name] == article[name]
    assert rows[0]["published"] == "2026-11-21T20:15:00+07:00"
    assert rows[1]["published"] == "2026-11-22T13:15:00+00:00"
    assert datetime.fromisoformat(rows[0]["published"]) == ARTICLES[0]["published"]


def test_missing_fields_export_as_null_and_extra_keys_are_left_out() -> None:
    out = io.StringIO()
    write_jsonl([{"id": 1, "title": "Tin", "internal": "x"}], out)
    row = json.loads(out.getvalue())
    assert list(row) == list(EXPORT_FIELDS)
    assert row["id"] == 1 and row["title"] == "Tin" and row["text"] is None
    assert "internal" not in row


def test_csv_reads_back_with_the_csv_module(tmp_path: Path) -> None:
    path = tmp_path / "articles.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        assert write_csv(ARTICLES, out) == 2
    data = path.read_bytes()
    assert data.startswith(",".join(EXPORT_FIELDS).encode() + b"\r\n")
    assert "Thời sự; Tin mới nhất".encode() in data
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [row["id"] for row in rows] == ["4", "7"]
    first, second = rows
    assert first["text"] == TEXT_1  # both kinds of line break kept, inside quotes
    assert first["feeds"] == "Thời sự; Tin mới nhất"
    assert first["also_published_by"] == "Tuổi Trẻ; Thanh Niên"
    assert first["flags"] == "near_duplicate; updated"
    assert first["published"] == "2026-11-21T20:15:00+07:00"
    assert first["cluster"] == "3"
    assert second["canonical_url"] == "" and second["cluster"] == ""
    assert second["feeds"] == "Sức khoẻ" and second["flags"] == ""
    assert second["title"] == "=SUM(1,2) is kept as text, not a formula"
    assert second["published"] == "2026-11-22T13:15:00+00:00"
    assert second["text"] == "Khám sức khoẻ\tmiễn phí"


def test_csv_can_leave_the_text_out() -> None:
    out = io.StringIO(newline="")
    assert write_csv(ARTICLES, out, text=False) == 2
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows[0] == [name for name in EXPORT_FIELDS if name != "text"]
    assert len(rows) == 3
    assert all(len(row) == len(EXPORT_FIELDS) - 1 for row in rows)
    assert "Mưa lớn ở miền Trung, nhiều hồ thủy điện xả lũ." not in out.getvalue()


def test_empty_exports() -> None:
    jsonl, table = io.StringIO(), io.StringIO()
    assert write_jsonl([], jsonl) == 0 and jsonl.getvalue() == ""
    assert write_csv([], table) == 0
    assert table.getvalue() == ",".join(EXPORT_FIELDS) + "\r\n"


def stored(tmp_path: Path, max_bytes: int = 1_000_000_000) -> tuple[Path, list[WarcLocation]]:
    """Five responses: pages with metadata, a feed with it, one without; maybe rotated."""
    directory = tmp_path / "warc"
    fetched = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
    with WarcWriter(directory, max_bytes=max_bytes, user_agent="pm-test/1") as writer:
        locations = [
            writer.write_response(
                url=f"http://báo.vn/thời-sự/bài-{i}.html",
                status=200,
                headers={"content-type": "text/html; charset=utf-8"},
                body=f"<p>Bài {i}: {TEXT_1}</p>".encode() * (i + 1),
                fetched_at=fetched + timedelta(minutes=i),
                metadata=None if i == 3 else {"kind": "page", "page-id": str(i)},
            )
            for i in range(5)
        ]
    return directory, locations


def read_stream(data: bytes) -> list[tuple[str, dict[str, str], bytes]]:
    found = []
    for record in ArchiveIterator(io.BytesIO(data), check_digests="raise"):
        found.append((record.rec_type, dict(record.rec_headers.headers), record.raw_stream.read()))
    return found


def test_warc_export_copies_each_group_byte_for_byte(tmp_path: Path) -> None:
    directory, locations = stored(tmp_path)
    chosen = [locations[4], locations[1], locations[3], locations[1]]  # a repeat, out of order
    out = io.BytesIO()
    assert write_warc(chosen, directory, out) == 3 + 3 + 2
    data = out.getvalue()

    found = read_stream(data)
    assert [kind for kind, _, _ in found] == [
        "warcinfo",
        *("response", "request", "metadata"),
        *("response", "request", "metadata"),
        *("response", "request"),
    ]
    responses = [headers["WARC-Record-ID"] for kind, headers, _ in found if kind == "response"]
    assert responses == [locations[i].record_id for i in (4, 1, 3)]
    for kind, headers, body in found[1:]:
        if kind != "response":
            assert headers["WARC-Concurrent-To"] in responses
        if kind == "metadata":
            assert body.startswith(b"kind: page\r\n")
    # Each group is the very bytes of the stored file, from the response to its last record.
    source = (directory / locations[0].file).read_bytes()
    group_4 = source[locations[4].offset :]
    group_1 = source[locations[1].offset : locations[2].offset]
    group_3 = source[locations[3].offset : locations[4].offset]
    copied = group_4 + group_1 + group_3
    assert data.endswith(copied)
    info = gzip.decompress(data[: len(data) - len(copied)])
    assert info.startswith(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n")


def test_warc_export_reads_across_rotated_files(tmp_path: Path) -> None:
    directory, locations = stored(tmp_path, max_bytes=1_500)
    assert len({loc.file for loc in locations}) >= 3
    path = tmp_path / "export.warc.gz"
    with open(path, "wb") as out:
        assert write_warc(locations, directory, out) == 5 * 3 - 1
    found = read_stream(path.read_bytes())
    assert found[0][0] == "warcinfo"
    assert found[0][1]["WARC-Filename"] == "export.warc.gz"
    bodies = [body for kind, _, body in found if kind == "response"]
    assert bodies == [read_response(directory, loc).body for loc in locations]
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    assert check.stdout.count("digest pass") == 1 + 14


def test_warc_export_refuses_locations_that_are_not_responses(tmp_path: Path) -> None:
    directory, locations = stored(tmp_path)
    good = locations[0]
    cases = {
        "No such file": WarcLocation("gone.warc.gz", 0, 10, good.record_id),
        "not a WARC file name": WarcLocation("/etc/passwd", 0, 10, good.record_id),
        "is not <urn:uuid:x>": WarcLocation(good.file, good.offset, good.length, "<urn:uuid:x>"),
        "no WARC response record": WarcLocation(good.file, good.offset + 3, 10, good.record_id),
    }
    for message, bad in cases.items():
        with pytest.raises(ArchiveError, match=message):
            write_warc([good, bad], directory, io.BytesIO())


def test_warc_export_of_a_torn_group_copies_what_is_whole(tmp_path: Path) -> None:
    directory, locations = stored(tmp_path)
    last = locations[-1]
    path = directory / last.file
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size - 1)  # the final metadata record is cut short
    out = io.BytesIO()
    assert write_warc([last], directory, out) == 2
    assert [kind for kind, _, _ in read_stream(out.getvalue())] == [
        "warcinfo",
        "response",
        "request",
    ]


def test_warc_export_of_locations_without_record_ids(tmp_path: Path) -> None:
    directory, locations = stored(tmp_path)
    bare = [WarcLocation(loc.file, loc.offset, loc.length, "") for loc in locations[:2]]
    out = io.BytesIO()
    assert write_warc(bare, directory, out) == 6
    found = read_stream(out.getvalue())
    ids = [h["WARC-Record-ID"] for kind, h, _ in found if kind == "response"]
    assert ids == [loc.record_id for loc in locations[:2]]
    assert all(h["WARC-Concurrent-To"] in ids for kind, h, _ in found[1:] if kind != "response")
