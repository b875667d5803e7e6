"""Text from the network made safe to store and to print: no control characters.

A publisher's title, an HTTP reason phrase or a header value can hold escape sequences (ESC,
the C1 CSI, OSC "set the window title", "clear the screen") that a terminal would obey when
`monitor search` or `feeds health` prints them. Every string that comes from the network passes
through one of these two functions where it enters the application (feed parser, HTTP client,
extraction), so the archive holds none; the views apply them again to what older versions
stored.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, and the C1 controls (U+0080–U+009F: U+009B is a CSI).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_BUT_CR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = re.compile("\r\n?")
_LINE_SPACE = re.compile("[\t\n]")


def one_line(text: str) -> str:
    """A title, a name, an error message: control characters removed, line breaks and tabs
    made spaces."""
    return _CONTROLS.sub("", _LINE_SPACE.sub(" ", _BREAKS.sub(" ", text)))


def body_text(text: str) -> str:
    """Article text: newlines (CRLF and CR made LF) and tabs kept, other controls removed."""
    return _CONTROLS.sub("", _BREAKS.sub("\n", text))


def maybe_line(text: str | None) -> str | None:
    """`one_line` for an optional value."""
    return None if text is None else one_line(text)


def printable(text: str, *, keep_cr: bool = False) -> str:
    """Text to print whose character offsets must stay (snippet highlights): each control
    character but newline and tab (and carriage return, with `keep_cr`) becomes one space."""
    return (_CONTROLS_BUT_CR if keep_cr else _CONTROLS).sub(" ", text)
