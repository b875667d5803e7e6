"""The one configuration loader: the packaged defaults, the user's TOML laid over them, then
validated once into frozen dataclasses.

Where the file is found, first match wins: `--config PATH`, `$MONITOR_CONFIG`, `./config.toml`,
the user config dir (`platformdirs`), then the defaults shipped inside the package. Relative paths
in a file are relative to that file; the shipped defaults keep data in the user data dir.

Every default lives in the packaged `default_config.toml` (the repository's `config.toml` is a
copy of it), but for the user agent, which follows the version. A user's file is laid over it
table by table and key by key, so a partial file changes only what it names; its `[[feeds]]`
are the feeds, all of them (a file without any has none: the packaged feeds serve only when
there is no file at all). Each section is then validated by its own function, and an error
names the file, the key and what was expected.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from index.engine import ENGINES
from monitor import REPOSITORY, __version__
from monitor.errors import ConfigError

APP_NAME = "press-monitor"
ENV_CONFIG = "MONITOR_CONFIG"
PACKAGED_CONFIG = "default_config.toml"
# An email address, or a web page about the research: what a publisher needs to reach you.
_CONTACT_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+|https?://\S+\.\S+")
# Overrides `[storage] database`: where the archive is, for every command.
DATABASE_VARIABLE = "MONITOR_DATABASE"


def default_user_agent(contact: str = "") -> str:
    """`press-monitor/VERSION (+CONTACT)`: the product token robots.txt rules name, and the
    researcher's contact, or else the project's repository."""
    return f"press-monitor/{__version__} (+{contact or REPOSITORY})"


@dataclass(frozen=True)
class StorageConfig:
    dir: Path
    fetch_log_per_feed: int
    page_log_days: int
    warc: bool
    warc_max_mb: int
    # A PostgreSQL archive several collectors share (postgresql://…); None: SQLite in `dir`.
    database: str | None
    # Seconds a collector's claims on feeds and pages hold without renewal (PostgreSQL only).
    claim_lease: float


@dataclass(frozen=True)
class ScheduleConfig:
    """When feeds are polled; all durations in seconds."""

    initial_interval: float
    min_interval: float
    max_interval: float
    max_backoff: float
    jitter: float


@dataclass(frozen=True)
class HttpConfig:
    user_agent: str
    # An email or a URL where publishers can reach the researcher; in the default user agent.
    contact: str
    timeout: float
    max_seconds: float
    per_host_delay: float
    max_body_bytes: int
    max_redirects: int
    concurrency: int
    respect_robots: bool
    # Article links, redirects and robots.txt may reach loopback, private, link-local… hosts.
    allow_private_addresses: bool


@dataclass(frozen=True)
class IndexConfig:
    engine: str
    # Where the index lives, when not in the storage dir: a search node following a shared
    # archive (`monitor index --follow`) keeps its own.
    dir: Path | None


@dataclass(frozen=True)
class ReportConfig:
    timezone: str


@dataclass(frozen=True)
class RevisionsConfig:
    """Edits and takedowns: when stored articles are fetched again."""

    enabled: bool  # revisits as part of `monitor run`
    checks: tuple[float, ...]  # ages (seconds after first stored) of the revisits, ascending
    max_per_run: int  # pages a run fetches at most, new ones first; revisits get what is left


@dataclass(frozen=True)
class FeedConfig:
    url: str
    source: str
    name: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()


# The tables of settings and the keys each may hold.
SECTIONS: dict[str, type] = {
    "storage": StorageConfig,
    "http": HttpConfig,
    "schedule": ScheduleConfig,
    "index": IndexConfig,
    "report": ReportConfig,
    "revisions": RevisionsConfig,
}


@dataclass(frozen=True)
class Config:
    path: Path | None
    storage: StorageConfig
    http: HttpConfig
    schedule: ScheduleConfig
    index: IndexConfig
    report: ReportConfig
    feeds: tuple[FeedConfig, ...]
    revisions: RevisionsConfig

    @property
    def archive_path(self) -> Path:
        return self.storage.dir / "archive.sqlite3"

    @property
    def warc_dir(self) -> Path:
        return self.storage.dir / "warc"

    @property
    def index_dir(self) -> Path:
        return self.index.dir or self.storage.dir / f"index-{self.index.engine}"

    @property
    def describe(self) -> str:
        return str(self.path) if self.path else "built-in defaults"


def find_config(explicit: Path | None) -> Path | None:
    """The config file to read, or None for the shipped defaults."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return explicit
    env = os.environ.get(ENV_CONFIG)
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found (named by ${ENV_CONFIG})")
        return path
    for candidate in (
        Path.cwd() / "config.toml",
        Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml",
    ):
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: Path | None = None) -> Config:
    """Find, read and validate the configuration."""
    path = find_config(explicit)
    if path is None:
        return parse_config(packaged_text(), None, base=Path(platformdirs.user_data_dir(APP_NAME)))
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    return parse_config(text, path.resolve(), base=path.resolve().parent)


def packaged_text() -> str:
    """The default configuration shipped inside the package, as written."""
    return resources.files("monitor").joinpath(PACKAGED_CONFIG).read_text("utf-8")


@lru_cache(maxsize=1)
def _packaged_settings() -> dict[str, dict[str, Any]]:
    """The packaged tables of settings, with the user agent that follows the version."""
    data = tomllib.loads(packaged_text())
    settings = {section: dict(data.get(section, {})) for section in SECTIONS}
    return settings


def parse_config(text: str, path: Path | None, *, base: Path) -> Config:
    """Validate TOML `text` laid over the packaged defaults; `base` anchors relative paths."""
    where = str(path) if path else "built-in config"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
    v = _Validator(where)
    v.keys(data, "", {*SECTIONS, "feeds"})
    tables = {
        section: {**defaults, **v.section(data, section)}
        for section, defaults in _packaged_settings().items()
    }
    return Config(
        path=path,
        storage=_storage(v, tables["storage"], base),
        http=_http(v, tables["http"]),
        schedule=_schedule(v, tables["schedule"]),
        index=_index(v, tables["index"], base),
        report=_report(v, tables["report"]),
        feeds=_feeds(v, data.get("feeds", [])),
        revisions=_revisions(v, tables["revisions"]),
    )


def _storage(v: _Validator, table: dict[str, Any], base: Path) -> StorageConfig:
    storage_dir = Path(v.string(table, "storage", "dir")).expanduser()

    def count(key: str) -> int:
        return int(v.number(table, "storage", key, positive=True))

    database = os.environ.get(DATABASE_VARIABLE) or v.string(table, "storage", "database")
    if database and not database.startswith(("postgresql://", "postgres://")):
        where = f"${DATABASE_VARIABLE}" if os.environ.get(DATABASE_VARIABLE) else "database"
        v.fail("storage", "database", f'a "postgresql://user@host/dbname" URL ({where})', database)
    return StorageConfig(
        database=database or None,
        claim_lease=v.number(table, "storage", "claim_lease", positive=True),
        dir=storage_dir if storage_dir.is_absolute() else base / storage_dir,
        fetch_log_per_feed=count("fetch_log_per_feed"),
        page_log_days=count("page_log_days"),
        warc=v.boolean(table, "storage", "warc"),
        warc_max_mb=count("warc_max_mb"),
    )


def _http(v: _Validator, table: dict[str, Any]) -> HttpConfig:
    def number(key: str, *, positive: bool = True) -> float:
        return v.number(table, "http", key, positive=positive)

    contact = v.string(table, "http", "contact").strip()
    if contact and not _CONTACT_RE.fullmatch(contact):
        v.fail("http", "contact", "an email address or an http(s) URL", contact)
    agent = table.get("user_agent")
    return HttpConfig(
        user_agent=(
            v.string(table, "http", "user_agent", nonempty=True)
            if agent is not None
            else default_user_agent(contact)
        ),
        contact=contact,
        timeout=number("timeout"),
        max_seconds=number("max_seconds"),
        per_host_delay=number("per_host_delay", positive=False),
        max_body_bytes=int(number("max_body_bytes")),
        max_redirects=int(number("max_redirects", positive=False)),
        concurrency=int(number("concurrency")),
        respect_robots=v.boolean(table, "http", "respect_robots"),
        allow_private_addresses=v.boolean(table, "http", "allow_private_addresses"),
    )


def _schedule(v: _Validator, table: dict[str, Any]) -> ScheduleConfig:
    def seconds(key: str) -> float:
        return v.number(table, "schedule", key, positive=True)

    config = ScheduleConfig(
        initial_interval=seconds("initial_interval"),
        min_interval=seconds("min_interval"),
        max_interval=seconds("max_interval"),
        max_backoff=seconds("max_backoff"),
        jitter=v.number(table, "schedule", "jitter"),
    )
    if config.min_interval > config.max_interval:
        v.fail("schedule", "min_interval", "at most max_interval", config.min_interval)
    if not config.min_interval <= config.initial_interval <= config.max_interval:
        v.fail(
            "schedule",
            "initial_interval",
            "between min_interval and max_interval",
            config.initial_interval,
        )
    if config.jitter >= 1:
        v.fail("schedule", "jitter", "a fraction below 1 (0.2 = ±20%)", config.jitter)
    return config


def _index(v: _Validator, table: dict[str, Any], base: Path) -> IndexConfig:
    engine = v.string(table, "index", "engine")
    if engine not in ENGINES:
        v.fail("index", "engine", f"one of {', '.join(ENGINES)}", engine)
    index_dir = v.string(table, "index", "dir").strip()
    path = Path(index_dir).expanduser() if index_dir else None
    if path is not None and not path.is_absolute():
        path = base / path
    return IndexConfig(engine=engine, dir=path)


def _report(v: _Validator, table: dict[str, Any]) -> ReportConfig:
    timezone = v.string(table, "report", "timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        v.fail("report", "timezone", "an IANA time zone such as Asia/Ho_Chi_Minh", timezone)
    return ReportConfig(timezone=timezone)


_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def _revisions(v: _Validator, table: dict[str, Any]) -> RevisionsConfig:
    checks = table.get("checks")
    expected = 'a non-empty list of ages such as "1h", "3d" or seconds'
    if not isinstance(checks, list) or not checks:
        v.fail("revisions", "checks", expected, checks)
    ages = [_age(check) for check in checks]
    if any(age is None for age in ages):
        v.fail("revisions", "checks", expected, checks)
    return RevisionsConfig(
        enabled=v.boolean(table, "revisions", "enabled"),
        checks=tuple(sorted({age for age in ages if age is not None})),
        max_per_run=int(v.number(table, "revisions", "max_per_run")),
    )


def _age(value: object) -> float | None:
    """Seconds of an age written "90s", "30m", "6h", "3d" or as a number of seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if value > 0 else None
    if not isinstance(value, str):
        return None
    number = value.strip().rstrip("smindh")
    unit = value.strip()[len(number) :]
    try:
        seconds = float(number) * _UNITS[unit or "s"]
    except (KeyError, ValueError):
        return None
    return seconds if seconds > 0 else None


def _feeds(v: _Validator, items: object) -> tuple[FeedConfig, ...]:
    if not isinstance(items, list):
        v.fail("", "feeds", "an array of [[feeds]] tables", items)
    feeds: list[FeedConfig] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        section = f"feeds #{number}"
        if not isinstance(item, dict):
            v.fail(section, "", "a table with url and source", item)
        v.keys(item, section, {"url", "source", "name", "language", "tags"})
        url = v.string(item, section, "url", nonempty=True)
        if not url.startswith(("http://", "https://")):
            v.fail(section, "url", "an http:// or https:// URL", url)
        if url in seen:
            v.fail(section, "url", "a URL not listed twice", url)
        seen.add(url)
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            v.fail(section, "tags", "a list of strings", tags)
        feeds.append(
            FeedConfig(
                url=url,
                source=v.string(item, section, "source", nonempty=True),
                name=v.optional_string(item, section, "name"),
                language=v.optional_string(item, section, "language"),
                tags=tuple(tags),
            )
        )
    return tuple(feeds)


class _Validator:
    """Reads typed values out of parsed TOML, failing with the file, the key and the expectation."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, section: str, key: str, expected: str, got: object) -> NoReturn:
        name = ".".join(part for part in (section, key) if part)
        raise ConfigError(f"{self.where}: [{name}] must be {expected}, got {got!r}")

    def keys(self, table: dict[str, Any], section: str, allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                where = f"[{section}] " if section else ""
                raise ConfigError(
                    f"{self.where}: {where}unknown key {key!r}; expected one of: "
                    + ", ".join(sorted(allowed))
                )

    def table(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.fail("", key, "a table", value)
        table: dict[str, Any] = value
        return table

    def section(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        """The user's table `name` (empty when absent), holding only the keys it may hold."""
        table = self.table(data, name)
        self.keys(table, name, {field.name for field in fields(SECTIONS[name])})
        return table

    def string(
        self,
        table: dict[str, Any],
        section: str,
        key: str,
        *,
        nonempty: bool = False,
    ) -> str:
        value = table.get(key)
        if value is None:
            self.fail(section, key, "present (a string)", None)
        if not isinstance(value, str) or (nonempty and not value.strip()):
            self.fail(section, key, "a non-empty string" if nonempty else "a string", value)
        assert isinstance(value, str)
        return value

    def optional_string(self, table: dict[str, Any], section: str, key: str) -> str | None:
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            self.fail(section, key, "a string", value)
        return value

    def number(
        self,
        table: dict[str, Any],
        section: str,
        key: str,
        *,
        positive: bool = False,
    ) -> float:
        value = table.get(key)
        expected = "a number > 0" if positive else "a number >= 0"
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(section, key, expected, value)
        if value < 0 or (positive and value == 0):
            self.fail(section, key, expected, value)
        return float(value)

    def boolean(self, table: dict[str, Any], section: str, key: str) -> bool:
        value = table.get(key)
        if not isinstance(value, bool):
            self.fail(section, key, "true or false", value)
        return bool(value)
