"""The lead ("sapo"): the paragraph Vietnamese outlets print in its own block under the
headline, which trafilatura often drops as boilerplate."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml.etree import XPath
from lxml.html import HtmlElement

from index.analysis import nfc
from monitor.extract.boilerplate import text_without_pointers
from monitor.extract.markup import nowhite, squash

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
PASSAGE_MIN_CHARS = 40
_LEADS = XPath(_LEAD_XPATH)
_DATELINE_CANDIDATES = XPath("//body//h2 | //body//p")


def find_lead(tree: HtmlElement, placed: Callable[[str], bool] | None = None) -> str | None:
    """The text of the page's lead block ("sapo"), if it has one of a plausible length.

    A block whose class names a lead comes first; else the first heading or paragraph that
    opens with an outlet's dateline, such as "(Dân trí) -" or "TTO -". `placed` says whether a
    candidate stands where a lead does (see lead_placement).
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
        lead = squash(text_without_pointers(element))
        if _LEAD_CHARS[0] <= len(lead) <= _LEAD_CHARS[1]:
            yield nfc(lead)
    for element in _DATELINE_CANDIDATES(tree)[:40]:
        lead = squash(element.text_content())
        if _DATELINE_RE.match(lead) and _LEAD_CHARS[0] <= len(lead) <= _LEAD_CHARS[1]:
            yield nfc(lead)


def lead_placement(tree: HtmlElement, headline: str | None, text: str) -> Callable[[str], bool]:
    """Whether a candidate lead stands below the headline and above the body's first
    paragraph, as a sapo does. Blocks classed "description" or "summary" elsewhere on real
    pages are a site's tagline above the headline, an author's bio or a weather box below the
    article: inserted as the lead, they were text the article never had."""
    body = tree.find("body")
    page = nowhite((body if body is not None else tree).text_content())
    start = page.find(nowhite(headline)) + len(nowhite(headline)) if headline else -1
    first = next((line for line in text.split("\n") if len(line) >= PASSAGE_MIN_CHARS), "")
    end = page.find(nowhite(first)) if first else -1

    def placed(lead: str) -> bool:
        if start < 0:
            return False
        found = page.find(nowhite(lead), start)
        return found >= 0 and (end < 0 or found < end or end < start)

    return placed
