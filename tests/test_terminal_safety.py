"""Text from the network never drives the terminal, and is never read as markup.

A hostile site sends escape sequences (ESC, OSC "set the title", "clear the screen", the C1
CSI) and rich markup through every way text reaches the output: a feed's title, an item's title,
summary and author (used when a page has no title or no text), an HTTP reason phrase and a
Content-Type header (in the run's failures and `feeds health`). Every command that shows them is
checked without a terminal (no ESC byte at all) and with one (only rich's own styling codes).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from monitor.cli import cli
from tests.cli import write_config
from tests.localsite import LocalSite, Reply

ESC = "\x1b"
# What the site sends: each would do something to a terminal that printed it.
OSC_TITLE = "\x1b]0;pwned\x07"
REVERSE = "\x1b[7m"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"
MARKUP = "[bold red]đỏ[/]"
HOSTILE = f"{OSC_TITLE}{REVERSE}{CLEAR}{C1_CSI}"
# Rich's own output on a terminal: SGR styles, hiding the cursor and redrawing a line.
RICH_CODES = re.compile(r"\x1b\[(?:[0-9;]*m|\?25[lh]|2K|\d*[AGK])")
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

BODY = " ".join(
    f"Câu thứ {n} của bài viết không có tiêu đề, kể lại chuyện mưa lũ ở miền Trung tuần qua."
    for n in range(1, 40)
)
UNTITLED_PAGE = f"<html><body><article><p>{BODY}</p><p>{BODY}</p></article></body></html>"
EMPTY_PAGE = "<html><body><div></div></body></html>"


def feed(site: LocalSite) -> str:
    items = [
        (f"Tin {HOSTILE} lũ {MARKUP}", "/news/untitled.html", f"Tóm tắt {HOSTILE} {MARKUP}"),
        (
            f"Tin rỗng {CLEAR}{MARKUP}",
            "/news/empty.html",
            f"Toàn văn trong tóm tắt {HOSTILE}{MARKUP}: " + BODY,
        ),
        ("Tin lỗi", "/news/gone.html", "Trang đã mất"),
    ]
    body = "".join(
        f"<item><title><![CDATA[{title}]]></title><link>{site.url(path)}</link>"
        f"<guid>{path}</guid><description><![CDATA[{summary}]]></description>"
        f"<author><![CDATA[Phóng viên {REVERSE}{MARKUP}]]></author></item>"
        for title, path, summary in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title><![CDATA[Báo {HOSTILE}{MARKUP}]]></title>{body}</channel></rss>\n"
    )


def raw_reply(status_line: str, content_type: str, body: str) -> Reply:
    data = body.encode("utf-8")
    head = (
        f"{status_line}\r\nContent-Type: {content_type}\r\nContent-Length: {len(data)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return Reply(raw=head.encode("utf-8") + data)


@dataclass
class Hostile:
    site: LocalSite
    config: Path

    def __call__(self, *args: str, terminal: bool = False) -> Result:
        env = {"COLUMNS": "250", "MONITOR_DEBUG": None}
        if terminal:
            env |= {"FORCE_COLOR": "1", "TERM": "xterm-256color"}
        return CliRunner(env=env).invoke(cli, ["--config", str(self.config), *args])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    site = LocalSite()
    try:
        site.route("/evil.rss", body=feed(site), content_type="application/rss+xml")
        site.route("/news/untitled.html", body=UNTITLED_PAGE, content_type="text/html")
        site.route("/news/empty.html", body=EMPTY_PAGE, content_type="text/html")
        reason = f"HTTP/1.1 404 Not {REVERSE}Found{OSC_TITLE}"
        site.route(
            "/news/gone.html", handler=lambda _r: raw_reply(reason, "text/html", "<p>mất</p>")
        )
        site.route("/gone.rss", handler=lambda _r: raw_reply(reason, "text/plain", "mất"))
        site.route(
            "/html.rss",
            handler=lambda _r: raw_reply(
                "HTTP/1.1 200 OK",
                f"text/{REVERSE}html{OSC_TITLE}",
                "<html><head><title>Trang chủ</title></head><body>trang</body></html>",
            ),
        )
        config = write_config(
            tmp_path_factory.mktemp("hostile") / "config.toml",
            [(site.url(p), f"Nguồn {MARKUP}") for p in ("/evil.rss", "/gone.rss", "/html.rss")],
            http={"per_host_delay": 0, "timeout": 5},
        )
        collected = Hostile(site, config)
        first = collected("run")
        assert first.exit_code == 1, first.output
        yield collected
    finally:
        site.close()


def stored_text(config: Path) -> list[str]:
    with sqlite3.connect(config.parent / "data" / "archive.sqlite3") as db:
        rows = [
            *db.execute("SELECT title, summary, author FROM entries"),
            *db.execute("SELECT title, text, author FROM articles"),
            *db.execute("SELECT title, last_error FROM feeds"),
            *db.execute("SELECT last_error, content_type, headers FROM pages"),
            *db.execute("SELECT error FROM fetch_log"),
        ]
    return [value for row in rows for value in row if isinstance(value, str)]


def test_what_the_network_sent_is_stored_without_control_characters(hostile: Hostile) -> None:
    values = stored_text(hostile.config)
    assert len(values) > 10
    assert [v for v in values if CONTROLS.search(v.replace("\n", "").replace("\t", ""))] == []
    # What was around the sequences is kept, markup-like text included, as text.
    assert any("Not [7mFound" in v for v in values)
    assert any(MARKUP in v for v in values)


COMMANDS = [
    ("run", "--all"),
    ("run", "--all", "--format", "json"),
    ("feeds", "health"),
    ("feeds", "health", "--format", "json"),
    ("feeds", "list"),
    ("search", "lũ"),
    ("search", "lũ", "--format", "csv"),
    ("search", "tóm tắt", "--format", "jsonl"),
    ("show", "1"),
    ("show", "2"),
    ("show", "1", "--format", "json"),
    ("report",),
    ("stats",),
    ("export", "--format", "csv"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_escape_byte_reaches_the_output_without_a_terminal(
    hostile: Hostile, command: tuple[str, ...]
) -> None:
    result = hostile(*command)
    assert result.exit_code in (0, 1), result.output
    assert result.output.strip()
    assert ESC not in result.output and "\x9b" not in result.output
    assert ESC not in result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_on_a_terminal_only_rich_styles_the_output(
    hostile: Hostile, command: tuple[str, ...]
) -> None:
    result = hostile(*command, terminal=True)
    assert result.exit_code in (0, 1), result.output
    for sent in (OSC_TITLE, REVERSE, CLEAR, "\x9b", "\x07"):
        assert sent not in result.output
    assert ESC not in RICH_CODES.sub("", result.output)
    if "--format" not in command and command[0] in ("run", "feeds", "show", "report"):
        assert RICH_CODES.search(result.output), "rich did not take this for a terminal"


def test_markup_in_titles_is_shown_as_written(hostile: Hostile) -> None:
    shown = hostile("show", "1").output
    assert "[bold red]đỏ[/]" in shown
    assert "Phóng viên [7m[bold red]đỏ[/]" in shown
    health = hostile("feeds", "health").output
    assert "Not [7mFound" in health
    failures = json.loads(hostile("run", "--all", "--format", "json").output)["failures"]
    by_url = {f["url"].rsplit("/", 1)[-1]: f["reason"] for f in failures}
    assert by_url["gone.rss"] == "HTTP 404 Not [7mFound]0;pwned"
    assert "text/[7mhtml]0" in by_url["html.rss"]  # the Content-Type up to its first ";"
    with sqlite3.connect(hostile.config.parent / "data" / "archive.sqlite3") as db:
        (page_error,) = db.execute("SELECT last_error FROM pages WHERE url LIKE '%gone.html'")
    assert page_error == ("HTTP 404 Not [7mFound]0;pwned",)


def test_articles_made_from_feed_text_keep_its_words(hostile: Hostile) -> None:
    # (feedparser reads a C1 character in a feed as the windows-1252 character of that byte.)
    untitled = json.loads(hostile("show", "1", "--format", "json").output)
    assert untitled["title"].startswith("Tin ]0;pwned[7m[2J")
    assert untitled["title"].endswith(f"31m lũ {MARKUP}")
    assert untitled["author"] == f"Phóng viên [7m{MARKUP}"
    empty = json.loads(hostile("show", "2", "--format", "json").output)
    assert empty["method"] == "feed-summary"
    assert empty["text"].startswith("Toàn văn trong tóm tắt ]0;pwned[7m[2J")
    assert f"31m{MARKUP}: Câu thứ 1" in empty["text"]
