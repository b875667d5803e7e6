"""Bytes of a feed or sitemap → text, with the charset decided before any parser sees it.

A BOM decides; UTF-16 without one is recognised; valid UTF-8 is UTF-8 whatever the header or the
XML declaration claims; a Western charset named for Vietnamese bytes is read as windows-1258,
whose combining tone marks are composed (NFC) afterwards.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTTP_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""")
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
# Tried when no declared charset fits: Vietnamese legacy pages first, then Western ones.
_FALLBACKS = ("cp1258", "cp1252")
# Charset names that servers and CMSs put by default: the weakest evidence.
_WESTERN = ("ascii", "iso8859-1", "iso8859-15", "cp1252")
# windows-1258 bytes of a tone mark (combining) and of ơ ư đ ă (upper and lower case).
_CP1258_TONES = re.compile(rb"[\xcc\xec\xd2\xde\xf2]")
_CP1258_LETTERS = re.compile(rb"[\xd5\xf5\xdd\xfd\xd0\xf0\xc3\xe3]")


def _vietnamese_legacy(body: bytes) -> bool:
    """Whether 8-bit bytes read as Vietnamese windows-1258 (tone marks and ơ ư đ ă abound)."""
    return len(_CP1258_TONES.findall(body)) >= 3 and len(_CP1258_LETTERS.findall(body)) >= 3


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warnings: list[str]


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _sniff_utf16(body: bytes) -> str | None:
    """UTF-16 without a BOM: the first character of an XML document is ASCII ("<")."""
    if body[:1] == b"<" and body[1:2] == b"\x00":
        return "utf-16-le"
    if body[:1] == b"\x00" and body[1:2] == b"<":
        return "utf-16-be"
    return None


def decode_markup(body: bytes, content_type: str | None = None) -> Decoded:
    """Bytes of an XML or HTML document → text, trusting the bytes over what is declared.

    A BOM decides; then bytes that are valid UTF-8 (or nearly: truncated) are UTF-8 whatever
    the HTTP header or the document says (servers default to iso-8859-1, CMSs copy
    declarations); then the declared charsets (a document's own before a Western default, and
    Vietnamese-looking bytes under a Western name as windows-1258); then windows-1258, 1252.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom) :].decode(encoding, "replace"), encoding, [])
    sniffed = _sniff_utf16(body)
    if sniffed:
        return Decoded(body.decode(sniffed, "replace"), sniffed, [])
    header = _HTTP_CHARSET_RE.search(content_type or "")
    in_document = _XML_ENCODING_RE.search(body[:512]) or _META_CHARSET_RE.search(body[:4096])
    declared: list[str] = []
    for name in (header and header.group(1), in_document and in_document.group(1).decode()):
        codec = _codec(name)
        # No BOM and no NUL beside the first "<": not UTF-16/32, whatever is declared.
        if codec and not codec.startswith(("utf-16", "utf-32")) and codec not in declared:
            declared.append(codec)
    try:
        return Decoded(body.decode("utf-8"), "utf-8", [])
    except UnicodeDecodeError:
        pass
    # Truncated or slightly damaged UTF-8: legacy 8-bit text almost never forms valid multibyte
    # sequences, so many of them and few errors mean UTF-8 whatever was declared.
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    if sum(not c.isascii() for c in text) - bad >= 10 * bad:
        return Decoded(text, "utf-8", [f"{bad} invalid UTF-8 sequences replaced"])
    declared.sort(key=lambda codec: codec in _WESTERN)
    for codec in [c for c in declared if c != "utf-8"]:
        if codec in _WESTERN and _vietnamese_legacy(body):
            return Decoded(body.decode("cp1258"), "cp1258", [f"declared {codec}, read as cp1258"])
        try:
            return Decoded(body.decode(codec), codec, [])
        except UnicodeDecodeError:
            continue
    said = " or ".join(declared) or "nothing"
    for codec in _FALLBACKS:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        return Decoded(text, codec, [f"bytes are not {said} as declared; read as {codec}"])
    text = body.decode("cp1252", "replace")
    return Decoded(text, "cp1252", [f"bytes are not {said} as declared; undecodable bytes lost"])
