"""What a page says about itself beside its text: title, site name, author, and a last-resort
date.

trafilatura's full metadata pass costs as much as a third of an extraction, most of it in a
search of the page's markup for a byline. The metadata and JSON-LD that it reads first are
kept (they are where outlets name authors); the byline search is a single pass over elements
whose class, id, itemprop or rel says "author", and the date search runs only for a page whose
markup and feed gave no date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import htmldate
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_meta_json

from index.analysis import nfc

_BYLINE_CANDIDATES = XPath(
    "//body//*[@class or @id or @itemprop or @rel][not(self::script or self::style)]"
)
_BYLINE_NAMES = (
    "author",
    "Author",
    "AUTHOR",
    "byline",
    "Byline",
    "writer",
    "Writer",
    "tacgia",
    "tac-gia",
    "tac_gia",
)
_BYLINE_NAME_RE = re.compile("|".join(_BYLINE_NAMES), re.IGNORECASE)
_BYLINE_CHARS = (3, 80)
# "Tác giả:", "By", "Theo" before a name.
_BYLINE_PREFIX_RE = re.compile(r"^(?:tác giả|by|von|par|por|theo)\s*:?\s+", re.IGNORECASE)


@dataclass(frozen=True)
class PageMeta:
    title: str | None = None
    sitename: str | None = None
    author: str | None = None


def page_meta(tree: HtmlElement, source: str) -> PageMeta:
    """The page's title, site name and author from its <meta> tags and JSON-LD, the author
    else from a byline element."""
    try:
        document = extract_meta_json(tree, examine_meta(tree))
    except Exception:  # JSON-LD on the web is often broken; the <meta> tags still count
        document = examine_meta(tree)
    author = document.author
    # A one-word "author" in metadata is an outlet's handle, not a byline (trafilatura's rule).
    if author and " " not in author.strip():
        author = None
    return PageMeta(
        title=_clean(document.title),
        sitename=_clean(document.sitename),
        author=_clean(author) or byline(tree, source),
    )


def byline(tree: HtmlElement, source: str) -> str | None:
    """The text of the first short element named as an author's byline (none when the page's
    source names no byline: a pass over every element's attributes costs more than the rest
    of the page's metadata)."""
    if not any(name in source for name in _BYLINE_NAMES):
        return None
    for element in _BYLINE_CANDIDATES(tree):
        names = " ".join(
            element.get(attribute, "") for attribute in ("class", "id", "itemprop", "rel")
        )
        if not _names_byline(names):
            continue
        text = _BYLINE_PREFIX_RE.sub("", " ".join(element.text_content().split()))
        if _BYLINE_CHARS[0] <= len(text) <= _BYLINE_CHARS[1] and any(c.isalpha() for c in text):
            return nfc(text)
    return None


def searched_date(tree: HtmlElement, url: str) -> str | None:
    """The day htmldate finds in the page's markup (no guessing from the text), or None."""
    try:
        found = htmldate.find_date(tree, url=url, extensive_search=False, original_date=True)
    except Exception:  # htmldate raises on odd markup; a missing date is recorded as such
        return None
    return str(found) if found else None


@lru_cache(maxsize=4096)
def _names_byline(names: str) -> bool:
    return bool(_BYLINE_NAME_RE.search(names))


def _clean(value: str | None) -> str | None:
    text = " ".join((value or "").split())
    return nfc(text) if text else None
