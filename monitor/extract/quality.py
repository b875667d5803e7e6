"""Quality flags of an extracted article, so a researcher can filter what to trust.

* short: less text than a news article has (a photo or video page, a brief, a failed extraction)
* probably_truncated: the text stops mid-sentence, ends on a "read more" link, or the page
  keeps the rest for members (paywall)
* no_date: no publication date was found
* not_article: a homepage or section listing, or a video page
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.etree import XPath
from lxml.html import HtmlElement

from monitor.extract.boilerplate import CREDIT_RE, anchor_text

FLAGS = ("no_date", "not_article", "probably_truncated", "short")
SHORT_CHARS = 400
# A last line this short without final punctuation is a byline or a source ("Theo Infonet").
BYLINE_MAX_WORDS = 8
_SENTENCE_END = tuple(".!?…\"”»)'’:;*")
# A line that only points elsewhere for the rest of the story.
READ_MORE_RE = re.compile(
    r"^[\s>»(\[]*(đọc tiếp|xem tiếp|đọc thêm|xem thêm|đọc toàn bộ|xem toàn bộ|read more|"
    r"continue reading|lire la suite)\b[^.!?]{0,60}$",
    re.IGNORECASE,
)
_PAYWALL_TEXT_RE = re.compile(
    r"nội dung dành (riêng )?cho (thành viên|hội viên|bạn đọc đăng ký)|"
    r"đăng ký (gói )?(thành viên|hội viên) để đọc|đăng ký để đọc tiếp|"
    r"subscribe to (continue|read)|this (article|content) is for subscribers",
    re.IGNORECASE,
)
_PAYWALL_XPATH = XPath(
    "//*[contains(@class, 'paywall') or contains(@id, 'paywall')"
    " or contains(@class, 'premium-lock') or contains(@class, 'content-lock')"
    " or contains(@class, 'member-only')]"
    " | //meta[@property='article:content_tier'][@content='locked' or @content='metered']"
)
# Each of _PAYWALL_XPATH's tests needs one of these in the page's source.
_PAYWALL_MARKS = ("paywall", "premium-lock", "content-lock", "member-only", "content_tier")
_PLAYER_XPATH = XPath(
    "//video | //iframe[contains(@src, 'youtube') or contains(@src, 'player')]"
    " | //*[contains(@class, 'video-player') or contains(@id, 'player')]"
)
# A listing's text is mostly headlines and teasers that are themselves links.
LISTING_MIN_LINES = 5
LISTING_LINK_SHARE = 0.5
# A teaser opens with a linked headline of this many words; an article's headline has this many.
TEASER_HEADLINE_WORDS = 6
HEADLINE_MIN_WORDS = 4
SECTION_MAX_WORDS = 4


def quality_flags(text: str, *, dated: bool, not_article: bool, paywalled: bool) -> tuple[str, ...]:
    """The sorted flags that apply to an article's text and page."""
    flags: set[str] = set()
    if len(text) < SHORT_CHARS:
        flags.add("short")
    if paywalled or looks_truncated(text):
        flags.add("probably_truncated")
    if not dated:
        flags.add("no_date")
    if not_article:
        flags.add("not_article")
    return tuple(sorted(flags))


def looks_truncated(text: str) -> bool:
    """The text ends on a "read more" line, a paywall notice, or in the middle of a sentence."""
    # Layout tables come out of trafilatura as "cell | cell" rows: every cell is a line here.
    lines = [line.strip() for line in text.replace("|", "\n").splitlines() if line.strip()]
    if not lines:
        return False
    if READ_MORE_RE.match(lines[-1]) or _PAYWALL_TEXT_RE.search(" ".join(lines[-3:])):
        return True
    for line in reversed(lines):
        if CREDIT_RE.search(line):
            continue  # a photo caption, not a sentence of the body
        if len(line.split()) <= BYLINE_MAX_WORDS and not line.endswith(_SENTENCE_END):
            continue
        return line.endswith(("...", "…")) or not line.endswith(_SENTENCE_END)
    return False


def has_paywall(tree: HtmlElement, source: str | None = None) -> bool:
    """The page marks its content as locked, or shows a members-only notice.

    `source`, the page's HTML when at hand, spares the tree search on the many pages that name
    none of the marks: XPath's string tests on every element cost more than half a millisecond.
    """
    if source is not None and not any(mark in source for mark in _PAYWALL_MARKS):
        return False
    return bool(_PAYWALL_XPATH(tree))


def is_not_article(
    tree: HtmlElement, *, url: str, og_type: str | None, text: str, headline: str | None = None
) -> bool:
    """A homepage, a section listing or a video page rather than an article.

    `headline` is the page's printed headline when one matches its title. A listing's text is
    its teasers: linked headlines, alone or followed by their summary. A page without an
    article's headline (a section name such as "Kinh doanh" is none) at a section's address
    ("/kinh-doanh.htm", "/thi-truong-chung-khoan.chn") is a listing too.
    """
    og = (og_type or "").lower()
    if og.startswith("video"):
        return True
    path = urlsplit(url).path
    if _home_path(path):
        return True
    if _mostly_teasers(tree, text):
        return True
    if (headline is None or len(headline.split()) < HEADLINE_MIN_WORDS) and _section_path(path):
        return True
    video_url = "/video" in path.lower() or "video-" in path.lower()
    return video_url and len(text) < SHORT_CHARS and bool(_PLAYER_XPATH(tree))


def _mostly_teasers(tree: HtmlElement, text: str) -> bool:
    """Most lines of the text are a linked headline, or open with one (a teaser)."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if len(line.split()) >= 4]
    link_texts = {" ".join(anchor_text(a).split()) for a in tree.iter("a")}
    headlines: dict[str, list[str]] = {}
    for link in link_texts:
        if len(link.split()) >= TEASER_HEADLINE_WORDS:
            headlines.setdefault(link[:12], []).append(link)
    linked = sum(
        line in link_texts or any(line.startswith(h) for h in headlines.get(line[:12], ()))
        for line in lines
    )
    return linked >= LISTING_MIN_LINES and linked >= LISTING_LINK_SHARE * len(lines)


def listing_address(url: str) -> bool:
    """The address of a home page or of a section ("/", "/thoi-su", "/kinh-doanh.htm"): where
    an outlet sends the readers of an article it removed."""
    path = urlsplit(url).path
    return _home_path(path) or _section_path(path)


def _home_path(path: str) -> bool:
    return path in ("", "/") or path.lower() in ("/index.html", "/index.htm", "/home")


def _section_path(path: str) -> bool:
    """An address that names a section, not an article: a few words and no number."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    stem = last.rsplit(".", 1)[0] if "." in last else last
    words = [w for w in re.split(r"[-_+]", stem) if w]
    return 0 < len(words) <= SECTION_MAX_WORDS and not any(c.isdigit() for c in stem)
