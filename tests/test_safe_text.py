"""Text from the network without control characters: the two ways it is cleaned, and printing."""

from __future__ import annotations

import io

import pytest

from monitor.report.export import write_csv
from monitor.safe_text import body_text, maybe_line, one_line, printable


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("Bão số 3 \x1b[2Jđổ bộ", "Bão số 3 [2Jđổ bộ"),
        ("tiêu\tđề\r\nhai dòng", "tiêu đề hai dòng"),
        ("OSC \x1b]0;title\x07 bell", "OSC ]0;title bell"),
        ("C1 \x9b31m CSI", "C1 31m CSI"),
        ("NUL\x00 DEL\x7f", "NUL DEL"),
        ("[bold red]markup stays text[/]", "[bold red]markup stays text[/]"),
    ],
)
def test_one_line_drops_controls_and_makes_breaks_spaces(raw: str, line: str) -> None:
    assert one_line(raw) == line


def test_body_text_keeps_lines_and_tabs() -> None:
    assert (
        body_text("đoạn 1\r\nđoạn 2\rđoạn 3\n\tthụt\x1b[7m") == "đoạn 1\nđoạn 2\nđoạn 3\n\tthụt[7m"
    )
    assert maybe_line(None) is None and maybe_line("a\x1bb") == "ab"


def test_printable_keeps_offsets() -> None:
    raw = "ab\x1bcd\x9bef\ng"
    assert printable(raw) == "ab cd ef\ng" and len(printable(raw)) == len(raw)
    assert printable("a\r\nb\x1b", keep_cr=True) == "a\r\nb "


def test_a_csv_of_what_an_older_version_stored_holds_no_escape() -> None:
    out = io.StringIO(newline="")
    write_csv([{"id": 1, "title": "Tin \x1b[2J mới", "text": "dòng 1\r\ndòng 2\x9b"}], out)
    assert "\x1b" not in out.getvalue() and "\x9b" not in out.getvalue()
    assert "dòng 1\r\ndòng 2 " in out.getvalue()
