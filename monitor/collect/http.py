"""The one HTTP client: user agent, timeouts, body and redirect limits, politeness, robots.txt.

Every request to the network goes through `Fetcher.get`. Requests to one host are serialized and
spaced by `per_host_delay` (across processes too, through a `HostGate`, when several collectors
share an archive); different hosts proceed in parallel (the caller runs one worker per
host). robots.txt is fetched once per host per day and obeyed for article pages.

What a server sends is distrusted: redirects are followed here, one hop at a time, each target
checked as a URL and (through `collect.guard`) as an address; bodies are decompressed here, a
bounded piece at a time, so a gzip bomb stops at `max_body_bytes` instead of filling memory;
header values and reason phrases lose their control characters before anyone stores or prints
them. A run that is asked to stop (`stop` set) makes no new request and `abort` cuts the ones in
flight.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urlsplit

import httpx
from protego import Protego

from monitor.collect.guard import (
    ANY_ADDRESS,
    AddressPolicy,
    GuardedBackend,
    GuardedTransport,
    IPNetwork,
    Resolve,
    fetchable_url,
    resolve_host,
    shown,
)
from monitor.config import HttpConfig
from monitor.errors import (
    AddressRefused,
    FetchCancelled,
    FetchError,
    HostDeferred,
    InvalidUrl,
    RobotsDisallowed,
)
from monitor.safe_text import one_line

ROBOTS_TTL = 24 * 3600.0
# Statuses by which a publisher refuses a URL: a page is not asked for again, a feed less often.
PERMANENT_STATUSES = frozenset({401, 403, 404, 410, 451})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# The longest Retry-After obeyed.
RETRY_AFTER_CAP = 86400.0
# How long a host that said 429 without Retry-After is left alone within a run.
HOST_PAUSE = 60.0
# Errors of the robots.txt request that are the page's own answer, not "robots.txt unreachable".
_ROBOTS_PASS_THROUGH = (HostDeferred, FetchCancelled, AddressRefused, InvalidUrl)


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    duration_ms: int
    request_headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def sha256(self) -> str:
        return "sha256:" + hashlib.sha256(self.body).hexdigest()


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_request: float = float("-inf")
    robots: Protego | None = None
    robots_text: str | None = None
    robots_fetched: float = float("-inf")  # wall-clock time, so it can outlive the process
    # Set when the host answers 429/503: no request to it before this monotonic time.
    blocked_until: float = float("-inf")
    blocked_reason: str = ""


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


class HostGate(Protocol):
    """Politeness shared with other processes (collectors of one shared archive)."""

    def acquire(self, host: str, stop: threading.Event) -> bool:
        """Wait until this process may ask `host`; False when `stop` was set first."""
        ...

    def release(self, host: str) -> None:
        """The request to `host` is over (the delay counts from now)."""
        ...


class Fetcher:
    """Polite HTTP GETs. Thread-safe: one instance is shared by all workers of a run.

    `get(url, trusted=True)` is for a URL the user chose (a configured feed, the site given to
    `feeds add`): its first request may go to any address. Every other request, and every
    redirect, reaches public addresses only, unless `[http] allow_private_addresses`.
    `public_networks` and `resolve` let tests stand a loopback server in for a public host.
    """

    def __init__(
        self,
        config: HttpConfig,
        *,
        stop: threading.Event | None = None,
        public_networks: tuple[IPNetwork, ...] = (),
        resolve: Resolve = resolve_host,
        gate: HostGate | None = None,
    ) -> None:
        self.config = config
        self.stop = stop or threading.Event()
        self.gate = gate
        policy = AddressPolicy(config.allow_private_addresses, public_networks)
        self._backends = (
            GuardedBackend(ANY_ADDRESS, resolve=resolve),
            GuardedBackend(policy, resolve=resolve),
        )
        # Two connection pools, so that a connection opened for a trusted URL is never reused
        # for another request to the same host. No httpx.Client: it would interpret redirects
        # itself (and raise on some Location headers) before handing the response over.
        self._direct, self._checked = (GuardedTransport(backend) for backend in self._backends)
        self._timeout = httpx.Timeout(config.timeout).as_dict()
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        self._direct.close()
        self._checked.close()

    def abort(self) -> None:
        """Cut the connections in flight (from any thread): their reads fail at once."""
        for backend in self._backends:
            backend.abort()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        with self._hosts_lock:
            return self._hosts.setdefault(key, _Host())

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise FetchCancelled("not requested: stopping")

    def get(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        robots: bool = False,
        trusted: bool = False,
    ) -> Response:
        """GET `url` politely. With `robots=True`, refuse URLs that robots.txt disallows.

        Raises FetchError for network errors, refused URLs or addresses, bodies over the
        limit and non-2xx/304 statuses.
        """
        url = fetchable_url(url)
        self._check_stop()
        if robots and self.config.respect_robots and not self.allowed(url):
            raise RobotsDisallowed(url)
        host = self._host(url)
        with host.lock:
            now = time.monotonic()
            if host.blocked_until > now:
                raise HostDeferred(
                    f"not requested: {host_key(url)} asked to wait ({host.blocked_reason})",
                    retry_after=host.blocked_until - now,
                )
            wait = host.last_request + self.config.per_host_delay - now
            if wait > 0:
                self.stop.wait(wait)
            self._check_stop()
            gate, key = self.gate, host_key(url)
            if gate is not None and not gate.acquire(key, self.stop):
                raise FetchCancelled("not requested: stopping")
            try:
                return self._get(url, headers or {}, self._direct if trusted else self._checked)
            except FetchError as exc:
                # 429 is about the client, whatever the path; a 503 only when it says how long.
                if exc.status == 429 or (exc.status == 503 and exc.retry_after is not None):
                    pause = exc.retry_after if exc.retry_after is not None else HOST_PAUSE
                    host.blocked_until = time.monotonic() + pause
                    host.blocked_reason = str(exc)
                raise
            finally:
                host.last_request = time.monotonic()
                if gate is not None:
                    gate.release(key)

    def _get(self, url: str, headers: dict[str, str], transport: GuardedTransport) -> Response:
        started = time.monotonic()
        for _hop in range(self.config.max_redirects + 1):
            try:
                with self._send(transport, url, headers) as response:
                    target = _redirect_target(response)
                    if target is None:
                        body = self._read(response, started)
                        return _response(response, body, started)
            except FetchError:
                raise
            except httpx.TimeoutException as exc:
                raise self._cancelled_or(
                    FetchError(f"timed out after {self.config.timeout:g} s")
                ) from exc
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
                raise self._cancelled_or(
                    FetchError(one_line(f"{type(exc).__name__}: {exc}"))
                ) from exc
            # Only the first request of a trusted URL may go anywhere: redirects are checked.
            url, transport = target, self._checked
        raise FetchError(f"more than {self.config.max_redirects} redirects", retryable=False)

    @contextlib.contextmanager
    def _send(
        self, transport: GuardedTransport, url: str, headers: dict[str, str]
    ) -> Iterator[httpx.Response]:
        """One GET, its response open for reading until the block ends."""
        request = httpx.Request(
            "GET",
            url,
            headers={
                "User-Agent": self.config.user_agent,
                "Accept": "*/*",
                "Accept-Encoding": "gzip, deflate",
                **headers,
            },
            extensions={"timeout": self._timeout},
        )
        response = transport.handle_request(request)
        response.request = request
        try:
            yield response
        finally:
            response.close()

    def _cancelled_or(self, error: FetchError) -> FetchError:
        """The error of a failed request, unless it failed because the run is stopping."""
        if self.stop.is_set():
            return FetchCancelled(f"abandoned: stopping ({error})")
        return error

    def _read(self, response: httpx.Response, started: float) -> bytes:
        """The body, decompressed a bounded piece at a time; over the limits, a FetchError."""
        limit = self.config.max_body_bytes
        decoder = _Decoder(response.headers.get("content-encoding"), response.status_code)
        chunks: list[bytes] = []
        size = 0
        for raw in itertools.chain(response.iter_raw(), [None]):
            if time.monotonic() - started > self.config.max_seconds:
                raise FetchError(
                    f"response still arriving after {self.config.max_seconds:g} s",
                    status=response.status_code,
                )
            data = decoder.decode(raw, limit - size)
            size += len(data)
            if size > limit:
                raise FetchError(
                    f"body larger than {limit} bytes",
                    status=response.status_code,
                    retryable=False,
                )
            chunks.append(data)
        return b"".join(chunks)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's host allows our user agent to fetch it.

        Raises FetchError (retryable) when robots.txt can't be read for a reason other than 4xx.
        """
        host = self._host(url)
        now = time.time()
        if host.robots_text is not None and host.robots is None:
            host.robots = Protego.parse(host.robots_text)
        if host.robots is None or now - host.robots_fetched > ROBOTS_TTL:
            robots_url = host_key(url) + "/robots.txt"
            try:
                text = self.get(robots_url).body.decode("utf-8", "replace")
            except _ROBOTS_PASS_THROUGH:
                raise
            except FetchError as exc:
                if exc.status is None or exc.status >= 500:
                    # RFC 9309 §2.3.1.4: an unreachable robots.txt means "disallow everything"
                    # for now. Retryable, and not cached, so the pages wait for the next run.
                    raise FetchError(
                        f"robots.txt of {host_key(url)} unreachable ({exc}); will retry",
                        status=exc.status,
                        retry_after=exc.retry_after,
                    ) from exc
                # No robots.txt (4xx) means no restriction (RFC 9309 §2.3.1.3).
                text = ""
            host.robots = Protego.parse(text)
            host.robots_text = text
            host.robots_fetched = now
        return bool(host.robots.can_fetch(url, self.config.user_agent))

    def load_robots(self, known: dict[str, tuple[str, float]]) -> None:
        """Reuse robots.txt files read by earlier runs: host key → (text, fetched at, epoch s).

        Runs are short processes started every few minutes; without this each would ask every
        host for robots.txt again instead of once a day.
        """
        for key, (text, fetched) in known.items():
            with self._hosts_lock:
                host = self._hosts.setdefault(key, _Host())
            host.robots_text, host.robots_fetched, host.robots = text, fetched, None

    def robots_files(self) -> dict[str, tuple[str, float]]:
        """The robots.txt files this fetcher holds, to keep for later runs."""
        with self._hosts_lock:
            hosts = list(self._hosts.items())
        return {
            key: (host.robots_text, host.robots_fetched)
            for key, host in hosts
            if host.robots_text is not None
        }


def _redirect_target(response: httpx.Response) -> str | None:
    """Where a redirect leads, checked as a URL; None when the response is not a redirect."""
    location = response.headers.get("location")
    if response.status_code not in REDIRECT_STATUSES or not location:
        return None
    try:
        target = str(response.url.join(location.strip()))
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise InvalidUrl(f"refused redirect to {shown(one_line(location))!r}: {exc}") from exc
    try:
        return fetchable_url(target)
    except InvalidUrl as exc:
        raise InvalidUrl(f"refused redirect: {exc}") from exc


def _response(response: httpx.Response, body: bytes, started: float) -> Response:
    """The Response of a final answer; a FetchError for statuses other than 2xx and 304."""
    status = response.status_code
    if status >= 400 or (status >= 300 and status != 304):
        retry_after = None
        if status in (429, 503):
            retry_after = parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))
        raise FetchError(
            one_line(f"HTTP {status} {response.reason_phrase}").strip()
            + (f" (Retry-After {retry_after:g} s)" if retry_after is not None else ""),
            status=status,
            retryable=status >= 500 or status == 429,
            retry_after=retry_after,
        )
    return Response(
        url=str(response.url),
        status=status,
        headers={k.lower(): one_line(v) for k, v in response.headers.items()},
        body=body,
        duration_ms=int((time.monotonic() - started) * 1000),
        request_headers={k.lower(): v for k, v in response.request.headers.items()},
    )


class _Decoder:
    """Content-Encoding undone with a bound on what one piece may inflate to."""

    def __init__(self, encoding: str | None, status: int) -> None:
        name = (encoding or "").strip().lower()
        self._raw_deflate_tried = name != "deflate"
        self._z: zlib._Decompress | None
        if name in ("", "identity"):
            self._z = None
        elif name in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif name == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise FetchError(
                f"unsupported Content-Encoding {shown(one_line(name))!r}",
                status=status,
                retryable=False,
            )

    def decode(self, data: bytes | None, room: int) -> bytes:
        """Up to `room + 1` bytes of output (one more than fits says "too large"); None ends."""
        if self._z is None:
            return data or b""
        try:
            if data is None:
                return self._z.flush()
            return self._z.decompress(data, max(room, 0) + 1)
        except zlib.error as exc:
            if not self._raw_deflate_tried and data is not None:
                # "deflate" is raw DEFLATE on some servers, zlib-wrapped on others.
                self._raw_deflate_tried = True
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.decode(data, room)
            raise FetchError(f"corrupt compressed body: {exc}", retryable=False) from exc


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from `now`: an integer, or an HTTP date; capped at one day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        at = http_date(value)
        if at is None:
            return None
        seconds = (at - now).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


def http_date(value: str) -> datetime | None:
    """An HTTP date header (RFC 9110) as an aware datetime; None when it can't be read."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
