"""Shared test setup: isolation from the environment and the local fixture site."""

from __future__ import annotations

import importlib.metadata
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.archive import Archive
from tests.backends import BACKENDS, ArchiveTarget, postgresql_schema
from tests.localsite import LocalSite

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
REPORTED_DISTRIBUTIONS = (
    ("tantivy", "tantivy"),
    ("whoosh", "whoosh-reloaded"),
    ("trafilatura", "trafilatura"),
    ("feedparser", "feedparser"),
    ("httpx", "httpx"),
)


def pytest_report_header(config: pytest.Config) -> list[str]:
    parts = [f"sqlite3 {sqlite3.sqlite_version}"]
    for label, distribution in REPORTED_DISTRIBUTIONS:
        try:
            version = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            version = "not installed"
        parts.append(f"{label} {version}")
    return ["libraries: " + ", ".join(parts)]


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxy may divert requests to 127.0.0.1, and no real config file is read.

    MONITOR_CONFIG points at a file that does not exist; a test that needs a config sets it again
    (monkeypatch.setenv in the test or in a fixture of its own: autouse fixtures run first).
    """
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("MONITOR_CONFIG", str(tmp_path / "no-config" / "config.toml"))
    monkeypatch.delenv("MONITOR_DATABASE", raising=False)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArchiveTarget]:
    """Where a test's archive is: a SQLite file in its directory, then a fresh PostgreSQL
    schema of $MONITOR_TEST_DATABASE (dropped afterwards; skipped when that is unset)."""
    if request.param == "sqlite":
        yield ArchiveTarget(tmp_path / "data" / "archive.sqlite3")
        return
    with postgresql_schema() as dsn:
        yield ArchiveTarget(tmp_path / "data" / "archive.sqlite3", dsn)


@pytest.fixture
def archive(backend: ArchiveTarget) -> Iterator[Archive]:
    """An empty archive (in each backend), closed afterwards."""
    with backend.open() as opened:
        yield opened


def _serve(site: LocalSite) -> Iterator[LocalSite]:
    try:
        yield site
    finally:
        site.close()
    problems = site.problems()
    if problems:
        pytest.fail(
            f"{site!r} saw problems:\n  "
            + "\n  ".join(problems)
            + "\n(site.expect_404(path) or site.allow_unknown() if these requests are intended)",
            pytrace=False,
        )


@pytest.fixture
def site() -> Iterator[LocalSite]:
    """The fixture site on http://127.0.0.1:<free port>; unknown paths fail the test."""
    yield from _serve(LocalSite())


@pytest.fixture
def site2() -> Iterator[LocalSite]:
    """The same site on a second loopback address, 127.0.0.2 (skipped where it can't bind)."""
    try:
        second = LocalSite(host="127.0.0.2")
    except OSError as exc:
        pytest.skip(f"cannot bind 127.0.0.2: {exc}")
    yield from _serve(second)
