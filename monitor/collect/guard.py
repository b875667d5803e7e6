"""What the collector may fetch: URLs that are fetchable, and only public addresses.

Every URL read from a feed, a page or a redirect goes through `fetchable_url` when it is read:
http(s), a host that is a valid name or IP address, a port in 1–65535, at most `MAX_URL`
characters. A URL that fails is refused with its reason (`InvalidUrl`) and never reaches the
HTTP library, where it would raise something no caller expects.

Public sources only: `GuardedBackend` is the network backend under the HTTP client. It resolves
the host once, refuses the connection when any of its addresses is loopback, private,
link-local, shared, multicast, reserved or unspecified (an IPv6 address that carries an IPv4
one, IPv4-mapped, 6to4 or NAT64, is judged as that IPv4 address), and connects to the very
address it checked, so a second DNS answer can't slip in between the check and the connection.
TLS and the Host header still name the host: httpcore passes the origin's name to the TLS layer
separately. It also keeps the streams it opened, so that a run asked to stop can cut them
(`abort`) instead of waiting for a read timeout.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpcore
import httpx
import idna

from monitor.errors import AddressRefused, InvalidUrl

MAX_URL = 2048
# How much of a refused URL an error message quotes.
SHOWN = 200
_SPACES = re.compile(r"[\t\r\n]")
_UNSAFE = re.compile("[\x00-\x20\x7f-\x9f]")
_ASCII_HOST = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
_SHARED = ipaddress.ip_network("100.64.0.0/10")
# IPv6 forms that carry an IPv4 address, judged as that address: IPv4-mapped (::ffff:a.b.c.d),
# 6to4 (2002:…) and the NAT64 well-known prefix (64:ff9b::a.b.c.d).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolve = Callable[[str, int], list[str]]


def shown(url: str) -> str:
    return url if len(url) <= SHOWN else url[:SHOWN] + "…"


def url_problem(url: str) -> str | None:
    """Why `url` is not a fetchable http(s) URL, or None when it is."""
    if len(url) > MAX_URL:
        return f"URL longer than {MAX_URL} characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"not an http(s) URL ({parts.scheme or 'no'} scheme)"
    host = parts.hostname
    if not host:
        return "URL without a host"
    if not _valid_host(host):
        return f"invalid host name {host[:80]!r}"
    if port == 0:
        return "port 0 is not a port"
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        return f"not a valid URL ({exc})"
    return None


def _valid_host(host: str) -> bool:
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host)
        return True
    name = host.rstrip(".")
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError:
            try:
                name = name.encode("idna").decode("ascii")
            except UnicodeError:
                return False
    labels = name.split(".")
    return len(name) <= 253 and all(_ASCII_HOST.fullmatch(label) for label in labels)


def fetchable_url(url: str) -> str:
    """`url` cleaned as a browser would (surrounding space, tabs and line breaks dropped, other
    control characters and spaces percent-encoded), or InvalidUrl with the reason."""
    cleaned = _SPACES.sub("", url.strip())
    cleaned = _UNSAFE.sub(lambda m: quote(m.group(0), safe=""), cleaned)
    problem = url_problem(cleaned)
    if problem is not None:
        raise InvalidUrl(f"{problem}: {shown(cleaned)}")
    return cleaned


# ---------------------------------------------------------------------------- addresses


def address_problem(address: str) -> str | None:
    """What makes an IP address not public ("a loopback address"…), or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("%eth0") says nothing
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    checks: Sequence[tuple[bool, str]] = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED, "a shared (CGNAT) address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((what for failed, what in checks if failed), None)


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be connected to. `public_networks` are treated as public: tests use
    it to stand a loopback server in for a public one."""

    allow_private: bool = False
    public_networks: tuple[IPNetwork, ...] = ()

    def problem(self, address: str) -> str | None:
        if self.allow_private:
            return None
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip in network for network in self.public_networks):
            return None
        return address_problem(address)


ANY_ADDRESS = AddressPolicy(allow_private=True)


def refusal(host: str, address: str, problem: str) -> AddressRefused:
    where = f"{address} is" if host.strip("[]") == address else f"{host} resolves to {address},"
    return AddressRefused(
        f"refused: {where} {problem}; only public addresses are fetched "
        "([http] allow_private_addresses)"
    )


def resolve_host(host: str, port: int) -> list[str]:
    """Every address of `host`, in the resolver's order, each once."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, resolving once, checking, and connecting to the checked
    address (see the module docstring). Thread-safe."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolve: Resolve = resolve_host,
        inner: httpcore.NetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self._resolve = resolve
        self._inner = inner or httpcore.SyncBackend()
        self._streams: weakref.WeakSet[_Tracked] = weakref.WeakSet()
        self._lock = threading.Lock()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no address")
        for address in addresses:
            problem = self.policy.problem(address)
            if problem is not None:
                raise refusal(host, address, problem)
        error: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            tracked = _Tracked(stream)
            with self._lock:
                self._streams.add(tracked)
            return tracked
        assert error is not None
        raise error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("the collector connects over TCP only")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def abort(self) -> None:
        """Cut every open connection: reads in flight return at once (and fail)."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.shutdown()


class _Tracked(httpcore.NetworkStream):
    """A stream the backend can cut from another thread (TLS or not)."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        self._inner = self._inner.start_tls(ssl_context, server_hostname, timeout)
        return self

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def shutdown(self) -> None:
        sock = self._inner.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a `GuardedBackend`."""

    def __init__(self, backend: GuardedBackend) -> None:
        super().__init__(trust_env=False)
        # httpx takes no network backend, but httpcore's pool does: the same pool as httpx
        # builds, over the guarded backend.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=backend,
        )
