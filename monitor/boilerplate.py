"""Boilerplate that Vietnamese news pages put around and inside an article, removed before and
after extraction: related-article boxes, comments, tags, ratings, "» read also" links, and photo
credits repeated under every picture.

trafilatura drops most navigation by itself; what it keeps on these outlets are related lists
and comments whose markup looks like text, so they are removed by class/id before it runs.
"""

from __future__ import annotations

import re

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
    "calendar|sidebar-right|list-video-other|video-other|paywall|premium-lock|content-lock|lock"
)
_BOX_RE = re.compile(
    rf"({_VIETNAMESE_BOX})|(?:^|[-_])(?:{_ENGLISH_BOX})(?:$|[-_\d])", re.IGNORECASE
)
# Boxes the VCCorp CMS (Soha, GenK, Tuổi Trẻ, Người Lao Động…) inserts inside the body.
_CMS_BOX_XPATH = (
    "//*[@type='RelatedNewsBox' or @type='RelatedOneNews' or @type='LinkContent'"
    " or @type='RelatedNews']"
)
# A paragraph that is only a link to another article: "» Xem thêm: …", ">> Tên bài".
_POINTER_RE = re.compile(
    r"^\s*(?:>>|»|›)|^\s*(?:xem thêm|đọc thêm|xem tiếp|tin liên quan|tin bài liên quan)\s*:",
    re.IGNORECASE,
)
# Paragraphs, and divs holding nothing but links, that may only point to another article.
_LINK_BLOCK_XPATH = "//p[a] | //div[a][not(*[not(self::a or self::b or self::strong)])]"
# A box holding this share of the page's text or more is the article itself, whatever its name.
MAX_BOX_SHARE = 0.4
CREDIT_RE = re.compile(
    r"[\s.,]*(?:[-–—]\s*)?\(?\s*(?:ảnh|photo|nguồn ảnh)\s*:\s*([^()\n:]{2,60}?)\)?\s*\.?\s*$",
    re.IGNORECASE,
)


def prune_boilerplate(tree: HtmlElement) -> int:
    """Remove related boxes, comments and pointer links from the tree; returns how many."""
    page_chars = len(tree.text_content()) or 1
    doomed: list[HtmlElement] = []
    for element in tree.xpath("//body//*[@class or @id]"):
        names = f"{element.get('class', '')} {element.get('id', '')}".split()
        if element.tag in ("html", "body", "h1") or not any(_BOX_RE.search(n) for n in names):
            continue
        doomed.append(element)
    doomed.extend(tree.xpath(_CMS_BOX_XPATH))
    for paragraph in tree.xpath(_LINK_BLOCK_XPATH):
        text = paragraph.text_content().strip()
        linked = "".join(a.text_content() for a in paragraph.iter("a")).strip()
        if _POINTER_RE.match(text) and len(linked) >= 0.6 * len(text.lstrip(">»› ")):
            doomed.append(paragraph)
    doomed.extend(a for a in tree.iter("a") if _POINTER_RE.match(a.text_content()))
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


def strip_repeated_credits(text: str) -> str:
    """Remove a photo credit ("Ảnh: Bá Đô") that ends two captions or more; keep the captions."""
    lines = text.split("\n")
    credits: dict[str, int] = {}
    found: list[re.Match[str] | None] = []
    for line in lines:
        match = CREDIT_RE.search(line)
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
