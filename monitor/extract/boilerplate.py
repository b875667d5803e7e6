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
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from lxml.etree import XPath
from lxml.html import HtmlElement

from monitor.extract.markup import nowhite

# Class or id names of boxes that are never the article: related lists, comments, tags, share
# buttons, ratings, most-read lists, ads. A name is split into words ("relatedNewsBox" →
# related, news, box; "detail__related" → detail, related) and names a box only when one word is
# a box word and every other word is a container word: "block_ads_connect" (VnExpress's article
# body) is not an ad box, "box-ads" is. Vietnamese compounds are distinctive enough to be matched
# anywhere in a name ("box-tinlienquanv2").
_VIETNAMESE_BOX_RE = re.compile(
    "lienquan|tinkhac|cacbaikhac|cungchuyenmuc|cungmuc|binhluan|binh-luan|docnhieu|"
    "xemnhieu|doc-nhieu|xem-nhieu|tieudiem|tin_moi|tin-moi|ykien|quangcao",
    re.IGNORECASE,
)
_BOX_WORDS = frozenset(
    "related relate relates relatednews comment comments cmt tag tags keyword keywords share "
    "sharing social rating rate vote breadcrumb breadcrumbs othernews other boxother newshot "
    "hotnews mostread mostview mostviewed popular newest latest footer menu nav navbar "
    "navigation banner ads ad advert adv advertisement advertising sponsor sponsored "
    "calendar sidebar paywall lock subscribe newsletter promo recommend recommended "
    "recommendation recommendations readmore".split()
)
_CONTAINER_WORDS = frozenset(
    "box boxes list lists wrap wrapper wrapping container holder block blocks area section "
    "widget module item items news post posts article articles story stories link links top "
    "bottom left right col column inner outer main content detail details page site title "
    "header head body zone region slot panel group bar tool tools button buttons btn icon "
    "icons mobile desktop pc mb fixed sticky new old v more all the of and full line cate "
    "category video photo most read view viewed premium".split()
)
_NAME_WORD_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
# Boxes the VCCorp CMS (Soha, GenK, Tuổi Trẻ, Người Lao Động…) inserts inside the body.
_CMS_BOX_TYPES = frozenset(("RelatedNewsBox", "RelatedOneNews", "LinkContent", "RelatedNews"))
# Compiled once: compiling an expression costs as much as running it on a whole page.
_NEVER_BOXES = frozenset(("h1", "article"))
MIN_ARTICLE_SHARE = 0.25
# A paragraph that is only a link to another article: "» Xem thêm: …", ">> Tên bài".
_POINTER_RE = re.compile(
    r"^\s*(?:>>|»|›)|^\s*(?:xem thêm|đọc thêm|xem tiếp|tin liên quan|tin bài liên quan)\s*:",
    re.IGNORECASE,
)
# Paragraphs, and divs holding nothing but links, that may only point to another article.
_LINK_BLOCK_XPATH = XPath("//p[a] | //div[a][not(*[not(self::a or self::b or self::strong)])]")
# A box holding this share of trafilatura's text or more is the article, whatever its name.
MAX_BOX_SHARE = 0.5
# Before extraction: a box holding this share of the page's text, or a paragraph of prose this
# long, may be the article.
PRUNE_SHARE = 0.4
PROSE_CHARS = 150
_PROSE_BLOCKS = XPath(".//p | .//div[not(*)]")
_UNLINKED_TEXT = XPath(".//text()[not(ancestor::a)]")
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


@dataclass(frozen=True)
class Candidates:
    """The elements of a page that may be boilerplate boxes and those that may be the article
    itself, each with its text. Found once a page."""

    boxes: dict[HtmlElement, str]
    articles: dict[HtmlElement, str]


def box_candidates(tree: HtmlElement) -> Candidates:
    """Named boxes, the CMS's related boxes inside the body, and paragraphs or links that only
    point to another article; with `<article>`s and `[itemprop=articleBody]`s. One pass over the
    page's elements: each XPath over the page costs as much as the pass."""
    found: list[HtmlElement] = []
    articles: list[HtmlElement] = []
    body = tree.find("body")
    for element in (body if body is not None else tree).iterdescendants():
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            continue
        if tag == "article" or element.get("itemprop") == "articleBody":
            articles.append(element)
        pointer = tag == "a" and bool(_POINTER_RE.match(anchor_text(element)))
        if (
            pointer
            or element.get("type") in _CMS_BOX_TYPES
            or (
                tag not in _NEVER_BOXES
                and _names_box(element.get("class", ""), element.get("id", ""))
            )
        ):
            found.append(element)
    for paragraph in _LINK_BLOCK_XPATH(tree):
        text = paragraph.text_content().strip()
        linked = "".join(anchor_text(a) for a in paragraph.iter("a")).strip()
        if _POINTER_RE.match(text) and len(linked) >= 0.6 * len(text.lstrip(">»› ")):
            found.append(paragraph)
    return Candidates(
        {element: element.text_content() for element in found},
        {element: element.text_content() for element in articles},
    )


def boilerplate_boxes(
    candidates: Candidates,
    body_text: str,
    headline_block: HtmlElement | None = None,
    *,
    share: float = MAX_BOX_SHARE,
) -> list[HtmlElement]:
    """The boxes of the page that are never the article.

    The article is protected, whatever its boxes are named: no box is, or holds, the block under
    the headline, an `[itemprop=articleBody]`, or an `<article>` holding a quarter of
    trafilatura's `body_text` (related teasers are `<article>`s too, each a line); and no box
    holds `share` of `body_text`. Nested boxes are returned once, as the outermost.
    """
    body_chars = len(nowhite(body_text))
    keep_out: set[HtmlElement] = set()
    for element, text in candidates.articles.items():
        if element.tag == "article" and _shorter(text, MIN_ARTICLE_SHARE * body_chars):
            continue
        keep_out.add(element)
        keep_out.update(element.iterancestors())
    if headline_block is not None:
        keep_out.add(headline_block)
        keep_out.update(headline_block.iterancestors())
    boxes = {
        element
        for element, text in candidates.boxes.items()
        if element not in keep_out and _shorter(text, share * body_chars)
    }
    return [b for b in boxes if not any(a in boxes for a in b.iterancestors())]


def drop_navigation(
    tree: HtmlElement, candidates: Candidates, headline_block: HtmlElement | None
) -> Candidates:
    """The page without the boxes that are surely not the article, before trafilatura reads
    it (a third of its work on a news page) and before dates, leads and lists are looked for
    in it; returns the candidates that are left.

    Chosen as `boilerplate_boxes` chooses, with the page's text in place of trafilatura's (no
    box holds PRUNE_SHARE of it) and one more guard, since nothing has been extracted to
    compare with: a box holding a paragraph of prose stays. A wrapper that carries "share" or
    "tag-top" among its classes holds the article's paragraphs; a menu, a footer or a list of
    headlines does not. What stays is cut from trafilatura's text afterwards, if it is there.
    """
    body = tree.find("body")
    page_text = (body if body is not None else tree).text_content()
    dropped = [
        box
        for box in boilerplate_boxes(candidates, page_text, headline_block, share=PRUNE_SHARE)
        if not _holds_prose(box, candidates.boxes[box])
    ]
    gone: set[HtmlElement] = set()
    for box in dropped:
        gone.update(box.iter())
        box.drop_tree()
    return Candidates(
        {e: text for e, text in candidates.boxes.items() if e not in gone},
        {e: text for e, text in candidates.articles.items() if e not in gone},
    )


def _holds_prose(box: HtmlElement, text: str) -> bool:
    if len(text) < PROSE_CHARS:
        return False
    for block in _PROSE_BLOCKS(box):
        # The block's whole text bounds its unlinked text: most blocks end the test here.
        if len(block.text_content()) < PROSE_CHARS:
            continue
        if len(" ".join("".join(_UNLINKED_TEXT(block)).split())) >= PROSE_CHARS:
            return True
    return False


def _shorter(text: str, chars: float) -> bool:
    """Whether `text` has fewer than `chars` characters besides whitespace."""
    return len(text) < chars or len(nowhite(text)) < chars


def cut_box_lines(
    text: str, tree: HtmlElement, boxes: list[HtmlElement], candidates: Candidates
) -> str:
    """The extracted text without the lines that come from `boxes`.

    trafilatura writes a box's text as a run of lines in the box's order. A run is cut when its
    text stands nowhere on the page outside the boxes, or when it is most of one box: a
    menu's "Video" line goes with its menu even though "Video khác" heads another list, while
    a sentence that the article and a related box share stays. Lines are compared without
    whitespace, list bullets or table bars, which trafilatura adds.
    """
    if not boxes or not text:
        return text
    box_keys = [nowhite(candidates.boxes[box]) for box in boxes]
    # A paragraph or link that only points to another article (">> …") goes wherever it is.
    pointers = {k.lstrip(">»›") for k in box_keys if _POINTER_RE.match(k)}
    body = tree.find("body")
    outside = nowhite((body if body is not None else tree).text_content())
    for key in box_keys:
        # An element's text is one stretch of its ancestor's text: this removes the box.
        outside = outside.replace(key, "\0", 1)
    lines = text.split("\n")
    keys = [_line_key(line) for line in lines]
    cut = [False] * len(lines)
    i = 0
    while i < len(lines):
        if keys[i].lstrip(">»›") in pointers:
            cut[i] = True
            i += 1
            continue
        # A box run into the end of a line ("Theo TTXVN(6816 bình chọn)"): its text goes.
        ending = next((b for b in box_keys if len(b) >= 8 and keys[i].endswith(b)), "")
        if ending and len(keys[i]) > len(ending):
            lines[i] = _without_last_chars(lines[i], len(ending))
        end = max((_run_end(keys, i, box) for box in box_keys if keys[i]), default=i)
        run = "".join(keys[i:end])
        owner = max((b for b in box_keys if run in b), key=len, default="")
        if end > i and (run not in outside or (end - i >= 2 and 2 * len(run) >= len(owner))):
            cut[i:end] = [True] * (end - i)
            i = end
        else:
            i += 1
    return "\n".join(line for line, gone in zip(lines, cut, strict=True) if not gone).strip()


def _without_last_chars(line: str, count: int) -> str:
    """The line without its last `count` characters that are not whitespace."""
    end = len(line)
    while count and end:
        end -= 1
        count -= not line[end].isspace()
    return line[:end].rstrip()


def _run_end(keys: list[str], start: int, box: str) -> int:
    """The end of the longest run of lines from `start` whose text stands in `box` in order."""
    end, run = start, ""
    while end < len(keys) and (candidate := run + keys[end]) in box:
        run, end = candidate, end + 1
    return end


def _line_key(line: str) -> str:
    """A line of trafilatura's text as it stands in the page: no bullet, table bars or spaces."""
    line = line.strip().removeprefix("- ")
    return nowhite(line.replace("|", " ")) if line.startswith("|") else nowhite(line)


@lru_cache(maxsize=8192)
def _names_box(class_: str, id_: str) -> bool:
    """Whether a class or id names a box that is never the article. Cached: an outlet's pages
    repeat the same few hundred class attributes."""
    for name in f"{class_} {id_}".split():
        if _VIETNAMESE_BOX_RE.search(name):
            return True
        words = [w.lower() for w in _NAME_WORD_RE.findall(name)]
        boxed = {w for w in words if w in _BOX_WORDS}
        # "most-read", "hotNews": a box word may be written as two.
        for a, b in pairwise(words):
            if a + b in _BOX_WORDS:
                boxed.update((a, b))
        if boxed and all(w in boxed or w in _CONTAINER_WORDS for w in words):
            return True
    return False


def text_without_pointers(element: HtmlElement) -> str:
    """An element's text without the links in it that point to another article (">> …")."""
    text = str(element.text_content())
    for anchor in element.iter("a"):
        if _POINTER_RE.match(linked := anchor_text(anchor)):
            text = text.replace(linked, " ")
    return text


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
