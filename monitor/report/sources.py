"""Sources named in a query or an option, checked against those the archive knows: a typo
gives an error naming the closest sources, not an empty result that looks like no coverage."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from index.analysis import folded_tokens
from index.query import And, Node, Not, Or, Phrase, Term
from monitor.archive import Archive
from monitor.errors import UnknownSource

CLOSEST = 3


def check_sources(archive: Archive, names: Iterable[str]) -> None:
    """Raise UnknownSource for the first name that matches no known source (as `source:`
    matches: case, diacritics and spaces aside)."""
    known = archive.source_names()
    keys = {_key(source): source for source in known}
    for name in names:
        key = _key(name)
        if key in keys or not key:
            continue
        close = difflib.get_close_matches(key, list(keys), n=CLOSEST, cutoff=0.5)
        hint = (
            f"; closest: {', '.join(keys[k] for k in close)}"
            if close
            else f"; sources: {', '.join(known[:10])}"
            if known
            else "; the archive has none yet"
        )
        raise UnknownSource(f"no source {name!r} in the archive{hint}")


def query_sources(node: Node) -> list[str]:
    """The sources a query names in `source:`, included or excluded."""
    if isinstance(node, Term | Phrase):
        if node.field != "source":
            return []
        return [node.text if isinstance(node, Term) else " ".join(node.words)]
    if isinstance(node, And | Or):
        return [name for child in node.children for name in query_sources(child)]
    if isinstance(node, Not):
        return query_sources(node.child)
    return []


def _key(name: str) -> str:
    return "".join(folded_tokens(name))
