from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from monitor.collect.opml import NAMESPACE, OpmlFeed, read_opml, write_opml
from monitor.errors import FeedError

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
VNEXPRESS = "https://vnexpress.net/rss/tin-moi-nhat.rss"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_nested_folders_categories_and_attribute_case() -> None:
    feeds = read_opml(fixture("subscriptions.opml"))
    assert feeds == [
        OpmlFeed(
            url=VNEXPRESS,
            title="VnExpress - Tin mới nhất",
            language="vi",
            # Listed in two folders: one feed with the tags of both.
            tags=("Tin tức", "Kinh tế"),
            html_url="https://vnexpress.net/",
        ),
        OpmlFeed(
            url="https://tuoitre.vn/rss/thoi-su.rss",
            title="Thời sự - Tuổi Trẻ Online",
            tags=("Tin tức", "Thời sự", "Chính trị", "Trong nước", "Xã hội"),
        ),
        OpmlFeed(url="https://dantri.com.vn/rss/kinh-doanh.rss", title=None, tags=("Kinh tế",)),
    ]


ROUND_TRIP = [
    OpmlFeed(
        url=VNEXPRESS,
        title="Tin mới nhất - VnExpress RSS",
        source="VnExpress",
        language="vi",
        tags=("thời sự", "trang chủ"),
        html_url="https://vnexpress.net/",
    ),
    OpmlFeed(url="https://tuoitre.vn/rss/thoi-su.rss?a=1&b=2", title=None, source="Tuổi Trẻ"),
    # Tags that the category attribute can't carry.
    OpmlFeed(
        url="https://dantri.com.vn/rss/kinh-doanh.rss",
        title='Kinh doanh <Dân trí> & "bạn đọc"',
        tags=("Kinh tế/Tài chính", "a,b", " lề ", "Xã hội"),
    ),
    OpmlFeed(url="https://example.org/feed.xml", language="en", tags=("", "x")),
]


def test_export_then_import_gives_the_same_feeds() -> None:
    data = write_opml(ROUND_TRIP, title="Danh sách của tôi")
    assert read_opml(data) == ROUND_TRIP


def test_export_is_plain_opml_2_for_other_readers() -> None:
    data = write_opml(ROUND_TRIP[:2], title="Danh sách của tôi")
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(data)
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Danh sách của tôi"
    first, second = root.findall("body/outline")
    assert dict(first.attrib) == {
        "type": "rss",
        "text": "Tin mới nhất - VnExpress RSS",
        "title": "Tin mới nhất - VnExpress RSS",
        "xmlUrl": VNEXPRESS,
        "htmlUrl": "https://vnexpress.net/",
        "language": "vi",
        "category": "thời sự,trang chủ",
        f"{{{NAMESPACE}}}source": "VnExpress",
    }
    # OPML requires a text attribute, even for a feed without a title.
    assert second.get("text") == "" and second.get("title") is None


def test_a_reader_export_survives_a_round_trip_through_our_export() -> None:
    feeds = read_opml(fixture("subscriptions.opml"))
    assert read_opml(write_opml(feeds, title="x")) == feeds


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (fixture("broken.opml"), r"^not a usable OPML file: line 6: Opening and ending tag"),
        (fixture("bad-url.opml"), r"^not a usable OPML file: line 6: xmlUrl '/rss/thoi-su.rss'"),
        (fixture("utf-8.rss"), r"line 2: the document is <rss>, not <opml>"),
        (b"  \n", "the file is empty"),
        (b"<opml version='2.0'><head/></opml>", "line 1: no <body> element"),
    ],
)
def test_bad_opml_is_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        read_opml(data)


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("bí mật")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY s SYSTEM "file://{secret}">]>
<opml version="2.0"><body><outline text="&s;" xmlUrl="{VNEXPRESS}"/></body></opml>""".encode()
    try:
        feeds = read_opml(data)
    except FeedError:
        return  # refusing the file is as good as not reading the secret
    assert all("bí mật" not in (f.title or "") for f in feeds)


def test_outlines_without_xml_url_are_folders_even_when_empty() -> None:
    data = b"""<opml version="1.0"><body>
<outline text="Tin"><outline text="Trong"><outline text="Rong"/></outline></outline>
<outline text="Link" type="link" url="https://vnexpress.net/"/>
</body></opml>"""
    assert read_opml(data) == []
