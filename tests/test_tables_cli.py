"""Every table of the command line, on an archive collected from the local site with a display
zone that is not Vietnam's (`[report] timezone = "America/New_York"`):

- times are shown in that zone and each table names it in the header of its time columns,
  while JSON keeps ISO 8601 in UTC;
- in a terminal of 80 columns the identifying columns (id, source) stay whole and the long ones
  (URL, reason, title, query, context) are shortened with an ellipsis; `--wide` never shortens;
- piped, a table is plain tab-separated text with every value whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.cli.zones import zone_label
from tests.cli import Cli, write_config
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ZONE = "America/New_York"
NEW_YORK = ZoneInfo(ZONE)
# Every time of the site is in November 2026, after the end of summer time: UTC-5.
LABEL = "(-05)"
# A section feed at a long address (the Tuổi Trẻ feed, served there too).
LONG_FEED = (
    "/tin-tuc/thoi-su/chuyen-muc-phong-su-dieu-tra-dac-biet-ve-mua-lu-mien-trung-va-tay-nguyen"
    "/rss.xml"
)
LONG_SOURCE = "Báo Điện Tử Dân Trí Phiên Bản Tiếng Việt"
FAILING_SOURCE = "Trang Tin Tổng Hợp Khu Vực Miền Trung"
LONG_QUERY = '("mưa lũ" OR "thuỷ điện" OR "sạt lở đất" OR "vỡ đê") -"giá vàng" -"bóng đá" miền'
HOMEPAGE = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Trang chủ</title>
<link rel="alternate" type="application/rss+xml" title="{LONG_SOURCE}: Thời sự, phóng sự điều
tra đặc biệt về mưa lũ miền Trung và Tây Nguyên" href="{LONG_FEED}">
<link rel="alternate" type="application/rss+xml" title="Tuổi Trẻ" href="{cat.TUOITRE_FEED}">
</head><body></body></html>"""
# The commands that print a table, as a researcher would run them here.
TABLES = {
    "feeds list": ("feeds", "list"),
    "feeds health": ("feeds", "health"),
    "pages --failed": ("pages", "--failed"),
    "searches list": ("searches", "list"),
    "kwic": ("kwic", "giá", "--limit", "8"),
    "sample": ("sample", "--n", "6", "--seed", "7"),
}


@dataclass
class Collected(Cli):
    config: Path
    second_run: str
    homepage: str  # a site's home page that links two feeds

    def at(self, columns: int, *args: str, code: int = 0) -> str:
        """The output of `monitor ARGS` in a terminal `columns` wide, colors removed."""
        env = {"COLUMNS": str(columns), "FORCE_COLOR": "1", "TERM": "xterm"}
        result = CliRunner(env=env).invoke(
            cli, ["--config", str(self.config), *args], color=True, terminal_width=columns
        )
        assert result.exit_code == code, result.output
        return ANSI.sub("", result.output)


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collected]:
    with LocalSite() as site:
        site.expect_404(*cat.EXPECTED_404_PATHS)
        site.route(LONG_FEED, file=cat.TUOITRE_FEED.lstrip("/"), content_type=cat.RSS)
        site.route("/trang-chu/", body=HOMEPAGE, content_type="text/html; charset=utf-8")
        config = write_config(
            tmp_path_factory.mktemp("tables") / "config.toml",
            [
                (site.url(cat.VNEXPRESS_FEED), "VnExpress"),
                (site.url(cat.DANTRI_FEED), LONG_SOURCE),
                (site.url(LONG_FEED), "Tuổi Trẻ"),
                (site.url(cat.NOT_A_FEED_PATH), FAILING_SOURCE),
                (site.url(cat.PAGE_404_FEED_PATH), "Tin nhanh"),
            ],
            http={"per_host_delay": 0, "timeout": 10},
            report={"timezone": ZONE},
        )
        first = Collected(config, "", site.url("/trang-chu/"))
        assert first("run").exit_code == 1  # a feed and a page failed, on purpose
        assert first("searches", "add", "mientrung", LONG_QUERY).exit_code == 0
        second = first("run")  # nothing is due yet
        assert second.exit_code == 0, second.output
        yield Collected(config, second.output, first.homepage)


def in_zone(iso: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.fromisoformat(iso).astimezone(NEW_YORK).strftime(fmt)


def in_utc(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def assert_shown_in_zone(output: str, header: str, times: list[str]) -> None:
    """`header` names the zone, and each time is shown in it, not in UTC."""
    assert header in output, output
    assert times
    for iso in times:
        assert in_zone(iso) in output
        assert in_utc(iso) not in output


# ----------------------------------------------------------------- one display zone


def test_json_keeps_utc(collected: Collected) -> None:
    hits = collected.json("search", "*", "--limit", "50")["hits"]
    assert all(h["published"].endswith("+00:00") for h in hits if h["published"])
    feeds = collected.json("feeds", "list")
    assert all(f["last_success_at"].endswith("+00:00") for f in feeds if f["last_success_at"])


def test_search_and_show(collected: Collected) -> None:
    hits = [h for h in collected.json("search", "*", "--limit", "50")["hits"] if h["published"]]
    table = collected.at(200, "search", "*", "--limit", "50")
    assert_shown_in_zone(table, f"published {LABEL}", [h["published"] for h in hits])
    article = collected.json("show", str(hits[0]["id"]))
    shown = collected.at(200, "show", str(hits[0]["id"]))
    assert_shown_in_zone(shown, f"published {LABEL}", [article["published"]])


def test_feeds_list_and_health(collected: Collected) -> None:
    feeds = collected.json("feeds", "list")
    assert_shown_in_zone(
        collected.at(200, "feeds", "list"),
        f"last success {LABEL}",
        [f["last_success_at"] for f in feeds if f["last_success_at"]],
    )
    # Its days (entries/day) are the zone's days.
    assert f"feed health, last 14 days {LABEL}" in collected.at(200, "feeds", "health")


def test_failed_pages_and_saved_searches(collected: Collected) -> None:
    failed = collected.json("pages", "--failed")["failed"]
    assert_shown_in_zone(
        collected.at(200, "pages", "--failed"),
        f"last try {LABEL}",
        [p["last_attempt_at"] for p in failed],
    )
    saved = collected.json("searches", "list")["searches"]
    assert_shown_in_zone(
        collected.at(200, "searches", "list"),
        f"created {LABEL}",
        [s["created_at"] for s in saved],
    )


def test_kwic_and_sample(collected: Collected) -> None:
    lines = collected.json("kwic", "giá", "--limit", "8")["lines"]
    kwic = collected.at(200, "kwic", "giá", "--limit", "8")
    assert f"date {LABEL}" in kwic
    for line in lines:
        assert in_zone(line["date"], "%Y-%m-%d") in kwic
    drawn = collected.json("sample", "--n", "6", "--seed", "7")["articles"]
    assert_shown_in_zone(
        collected.at(200, "sample", "--n", "6", "--seed", "7"),
        f"published {LABEL}",
        [a["published"] for a in drawn if a["published"]],
    )


def test_the_next_poll_of_a_run_is_in_the_zone(collected: Collected) -> None:
    due = min(f["next_poll_at"] for f in collected.json("feeds", "list"))
    assert f"({in_zone(due)} -05)" in collected.second_run
    assert "UTC" not in collected.second_run


def test_reports_name_the_zone_of_their_days(collected: Collected) -> None:
    assert f"days in {ZONE}" in collected.at(200, "report")
    assert f"weeks in {ZONE}" in collected.at(200, "compare", "bão", "--interval", "week")


# ----------------------------------------------------------------- narrow terminals


def rows(output: str, ids: list[int]) -> dict[int, str]:
    """The first line of each id's row (a line under the header's rule starting with the id)."""
    found: dict[int, str] = {}
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("───"))
    for line in lines[start + 1 :]:
        first = line.split(maxsplit=1)[0] if line.strip() else ""
        if first.isdigit() and int(first) in ids and int(first) not in found:
            found[int(first)] = line
    return found


@pytest.mark.parametrize("name", TABLES)
def test_at_80_columns_nothing_is_wider_and_ids_stay(collected: Collected, name: str) -> None:
    output = collected.at(80, *TABLES[name])
    assert all(len(line) <= 80 for line in output.splitlines()), output
    assert "…" in output, output  # something long was shortened
    assert "…" not in collected.at(80, *TABLES[name], "--wide")


def test_feeds_at_80_columns(collected: Collected) -> None:
    feeds = collected.json("feeds", "list")
    for args in (("feeds", "list"), ("feeds", "health")):
        output = collected.at(80, *args)
        lines = rows(output, [f["id"] for f in feeds])
        words = output.split()
        for feed in feeds:
            # Every feed keeps its id and its source, whole (wrapped between words).
            assert feed["source"].split()[0] in lines[feed["id"]]
            assert all(word in words for word in feed["source"].split())
    long = next(f for f in feeds if f["url"].endswith(LONG_FEED))
    assert "…" in rows(collected.at(80, "feeds", "list"), [long["id"]])[long["id"]]


def test_a_failing_feed_says_which_and_why_at_80_columns(collected: Collected) -> None:
    [failing] = [f for f in collected.json("feeds", "health")["feeds"] if f["status"] != "ok"]
    assert failing["source"] == FAILING_SOURCE
    output = collected.at(80, "feeds", "health", "--problems")
    row = rows(output, [failing["id"]])[failing["id"]]
    assert row.split()[:2] == [str(failing["id"]), "Trang"]
    assert "failing" in row
    reason = failing["last_error"]
    cut = row.rsplit("  ", 1)[-1].strip()
    assert cut.endswith("…") and reason.startswith(cut[:-1]) and len(cut) >= 5
    # --wide: the whole reason, wrapped over the lines of the row.
    wide = collected.at(80, "feeds", "health", "--problems", "--wide")
    assert "…" not in wide
    assert all(word in wide.split() for word in reason.split() if len(word) < 10)


def test_long_titles_and_contexts_are_cut_the_ids_stay(collected: Collected) -> None:
    drawn = collected.json("sample", "--n", "6", "--seed", "7")["articles"]
    output = collected.at(80, "sample", "--n", "6", "--seed", "7")
    lines = rows(output, list(range(1, 7)))
    for i, article in enumerate(drawn, 1):
        line = lines[i]
        assert line.split()[:2] == [str(i), str(article["id"])]
        assert article["source"].split()[0] in line
        title = article["title"]
        assert title in line or (line.rstrip().endswith("…") and title[:10] in line)
    assert any(a["title"] not in output for a in drawn)  # at least one was cut
    # A concordance keeps the words next to the keyword: the left context loses its start.
    kwic = collected.at(80, "kwic", "giá", "--limit", "8")
    lines_json = collected.json("kwic", "giá", "--limit", "8")["lines"]
    cut = [
        line["pre"]
        for line in lines_json
        if any(f"…{line['pre'][-k:]}  " in kwic for k in range(8, len(line["pre"])))
    ]
    assert cut and all(line["pre"] not in kwic for line in lines_json if line["pre"] in cut)


def test_feeds_found_on_a_site_at_80_columns(collected: Collected) -> None:
    # Two feeds found: listed, none added (exit 1 says so).
    narrow = collected.at(80, "feeds", "add", collected.homepage, code=1)
    assert all(len(line) <= 80 for line in narrow.splitlines())
    rows = [line for line in narrow.splitlines() if line.startswith("http")]
    assert len(rows) == 2 and all("…" in row for row in rows)
    assert all(row.split()[-3:] == ["rss", "4", "link"] for row in rows)  # whole
    wide = collected.at(80, "feeds", "add", collected.homepage, "--wide", code=1)
    lines = wide.splitlines()
    table = lines[lines.index(next(li for li in lines if li.startswith("───"))) + 1 :]
    assert not any("…" in line for line in table)
    urls = "".join(line.split()[0] for line in table[:-1] if line[:1].strip())
    assert LONG_FEED in urls  # folded over the lines of its row, whole


def test_a_long_saved_query_is_cut_at_80_columns_and_whole_when_wide(collected: Collected) -> None:
    narrow = collected.at(80, "searches", "list")
    assert "@mientrung" in narrow and LONG_QUERY not in narrow
    wide = collected.at(200, "searches", "list", "--wide")
    assert LONG_QUERY in wide


def test_search_results_keep_id_source_and_time_at_80_columns(collected: Collected) -> None:
    query = f'source:"{LONG_SOURCE}"'
    hits = collected.json("search", query, "--limit", "3")["hits"]
    output = collected.at(80, "search", query, "--limit", "3")
    assert all(len(line) <= 80 for line in output.splitlines())
    words = output.replace("│", " ").split()
    assert all(word in words for word in LONG_SOURCE.split())
    assert hits
    for hit in hits:
        [row] = [
            line for line in output.splitlines() if line.split("│")[1:2] == [f"{hit['id']:>3} "]
        ]
        assert in_zone(hit["published"]) in row


# ----------------------------------------------------------------- piped


@pytest.mark.parametrize("name", TABLES)
def test_piped_tables_are_plain_and_whole(collected: Collected, name: str) -> None:
    result = collected(*TABLES[name])
    assert result.exit_code == 0, result.output
    title, header, *after = result.stdout.splitlines()
    assert "\t" in header and "\x1b" not in result.stdout
    body = [line for line in after if "\t" in line]  # a note may follow (the corpus snapshot)
    assert body and all(len(line.split("\t")) == len(header.split("\t")) for line in body)
    assert "…" not in result.stdout.replace(title, "")


def test_piped_feeds_keep_every_url_and_reason_whole(collected: Collected) -> None:
    listed = collected("feeds", "list").stdout.splitlines()[2:]
    cells = {int(line.split("\t")[0]): line.split("\t") for line in listed}
    for feed in collected.json("feeds", "list"):
        assert cells[feed["id"]][1:3] == [feed["source"], feed["url"]]
    health = collected("feeds", "health").stdout
    [failing] = [f for f in collected.json("feeds", "health")["feeds"] if f["status"] != "ok"]
    assert failing["last_error"] in health


def test_a_zone_is_named_by_its_offset_unless_the_times_straddle_a_change() -> None:
    winter = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
    summer = datetime.fromisoformat("2026-07-01T10:00:00+00:00")
    assert zone_label(ZONE, [winter]) == "-05"
    assert zone_label(ZONE, [summer]) == "-04"
    assert zone_label(ZONE, [winter, summer]) == ZONE  # one offset would be wrong for some
    assert zone_label("Asia/Kolkata", [winter]) == "+05:30"
    assert zone_label("Asia/Ho_Chi_Minh") == "+07"  # no time shown: the offset now
    assert zone_label("UTC", [winter]) == "UTC"


def test_piped_search_results_are_a_row_a_hit_with_every_value_whole(collected: Collected) -> None:
    hits = collected.json("search", "miền", "--limit", "5")["hits"]
    lines = collected("search", "miền", "--limit", "5").stdout.splitlines()
    header = lines[1].split("\t")
    assert header[:4] == ["id", "title", "source", f"published {LABEL}"]
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[2:]]
    assert [row["id"] for row in rows] == [str(hit["id"]) for hit in hits]
    for row, hit in zip(rows, hits, strict=True):
        assert (row["title"], row["source"], row["snippet"]) == (
            hit["title"],
            hit["source"],
            hit["snippet"],
        )
        assert row[f"published {LABEL}"] == in_zone(hit["published"])
