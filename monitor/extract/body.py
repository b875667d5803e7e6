"""The article's text: trafilatura's body, with what the project is sure is not the article cut
out of it (boxes, lines trailing it from outside, lists, navigation, the headline again) and
what trafilatura skipped inside it put back. Each addition is a step that the real-page
evaluation can switch off (`extract_article`'s `steps`)."""

from __future__ import annotations

import re

import trafilatura
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.settings import use_config

from index.analysis import nfc
from monitor.extract.boilerplate import (
    Candidates,
    boilerplate_boxes,
    cut_box_lines,
    strip_navigation_lines,
    strip_trailing_lists,
)
from monitor.extract.dates import is_date_line
from monitor.extract.headline import BLOCK_MIN_CHARS
from monitor.extract.lead import PASSAGE_MIN_CHARS
from monitor.extract.markup import squash
from monitor.extract.region import article_region, with_skipped_paragraphs, without_outside_tail

MIN_TEXT_CHARS = 200
# htmldate's extensive search guesses from any number in the text ("năm 2026" → 1 January)
# and costs ~350 ms a page: dates come from markup, then the feed, and are otherwise unknown.
_TRAFILATURA_CONFIG = use_config()
_TRAFILATURA_CONFIG.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
# Text of a block outside links, scripts and styles; the tags that make lines of it.
_OWN_TEXT_XPATH = ".//text()[not(ancestor::a or ancestor::script or ancestor::style)]"
_BLOCK_TAGS = ("p", "h2", "h3", "h4", "li", "td", "blockquote")
_MISSED_BLOCK_MAX_PROSE = 0.1
_PROSE_LINE_CHARS = 100
_SENTENCE_ENDS = tuple(".!?…\"”»)'’:")
_SPACE_BEFORE_PUNCTUATION_RE = re.compile(r"\s+([.,;:!?])")
# Compiled once: compiling an expression costs about as much as running it on a page.
_OWN_TEXT = XPath(_OWN_TEXT_XPATH)


def cleaned_body(
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


def body_text(
    tree: HtmlElement, url: str, summary: str | None, *, fallbacks: bool
) -> tuple[str, str]:
    """trafilatura's text and how it was made; the fallbacks only when the text is too short."""
    text = _trafilatura(tree, url, recall=False)
    method = "trafilatura"
    if fallbacks and len(text) < MIN_TEXT_CHARS:
        # Below the floor too, recall mostly adds menus and footers: then the first pass stays.
        recall_text = _trafilatura(tree, url, recall=True)
        if len(recall_text) >= MIN_TEXT_CHARS:
            text, method = recall_text, "trafilatura-recall"
        squashed = nfc(" ".join((summary or "").split()))
        if len(text) < MIN_TEXT_CHARS and len(squashed) > len(text):
            text, method = squashed, "feed-summary"
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


def _missed_block(headline: HtmlElement, text: str, lead: str | None) -> str | None:
    """The text of the block around the headline when trafilatura's `text` has none of it.

    On pages whose article is short and whose sidebar is long (a reader's photo with two lines
    of caption), trafilatura takes the sidebar; the article is where the headline is. Only
    when `text` is not prose: on real pages, the text under a headline is as often a standfirst
    above a body that trafilatura found well.
    """
    if _prose_share(text) >= _MISSED_BLOCK_MAX_PROSE:
        return None
    known = f"{squash(headline.text_content())}\n{lead or ''}"
    block, passages = headline, []
    while (parent := block.getparent()) is not None and parent.tag != "body":
        block = parent
        passages = [p for t in _OWN_TEXT(block) if (p := squash(t)) not in known]
        if sum(len(p) for p in passages) >= BLOCK_MIN_CHARS:
            break
    else:
        return None
    squashed = squash(text)
    passages = [p for p in passages if len(p) >= PASSAGE_MIN_CHARS]
    if not passages or any(p in squashed for p in passages):
        return None
    lines: list[str] = []
    for element in block.iter(*_BLOCK_TAGS):
        # A paragraph inside a list item or a cell is already in that item's line.
        if any(a.tag in _BLOCK_TAGS for a in element.iterancestors()):
            continue
        # Links are left out, which would leave "môi trường ." where "tại đây" was.
        if line := squash("".join(_OWN_TEXT(element))):
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


def _without_title_lines(text: str, title: str) -> str:
    """The text without opening lines that only repeat the headline (it is the title) or only
    print the date ("Thứ Tư, 26/12/2012 17:14", also run together with the headline), which
    trafilatura keeps on about a quarter of outlets' pages: counted as text, they would weigh on
    word counts, ranking and snippets. The date itself is read from the page, not from here."""
    headline = squash(nfc(title)).casefold()
    # At most a date line and the headline, in either order; never the whole text.
    for _ in range(2):
        first, newline, rest = text.partition("\n")
        if not (newline and rest.strip() and _is_title_line(squash(nfc(first)), headline)):
            break
        text = rest.lstrip("\n")
    return text


def _is_title_line(line: str, headline: str) -> bool:
    """The headline (casefolded), a printed date line, or a date line ending with the headline."""
    folded = line.casefold()
    if headline and folded.endswith(headline):
        before = folded[: len(folded) - len(headline)].strip()
        return not before or is_date_line(before)
    return is_date_line(folded)
