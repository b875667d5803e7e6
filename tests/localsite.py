"""A real HTTP server on the loopback interface that serves the fixture site to tests.

Tests never touch the internet: every feed and page they need is served from
``monitor/demo/site/`` (the sample site of ``monitor demo``) by a ``ThreadingHTTPServer``
bound to 127.0.0.1 (port 0, so the OS picks a free one) and run in a daemon thread of the test
process.

    site = LocalSite()                      # serving already; or use the ``site`` fixture
    site.url("/vnexpress/rss/tin-moi-nhat.rss")
    site.route("/slow.rss", file="vnexpress/rss/tin-moi-nhat.rss", drip=(200, 0.5))
    site.route("/gone.rss", status=410)
    site.route("/etag.rss", handler=lambda req: (304, {}, b"") if ... else (200, {...}, body))
    ...
    site.requests                           # every request received, in order
    site.close()

Behaviour worth knowing:

- ``{base}`` inside served files (and inside ``route(body=...)``) is replaced by ``base_url``
  at serve time, so feeds link to article pages on the same server, whatever its port.
- Static files get a Content-Type from their extension (see ``CONTENT_TYPES``, overridden per
  path by ``STATIC_HEADERS``), a strong ``ETag`` (hash of the served bytes) and a fixed
  ``Last-Modified``, and answer ``If-None-Match`` / ``If-Modified-Since`` with 304.
  A path ending in ``/`` serves that folder's ``index.html`` when there is one.
- A path that is neither routed nor a static file gets a 404 and is recorded: it shows in
  ``unexpected`` unless ``expect_404(path)`` names it, and ``problems()`` reports it unless
  ``allow_unknown()`` was called. The ``site`` fixture fails the test on any problem, so a
  client that wanders off (images, CSS, guessed URLs, a robots-disallowed page...) is caught.
- An exception raised by a test's handler becomes a 500 reply and a problem.
- Routes match the request target with its query string first, then the bare path.
- Connections are HTTP/1.1 keep-alive; ``close()`` shuts down live connections too, so a client
  left open by a test cannot hang the teardown.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, TypeAlias
from urllib.parse import unquote, urlsplit

from monitor.demo import SITE

# The sample site `monitor demo` serves, shipped inside the package: the tests' site too.
SITE_DIR = SITE

CONTENT_TYPES: dict[str, str] = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".opml": "text/x-opml; charset=utf-8",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"

# Per-path header overrides for static files (what a real, slightly wrong, server would send).
STATIC_HEADERS: dict[str, dict[str, str]] = {
    # Atom under a .xml name: served with its proper type.
    "/dantri/atom.xml": {"Content-Type": "application/atom+xml; charset=utf-8"},
    # An old feed URL that now answers with an HTML page.
    "/broken/not-a-feed.rss": {"Content-Type": "text/html; charset=utf-8"},
}

# Every static file claims the same modification time, a little before the fixtures' "now".
LAST_MODIFIED = "Mon, 23 Nov 2026 03:00:00 GMT"

HANDLER_JOIN_TIMEOUT = 5.0


def content_type_for(path: str) -> str:
    """The Content-Type a static file at ``path`` is served with, before overrides."""
    if path.rsplit("/", 1)[-1] == "robots.txt":
        return "text/plain; charset=utf-8"
    return CONTENT_TYPES.get(Path(path).suffix.lower(), DEFAULT_CONTENT_TYPE)


class Headers(dict[str, str]):
    """Request headers: keys stored lower-cased, looked up case-insensitively.

    A header sent more than once is joined with ", ".
    """

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__()
        for name, value in items:
            key = name.lower()
            previous = dict.get(self, key)
            dict.__setitem__(self, key, value if previous is None else f"{previous}, {value}")

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(key.lower(), default)


class Request(NamedTuple):
    """One request received by the site, as recorded in ``LocalSite.requests``."""

    time: float  # time.monotonic() when the request line and headers had been read
    method: str
    path: str  # the request target as sent, query string included
    headers: Headers

    @property
    def bare_path(self) -> str:
        """The path without query string, percent-decoded."""
        return unquote(urlsplit(self.path).path)


@dataclass
class Reply:
    """A response to send. Handlers may return one instead of a ``(status, headers, body)`` tuple.

    - ``delay``: seconds to wait before sending anything (status line included).
    - ``drip``: ``(chunk_size, interval)``: send the body in chunks, sleeping between them.
    - ``content_length``: the Content-Length to declare; larger than the body means the body is
      truncated: the server sends what it has and closes the connection.
    - ``raw``: bytes sent as the whole response, status line and headers included, as they
      are (a reason phrase or header no well-behaved server would send, a cut chunked body);
      then the connection is closed. The other fields are ignored.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    delay: float = 0.0
    drip: tuple[int, float] | None = None
    content_length: int | None = None
    raw: bytes | None = None


HandlerResult: TypeAlias = "Reply | tuple[int, Mapping[str, str], bytes | str]"
Handler: TypeAlias = Callable[[Request], HandlerResult]


@dataclass(frozen=True)
class _Route:
    status: int
    body: bytes | None
    file: Path | None
    headers: dict[str, str]
    delay: float
    drip: tuple[int, float] | None
    content_length: int | None
    handler: Handler | None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # LocalSite.close() joins the handler threads itself, with a timeout

    def __init__(self, address: tuple[str, int], site: LocalSite) -> None:
        self.site = site
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that can stall.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Tracked here, in the serving thread, so that close() sees every accepted connection.
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"localsite-conn-{client_address}",
            daemon=True,
        )
        self.site._track(request, thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        self.site._untrack(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # the client went away: not the site's problem
        self.site._error(f"server error serving {client_address}:\n{traceback.format_exc()}")


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "press-monitor-localsite/1.0"
    timeout = 30  # an idle keep-alive connection is dropped after this many seconds

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean: requests are recorded in LocalSite.requests instead."""

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_GET
    do_POST = do_GET
    do_PUT = do_GET
    do_DELETE = do_GET
    do_OPTIONS = do_GET
    do_PATCH = do_GET

    def _serve(self) -> None:
        site = self.server.site
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(
                length
            )  # a request body is read (to keep the connection usable), not kept
        request = Request(time.monotonic(), self.command, self.path, Headers(self.headers.items()))
        site._record(request)
        reply = site._resolve(request)
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        site = self.server.site
        if reply.delay > 0 and site.sleep(reply.delay):
            self.close_connection = True
            return
        if reply.raw is not None:
            self.wfile.write(reply.raw)
            self.wfile.flush()
            self.close_connection = True
            return
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        bodyless = self.command == "HEAD" or reply.status in (204, 304) or reply.status < 200
        names = {name.lower(): value for name, value in reply.headers.items()}
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if "content-length" in names:
            declared = int(names["content-length"])
        else:
            declared = len(body) if reply.content_length is None else reply.content_length
            if reply.status not in (204, 304) and reply.status >= 200:
                self.send_header("Content-Length", str(declared))
        truncated = not bodyless and declared > len(body)
        if truncated or names.get("connection", "").lower() == "close":
            if "connection" not in names:
                self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if bodyless:
            return
        if reply.drip is None:
            self.wfile.write(body)
        else:
            size, interval = reply.drip
            for start in range(0, len(body), max(size, 1)):
                if start and site.sleep(interval):
                    self.close_connection = True
                    return
                self.wfile.write(body[start : start + max(size, 1)])
                self.wfile.flush()
        self.wfile.flush()


class LocalSite:
    """The fixture site, served on ``host`` (default 127.0.0.1) at a free port.

    Serving starts in the constructor; call ``close()`` (or use it as a context manager).
    Any address of Linux's loopback range works as ``host`` (127.0.0.2 for a second "host").
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, root: Path = SITE_DIR) -> None:
        self.host = host
        self.root = root
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._requests: list[Request] = []
        self._unknown: list[Request] = []
        self._errors: list[str] = []
        self._routes: dict[str, _Route] = {}
        self._expected_404: set[str] = set()
        self._allow_unknown = False
        self._connections: set[Any] = set()
        self._threads: set[threading.Thread] = set()
        self._closed = False
        self._static = {
            "/" + p.relative_to(root).as_posix(): p
            for p in sorted(root.rglob("*"))
            if p.is_file()
            and not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)
        }
        self._server = _Server((host, port), self)  # OSError if the address can't be bound
        self.port: int = int(self._server.server_address[1])
        netloc = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{netloc}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"localsite-{self.base_url}",
            daemon=True,
        )
        self._thread.start()

    # ------------------------------------------------------------------ public API
    def url(self, path: str) -> str:
        """Absolute URL of ``path`` (which must start with "/") on this site."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        return self.base_url + path

    def static_paths(self) -> list[str]:
        """Paths of every file served from the fixture folder, sorted."""
        return sorted(self._static)

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        file: str | Path | None = None,
        handler: Handler | None = None,
        drip: tuple[int, float] | None = None,
        content_length: int | None = None,
        content_type: str | None = None,
    ) -> None:
        """Add or replace the route for ``path`` (exact match; with a query string, exact target).

        ``body`` (``{base}`` substituted) or ``file`` (relative to the fixture folder, or absolute;
        ``{base}`` substituted) gives the body; ``handler`` instead computes the whole reply for
        each request and may return a ``Reply`` or a ``(status, headers, body)`` tuple.
        ``content_type`` is a shortcut for the Content-Type header; without either, it comes from
        the file's or the path's extension. See ``Reply`` for ``delay``, ``drip`` and
        ``content_length``. Routing a path to status 404 makes that 404 expected.
        """
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        if handler is not None and (body is not None or file is not None):
            raise ValueError("route() takes a handler, or a body/file, not both")
        if body is not None and file is not None:
            raise ValueError("route() takes a body or a file, not both")
        resolved = None
        if file is not None:
            resolved = Path(file) if Path(file).is_absolute() else self.root / file
            if not resolved.is_file():
                raise FileNotFoundError(resolved)
        merged = dict(headers or {})
        if content_type is not None:
            merged["Content-Type"] = content_type
        data = body.encode("utf-8") if isinstance(body, str) else body
        new = _Route(status, data, resolved, merged, delay, drip, content_length, handler)
        with self._lock:
            self._routes[path] = new

    def allow_unknown(self) -> None:
        """Let requests for unknown paths pass the teardown check (they still get 404s)."""
        with self._lock:
            self._allow_unknown = True

    def expect_404(self, *paths: str) -> None:
        """Declare that requests for these paths (bare paths or exact targets) may 404."""
        with self._lock:
            self._expected_404.update(paths)

    @property
    def requests(self) -> list[Request]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def unexpected(self) -> list[Request]:
        """Requests for unknown paths that ``expect_404`` did not declare."""
        with self._lock:
            expected = set(self._expected_404)
            return [
                r for r in self._unknown if r.bare_path not in expected and r.path not in expected
            ]

    @property
    def errors(self) -> list[str]:
        """Exceptions raised by handlers or by the server while serving."""
        with self._lock:
            return list(self._errors)

    def requests_for(self, path: str) -> list[Request]:
        """Requests whose target or bare path equals ``path``."""
        return [r for r in self.requests if path in (r.path, r.bare_path)]

    def hits(self, path: str) -> int:
        """How many requests asked for ``path``."""
        return len(self.requests_for(path))

    def paths(self) -> list[str]:
        """The request targets received so far, in order."""
        return [r.path for r in self.requests]

    def clear_requests(self) -> None:
        """Forget the request log (routes, expectations and unknown requests are kept)."""
        with self._lock:
            self._requests.clear()

    def wait_for(self, path: str, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until ``path`` was requested ``count`` times; False on timeout."""
        deadline = time.monotonic() + timeout
        while self.hits(path) < count:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def sleep(self, seconds: float) -> bool:
        """Sleep in a handler; returns True early if the site is closing (stop sending then)."""
        return self._stopping.wait(seconds)

    def problems(self) -> list[str]:
        """What should fail the test: unexpected 404s (unless allowed) and handler errors."""
        out: list[str] = []
        if not self._allow_unknown:
            for r in self.unexpected:
                agent = r.headers.get("user-agent") or "-"
                url = self.base_url + r.path
                out.append(f"unexpected request: {r.method} {url} -> 404 (User-Agent: {agent})")
        out.extend(self.errors)
        return out

    def close(self) -> None:
        """Stop serving, close live connections and the listening socket. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
            threads = list(self._threads)
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by its handler thread
                conn.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(HANDLER_JOIN_TIMEOUT)
        self._thread.join(HANDLER_JOIN_TIMEOUT)
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            self._error(f"handler threads still running after close: {stuck}")

    def __enter__(self) -> LocalSite:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalSite({self.base_url!r})"

    # ------------------------------------------------------------------ server side
    def _track(self, conn: Any, thread: threading.Thread) -> None:
        with self._lock:
            self._threads = {t for t in self._threads if t.is_alive()}
            self._threads.add(thread)
            self._connections.add(conn)

    def _untrack(self, conn: Any) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _record(self, request: Request) -> None:
        with self._lock:
            self._requests.append(request)

    def _error(self, message: str) -> None:
        with self._lock:
            self._errors.append(message)

    def _substitute(self, data: bytes) -> bytes:
        return data.replace(b"{base}", self.base_url.encode("ascii"))

    def _resolve(self, request: Request) -> Reply:
        bare = request.bare_path
        with self._lock:
            route = self._routes.get(request.path) or self._routes.get(bare)
        if route is not None:
            return self._route_reply(route, request, bare)
        static = self._static.get(bare)
        if static is None and bare.endswith("/"):
            static = self._static.get(bare + "index.html")
        if static is not None:
            return self._static_reply(static, request, bare)
        with self._lock:
            self._unknown.append(request)
        return Reply(404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>404 Not Found</h1>\n")

    def _route_reply(self, route: _Route, request: Request, bare: str) -> Reply:
        if route.handler is not None:
            try:
                result = route.handler(request)
            except Exception:
                self._error(f"handler for {request.path} raised:\n{traceback.format_exc()}")
                return Reply(500, {"Content-Type": "text/plain; charset=utf-8"}, b"handler error\n")
            if isinstance(result, Reply):
                return result
            status, headers, body = result
            return Reply(status, dict(headers), body)
        headers = dict(route.headers)
        if route.file is not None:
            body = self._substitute(route.file.read_bytes())
            guessed = content_type_for(route.file.name)
        else:
            body = self._substitute(route.body or b"")
            guessed = content_type_for(bare)
        if not any(name.lower() == "content-type" for name in headers) and route.status not in (
            204,
            304,
        ):
            headers["Content-Type"] = (
                guessed if guessed != DEFAULT_CONTENT_TYPE else "text/plain; charset=utf-8"
            )
        return Reply(route.status, headers, body, route.delay, route.drip, route.content_length)

    def _static_reply(self, file: Path, request: Request, bare: str) -> Reply:
        body = self._substitute(file.read_bytes())
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        headers = {
            "Content-Type": content_type_for(file.name),
            "ETag": etag,
            "Last-Modified": LAST_MODIFIED,
        }
        headers.update(STATIC_HEADERS.get(bare, {}))
        if _not_modified(request.headers, etag):
            return Reply(304, {"ETag": etag, "Last-Modified": LAST_MODIFIED})
        return Reply(200, headers, body)


def _not_modified(headers: Headers, etag: str) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins; otherwise If-Modified-Since."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return parsedate_to_datetime(LAST_MODIFIED) <= since
