"""The sample site served over HTTP on 127.0.0.1, for as long as a `with` block lasts.

Files are served as a publisher's server would: a Content-Type by extension, a strong ETag and
answers to If-None-Match, robots.txt, 404 for anything else. `{base}` inside a file becomes the
server's address, so feeds link to the pages of the same server whatever its port.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from monitor.demo import EXTRA, SITE

# The port the README's examples show; another is taken when it is in use.
PREFERRED_PORT = 8000
_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
# Atom under a .xml name, and an old feed address that now serves an HTML page.
_TYPE_OF_PATH = {
    "/dantri/atom.xml": "application/atom+xml; charset=utf-8",
    "/broken/not-a-feed.rss": "text/html; charset=utf-8",
}


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "press-monitor-demo"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the run reports what it fetched."""

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        file = _file_for(path)
        if file is None:
            self._reply(404, b"not found\n", "text/plain; charset=utf-8")
            return
        address: Any = self.server.server_address  # (host, port): an AF_INET server
        base = f"http://{address[0]}:{address[1]}"
        body = file.read_bytes().replace(b"{base}", base.encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._reply(304, b"", None, etag)
            return
        kind = _TYPE_OF_PATH.get(path) or _TYPES.get(file.suffix, "application/octet-stream")
        self._reply(200, body, kind, etag)

    def _reply(self, status: int, body: bytes, kind: str | None, etag: str | None = None) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _file_for(path: str) -> Path | None:
    """The site's file at `path` (a folder's index.html), never a file outside the site."""
    if path.endswith("/"):
        path += "index.html"
    for root in (SITE, EXTRA):
        file = (root / path.lstrip("/")).resolve()
        if file.is_relative_to(root.resolve()) and file.is_file():
            return file
    return None


@contextmanager
def serve(host: str = "127.0.0.1") -> Iterator[str]:
    """Serve the sample site; yields its base URL (`http://127.0.0.1:8000`)."""
    try:
        server = http.server.ThreadingHTTPServer((host, PREFERRED_PORT), _Handler)
    except OSError:
        server = http.server.ThreadingHTTPServer((host, 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
