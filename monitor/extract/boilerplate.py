"""Boilerplate that Vietnamese news pages put around and inside an article, removed before and
after extraction: related-article boxes, comments, tags, ratings, "» read also" links, and photo
credits repeated under every picture.

trafilatura drops most navigation by itself; what it keeps on these outlets are related lists
and comments whose markup looks like text, so they are removed by class/id before it runs.
Boxes with no telling name (old table layouts) are cut from the end of the text afterwards:
runs of linked headlines with their teasers and dates, pagers, calendars and "see all" links.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml.etree import XPath
from lxml.html import HtmlElement

# Class or id tokens of boxes that are never the article: related lists, comments, tags,
# share buttons, ratings, most-read lists. Vietnamese names are matched anywhere in the token
# ("box-tinlienquanv2"), English words only between separators ("detail__related").
_VIETNAMESE_BOX = (
    "lienquan|tinkhac|cacbaikhac|cungchuyenmuc|cungmuc|binhluan|binh-luan|docnhieu|"
    "xemnhieu|doc-nhieu|xem-nhieu|doanhnghiep|tieudiem|tin_moi|tin-moi|ykien"
)
_ENGLISH_BOX = (
    "related|relate|relates|relatednews|comment|comments|cmt|tags?|tag-list|keywords?|"
    "share|social|rating|rate|vote|breadcrumbs?|breadcrumb|other-news|othernews|other|"
    "boxother|newshot|most-read|mostread|newest|latest|popular|footer|menu|nav|banner|ads|"
    "calendar|sidebar-right|list-video-other|video-other|paywall|premium-lock|content-lock|lock|"
    "hotnews"
)
_BOX_RE = re.compile(
    rf"({_VIETNAMESE_BOX})|(?:^|[-_])(?:{_ENGLISH_BOX})(?:$|[-_\d])", re.IGNORECASE
)
# Boxes the VCCorp CMS (Soha, GenK, Tuổi Trẻ, Người Lao Động…) inserts inside the body.
_CMS_BOX_TYPES = frozenset(("RelatedNewsBox", "RelatedOneNews", "LinkContent", "RelatedNews"))
# Compiled once: compiling an expression costs as much as running it on a whole page. The
# attribute tests stay in Python, where they cost a fraction of XPath's string functions.
_NAMED_XPATH = XPath("//body//*[@class or @id]")
_TYPED_XPATH = XPath("//*[@type]")
# A paragraph that is only a link to another article: "» Xem thêm: …", ">> Tên bài".
_POINTER_RE = re.compile(
    r"^\s*(?:>>|»|›)|^\s*(?:xem thêm|đọc thêm|xem tiếp|tin liên quan|tin bài liên quan)\s*:",
    re.IGNORECASE,
)
# Paragraphs, and divs holding nothing but links, that may only point to another article.
_LINK_BLOCK_XPATH = XPath("//p[a] | //div[a][not(*[not(self::a or self::b or self::strong)])]")
# A box holding this share of the page's text or more is the article itself, whatever its name.
MAX_BOX_SHARE = 0.4
# Tables holding a headline or another table lay out the page rather than tabulate data.
_LAYOUT_TABLE_XPATH = XPath("//table[.//h1 or .//h2 or .//table]")
_TABLE_PARTS = ("tbody", "thead", "tfoot", "tr", "td", "th")
# Lines that end a page rather than an article: headings of link boxes, "see all" links, pagers
# ("Trang trước, [1], 2"), calendar rows ("| CN | T2 | … |") and hotline numbers.
_BOX_HEADING_RE = re.compile(
    r"^(?:xem tất cả|xem toàn bộ|tin cùng (?:chuyên )?mục|(?:các )?tin khác|tin liên quan|"
    r"tin nổi bật|bài viết liên quan|thông tin cập nhật)\b",
    re.IGNORECASE,
)
_PAGER_RE = re.compile(
    r"^(?:trang (?:trước|sau|kế|đầu|cuối)|«|‹)|^[\d\s\[\],.…|<>«»]+$", re.IGNORECASE
)
_CALENDAR_CELL_RE = re.compile(r"^(?:cn|t[2-7]|th[2-7]|x|\d{1,2})?$", re.IGNORECASE)
_PHONE_RE = re.compile(r"^[\d\s.+()-]{8,}$")
# What may sit beside a linked headline in a list: a bullet, a date, a time, brackets.
_LIST_DECORATION_RE = re.compile(
    r"ngày|\d{1,2}[/.:h]\d{1,2}(?:[/.]\d{2,4})?|[\s\-–—•+|()\[\]:,.>»]", re.IGNORECASE
)
_HEADING_MAX_WORDS = 8
_TEASER_MAX_CHARS = 300
# A tail is cut only when it holds this many linked headlines or pager/calendar/"see all" lines:
# one linked line alone may be the article's own last paragraph.
_TAIL_MIN_ITEMS = 2
CREDIT_RE = re.compile(
    r"[\s.,]*(?:[-–—]\s*)?\(?\s*(?:ảnh|photo|nguồn ảnh)\s*:\s*([^()\n:]{2,60}?)\)?\s*\.?\s*$",
    re.IGNORECASE,
)
_CREDIT_WORD_RE = re.compile(r"ảnh|photo", re.IGNORECASE)
# Links that old article pages print under the text: "[Quay lại] [In bài] [Gửi bạn bè]".
_NAV_LABEL = (
    r"(?:quay lại|trở lại|trở về|về đầu trang|lên đầu trang|đầu trang|về trang chủ|"
    r"in bài(?: viết| này)?|bản in|gửi bài(?: viết| này)?|gửi (?:cho )?bạn bè|gửi email|"
    r"email bài này|chia sẻ|bình luận|back|print|top)"
)
_NAV_LINE_RE = re.compile(rf"^(?:[\s\[(«‹<|•-]*{_NAV_LABEL}[\s\])»›>|•-]*)+$", re.IGNORECASE)


def prune_boilerplate(tree: HtmlElement) -> int:
    """Remove related boxes, comments and pointer links from the tree; returns how many."""
    page_chars = len(tree.text_content()) or 1
    doomed: list[HtmlElement] = [
        element
        for element in _NAMED_XPATH(tree)
        if element.tag not in ("html", "body", "h1")
        and _names_box(element.get("class", ""), element.get("id", ""))
    ]
    doomed.extend(e for e in _TYPED_XPATH(tree) if e.get("type") in _CMS_BOX_TYPES)
    for paragraph in _LINK_BLOCK_XPATH(tree):
        text = paragraph.text_content().strip()
        linked = "".join(anchor_text(a) for a in paragraph.iter("a")).strip()
        if _POINTER_RE.match(text) and len(linked) >= 0.6 * len(text.lstrip(">»› ")):
            doomed.append(paragraph)
    doomed.extend(a for a in tree.iter("a") if _POINTER_RE.match(anchor_text(a)))
    removed = 0
    for element in doomed:
        parent = element.getparent()
        if parent is None or _detached(element):
            continue
        if len(element.text_content()) > MAX_BOX_SHARE * page_chars:
            continue
        element.drop_tree()
        removed += 1
    return removed


@lru_cache(maxsize=8192)
def _names_box(class_: str, id_: str) -> bool:
    """Whether a class or id token names a box that is never the article. Cached: an outlet's
    pages repeat the same few hundred class attributes."""
    return any(_BOX_RE.search(name) for name in f"{class_} {id_}".split())


def anchor_text(anchor: HtmlElement) -> str:
    """A link's text. Most links hold only text, and text_content() costs an XPath evaluation
    per call."""
    return anchor.text_content() if len(anchor) else anchor.text or ""


def unwrap_layout_tables(tree: HtmlElement) -> int:
    """Turn tables that lay out a page into divs; returns how many.

    trafilatura renders a table as "cell | cell" rows, so an article inside a layout table (old
    24h, VnExpress pages) came out as one row holding the body and every sidebar.
    """
    tables = _LAYOUT_TABLE_XPATH(tree)
    parts = [
        part
        for table in tables
        for part in table.iter(*_TABLE_PARTS)
        if next(part.iterancestors("table")) is table
    ]
    for element in (*tables, *parts):
        element.tag = "div"
    return len(tables)


def strip_trailing_lists(text: str, tree: HtmlElement) -> str:
    """The text without the related lists, pagers and calendars that trail the article.

    Walks up from the last line: linked headlines (with a date or bullet beside them), the teaser
    under a linked headline, headings of such lists, pagers, calendar rows and hotlines are cut,
    up to the first line that is none of these.
    """
    lines = text.split("\n")
    # Link texts by first word, so that a line is only compared with links that may be in it.
    links: dict[str, set[str]] = {}
    for anchor in tree.iter("a"):
        words = anchor_text(anchor).split()
        if len(words) >= 2:
            links.setdefault(words[0], set()).add(" ".join(words))

    def linked(line: str) -> bool:
        rest = line
        # Longest first: a short link ("Nóng bỏng") may sit inside a headline that is one too.
        candidates = {link for word in set(line.split()) for link in links.get(word, ())}
        for link in sorted(candidates, key=len, reverse=True):
            if link in rest:
                rest = rest.replace(link, "")
        if len(rest) > 0.5 * len(line):
            return False
        return len(_LIST_DECORATION_RE.sub("", rest)) <= 0.2 * len(line)

    def ending(line: str) -> bool:
        cells = [cell.strip() for cell in line.split("|")]
        return bool(
            _PAGER_RE.match(line)
            or (_BOX_HEADING_RE.match(line) and len(line.split()) <= _HEADING_MAX_WORDS)
            or _PHONE_RE.match(line)
            or (len(cells) >= 5 and all(_CALENDAR_CELL_RE.match(cell) for cell in cells))
        )

    cut, items, under_list = len(lines), 0, False
    for i in range(len(lines) - 1, -1, -1):
        line = " ".join(lines[i].split())
        if not line:
            cut = i
            continue
        listed = linked(line) or (ending(line) and not _PHONE_RE.match(line))
        if listed or _PHONE_RE.match(line):
            items += 1
        elif not _is_heading(line, under_list) and not (
            i > 0 and len(line) <= _TEASER_MAX_CHARS and linked(" ".join(lines[i - 1].split()))
        ):
            break
        cut, under_list = i, listed
    kept = "\n".join(lines[:cut]).rstrip()
    # A "tail" longer than what precedes it is the page itself: a listing, left to is_not_article.
    if items < _TAIL_MIN_ITEMS or len(kept) < len(text) - len(kept):
        return text
    return kept


def strip_navigation_lines(text: str) -> str:
    """The text without the lines of page navigation that end it ("[Quay lại]", "[In bài]")."""
    lines = text.rstrip().split("\n")
    while len(lines) > 1 and _NAV_LINE_RE.match(lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).rstrip()


def _is_heading(line: str, above_list: bool) -> bool:
    """A list's heading: short, unpunctuated, and in capitals or right above a list line."""
    if len(line.split()) > _HEADING_MAX_WORDS or line.endswith((".", "!", "?", ")", '"', "”")):
        return False
    return above_list or line.isupper()


def strip_repeated_credits(text: str) -> str:
    """Remove a photo credit ("Ảnh: Bá Đô") that ends two captions or more; keep the captions."""
    if not _CREDIT_WORD_RE.search(text):
        return text
    lines = text.split("\n")
    credits: dict[str, int] = {}
    found: list[re.Match[str] | None] = []
    for line in lines:
        # CREDIT_RE is tried at every position of a line; most lines have no credit word at all.
        match = CREDIT_RE.search(line) if _CREDIT_WORD_RE.search(line) else None
        found.append(match)
        if match:
            key = match.group(1).strip().casefold()
            credits[key] = credits.get(key, 0) + 1
    if not any(count >= 2 for count in credits.values()):
        return text
    kept: list[str] = []
    for line, match in zip(lines, found, strict=True):
        if match and credits[match.group(1).strip().casefold()] >= 2:
            line = line[: match.start()].rstrip()
            if not line:
                continue
            if not line.endswith((".", "!", "?", "…", '"', "”")):
                line += "."
        kept.append(line)
    return "\n".join(kept)


def _detached(element: HtmlElement) -> bool:
    """Already removed with an ancestor that was dropped before it."""
    while (parent := element.getparent()) is not None:
        element = parent
    return bool(element.tag != "html")
