"""The article's region of the page: the element around the headline that holds most of the
text trafilatura extracted. What trails the text from outside it is cut; paragraphs inside it
that trafilatura skipped are put back.

Both act on trafilatura's text line by line, finding each line in the page's text with all
whitespace removed (how trafilatura's lines and the page's text agree), so the page is never
re-extracted.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml.etree import XPath
from lxml.html import HtmlElement

from monitor.extract.markup import nowhite

# The element around the headline holding this share of the text is the article.
REGION_SHARE = 0.6
# A trailing cut never takes this share of the text or more.
MAX_TAIL_SHARE = 0.5
# A skipped paragraph is put back when it is at least this long and mostly not links.
MIN_PARAGRAPH_CHARS = 60
MAX_LINKED_SHARE = 0.3
MIN_KEPT_SIBLINGS = 2
# An inline script's code is text to text_content() too.
_VISIBLE_TEXT = XPath(".//text()[not(ancestor::script or ancestor::style)]")
_BLOCKS = ("p", "div", "blockquote", "li", "dd", "pre")
_NESTED_BLOCKS = frozenset(
    "p div blockquote li ul ol dl table section article pre h1 h2 h3 h4 h5 h6 figure header "
    "footer aside nav".split()
)
_SKIPPED_INSIDE = frozenset(
    "figure figcaption aside nav footer form button script style noscript template select "
    "label header".split()
)


@dataclass(frozen=True)
class Region:
    """The article's element, its text without whitespace, and where each line stands in it
    (-1 for a line that is not inside)."""

    element: HtmlElement
    key: str
    positions: list[int]


def line_keys(text: str) -> list[str]:
    return [nowhite(line.strip().removeprefix("- ")) for line in text.split("\n")]


def article_region(text: str, headline: HtmlElement) -> Region | None:
    """The smallest element around the headline holding REGION_SHARE of the text; None when
    only the whole page does."""
    keys = line_keys(text)
    total = sum(map(len, keys))
    element = headline
    while (element := element.getparent()) is not None and element.tag not in ("body", "html"):
        inside = nowhite(element.text_content())
        positions = [inside.find(k) if k else -1 for k in keys]
        found = sum(len(k) for k, p in zip(keys, positions, strict=True) if p >= 0)
        if total and found >= REGION_SHARE * total:
            return Region(element, inside, positions)
    return None


def without_outside_tail(text: str, region: Region) -> str:
    """The text without the lines after the article's last one that stand outside it: other
    boxes' teasers. Nothing when that would cut MAX_TAIL_SHARE of the text or more."""
    lines = text.split("\n")
    keys = line_keys(text)
    end = len(lines)
    while end > 0 and region.positions[end - 1] < 0:
        end -= 1
    cut, total = sum(map(len, keys[end:])), sum(map(len, keys))
    return "\n".join(lines[:end]).rstrip() if 0 < cut < MAX_TAIL_SHARE * total else text


def with_skipped_paragraphs(text: str, region: Region, boxes: list[HtmlElement]) -> str:
    """The text with the paragraphs of the article that trafilatura skipped put back in their
    place: blocks of prose inside the region, between its first and last line, outside every
    boilerplate box, that the text lacks (a quotation set in <em> inside a <div>)."""
    known = [p for p in region.positions if p >= 0]
    if not known:
        return text
    first, last = min(known), max(known)
    have = "".join(line_keys(text))
    boxed = {element for box in boxes for element in box.iter()}
    kept_lines = [k for k in line_keys(text) if len(k) >= MIN_PARAGRAPH_CHARS // 2]
    found: list[tuple[int, str]] = []
    for element in region.element.iter(*_BLOCKS):
        if element in boxed or any(child.tag in _NESTED_BLOCKS for child in element):
            continue
        paragraph = " ".join("".join(_VISIBLE_TEXT(element)).split())
        own = nowhite(paragraph)
        if len(paragraph) < MIN_PARAGRAPH_CHARS or own in have or _linked(element, own):
            continue
        if _set_apart(element, region.element) or _hidden(element):
            continue
        position = region.key.find(own)
        if first < position < last and _among_kept(element, kept_lines):
            found.append((position, paragraph))
    if not found:
        return text
    return _merged(text.split("\n"), region.positions, sorted(found))


def _merged(lines: list[str], positions: list[int], found: list[tuple[int, str]]) -> str:
    out: list[str] = []
    pending = iter(found)
    upcoming = next(pending, None)
    for line, position in zip(lines, positions, strict=True):
        while upcoming is not None and 0 <= upcoming[0] < position:
            out.append(upcoming[1])
            upcoming = next(pending, None)
        out.append(line)
    return "\n".join(out)


def _among_kept(element: HtmlElement, kept_lines: list[str]) -> bool:
    """Its parent holds two paragraphs that trafilatura kept: the body's own markup, not an
    author's box or a caption beside it."""
    parent = element.getparent()
    if parent is None:
        return False
    around = nowhite(parent.text_content())
    return sum(line in around for line in kept_lines) >= MIN_KEPT_SIBLINGS


def _set_apart(element: HtmlElement, region: HtmlElement) -> bool:
    """Inside a caption, an aside, a form or the like, below the region (ASP.NET pages wrap
    the whole page in a form)."""
    for ancestor in element.iterancestors():
        if ancestor is region:
            return False
        if ancestor.tag in _SKIPPED_INSIDE:
            return True
    return False


def _linked(element: HtmlElement, own: str) -> bool:
    linked = sum(len(nowhite(a.text_content())) for a in element.iter("a"))
    return linked > MAX_LINKED_SHARE * len(own)


def _hidden(element: HtmlElement) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or element.get("hidden") is not None
