"""Revisits inside runs and on demand: the page budget, failures, `monitor revisit`, WARC and
re-extraction of an article that has versions."""

from __future__ import annotations

import gzip
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.localsite import LocalSite
from tests.revision_site import Outlet, open_outlet, page
from tests.test_duplicates_e2e import STORY

EDITED_STORY = [
    STORY[0],
    STORY[1].replace("hơn ba nghìn", "hơn năm nghìn"),
    "Thứ trưởng yêu cầu các tỉnh nhanh chóng thống kê thiệt hại và báo cáo trước ngày 25/11.",
    *STORY[3:],
]
GOLD = [
    "Giá vàng miếng trong nước sáng nay tiếp tục tăng mạnh theo đà đi lên của giá vàng thế "
    "giới, vượt mốc cao nhất từ trước đến nay và khiến nhiều người đổ xô đi mua tích trữ.",
    "Các doanh nghiệp kinh doanh vàng cho biết lượng khách đến giao dịch tăng gấp đôi so với "
    "tuần trước, chủ yếu là mua vào, trong khi nguồn cung vàng nhẫn trơn khá khan hiếm.",
    "Chuyên gia khuyến cáo người dân cân nhắc kỹ trước khi xuống tiền vì biên độ chênh lệch "
    "giữa giá mua và giá bán hiện rất lớn, rủi ro thua lỗ khi thị trường đảo chiều là đáng kể.",
]


def story(n: int) -> list[str]:
    """A distinct article: the gold story with its own figures."""
    return [p.replace("gấp đôi", f"gấp {n} lần").replace("sáng nay", f"sáng thứ {n}") for p in GOLD]


def outlet_with(site: LocalSite, tmp_path: Path, count: int, **tables: dict[str, object]) -> Outlet:
    outlet = open_outlet(site, tmp_path, {"/r/rss.xml": "Báo R"}, **tables)
    for n in range(count):
        add(outlet, n)
    return outlet


def add(outlet: Outlet, n: int) -> str:
    path = f"/r/bai-bao-so-{n}-ve-gia-vang-trong-nuoc-{2000 + n}.html"
    outlet.serve(path, page(f"Giá vàng ngày thứ {n}", story(n)))
    outlet.feeds["/r/rss.xml"].append((f"g{n}", f"Giá vàng {n}", path))
    return path


def test_new_pages_come_first_and_revisits_get_what_the_budget_leaves(
    site: LocalSite, tmp_path: Path
) -> None:
    outlet = outlet_with(site, tmp_path, 3, revisions={"max_per_run": 3})
    assert outlet.run_at(0).articles_new == 3
    add(outlet, 10)
    add(outlet, 11)
    second = outlet.run_at(2)
    assert second.articles_new == 2
    assert second.revisits.due == 1  # 3 pages a run: 2 new, 1 revisit
    third = outlet.run_at(2)
    # The two left of the first three come now, most overdue first. (The two stored by the
    # second run were scheduled by its clock, +2 h, past their 1 h check: theirs is at 6 h.)
    assert third.articles_new == 0 and third.revisits.due == 2
    rows = outlet.sql("SELECT article_id FROM revisits WHERE checks_done = 1 ORDER BY article_id")
    assert [row[0] for row in rows] == [1, 2, 3]


def test_revisits_can_be_switched_off(site: LocalSite, tmp_path: Path) -> None:
    outlet = outlet_with(site, tmp_path, 2, revisions={"enabled": False})
    outlet.run_at(0)
    summary = outlet.run_at(2)
    assert summary.revisits.due == 0 and outlet.sql("SELECT COUNT(*) FROM revisits") == [(0,)]
    assert "revisits" in summary.as_dict()


def test_a_passing_failure_is_tried_again_within_the_hour_and_is_no_takedown(
    site: LocalSite, tmp_path: Path
) -> None:
    outlet = outlet_with(site, tmp_path, 1)
    outlet.run_at(0)
    (path,) = outlet.answers
    outlet.answers[path] = 503
    failed = outlet.run_at(2)
    assert (failed.revisits.failed, failed.revisits.gone, failed.exit_code) == (1, 0, 0)
    assert outlet.run_at(2.5).revisits.due == 0  # tried again an hour later
    outlet.answers[path] = page("Giá vàng ngày thứ 0", story(0))
    again = outlet.run_at(3.1)
    assert (again.revisits.due, again.revisits.unchanged) == (1, 1)
    assert outlet.sql("SELECT checks_done, failures FROM revisits") == [(1, 0)]


def test_revisit_now_with_a_query_or_everything(site: LocalSite, tmp_path: Path) -> None:
    outlet = outlet_with(site, tmp_path, 2)
    edited = add(outlet, 5)
    outlet.answers[edited] = page("Mưa lũ miền Trung", STORY)
    outlet.run_at(0)
    nothing_due = outlet.json("revisit")
    assert (nothing_due["due"], nothing_due["indexed"]) == (0, 0)
    outlet.answers[edited] = page("Mưa lũ miền Trung", EDITED_STORY)
    one = outlet.json("revisit", "mưa lũ", "--all")
    assert (one["due"], one["edited"], one["unchanged"]) == (1, 1, 0)
    assert one["indexed"] == 1
    assert outlet.json("search", '"hơn năm nghìn"')["total"] == 1  # the index holds the latest
    assert outlet.json("search", '"hơn ba nghìn"')["total"] == 0
    every = outlet.json("revisit", "--all")
    assert (every["due"], every["unchanged"], every["edited"]) == (3, 3, 0)
    text = outlet("revisit", "--all", "--limit", "1")
    assert text.exit_code == 0 and "articles revisited" in text.output
    outlet.answers[edited] = 500
    site.expect_404(edited)
    failing = outlet("revisit", "--all", "--format", "json")
    assert failing.exit_code == 1 and '"failed": 1' in failing.output


def test_a_revisit_is_kept_in_warc_and_reextract_keeps_the_latest_version(
    site: LocalSite, tmp_path: Path
) -> None:
    outlet = outlet_with(site, tmp_path, 0)
    edited = add(outlet, 7)
    outlet.answers[edited] = page("Mưa lũ miền Trung", STORY)
    outlet.run_at(0)
    outlet.answers[edited] = page("Mưa lũ miền Trung", EDITED_STORY)
    assert outlet.run_at(2).revisits.edited == 1
    kinds = []
    for warc in sorted((tmp_path / "data" / "warc").glob("*.warc.gz")):
        with gzip.open(warc, "rb") as raw, open(warc, "rb") as fh:
            assert raw.read(4)  # a gzip file
            for record in ArchiveIterator(fh):
                if record.rec_type == "metadata":
                    kinds.append(record.content_stream().read().decode().split("\r\n")[0])
    assert "kind: revisit" in kinds
    versions = outlet.sql(
        "SELECT number, warc_file IS NOT NULL, text IS NULL FROM article_versions"
    )
    assert versions == [(1, 1, 0), (2, 1, 1)]  # the latest text is the article's own
    summary = outlet.json("reextract", "--workers", "1")
    assert (summary["articles"], summary["changed"], summary["failed"]) == (1, 0, 0)
    assert "hơn năm nghìn" in outlet.json("show", "1")["text"]
    assert "hơn ba nghìn" in outlet.json("show", "1", "--version", "1")["text"]
