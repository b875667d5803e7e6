"""The one HTTP client: user agent, timeouts, body and redirect limits, politeness, robots.txt.

Every request to the network goes through `Fetcher.get`. Requests to one host are serialized and
spaced by `per_host_delay`; different hosts proceed in parallel (the caller runs one worker per
host). robots.txt is fetched once per host per day and obeyed for article pages.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
from protego import Protego

from monitor.config import HttpConfig
from monitor.errors import FetchError, HostDeferred, RobotsDisallowed

ROBOTS_TTL = 24 * 3600.0
# Statuses by which a publisher refuses a URL: a page is not asked for again, a feed less often.
PERMANENT_STATUSES = frozenset({401, 403, 404, 410, 451})
# The longest Retry-After obeyed.
RETRY_AFTER_CAP = 86400.0
# How long a host that said 429 without Retry-After is left alone within a run.
HOST_PAUSE = 60.0


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


class Fetcher:
    """Polite HTTP GETs. Thread-safe: one instance is shared by all workers of a run."""

    def __init__(self, config: HttpConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.client = httpx.Client(
            headers={"User-Agent": config.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=config.timeout,
            follow_redirects=True,
            max_redirects=config.max_redirects,
            transport=transport,
            trust_env=False,
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        with self._hosts_lock:
            return self._hosts.setdefault(key, _Host())

    def get(
        self, url: str, *, headers: dict[str, str] | None = None, robots: bool = False
    ) -> Response:
        """GET `url` politely. With `robots=True`, refuse URLs that robots.txt disallows.

        Raises FetchError for network errors, bodies over the limit and non-2xx/304 statuses.
        """
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
                time.sleep(wait)
            try:
                return self._get(url, headers or {})
            except FetchError as exc:
                # 429 is about the client, whatever the path; a 503 only when it says how long.
                if exc.status == 429 or (exc.status == 503 and exc.retry_after is not None):
                    pause = exc.retry_after if exc.retry_after is not None else HOST_PAUSE
                    host.blocked_until = time.monotonic() + pause
                    host.blocked_reason = str(exc)
                raise
            finally:
                host.last_request = time.monotonic()

    def _get(self, url: str, headers: dict[str, str]) -> Response:
        started = time.monotonic()
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    if time.monotonic() - started > self.config.max_seconds:
                        raise FetchError(
                            f"response still arriving after {self.config.max_seconds:g} s",
                            status=response.status_code,
                        )
                    size += len(chunk)
                    if size > self.config.max_body_bytes:
                        raise FetchError(
                            f"body larger than {self.config.max_body_bytes} bytes",
                            status=response.status_code,
                            retryable=False,
                        )
                    chunks.append(chunk)
        except httpx.TooManyRedirects as exc:
            raise FetchError(
                f"more than {self.config.max_redirects} redirects", retryable=False
            ) from exc
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out after {self.config.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}") from exc
        duration_ms = int((time.monotonic() - started) * 1000)
        status = response.status_code
        if status >= 400 or (status >= 300 and status != 304):
            retry_after = None
            if status in (429, 503):
                retry_after = parse_retry_after(
                    response.headers.get("retry-after"), datetime.now(UTC)
                )
            raise FetchError(
                f"HTTP {status} {response.reason_phrase}".strip()
                + (f" (Retry-After {retry_after:g} s)" if retry_after is not None else ""),
                status=status,
                retryable=status >= 500 or status == 429,
                retry_after=retry_after,
            )
        return Response(
            url=str(response.url),
            status=status,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=b"".join(chunks),
            duration_ms=duration_ms,
            request_headers={k.lower(): v for k, v in response.request.headers.items()},
        )

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
            except HostDeferred:
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
