"""A fetched page → an `Article`: decoded, extracted, NFC, dated with provenance, flagged.

Pure functions: no network, no database. `extract_article` is what `monitor run` calls for each
page and `monitor reextract` calls again over stored pages. The page is parsed once. trafilatura's
body is the baseline (monitor.extract.body); what the project adds may only remove text it is
sure of, and never the article: navigation boxes holding no prose are set aside before
trafilatura reads the page, the other boxes' lines are cut from its text afterwards. Headline,
lead, dates, language and canonical URL are read from the page; a recall-oriented trafilatura
pass and the feed's summary are fallbacks when the first pass finds too little, and the article
records which `method` made its text. `steps` switches the additions off one by one: the
real-page evaluation (bench/extraction_eval.py --ablation) measures what each is worth.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin

import htmldate
import lxml.etree
import trafilatura
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from index.analysis import nfc
from monitor import __version__
from monitor.decoding import decode_markup
from monitor.errors import ExtractError
from monitor.extract.body import body_text, cleaned_body
from monitor.extract.boilerplate import (
    box_candidates,
    drop_navigation,
    strip_repeated_credits,
    unwrap_layout_tables,
)
from monitor.extract.dates import meta_date, page_date, shown_date
from monitor.extract.headline import (
    headline_block,
    headline_element,
    pick_title,
)
from monitor.extract.language import detect_language
from monitor.extract.lead import find_lead, lead_placement
from monitor.extract.markup import meta_content, squash
from monitor.extract.metadata import page_meta, searched_date
from monitor.extract.quality import has_paywall, is_not_article, quality_flags
from monitor.models import Article, FeedHints

__all__ = ["EXTRACTOR", "STEPS", "VERSIONS", "decode_html", "extract_article"]

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
    )
)
EXTRACTOR = f"trafilatura {trafilatura.__version__}"
VERSIONS: dict[str, str] = {
    "trafilatura": trafilatura.__version__,
    "htmldate": htmldate.__version__,
    "lxml": lxml.etree.__version__,
    "press-monitor": __version__,
}
_CANONICAL = XPath("//link[@rel='canonical']/@href")
_CONTENT_LANGUAGE = XPath(
    "//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')='content-language']"
    "/@content"
)


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
    meta = page_meta(tree, html)
    title = pick_title(tree, source=hints.source, sitename=meta.sitename, fallback=meta.title)
    title = title or hints.title or url
    headline = headline_element(tree, title)
    block = headline_block(headline) if headline is not None else None
    candidates = box_candidates(tree)
    if "prune" in steps:
        candidates = drop_navigation(tree, candidates, block)
    text, method = body_text(tree, url, hints.summary, fallbacks="fallbacks" in steps)
    lead = None
    if "lead" in steps and headline is not None:
        lead = find_lead(tree, lead_placement(tree, squash(headline.text_content()), text))
    if method != "feed-summary":
        text = cleaned_body(text, tree, candidates, headline, block, title, lead, steps)
    if lead and lead not in squash(text):
        text, method = (f"{lead}\n{text}", method) if text else (lead, "lead-only")
    if not text:
        raise ExtractError("no article text found on the page")
    declared = _declared_language(tree) or hints.language
    language = detect_language(text) or declared
    published, date_source = page_date(
        meta_date(html),
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
        og_type=meta_content(tree, "og:type"),
        text=text,
        headline=title if headline is not None else None,
    )
    flags = quality_flags(
        text,
        dated=published is not None,
        not_article=not_article,
        paywalled=has_paywall(tree, html),
    )
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


def _canonical_url(tree: HtmlElement, url: str) -> str | None:
    """<link rel=canonical>, else og:url, made absolute against the page URL."""
    for href in _CANONICAL(tree):
        if href.strip():
            return urljoin(url, str(href).strip())
    og_url = meta_content(tree, "og:url")
    return urljoin(url, og_url) if og_url else None


def _declared_language(tree: HtmlElement) -> str | None:
    """The language the page claims: <html lang>, then <meta> content-language, then og:locale."""
    root = tree.getroottree().getroot()
    values = [
        root.get("lang"),
        root.get("xml:lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        *_CONTENT_LANGUAGE(tree),
        meta_content(tree, "language"),
        meta_content(tree, "og:locale"),
    ]
    for value in values:
        if value and (code := re.match(r"\s*([A-Za-z]{2,3})(?:[-_]|\s*$)", value)):
            return code.group(1).lower()
    return None
