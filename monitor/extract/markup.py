"""Small readings of text and markup that every extraction step shares."""

from __future__ import annotations

from lxml.etree import XPath
from lxml.html import HtmlElement

_META = XPath("//meta[@property=$key or @name=$key]/@content")


def squash(text: str) -> str:
    return " ".join(text.split())


def nowhite(text: str) -> str:
    """Text without any whitespace: how a line is found in a page's text."""
    return "".join(text.split())


def meta_content(tree: HtmlElement, key: str) -> str | None:
    for value in _META(tree, key=key):
        if value.strip():
            return str(value).strip()
    return None
