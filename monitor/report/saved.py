"""Saved searches: a query stored under a name, run later as `monitor search @NAME`.

A query text that starts with `@` is expanded before it is parsed: `@name` becomes
`(saved query)` and `@name more words` becomes `(saved query) more words`, so the words after the
name narrow the saved query (implicit AND) whatever its operators. Only a leading `@name` is
expanded, once: a saved query may not itself start with `@`.

Names are letters of any script (with their accents), decimal digits, `-` and `_`, at most
64 characters. They are compared after NFC normalization and are case-sensitive.
"""

from __future__ import annotations

import re
import unicodedata

from index.errors import QuerySyntaxError
from index.query import parse
from monitor.archive import Archive
from monitor.archive.saved_searches import SavedSearch
from monitor.errors import NotFoundError, SavedSearchError
from monitor.timestamps import now_iso

MAX_NAME_LENGTH = 64
PREFIX = "@"

_REFERENCE_RE = re.compile(r"@(\S*)(?:\s+(.*))?", re.DOTALL)


def validate_name(name: str) -> str:
    """The name in NFC; raises SavedSearchError naming what is wrong with it."""
    normalized = unicodedata.normalize("NFC", name)
    rule = f"letters, digits, '-' and '_', at most {MAX_NAME_LENGTH} characters"
    if not normalized:
        raise SavedSearchError(f"a saved search needs a name ({rule})")
    if len(normalized) > MAX_NAME_LENGTH:
        raise SavedSearchError(
            f"saved search name {name!r} is {len(normalized)} characters long ({rule})"
        )
    for position, char in enumerate(normalized):
        category = unicodedata.category(char)
        allowed = (
            category.startswith("L")
            or category == "Nd"
            or char in "-_"
            # A combining accent belongs to the letter before it (scripts with no precomposed
            # form for every letter, such as Devanagari, need them even after NFC).
            or (category.startswith("M") and position > 0)
        )
        if not allowed:
            raise SavedSearchError(
                f"saved search name {name!r} may not contain {char!r} "
                f"(at character {position + 1}); use {rule}"
            )
    return normalized


def validate_query(query: str) -> str:
    """The query stripped, once it parses; raises QuerySyntaxError otherwise."""
    text = query.strip()
    if text.startswith(PREFIX):
        raise QuerySyntaxError(
            "a saved query can't start with '@' (saved searches don't refer to one another)",
            text,
            0,
        )
    parse(text)
    return text


def add_search(archive: Archive, name: str, query: str, *, replace: bool = False) -> SavedSearch:
    """Save `query` under `name`; an existing name is refused unless `replace`."""
    name = validate_name(name)
    query = validate_query(query)
    saved = SavedSearch(name=name, query=query, created_at=now_iso())
    if not archive.saved.add(saved, replace=replace):
        existing = get_search(archive, name)
        raise SavedSearchError(
            f"a saved search named {name!r} already exists ({existing.query!r}); "
            "use --replace to overwrite it"
        )
    return saved


def list_searches(archive: Archive) -> list[SavedSearch]:
    """Every saved search, by name."""
    return archive.saved.all()


def get_search(archive: Archive, name: str) -> SavedSearch:
    """The saved search called `name`; raises NotFoundError listing the known names."""
    saved = archive.saved.get(unicodedata.normalize("NFC", name))
    if saved is None:
        raise _not_found(archive, name)
    return saved


def remove_search(archive: Archive, name: str) -> SavedSearch:
    """Delete the saved search called `name` and return it; NotFoundError if there is none."""
    saved = get_search(archive, name)
    archive.saved.remove(saved.name)
    return saved


def expand_saved(archive: Archive, query_text: str) -> str:
    """`@name rest` → `(saved query) rest`; any text not starting with `@` is returned as is."""
    match = _REFERENCE_RE.fullmatch(query_text.strip())
    if match is None:
        return query_text
    name, rest = match.group(1), (match.group(2) or "").strip()
    if not name:
        raise SavedSearchError(
            "'@' must be followed by the name of a saved search (see `monitor searches list`)"
        )
    saved = get_search(archive, validate_name(name))
    return f"({saved.query}) {rest}" if rest else f"({saved.query})"


def _not_found(archive: Archive, name: str) -> NotFoundError:
    known = [s.name for s in list_searches(archive)]
    if not known:
        return NotFoundError(
            f"no saved search named {name!r}: there are none yet "
            "(add one with `monitor searches add NAME QUERY`)"
        )
    return NotFoundError(
        f"no saved search named {name!r}; saved searches: {', '.join(sorted(known))}"
    )
