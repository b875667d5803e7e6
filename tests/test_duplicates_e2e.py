"""One story, many links: URL identity, canonical merge, near-duplicate clusters, WARC, export.

Three outlets on the local server: Báo A publishes a news-agency story and a second article,
Báo B republishes the story lightly edited (new title, a "Theo TTXVN" line, one sentence
changed) and lists A's second article under a link without tracking parameters, Báo C lists one
article twice, once as its AMP page whose canonical link names the article page.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from monitor.cli import cli
from tests.cli import Cli, write_config
from tests.localsite import LocalSite

STORY = [
    "Sáng 22/11, Bộ Nông nghiệp và Môi trường tổ chức hội nghị trực tuyến với các tỉnh miền "
    "Trung để bàn phương án khắc phục hậu quả đợt mưa lũ kéo dài gần một tuần qua.",
    "Theo báo cáo của các địa phương, mưa lớn đã làm hơn ba nghìn ngôi nhà bị ngập sâu, nhiều "
    "tuyến đường giao thông bị sạt lở và hàng chục nghìn héc ta lúa, hoa màu bị hư hại nặng.",
    "Thứ trưởng đề nghị các tỉnh khẩn trương thống kê thiệt hại, hỗ trợ lương thực, nước sạch "
    "cho người dân vùng bị cô lập, đồng thời chuẩn bị giống cây trồng cho vụ đông xuân tới.",
    "Các hồ thủy điện được yêu cầu vận hành đúng quy trình liên hồ chứa, thông báo sớm cho chính "
    "quyền và người dân vùng hạ du trước mỗi lần xả lũ để kịp thời sơ tán tài sản.",
    "Cơ quan khí tượng dự báo trong ba ngày tới mưa sẽ giảm dần nhưng nguy cơ lũ quét và sạt lở "
    "đất ở vùng núi vẫn còn cao, người dân không nên chủ quan khi qua các ngầm tràn.",
]
COPY = [
    *STORY[:2],
    "Thứ trưởng yêu cầu các địa phương nhanh chóng thống kê thiệt hại, cấp lương thực, nước sạch "
    "cho người dân vùng bị cô lập, đồng thời chuẩn bị giống cây trồng cho vụ đông xuân tới.",
    *STORY[3:],
    "Theo TTXVN",
]
SECOND = [
    "Giá vàng miếng trong nước sáng nay tiếp tục tăng mạnh theo đà đi lên của giá vàng thế giới, "
    "vượt mốc cao nhất từ trước đến nay và khiến nhiều người đổ xô đi mua tích trữ.",
    "Các doanh nghiệp kinh doanh vàng cho biết lượng khách đến giao dịch tăng gấp đôi so với "
    "tuần trước, chủ yếu là mua vào, trong khi nguồn cung vàng nhẫn trơn khá khan hiếm.",
    "Chuyên gia khuyến cáo người dân cân nhắc kỹ trước khi xuống tiền vì biên độ chênh lệch giữa "
    "giá mua và giá bán hiện rất lớn, rủi ro thua lỗ khi thị trường đảo chiều là đáng kể.",
]
THIRD = [
    "Chính phủ vừa ban hành nghị định mới quy định chi tiết về thuế thu nhập doanh nghiệp, có "
    "hiệu lực từ đầu năm tới, với nhiều ưu đãi cho doanh nghiệp nhỏ và vừa đầu tư đổi mới.",
    "Theo nghị định, doanh nghiệp có doanh thu dưới năm mươi tỷ đồng được giảm thuế suất, đồng "
    "thời được khấu trừ thêm chi phí nghiên cứu phát triển và đào tạo người lao động.",
    "Bộ Tài chính cho biết chính sách này nhằm khuyến khích khu vực tư nhân mở rộng sản xuất, "
    "tạo thêm việc làm và đóng góp nhiều hơn vào tăng trưởng kinh tế trong những năm tới.",
]

A_STORY = "/a/mien-trung-khac-phuc-hau-qua-mua-lu-keo-dai-1001.html"
A_GOLD = "/a/gia-vang-mieng-tang-manh-vuot-dinh-1002.html"
B_COPY = "/b/cac-tinh-mien-trung-khan-truong-khac-phuc-thiet-hai-2001.html"
C_TAX = "/c/chinh-phu-ban-hanh-nghi-dinh-moi-ve-thue-3001.html"
C_AMP = "/c/amp/chinh-phu-ban-hanh-nghi-dinh-moi-ve-thue-3001.html"


def page(title: str, paragraphs: list[str], *, canonical: str | None = None) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{title}</title>{link}
<meta property="article:published_time" content="2026-11-22T08:30:00+07:00"></head>
<body><nav><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a></nav>
<article><h1>{title}</h1>{body}</article>
<footer>Bản quyền thuộc về tòa soạn</footer></body></html>"""


def rss(title: str, links: list[tuple[str, str]]) -> str:
    items = "".join(
        f"<item><title>{t}</title><link>{{base}}{href}</link><guid>{{base}}{href}</guid>"
        "<pubDate>Sun, 22 Nov 2026 01:30:00 GMT</pubDate></item>"
        for t, href in links
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title>{items}</channel></rss>"
    )


@dataclass
class World(Cli):
    site: LocalSite
    config: Path
    storage: Path
    first: dict[str, Any]

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.storage / "archive.sqlite3")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    site = LocalSite()
    site.route("/robots.txt", body="User-agent: *\nAllow: /\n", content_type="text/plain")
    site.route(A_STORY, body=page("Miền Trung khắc phục hậu quả mưa lũ kéo dài", STORY))
    site.route(A_GOLD, body=page("Giá vàng miếng tăng mạnh, vượt đỉnh", SECOND))
    site.route(B_COPY, body=page("Các tỉnh miền Trung khẩn trương khắc phục thiệt hại", COPY))
    site.route(C_TAX, body=page("Chính phủ ban hành nghị định mới về thuế", THIRD))
    site.route(
        C_AMP,
        body=page("Chính phủ ban hành nghị định mới về thuế", THIRD, canonical="{base}" + C_TAX),
    )
    site.route(
        "/a/rss.xml",
        body=rss("Báo A", [("Mưa lũ", A_STORY), ("Vàng", A_GOLD + "?utm_source=rss")]),
        content_type="application/rss+xml",
    )
    site.route(
        "/b/rss.xml",
        body=rss("Báo B", [("Khắc phục", B_COPY), ("Vàng", A_GOLD)]),
        content_type="application/rss+xml",
    )
    site.route(
        "/c/rss.xml",
        body=rss("Báo C", [("Thuế", C_TAX), ("Thuế (AMP)", C_AMP)]),
        content_type="application/rss+xml",
    )
    directory = tmp_path_factory.mktemp("dups")
    feeds = (("/a/rss.xml", "Báo A"), ("/b/rss.xml", "Báo B"), ("/c/rss.xml", "Báo C"))
    config = write_config(
        directory / "config.toml",
        [(site.url(path), source) for path, source in feeds],
        storage={"warc_max_mb": 1},
        http={"per_host_delay": 0},
    )
    try:
        result = CliRunner().invoke(cli, ["--config", str(config), "run", "--format", "json"])
        assert result.exit_code == 0, result.output
        yield World(site, config, directory / "data", json.loads(result.output))
    finally:
        site.close()
    assert not site.problems(), site.problems()


def test_one_article_per_url_key_and_per_canonical_url(world: World) -> None:
    summary = world.first
    assert summary["entries_seen"] == 6
    assert summary["articles_new"] == 4 and summary["articles_merged"] == 1
    assert world.site.hits(A_GOLD) == 1  # two links, one key: fetched once
    assert world.site.hits(C_AMP) == 1  # fetched, then merged into the article it names
    with world.db() as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 4
        (gold,) = db.execute("SELECT id FROM articles WHERE url LIKE '%1002.html%'").fetchone()
        (tax,) = db.execute("SELECT id FROM articles WHERE url LIKE '%/c/chinh%'").fetchone()
    shown = world.json("show", str(gold))
    assert {f.removeprefix(world.site.base_url) for f in shown["feeds"]} == {
        "/a/rss.xml",
        "/b/rss.xml",
    }
    assert "utm_source" in shown["url"]  # the link as first seen is kept; identity drops it
    tax_entries = (
        world.db()
        .execute("SELECT COUNT(*) FROM entries WHERE article_id = ?", (tax,))
        .fetchone()[0]
    )
    assert tax_entries == 2


def test_a_republished_story_is_clustered_and_collapsed(world: World) -> None:
    found = world.json("search", '"khắc phục hậu quả" OR "khắc phục thiệt hại"')
    assert found["total"] == 2
    clusters = {hit["cluster"] for hit in found["hits"]}
    assert len(clusters) == 1 and None not in clusters
    by_source = {hit["source"]: hit for hit in found["hits"]}
    assert by_source["Báo A"]["also_published_by"] == ["Báo B"]
    assert by_source["Báo B"]["also_published_by"] == ["Báo A"]
    assert {hit["date_source"] for hit in found["hits"]} == {"page"}
    collapsed = world.json("search", "miền Trung", "--collapse")
    assert collapsed["total"] == 2 and collapsed["total_without_copies"] == 1
    assert len(collapsed["hits"]) == 1
    table = world("search", "miền Trung", "--collapse")
    # Piped, the table is tab-separated: the copies' outlets are a column of the hit's row.
    header, row = table.output.splitlines()[1:3]
    cells = dict(zip(header.split("\t"), row.split("\t"), strict=True))
    [hit] = collapsed["hits"]
    assert cells["also published by"] == ", ".join(hit["also_published_by"]) != ""
    assert "1 without near-duplicate copies" in table.output
    gold = world.json("search", "vàng miếng")["hits"][0]
    assert gold["cluster"] is None and gold["also_published_by"] == []


def test_report_counts_with_and_without_copies(world: World) -> None:
    report = world.json("report")
    assert report["total"] == 4 and report["total_without_copies"] == 3
    by_source = {row["source"]: row for row in report["by_source"]}
    assert (by_source["Báo B"]["count"], by_source["Báo B"]["without_copies"]) == (1, 0)
    assert (by_source["Báo A"]["count"], by_source["Báo A"]["without_copies"]) == (2, 2)
    assert "(3 without near-duplicate copies)" in world("report").output


def test_show_gives_flags_cluster_and_provenance(world: World) -> None:
    hit = world.json("search", "Theo TTXVN")["hits"][0]
    shown = world.json("show", str(hit["id"]))
    assert shown["source"] == "Báo B"
    assert isinstance(shown["flags"], list)
    assert shown["cluster"] == hit["cluster"] and shown["also_published_by"] == ["Báo A"]
    assert shown["date_source"] == "page"
    assert shown["method"] == "trafilatura" and "trafilatura" in shown["versions"]
    assert shown["words"] == len(shown["text"].split())


def test_raw_responses_of_feeds_and_pages_are_in_warc_files(world: World) -> None:
    files = sorted((world.storage / "warc").glob("*.warc.gz"))
    assert files
    targets = []
    for path in files:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    targets.append(record.rec_headers.get_header("WARC-Target-URI"))
    paths = {t.removeprefix(world.site.base_url) for t in targets}
    assert {"/a/rss.xml", "/b/rss.xml", "/c/rss.xml", A_STORY, B_COPY, C_TAX, C_AMP} <= {
        p.split("?")[0] for p in paths
    }
    with world.db() as db:
        assert db.execute("SELECT COUNT(*) FROM pages WHERE body IS NOT NULL").fetchone()[0] == 0
        logged = db.execute(
            "SELECT COUNT(*) FROM fetch_log WHERE kind='feed' AND warc_file IS NOT NULL"
        ).fetchone()[0]
        assert logged == 3


def test_export_jsonl_csv_and_warc(world: World, tmp_path: Path) -> None:
    lines = world("export").output.splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 4
    assert all(row["text"] and row["source"] for row in rows)
    assert sum(row["cluster"] is not None for row in rows) == 2
    csv_path = tmp_path / "out.csv"
    assert world("export", "--format", "csv", "-o", str(csv_path)).exit_code == 0
    assert csv_path.read_text("utf-8").count("Báo") >= 4
    warc_path = tmp_path / "pages.warc.gz"
    result = world("export", 'source:"Báo C"', "--format", "warc", "-o", str(warc_path))
    assert result.exit_code == 0, result.output
    with gzip.open(warc_path, "rb") as fh:
        exported = fh.read().decode("utf-8", "replace")
    assert "nghị định mới" in exported and "Giá vàng" not in exported


def test_reextract_remakes_articles_from_stored_responses(world: World) -> None:
    before = world.site.requests
    summary = world.json("reextract", "--workers", "2")
    assert summary["articles"] == 4 and summary["failed"] == 0 and summary["changed"] == 0
    assert summary["clustered"] == 2 and summary["indexed"] == 4
    assert world.site.requests == before  # nothing was asked of any publisher
    assert world.json("search", "miền Trung", "--collapse")["total_without_copies"] == 1
    inline = world.json("reextract", "--workers", "1", "--source", "Báo C")
    assert (inline["articles"], inline["failed"], inline["changed"]) == (1, 0, 0)
