"""A fetched page → article fields: decoded, extracted with trafilatura, NFC, dated with provenance.

Pure functions: no network, no database. `extract_article` is what `monitor run` calls for each
page, and what a future re-extraction over stored pages will call again. The page is parsed once;
boilerplate boxes are pruned from that tree, the headline, lead, dates and canonical URL are read
from it, and trafilatura extracts the body from it. A second, recall-oriented trafilatura pass and
the feed's summary are fallbacks that run only when the first pass finds too little text, and the
article records which `method` produced its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import urljoin

import htmldate
import lxml.etree
import trafilatura
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.settings import use_config
from trafilatura.utils import load_html

from index.analysis import nfc
from monitor import __version__
from monitor.decoding import decode_markup
from monitor.errors import ExtractError
from monitor.extract.boilerplate import (
    Candidates,
    boilerplate_boxes,
    box_candidates,
    cut_box_lines,
    drop_navigation,
    strip_navigation_lines,
    strip_repeated_credits,
    strip_trailing_lists,
    text_without_pointers,
    unwrap_layout_tables,
)
from monitor.extract.language import detect_language
from monitor.extract.metadata import page_meta, searched_date
from monitor.extract.quality import has_paywall, is_not_article, quality_flags, strip_read_more
from monitor.extract.region import article_region, with_skipped_paragraphs, without_outside_tail
from monitor.models import Article
from monitor.timestamps import VIETNAM

__all__ = [
    "EXTRACTOR",
    "STEPS",
    "VERSIONS",
    "Article",
    "FeedHints",
    "decode_html",
    "detect_language",
    "extract_article",
    "find_lead",
    "pick_title",
    "shown_date",
    "strip_outlet_suffix",
]

MIN_TEXT_CHARS = 200
# What the project adds to trafilatura, in the order it runs; see extract_article.
STEPS = frozenset(
    (
        "layout_tables",
        "prune",
        "fallbacks",
        "boxes",
        "missed_block",
        "outside_tail",
        "skipped_paragraphs",
        "trailing_lists",
        "navigation",
        "title_lines",
        "lead",
        "credits",
        "read_more",
    )
)
# Vietnamese outlets publish in Indochina Time; a date with no offset is read as such.
_VIETNAM_OFFSET = timedelta(hours=7)
# A page date more than this far ahead of the fetch is a wrong date (e.g. a cookie expiry).
MAX_FUTURE = timedelta(days=1)
EXTRACTOR = f"trafilatura {trafilatura.__version__}"
VERSIONS: dict[str, str] = {
    "trafilatura": trafilatura.__version__,
    "htmldate": htmldate.__version__,
    "lxml": lxml.etree.__version__,
    "press-monitor": __version__,
}
# htmldate's extensive search guesses from any number in the text ("năm 2026" → 1 January)
# and costs ~350 ms a page: dates come from markup, then the feed, and are otherwise unknown.
_TRAFILATURA_CONFIG = use_config()
_TRAFILATURA_CONFIG.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)
_HTTP_CHARSET_RE = re.compile(r"charset=[\"']?([\w-]+)", re.IGNORECASE)
# Publication timestamps that outlets put in the page head; trafilatura keeps only the day.
_META_DATE_RE = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)\s*=\s*["']"""
    r"""(?:article:published_time|og:published_time|datePublished|pubdate|publishdate|"""
    r"""dc\.date\.issued|dcterms\.created)["'][^>]*?content\s*=\s*["']([^"']+)["']"""
    r"""|<meta[^>]+content\s*=\s*["']([^"']+)["'][^>]*?(?:property|name|itemprop)\s*=\s*["']"""
    r"""(?:article:published_time|og:published_time|datePublished|pubdate|publishdate)["']"""
    r'|"datePublished"\s*:\s*"([^"]+)"',
    re.IGNORECASE,
)
# The lead paragraph ("sapo") that Vietnamese outlets print in its own block above the body;
# trafilatura often drops it as boilerplate. XPath finds candidates cheaply, the regex checks
# whole class tokens ("lead", not "leaderboard").
_LEAD_XPATH = (
    "//*[self::p or self::h2 or self::h3 or self::div or self::span]"
    "[contains(@class, 'sapo') or contains(@class, 'ead') or contains(@class, 'escription')"
    " or contains(@class, 'ummary') or contains(@class, 'hap') or contains(@class, 'desc')"
    " or contains(@class, 'Head') or @data-role='sapo' or contains(@id, 'sapo')]"
)
# "head-noidung" ("head content") is 24h's name for the lead of its 2012 layout.
_LEAD_CLASS_RE = re.compile(
    r"^(?:.*[-_])?(?:sapo|lead|description|desc|summary|chapo|chappeau|phead|head-noidung)"
    r"(?:[-_].*)?$",
    re.IGNORECASE,
)
# "(Dân trí) - ", "TTO - ", "(TNO) ", "VOV.VN - ": the dateline that opens a lead.
_DATELINE_RE = re.compile(r"^(?:\([^()]{2,25}\)\s*[-–—]?|[A-ZĐ][\w.+]{1,12}\s*[-–—])\s")
_LEAD_CHARS = (40, 1000)
# Text of a block outside links, scripts and styles; the tags that make lines of it.
_OWN_TEXT_XPATH = ".//text()[not(ancestor::a or ancestor::script or ancestor::style)]"
_BLOCK_TAGS = ("p", "h2", "h3", "h4", "li", "td", "blockquote")
_BLOCK_MIN_CHARS = 100
_PASSAGE_MIN_CHARS = 40
_MISSED_BLOCK_MAX_PROSE = 0.1
_PROSE_LINE_CHARS = 100
_SENTENCE_ENDS = tuple(".!?…\"”»)'’:")
_SPACE_BEFORE_PUNCTUATION_RE = re.compile(r"\s+([.,;:!?])")
_HEADLINE_XPATH = "//body//h1 | //body//h2 | //body//*[@itemprop='headline']"
_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", ": ")
_HEADLINE_MIN_WORDS = 4
_REWORDED_SHARE = 0.7
_HEADING_GLUE = "-|–—:·»«/([,"
_DOMAIN_RE = re.compile(r"\b[\w-]+\.(?:vn|com|net|org|info|tv)\b", re.IGNORECASE)
# Where outlets print "Thứ hai, 12/8/2024": elements whose class or id names a date or time
# (checked in Python: XPath's string functions on every element cost ~5 ms a page), <time>, and
# short texts with a four-digit year after a separator or a weekday ("Thứ Ba, 25/12/2012").
_NAMED_OR_TIMED = XPath(
    "//body//*[@class or @id] | //body//time | //body//*[@itemprop='datePublished']"
)
_DATED_TEXTS = XPath(
    "//body//text()[contains(., '/20') or contains(., '-20') or contains(., '.20')"
    " or contains(., 'hứ ') or contains(., 'HỨ ')]"
)
_DATE_NAMES = ("date", "time", "publish", "updtm")
_SHOWN_DATE_MAX_CHARS = 90
# Compiled once: compiling an expression costs about as much as running it on a page.
_OWN_TEXT = XPath(_OWN_TEXT_XPATH)
_LEADS = XPath(_LEAD_XPATH)
_DATELINE_CANDIDATES = XPath("//body//h2 | //body//p")
_HEADLINES = XPath(_HEADLINE_XPATH)
_H3S = XPath("//body//h3")
_MAIN_HEADINGS = XPath("//body//h1 | //body//*[@itemprop='headline' or @data-role='title']")
_HEADLINES_AND_H3S = XPath(_HEADLINE_XPATH + " | //body//h3")
_META = XPath("//meta[@property=$key or @name=$key]/@content")
_CANONICAL = XPath("//link[@rel='canonical']/@href")
_CONTENT_LANGUAGE = XPath(
    "//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')='content-language']"
    "/@content"
)
_DAY_RE = re.compile(r"(?<![\d/])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?![\d/])")
_CLOCK_RE = re.compile(
    r"(?<!\d)(\d{1,2})\s*[:h]\s*(\d{2})(?::\d{2})?(?!\d)\s*(am|pm|sáng|chiều|tối|trưa|đêm)?",
    re.IGNORECASE,
)
_CLOCK_WINDOW = 25
# What a printed date line holds besides the date and the time.
_DATE_LINE_WORDS_RE = re.compile(
    r"thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|cập\s+nhật|đăng|ngày|lúc|"
    r"gmt\s*[+-]\s*\d{1,2}|\b(?:cn|am|pm)\b",
    re.IGNORECASE,
)
_DATE_LINE_PUNCTUATION_RE = re.compile(r"[\s,|()\[\]\-–—/:.]+")


@dataclass(frozen=True)
class FeedHints:
    """What the feed said about an entry, used when the page says less."""

    title: str | None = None
    summary: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    source: str | None = None


def decode_html(body: bytes, content_type: str | None) -> str:
    """Bytes → NFC text, decoded as feeds are (monitor.decoding): valid UTF-8 is UTF-8 whatever
    the page declares, which real pages get wrong more often than their bytes."""
    return nfc(decode_markup(body, content_type).text)


def extract_article(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    hints: FeedHints,
    fetched_at: datetime | None = None,
    steps: frozenset[str] = STEPS,
) -> Article:
    """Extract an article. Raises ExtractError when the page holds no article text.

    `steps` names the project's additions to trafilatura that run (all of STEPS by default);
    the real-page evaluation switches them off one at a time to measure what each is worth.
    """
    html = decode_html(body, content_type)
    tree = load_html(html)
    if tree is None:
        raise ExtractError("no article text found on the page")
    if "layout_tables" in steps:
        unwrap_layout_tables(tree)
    meta = page_meta(tree)
    title = pick_title(tree, source=hints.source, sitename=meta.sitename, fallback=meta.title)
    title = title or hints.title or url
    headline = _headline_element(tree, title)
    block = _headline_block(headline) if headline is not None else None
    candidates = box_candidates(tree)
    if "prune" in steps:
        candidates = drop_navigation(tree, candidates, block)
    text, method = _body_text(tree, url, hints, fallbacks="fallbacks" in steps)
    lead = None
    if "lead" in steps and headline is not None:
        lead = find_lead(tree, _lead_placement(tree, _squash(headline.text_content()), text))
    if method != "feed-summary":
        text = _cleaned_body(text, tree, candidates, headline, block, title, lead, steps)
    if lead and lead not in _squash(text):
        text, method = (f"{lead}\n{text}", method) if text else (lead, "lead-only")
    if not text:
        raise ExtractError("no article text found on the page")
    declared = _declared_language(tree) or hints.language
    language = detect_language(text) or declared
    published, date_source = _page_date(
        _meta_date(html),
        shown_date(tree, near=headline),
        lambda: searched_date(tree, url),
        hints.published,
        fetched_at,
        vietnamese=language == "vi",
    )
    if "credits" in steps:
        text = strip_repeated_credits(text)
    not_article = is_not_article(
        tree,
        url=url,
        og_type=_meta(tree, "og:type"),
        text=text,
        headline=title if headline is not None else None,
    )
    flags = quality_flags(
        text,
        dated=published is not None,
        not_article=not_article,
        paywalled=has_paywall(tree, html),
    )
    if "read_more" in steps:
        text = strip_read_more(text)
    return Article(
        title=nfc(title),
        text=text,
        author=meta.author or hints.author,
        published=published,
        date_source=date_source,
        language=language,
        declared_language=declared,
        extractor=EXTRACTOR if method == "trafilatura" else f"{method} ({EXTRACTOR})",
        flags=flags,
        method=method,
        versions=dict(VERSIONS),
        canonical_url=_canonical_url(tree, url),
    )


def _cleaned_body(
    text: str,
    tree: HtmlElement,
    candidates: Candidates,
    headline: HtmlElement | None,
    block: HtmlElement | None,
    title: str,
    lead: str | None,
    steps: frozenset[str],
) -> str:
    """trafilatura's body with what the project is sure is not the article cut out of it."""
    boxes = boilerplate_boxes(candidates, text, block) if "boxes" in steps else []
    text = cut_box_lines(text, tree, boxes, candidates)
    missed = None
    if "missed_block" in steps and headline is not None:
        missed = _missed_block(headline, text, lead)
    # The block's own lines are the article: there is no region to look around.
    text = missed or text
    area = article_region(text, headline) if headline is not None and not missed else None
    if area is not None and "outside_tail" in steps:
        text = without_outside_tail(text, area)
        area = article_region(text, headline)
    if area is not None and "skipped_paragraphs" in steps:
        text = with_skipped_paragraphs(text, area, boxes)
    if "trailing_lists" in steps:
        text = strip_trailing_lists(text, tree)
    if "navigation" in steps:
        text = strip_navigation_lines(text)
    if "title_lines" in steps:
        text = _without_title_lines(text, title)
    return _tidy(text)


def _tidy(text: str) -> str:
    """Lines without the indentation and the empty table cells ("|  |") of old layouts."""
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line.strip("| "))


def _body_text(
    tree: HtmlElement, url: str, hints: FeedHints, *, fallbacks: bool
) -> tuple[str, str]:
    """trafilatura's text and how it was made; the fallbacks only when the text is too short."""
    text = _trafilatura(tree, url, recall=False)
    method = "trafilatura"
    if fallbacks and len(text) < MIN_TEXT_CHARS:
        # Below the floor too, recall mostly adds menus and footers: then the first pass stays.
        recall_text = _trafilatura(tree, url, recall=True)
        if len(recall_text) >= MIN_TEXT_CHARS:
            text, method = recall_text, "trafilatura-recall"
        summary = nfc(" ".join((hints.summary or "").split()))
        if len(text) < MIN_TEXT_CHARS and len(summary) > len(text):
            text, method = summary, "feed-summary"
    return text, method


def _trafilatura(tree: HtmlElement, url: str, *, recall: bool) -> str:
    # trafilatura copies a tree it is handed, so the tree stays usable afterwards. Metadata
    # comes from monitor.metadata, which reads what trafilatura would at a fraction of the cost.
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_recall=recall,
        config=_TRAFILATURA_CONFIG,
    )
    if document is None:
        return ""
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    return nfc((data.get("text") or "").strip())


def _headline_block(headline: HtmlElement) -> HtmlElement | None:
    """The smallest block around the headline that holds some text besides it."""
    known = len(_squash(headline.text_content()))
    block = headline
    while (parent := block.getparent()) is not None and parent.tag != "body":
        block = parent
        if len(_squash(block.text_content())) - known >= _BLOCK_MIN_CHARS:
            return block
    return None


def _missed_block(headline: HtmlElement, text: str, lead: str | None) -> str | None:
    """The text of the block around the headline when trafilatura's `text` has none of it.

    On pages whose article is short and whose sidebar is long (a reader's photo with two lines
    of caption), trafilatura takes the sidebar; the article is where the headline is. Only
    when `text` is not prose: on real pages, the text under a headline is as often a standfirst
    above a body that trafilatura found well.
    """
    if _prose_share(text) >= _MISSED_BLOCK_MAX_PROSE:
        return None
    known = f"{_squash(headline.text_content())}\n{lead or ''}"
    block, passages = headline, []
    while (parent := block.getparent()) is not None and parent.tag != "body":
        block = parent
        passages = [p for t in _OWN_TEXT(block) if (p := _squash(t)) not in known]
        if sum(len(p) for p in passages) >= _BLOCK_MIN_CHARS:
            break
    else:
        return None
    squashed = _squash(text)
    passages = [p for p in passages if len(p) >= _PASSAGE_MIN_CHARS]
    if not passages or any(p in squashed for p in passages):
        return None
    lines: list[str] = []
    for element in block.iter(*_BLOCK_TAGS):
        # A paragraph inside a list item or a cell is already in that item's line.
        if any(a.tag in _BLOCK_TAGS for a in element.iterancestors()):
            continue
        # Links are left out, which would leave "môi trường ." where "tại đây" was.
        if line := _squash("".join(_OWN_TEXT(element))):
            lines.append(nfc(_SPACE_BEFORE_PUNCTUATION_RE.sub(r"\1", line)))
    return "\n".join(lines) or None


def _prose_share(text: str) -> float:
    """The share of the text in sentences of paragraphs: lines that are no table row, are
    long and end as sentences do."""
    prose = sum(
        len(line)
        for line in text.split("\n")
        if len(line) >= _PROSE_LINE_CHARS
        and not line.startswith("|")
        and line.rstrip().endswith(_SENTENCE_ENDS)
    )
    return prose / len(text) if text else 0.0


def find_lead(tree: HtmlElement, placed: Callable[[str], bool] | None = None) -> str | None:
    """The text of the page's lead block ("sapo"), if it has one of a plausible length.

    A block whose class names a lead comes first; else the first heading or paragraph that
    opens with an outlet's dateline, such as "(Dân trí) -" or "TTO -". `placed` says whether a
    candidate stands where a lead does (see _lead_placement).
    """
    for lead in _lead_candidates(tree):
        if placed is None or placed(lead):
            return lead
    return None


def _lead_candidates(tree: HtmlElement) -> Iterator[str]:
    for element in _LEADS(tree):
        names = f"{element.get('class', '')} {element.get('id', '')}".split()
        if element.get("data-role") != "sapo" and not any(_LEAD_CLASS_RE.match(n) for n in names):
            continue
        lead = _squash(text_without_pointers(element))
        if _LEAD_CHARS[0] <= len(lead) <= _LEAD_CHARS[1]:
            yield nfc(lead)
    for element in _DATELINE_CANDIDATES(tree)[:40]:
        lead = _squash(element.text_content())
        if _DATELINE_RE.match(lead) and _LEAD_CHARS[0] <= len(lead) <= _LEAD_CHARS[1]:
            yield nfc(lead)


def _lead_placement(tree: HtmlElement, headline: str | None, text: str) -> Callable[[str], bool]:
    """Whether a candidate lead stands below the headline and above the body's first
    paragraph, as a sapo does. Blocks classed "description" or "summary" elsewhere on real
    pages are a site's tagline above the headline, an author's bio or a weather box below the
    article: inserted as the lead, they were text the article never had."""
    body = tree.find("body")
    page = _key((body if body is not None else tree).text_content())
    start = page.find(_key(headline)) + len(_key(headline)) if headline else -1
    first = next((line for line in text.split("\n") if len(line) >= _PASSAGE_MIN_CHARS), "")
    end = page.find(_key(first)) if first else -1

    def placed(lead: str) -> bool:
        if start < 0:
            return False
        found = page.find(_key(lead), start)
        return found >= 0 and (end < 0 or found < end or end < start)

    return placed


def pick_title(
    tree: HtmlElement, *, source: str | None, sitename: str | None, fallback: str | None
) -> str | None:
    """The headline: the page heading that its <title> or og:title starts or ends with.

    Outlets decorate <title> with their name, section or an unaccented slug ("… | Soha.vn",
    "…-lo luyen thi"); the printed heading is the headline itself. Without a matching heading,
    the outlet suffix is cut from og:title or <title>.
    """
    title_tag = _squash(tree.findtext(".//title") or "")
    og_title = _squash(_meta(tree, "og:title") or _meta(tree, "twitter:title") or "")
    # Old layouts print the headline as an <h3> under a logo <h1>: those come after the others.
    headings = [_squash(h.text_content()) for xpath in (_HEADLINES, _H3S) for h in xpath(tree)[:40]]
    headings = [h for h in headings if len(h) >= 8 and len(h.split()) >= 2]
    for reference in (og_title, title_tag):
        if reference and (heading := _heading_in(reference, headings)):
            return heading
    # An outlet may reword the headline in its metadata ("quy định thuế mới" for the printed
    # "quy định mới về thuế"): the printed one is the headline.
    printed = [_squash(h.text_content()) for h in _MAIN_HEADINGS(tree)[:3]]
    for reference in (og_title, title_tag):
        if reference and (heading := _reworded_heading(reference, printed)):
            return heading
    for reference in (og_title, title_tag):
        if reference:
            return strip_outlet_suffix(reference, source, sitename)
    return _squash(fallback) if fallback else None


def _heading_in(reference: str, headings: list[str]) -> str | None:
    """The longest heading that `reference` is, or starts or ends with before a separator.

    One it starts with wins over one it ends with: what ends a <title> is the outlet's name,
    which its logo heading repeats.
    """
    key = reference.casefold()
    best: tuple[bool, int, str] | None = None
    for heading in headings:
        h = heading.casefold()
        starts = key.startswith(h)
        if starts:
            rest = key[len(h) :].lstrip()
            fits = not rest or rest[0] in _HEADING_GLUE
        elif key.endswith(h):
            rest = key[: -len(h)].rstrip()
            fits = not rest or rest[-1] in _HEADING_GLUE
        else:
            fits = False
        if fits and (best is None or (starts, len(heading)) > best[:2]):
            best = (starts, len(heading), heading)
    return best[2] if best else None


def _reworded_heading(reference: str, headings: list[str]) -> str | None:
    """The heading that shares most of its words with `reference`, if it shares enough."""
    words = set(reference.casefold().split())
    best: tuple[float, str] | None = None
    for heading in headings:
        own = set(heading.casefold().split())
        if len(own) < _HEADLINE_MIN_WORDS:
            continue
        share = len(words & own) / max(len(words), len(own))
        if share >= _REWORDED_SHARE and (best is None or share > best[0]):
            best = (share, heading)
    return best[1] if best else None


def strip_outlet_suffix(title: str, source: str | None, sitename: str | None) -> str:
    """Remove "… - VnExpress" / "… | Báo Dân trí" / "… | Xã hội | Soha.vn" style suffixes.

    Section names are removed only after an outlet name and only between " | ": dashes are
    common inside real headlines ("Hà Nội - Hải Phòng").
    """
    names = {n.casefold().strip() for n in (source, sitename) if n and n.strip()}
    title = title.strip()
    stripped: str | None = None
    for _ in range(4):
        cut = max(
            ((title.rfind(sep), sep) for sep in _TITLE_SEPARATORS if sep in title),
            default=None,
        )
        if cut is None:
            break
        position, sep = cut
        head, tail = title[:position].strip(), title[position + len(sep) :].strip()
        if not head:
            break
        if _names_outlet(tail.casefold(), names, generic=sep != ": "):
            title, stripped = head, sep
        elif stripped == " | " == sep and len(tail.split()) <= 4:
            title = head
        else:
            break
    return title


def _names_outlet(tail: str, names: set[str], *, generic: bool) -> bool:
    if any(name == tail or name in tail or (len(tail) >= 4 and tail in name) for name in names):
        return True
    return generic and (
        tail.startswith(("báo ", "tin tức", "tạp chí")) or bool(_DOMAIN_RE.search(tail))
    )


def shown_date(tree: HtmlElement, *, near: HtmlElement | None = None) -> datetime | None:
    """The publication time printed on the page ("Thứ hai, 12/8/2024 - 10:30 (GMT+7)").

    Candidates are elements whose class or id names a date or time, and short texts holding a
    date. A date with a time of day beats a day alone (headers print today's date), then the
    one closest to the headline `near` wins: sidebars list other articles' times too.
    """
    candidates: list[tuple[bool, HtmlElement, datetime]] = []
    seen: set[HtmlElement] = set()
    for element in _date_candidates(tree):
        if element in seen:
            continue
        seen.add(element)
        parsed = _parse_shown(element.get("datetime") or "")
        if parsed is None:
            text = _squash(element.text_content())
            if not text or len(text) > _SHOWN_DATE_MAX_CHARS:
                continue
            parsed = _parse_shown(text)
        if parsed is not None:
            candidates.append((parsed[1], element, parsed[0]))
    if not candidates:
        return None
    positions = {element: i for i, element in enumerate(tree.iter())}
    anchor = positions.get(near) if near is not None else None
    # Of two as near, the first on the page.
    candidates.sort(key=lambda candidate: positions.get(candidate[1], 0))

    def rank(candidate: tuple[bool, HtmlElement, datetime]) -> tuple[bool, int]:
        has_time, element, _ = candidate
        position = positions.get(element, 0)
        return (not has_time, abs(position - anchor) if anchor is not None else position)

    return min(candidates, key=rank)[2]


def _date_candidates(tree: HtmlElement) -> list[HtmlElement]:
    found = [
        element
        for element in _NAMED_OR_TIMED(tree)
        if element.tag == "time"
        or element.get("itemprop") == "datePublished"
        or _names_date(element.get("class", ""), element.get("id", ""))
    ]
    for text in _DATED_TEXTS(tree):
        parent = text.getparent()
        # A tail's text belongs to the element around the one it follows.
        holder = parent.getparent() if text.is_tail and parent is not None else parent
        if holder is not None and holder.tag not in ("script", "style"):
            found.append(holder)
    return found


@lru_cache(maxsize=8192)
def _names_date(class_: str, id_: str) -> bool:
    names = f"{class_} {id_}".lower()
    return any(name in names for name in _DATE_NAMES)


def _headline_element(tree: HtmlElement, title: str) -> HtmlElement | None:
    for heading in _HEADLINES_AND_H3S(tree):
        if _squash(heading.text_content()) == title:
            return heading
    return None


def _parse_shown(text: str) -> tuple[datetime, bool] | None:
    """A Vietnamese day-first date with an optional time before or after it; Vietnam time."""
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        value = _as_utc(text.replace(" ", "T", 1) if "T" not in text else text)
        return (value, ":" in text) if value else None
    day = _DAY_RE.search(text)
    if day is None:
        return None
    d, m, y = (int(g) for g in day.groups())
    year = y + 2000 if y < 100 else y
    clock = _CLOCK_RE.search(text, day.end(), day.end() + _CLOCK_WINDOW) or _CLOCK_RE.search(
        text[max(0, day.start() - _CLOCK_WINDOW) : day.start()]
    )
    hour = minute = 0
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        hour = _twenty_four_hour(hour, (clock.group(3) or "").casefold())
    try:
        local = datetime(year, m, d, hour, minute, tzinfo=VIETNAM)
    except ValueError:
        return None
    return local.astimezone(UTC), clock is not None


def _twenty_four_hour(hour: int, meridiem: str) -> int:
    if meridiem in ("pm", "chiều", "tối") and hour < 12:
        return hour + 12
    if meridiem == "đêm" and 6 <= hour < 12:
        return hour + 12
    if meridiem in ("am", "sáng", "đêm") and hour == 12:
        return 0
    return hour


def _meta(tree: HtmlElement, key: str) -> str | None:
    for value in _META(tree, key=key):
        if value.strip():
            return str(value).strip()
    return None


def _canonical_url(tree: HtmlElement, url: str) -> str | None:
    """<link rel=canonical>, else og:url, made absolute against the page URL."""
    for href in _CANONICAL(tree):
        if href.strip():
            return urljoin(url, str(href).strip())
    og_url = _meta(tree, "og:url")
    return urljoin(url, og_url) if og_url else None


def _declared_language(tree: HtmlElement) -> str | None:
    """The language the page claims: <html lang>, then <meta> content-language, then og:locale."""
    root = tree.getroottree().getroot()
    values = [
        root.get("lang"),
        root.get("xml:lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        *_CONTENT_LANGUAGE(tree),
        _meta(tree, "language"),
        _meta(tree, "og:locale"),
    ]
    for value in values:
        if value and (code := re.match(r"\s*([A-Za-z]{2,3})(?:[-_]|\s*$)", value)):
            return code.group(1).lower()
    return None


def _without_title_lines(text: str, title: str) -> str:
    """The text without opening lines that only repeat the headline (it is the title) or only
    print the date ("Thứ Tư, 26/12/2012 17:14", also run together with the headline), which
    trafilatura keeps on about a quarter of outlets' pages: counted as text, they would weigh on
    word counts, ranking and snippets. The date itself is read from the page, not from here."""
    headline = _squash(nfc(title)).casefold()
    # At most a date line and the headline, in either order; never the whole text.
    for _ in range(2):
        first, newline, rest = text.partition("\n")
        if not (newline and rest.strip() and _is_title_line(_squash(nfc(first)), headline)):
            break
        text = rest.lstrip("\n")
    return text


def _is_title_line(line: str, headline: str) -> bool:
    """The headline (casefolded), a printed date line, or a date line ending with the headline."""
    folded = line.casefold()
    if headline and folded.endswith(headline):
        before = folded[: len(folded) - len(headline)].strip()
        return not before or _is_date_line(before)
    return _is_date_line(folded)


def _is_date_line(line: str) -> bool:
    """A short line made of a date and its decorations only: weekday, time, time zone."""
    if not line or len(line) > _SHOWN_DATE_MAX_CHARS or not _DAY_RE.search(line):
        return False
    rest = _DAY_RE.sub(" ", _CLOCK_RE.sub(" ", _DATE_LINE_WORDS_RE.sub(" ", line)))
    return not _DATE_LINE_PUNCTUATION_RE.sub("", rest)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _key(text: str) -> str:
    """Text without any whitespace: how a line is found in a page's text."""
    return "".join(text.split())


def _meta_date(html: str) -> str | None:
    """The first publication timestamp declared in the page's metadata, as written."""
    for m in _META_DATE_RE.finditer(html[:200_000]):
        value = next(g for g in m.groups() if g)
        try:
            datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        return value.strip().replace("Z", "+00:00")
    return None


def _page_date(
    meta_value: str | None,
    shown: datetime | None,
    search: Callable[[], str | None],
    feed_date: datetime | None,
    fetched_at: datetime | None,
    *,
    vietnamese: bool = False,
) -> tuple[datetime | None, str]:
    """Page metadata, then the date printed on the page, then the feed, then trafilatura's
    search of the page, else unknown.

    Never the fetch time: that would invent a spike on the collection day. A date beyond the
    fetch time (plus a day of clock slack) is wrong and skipped. A Vietnamese page whose
    metadata says 19:00 UTC where it prints 19:00 had its CMS write Vietnam time as UTC: the
    printed time wins.
    """
    limit = (fetched_at or datetime.now(UTC)) + MAX_FUTURE
    meta = _as_utc(meta_value)
    if (
        vietnamese
        and meta is not None
        and shown is not None
        and meta - shown == _VIETNAM_OFFSET
        and datetime.fromisoformat(meta_value or "").utcoffset() == timedelta(0)
    ):
        meta = shown
    for candidate, source in ((meta, "page"), (shown, "page"), (feed_date, "feed")):
        if candidate is not None and candidate <= limit:
            return candidate, source
    # htmldate's search of the markup costs a few milliseconds: only when all else failed.
    searched = _as_utc(search())
    if searched is not None and searched <= limit:
        return searched, "search"
    return None, "none"


def _as_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=VIETNAM)
    return parsed.astimezone(UTC)
