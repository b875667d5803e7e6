"""`monitor export` through the real CLI on the demo archive: the format follows the file name,
a mismatch or an unwritable file is one line and exit 2, --no-text for every text format,
--excel CSV with a byte-order mark."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.cli import WIDE, Cli


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    directory = tmp_path_factory.mktemp("export") / "demo"
    result = CliRunner(env=dict(WIDE)).invoke(cli, ["demo", str(directory)])
    assert result.exit_code == 0, result.output
    built = Cli()
    built.config = directory / "config.toml"
    return built


def test_the_format_follows_the_name_of_the_output(archive: Cli, tmp_path: Path) -> None:
    assert archive("export", "-o", str(tmp_path / "a.jsonl")).exit_code == 0
    first = (tmp_path / "a.jsonl").read_text("utf-8").splitlines()[0]
    assert json.loads(first)["id"] == 1
    assert archive("export", "-o", str(tmp_path / "a.csv")).exit_code == 0
    assert (tmp_path / "a.csv").read_text("utf-8").startswith("id,url,")
    assert archive("export", "-o", str(tmp_path / "pages.warc.gz")).exit_code == 0
    assert (tmp_path / "pages.warc.gz").read_bytes()[:2] == b"\x1f\x8b"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "jsonl", "-o", "{dir}/out.csv"], "named like a csv file"),
        (["-o", "{dir}/out.txt"], "can't tell the format"),
        (["-o", "{dir}/missing/dir/out.jsonl"], "can't write"),
        (["--excel", "-o", "{dir}/out.jsonl"], "--excel is for csv"),
        (["--format", "warc"], "needs --output"),
    ],
)
def test_a_wrong_output_is_one_line_and_exit_2(
    archive: Cli, tmp_path: Path, args: list[str], message: str
) -> None:
    result = archive("export", *(a.format(dir=tmp_path) for a in args))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()


def test_no_text_leaves_the_text_out_of_jsonl_and_csv(archive: Cli) -> None:
    jsonl = archive("export", "--no-text")
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert rows and all("text" not in row and row["title"] for row in rows)
    table = archive("export", "--format", "csv", "--no-text")
    header = next(csv.reader(io.StringIO(table.stdout)))
    assert "text" not in header and "title" in header


def test_excel_csv_begins_with_a_byte_order_mark(archive: Cli, tmp_path: Path) -> None:
    target = tmp_path / "excel.csv"
    assert archive("export", "--excel", "-o", str(target)).exit_code == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,url,")
    assert "Việt Nam" in data.decode("utf-8-sig") or "Hà Nội" in data.decode("utf-8-sig")
    plain = tmp_path / "plain.csv"
    assert archive("export", "-o", str(plain)).exit_code == 0
    assert plain.read_bytes().startswith(b"id,url,")
