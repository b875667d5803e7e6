"""URL identity: the key under which an article is stored once, whichever link led to it.

`normalize_url` gives the identity key; the URL as found is kept beside it and is what gets
fetched and shown. The key is an http(s) URL with these differences from the original:

* scheme and host merged: `http://` and `https://` give one key (written `https://`), and so do
  `www.host` and `host`. Vietnamese outlets moved to HTTPS in 2017–2020 and redirect, while
  older feed entries, sitemaps and links still say `http://`; `www.` is an alias on every news
  site we know. No outlet serves a different article at the other scheme or without `www.`.
  A key is therefore not a fetchable URL for an http-only site: fetch the original. Mobile
  hosts (`m.`, `amp.`) are not merged by name: their pages declare the desktop page as canonical,
  which `canonical_url` checks;
* host lower-cased and IDNA-encoded (`xn--…`); user info, default ports (80, 443) and the
  fragment dropped (a `#!` fragment names content and is kept);
* tracking parameters removed (`utm_*`, click ids, Zalo's `zarsrc`/`gidzl`, VnExpress's
  `vn_source`…; see TRACKING_PARAMS), the rest sorted by name (the values of a repeated name keep
  their order);
* percent-encoding normalized: unreserved characters decoded, escapes upper-case, non-ASCII
  text in NFC then UTF-8-encoded (NFD and NFC spellings of a Vietnamese slug are one key);
  `/./` and `/../` resolved; an empty path is `/`; a bare `?` dropped.

Kept as found: the path's case, a trailing slash and empty segments (`//`): servers differ on
each, and a CMS's own typo is repaired by the page's canonical link instead.

`canonical_url` checks a page's declared canonical (`<link rel=canonical>`, else `og:url`)
before it may serve as identity; `syndicated_from` keeps a cross-site one as a hint.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from typing import NamedTuple
from urllib.parse import unquote, urljoin, urlsplit

import idna
import tld

# Parameter names (compared lower-case) that mark how a reader arrived, never which content.
TRACKING_PARAMS = frozenset(
    {
        # Click ids of ad and social networks.
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "ttclid", "twclid", "li_fat_id", "igshid", "igsh", "srsltid", "mibextid",
        # Facebook share dialogs.
        "fb_action_ids", "fb_action_types", "fb_source", "fb_ref",
        "action_object_map", "action_type_map", "action_ref_map",
        # Google Analytics cross-domain linker; Mailchimp; HubSpot; Marketo.
        "_ga", "_gl", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp",
        "mkt_tok",
        # Matomo/Piwik campaigns.
        "pk_campaign", "pk_kwd", "pk_keyword", "pk_source", "pk_medium", "pk_content",
        "mtm_campaign", "mtm_kwd", "mtm_source", "mtm_medium", "mtm_content", "mtm_cid",
        # Zalo appends these to every link opened from the app or an Official Account.
        "zarsrc", "zlsid", "gidzl",
        # VnExpress marks internal links (data-itm-source) with vn_*; itm_* likewise elsewhere.
        "vn_source", "vn_medium", "vn_campaign", "vn_term", "vn_content", "vn_thumb",
        "itm_source", "itm_medium", "itm_campaign", "itm_content", "itm_term",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_",)
# `ref` sometimes selects content (a reference number), so it goes only with a channel name
# or a host as its value; Twitter's `ref_src=twsrc^tfw` always goes.
REF_PARAMS = frozenset({"ref", "ref_src", "ref_url", "referrer"})
REF_CHANNELS = frozenset(
    {
        "", "rss", "feed", "home", "homepage", "trang-chu", "newsletter", "email", "share",
        "social", "facebook", "fb", "twitter", "tw", "zalo", "google", "bing", "search",
        "related", "sidebar", "widget", "notification", "push", "app",
    }
)  # fmt: skip

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_PATH_SAFE = _UNRESERVED | frozenset("!$&'()*+,;=:@/")
# In a query name or value `&` separates pairs; everything else a browser sends as is stays.
_QUERY_SAFE = _UNRESERVED | frozenset("!$'()*+,;=:@/?")
_ESCAPES_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_CONTROL_RE = re.compile(r"[\t\r\n]")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _quote(text: str, safe: frozenset[str]) -> str:
    if all(ch in safe for ch in text):
        return text
    return "".join(
        ch if ch in safe else "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
        for ch in text
    )


def _normalize_component(text: str, safe: frozenset[str]) -> str:
    """Percent-encoding normalized: see the module docstring. Idempotent."""
    runs: list[tuple[bool, str]] = []  # (literal text, or an escape that must stay)

    def add(literal: bool, piece: str) -> None:
        if runs and runs[-1][0] == literal:
            runs[-1] = (literal, runs[-1][1] + piece)
        elif piece:
            runs.append((literal, piece))

    pos = 0
    for m in _ESCAPES_RE.finditer(text):
        add(True, text[pos : m.start()])
        raw = bytes.fromhex(m.group(0).replace("%", ""))
        for ch in raw.decode("utf-8", "surrogateescape"):
            if "\udc80" <= ch <= "\udcff":  # a byte that is not UTF-8: left as an escape
                add(False, f"%{ord(ch) - 0xDC00:02X}")
            elif ch.isascii() and ch not in _UNRESERVED:
                # Decoding %2F, %3F, %26 … would change the URL's structure.
                add(False, f"%{ord(ch):02X}")
            else:
                add(True, ch)
        pos = m.end()
    add(True, text[pos:])
    # NFC per literal run: composing across a kept escape could rewrite its hex digits.
    return "".join(
        _quote(unicodedata.normalize("NFC", piece), safe) if literal else piece
        for literal, piece in runs
    )


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 for an absolute path."""
    segments = path.split("/")[1:]
    if "." not in segments and ".." not in segments:
        return path
    out: list[str] = []
    for segment in segments:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")
    return "/" + "/".join(out)


def _is_tracking(name: str, value: str) -> bool:
    key = unquote(name).lower()
    # Feeds that escape "&" twice leave "amp;utm_medium" behind.
    while key.startswith("amp;"):
        key = key[4:]
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    if key not in REF_PARAMS:
        return False
    if key == "ref_src":
        return True
    channel = unquote(value).lower()
    return channel in REF_CHANNELS or "." in channel or channel.startswith("twsrc")


def _normalize_query(query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        if _is_tracking(name, value):
            continue
        name = _normalize_component(name, _QUERY_SAFE)
        pairs.append((name, name + sep + _normalize_component(value, _QUERY_SAFE)))
    pairs.sort(key=lambda pair: pair[0])
    return "&".join(piece for _, piece in pairs)


def _ascii_host(host: str) -> str:
    host = host.rstrip(".")
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        pass
    try:
        # IDNA 2003 still accepts some names (symbols, joiners) that IDNA 2008 refuses.
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _key_host(host: str) -> str:
    if host.startswith("www.") and "." in host[4:]:
        host = host[4:]
    return f"[{host}]" if ":" in host else host


class _Parts(NamedTuple):
    scheme: str
    host: str  # lower-case, IDNA, without "www."
    port: int | None
    path: str
    query: str
    fragment: str


def _split(url: str) -> _Parts | None:
    """The parts of an absolute http(s) URL, or None for anything else."""
    cleaned = _CONTROL_RE.sub("", url.strip())
    try:
        parts = urlsplit(cleaned)
        port = parts.port
    except ValueError:  # a bad port or IPv6 literal
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = _key_host(_ascii_host(parts.hostname))
    return _Parts(scheme, host, port, parts.path, parts.query, parts.fragment)


def normalize_url(url: str) -> str:
    """The identity key of an http(s) URL (see the module docstring). Idempotent.

    A string that is not an absolute http(s) URL is returned stripped: it is its own key.
    """
    parts = _split(url)
    if parts is None:
        return url.strip()
    port = parts.port
    # 443 too: the key says https, so a key with :443 must read the same when normalized again.
    if port in (_DEFAULT_PORTS[parts.scheme], 443):
        port = None
    path = _remove_dot_segments(_normalize_component(parts.path, _PATH_SAFE) or "/")
    query = _normalize_query(parts.query)
    fragment = parts.fragment
    key = f"https://{parts.host}" + (f":{port}" if port is not None else "") + path
    if query:
        key += "?" + query
    if fragment.startswith("!"):
        key += "#" + _normalize_component(fragment, _QUERY_SAFE | {"#"})
    return key


@functools.lru_cache(maxsize=4096)
def _registrable(host: str) -> str | None:
    """example.com.vn for m.example.com.vn; None for an IP address or an unknown suffix."""
    result = tld.get_fld(host.strip("[]"), fix_protocol=True, fail_silently=True)
    return result if isinstance(result, str) else None


def _site(parts: _Parts) -> str:
    # Two ports of one IP address are two sites (the test servers are): no suffix to go by.
    return _registrable(parts.host) or f"{parts.host}:{parts.port}"


_HOMEPAGE_RE = re.compile(r"/(?:(?:index|default|home|trang-chu)(?:\.\w+)?)?", re.IGNORECASE)
_ID_RE = re.compile(r"\d{4,}")
_WORD_SEP_RE = re.compile(r"[-_]+")


def _is_homepage(path: str) -> bool:
    return path == "" or _HOMEPAGE_RE.fullmatch(path) is not None


def _looks_like_article(path: str) -> bool:
    """An article's last segment holds an id or a date (4+ digits) or a slug of 5+ words."""
    segments = [s for s in unquote(path).split("/") if s]
    if not segments:
        return False
    stem = segments[-1].rsplit(".", 1)[0]
    return _ID_RE.search(stem) is not None or len(_WORD_SEP_RE.split(stem)) >= 5


class _Declared(NamedTuple):
    url: str
    same_site: bool


def _declared(html_canonical: str | None, page_url: str) -> _Declared | None:
    """A page's declared canonical, absolute, if it is believable; with whether it's same-site."""
    if html_canonical is None or not html_canonical.strip():
        return None
    page = _split(page_url)
    if page is None:
        return None
    # An attribute value copied without unescaping; other entities can't be told from text.
    declared = html_canonical.strip().replace("&amp;", "&")
    try:
        absolute = urljoin(page_url.strip(), declared)
    except ValueError:
        return None
    target = _split(absolute)
    if target is None:
        return None
    # A CMS template that prints the homepage or the section as every article's canonical
    # would otherwise merge a whole site into one article.
    if _is_homepage(target.path) and not _is_homepage(page.path):
        return None
    if _looks_like_article(page.path) and not _looks_like_article(target.path):
        return None
    return _Declared(absolute, _site(target) == _site(page))


def canonical_url(html_canonical: str | None, page_url: str) -> str | None:
    """The normalized canonical URL a page declares, if it can serve as the article's identity.

    Accepted: an http(s) URL (relative ones resolved against `page_url`) on the page's own site,
    that is the page's registrable domain (`m.vietnamnet.vn` → `vietnamnet.vn`), or host and
    port where there is none (an IP address). Rejected: other schemes; the homepage, or a page
    that isn't an article when the page is one (a common CMS bug); another site's URL, which
    `syndicated_from` returns instead.
    """
    found = _declared(html_canonical, page_url)
    if found is None or not found.same_site:
        return None
    return normalize_url(found.url)


def syndicated_from(html_canonical: str | None, page_url: str) -> str | None:
    """The normalized canonical a page declares on another site: a hint of where a copy came from.

    It is never identity: an outlet may point its copy of an agency story at the agency's page,
    and the copy remains the outlet's own article.
    """
    found = _declared(html_canonical, page_url)
    if found is None or found.same_site:
        return None
    return normalize_url(found.url)
