"""The headline: the printed heading that the page's title names, and where it stands."""

from __future__ import annotations

import re

from lxml.etree import XPath
from lxml.html import HtmlElement

from monitor.extract.markup import meta_content, squash

_HEADLINE_XPATH = "//body//h1 | //body//h2 | //body//*[@itemprop='headline']"
_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", ": ")
_HEADLINE_MIN_WORDS = 4
_REWORDED_SHARE = 0.7
_HEADING_GLUE = "-|–—:·»«/([,"
_DOMAIN_RE = re.compile(r"\b[\w-]+\.(?:vn|com|net|org|info|tv)\b", re.IGNORECASE)
BLOCK_MIN_CHARS = 100
_HEADLINES = XPath(_HEADLINE_XPATH)
_H3S = XPath("//body//h3")
_MAIN_HEADINGS = XPath("//body//h1 | //body//*[@itemprop='headline' or @data-role='title']")
_HEADLINES_AND_H3S = XPath(_HEADLINE_XPATH + " | //body//h3")


def pick_title(
    tree: HtmlElement, *, source: str | None, sitename: str | None, fallback: str | None
) -> str | None:
    """The headline: the page heading that its <title> or og:title starts or ends with.

    Outlets decorate <title> with their name, section or an unaccented slug ("… | Soha.vn",
    "…-lo luyen thi"); the printed heading is the headline itself. Without a matching heading,
    the outlet suffix is cut from og:title or <title>.
    """
    title_tag = squash(tree.findtext(".//title") or "")
    og_title = squash(meta_content(tree, "og:title") or meta_content(tree, "twitter:title") or "")
    # Old layouts print the headline as an <h3> under a logo <h1>: those come after the others.
    headings = [squash(h.text_content()) for xpath in (_HEADLINES, _H3S) for h in xpath(tree)[:40]]
    headings = [h for h in headings if len(h) >= 8 and len(h.split()) >= 2]
    for reference in (og_title, title_tag):
        if reference and (heading := _heading_in(reference, headings)):
            return heading
    # An outlet may reword the headline in its metadata ("quy định thuế mới" for the printed
    # "quy định mới về thuế"): the printed one is the headline.
    printed = [squash(h.text_content()) for h in _MAIN_HEADINGS(tree)[:3]]
    for reference in (og_title, title_tag):
        if reference and (heading := _reworded_heading(reference, printed)):
            return heading
    for reference in (og_title, title_tag):
        if reference:
            return strip_outlet_suffix(reference, source, sitename)
    return squash(fallback) if fallback else None


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


def headline_element(tree: HtmlElement, title: str) -> HtmlElement | None:
    for heading in _HEADLINES_AND_H3S(tree):
        if squash(heading.text_content()) == title:
            return heading
    return None


def headline_block(headline: HtmlElement) -> HtmlElement | None:
    """The smallest block around the headline that holds some text besides it."""
    known = len(squash(headline.text_content()))
    block = headline
    while (parent := block.getparent()) is not None and parent.tag != "body":
        block = parent
        if len(squash(block.text_content())) - known >= BLOCK_MIN_CHARS:
            return block
    return None
