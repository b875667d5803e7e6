"""The one configuration loader: TOML → validated, frozen dataclasses.

Where the file is found, first match wins: `--config PATH`, `$MONITOR_CONFIG`, `./config.toml`,
the user config dir (`platformdirs`), then the defaults shipped inside the package. Relative paths
in a file are relative to that file; the shipped defaults keep data in the user data dir.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from monitor.errors import ConfigError

APP_NAME = "press-monitor"
ENV_CONFIG = "MONITOR_CONFIG"
DEFAULT_USER_AGENT = (
    "press-monitor/0.2 (+https://pypi.org/project/press-monitor/; research feed reader)"
)
ENGINES = ("tantivy", "whoosh")


@dataclass(frozen=True)
class StorageConfig:
    dir: Path
    fetch_log_per_feed: int = 200
    page_log_days: int = 90
    warc: bool = True
    warc_max_mb: int = 1000


@dataclass(frozen=True)
class ScheduleConfig:
    """When feeds are polled; all durations in seconds."""

    initial_interval: float = 1800.0
    min_interval: float = 600.0
    max_interval: float = 86400.0
    max_backoff: float = 86400.0
    jitter: float = 0.2


@dataclass(frozen=True)
class HttpConfig:
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0
    max_seconds: float = 120.0
    per_host_delay: float = 5.0
    max_body_bytes: int = 15_000_000
    max_redirects: int = 5
    concurrency: int = 8
    respect_robots: bool = True


@dataclass(frozen=True)
class IndexConfig:
    engine: str = "tantivy"


@dataclass(frozen=True)
class ReportConfig:
    timezone: str = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class FeedConfig:
    url: str
    source: str
    name: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    path: Path | None
    storage: StorageConfig
    http: HttpConfig = field(default_factory=HttpConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    index: IndexConfig = field(default_factory=IndexConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    feeds: tuple[FeedConfig, ...] = ()

    @property
    def archive_path(self) -> Path:
        return self.storage.dir / "archive.sqlite3"

    @property
    def warc_dir(self) -> Path:
        return self.storage.dir / "warc"

    @property
    def index_dir(self) -> Path:
        return self.storage.dir / f"index-{self.index.engine}"

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
        text = resources.files("monitor").joinpath("default_config.toml").read_text("utf-8")
        return parse_config(text, None, base=Path(platformdirs.user_data_dir(APP_NAME)))
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    return parse_config(text, path.resolve(), base=path.resolve().parent)


def parse_config(text: str, path: Path | None, *, base: Path) -> Config:
    """Validate TOML `text`; `base` anchors relative storage paths."""
    where = str(path) if path else "built-in config"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
    v = _Validator(where)
    v.keys(data, "", {"storage", "http", "schedule", "index", "report", "feeds"})

    storage = v.table(data, "storage")
    v.keys(storage, "storage", set(StorageConfig.__dataclass_fields__))
    storage_dir = Path(v.string(storage, "storage", "dir", default="data")).expanduser()
    if not storage_dir.is_absolute():
        storage_dir = base / storage_dir
    storage_defaults = StorageConfig(dir=storage_dir)
    storage_config = StorageConfig(
        dir=storage_dir,
        fetch_log_per_feed=int(
            v.number(
                storage,
                "storage",
                "fetch_log_per_feed",
                default=storage_defaults.fetch_log_per_feed,
                positive=True,
            )
        ),
        page_log_days=int(
            v.number(
                storage,
                "storage",
                "page_log_days",
                default=storage_defaults.page_log_days,
                positive=True,
            )
        ),
        warc=v.boolean(storage, "storage", "warc", default=storage_defaults.warc),
        warc_max_mb=int(
            v.number(
                storage,
                "storage",
                "warc_max_mb",
                default=storage_defaults.warc_max_mb,
                positive=True,
            )
        ),
    )

    http = v.table(data, "http")
    defaults = HttpConfig()
    v.keys(http, "http", set(HttpConfig.__dataclass_fields__))
    http_config = HttpConfig(
        user_agent=v.string(http, "http", "user_agent", default=defaults.user_agent, nonempty=True),
        timeout=v.number(http, "http", "timeout", default=defaults.timeout, positive=True),
        max_seconds=v.number(
            http, "http", "max_seconds", default=defaults.max_seconds, positive=True
        ),
        per_host_delay=v.number(http, "http", "per_host_delay", default=defaults.per_host_delay),
        max_body_bytes=int(
            v.number(http, "http", "max_body_bytes", default=defaults.max_body_bytes, positive=True)
        ),
        max_redirects=int(v.number(http, "http", "max_redirects", default=defaults.max_redirects)),
        concurrency=int(
            v.number(http, "http", "concurrency", default=defaults.concurrency, positive=True)
        ),
        respect_robots=v.boolean(http, "http", "respect_robots", default=True),
    )

    schedule_config = _schedule(v, v.table(data, "schedule"))

    index = v.table(data, "index")
    v.keys(index, "index", {"engine"})
    engine = v.string(index, "index", "engine", default="tantivy")
    if engine not in ENGINES:
        v.fail("index", "engine", f"one of {', '.join(ENGINES)}", engine)

    report = v.table(data, "report")
    v.keys(report, "report", {"timezone"})
    timezone = v.string(report, "report", "timezone", default="Asia/Ho_Chi_Minh")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        v.fail("report", "timezone", "an IANA time zone such as Asia/Ho_Chi_Minh", timezone)

    feeds_raw = data.get("feeds", [])
    if not isinstance(feeds_raw, list):
        v.fail("", "feeds", "an array of [[feeds]] tables", feeds_raw)
    feeds: list[FeedConfig] = []
    seen: set[str] = set()
    for number, item in enumerate(feeds_raw, start=1):
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
    return Config(
        path=path,
        storage=storage_config,
        http=http_config,
        schedule=schedule_config,
        index=IndexConfig(engine=engine),
        report=ReportConfig(timezone=timezone),
        feeds=tuple(feeds),
    )


def _schedule(v: _Validator, table: dict[str, Any]) -> ScheduleConfig:
    d = ScheduleConfig()
    v.keys(table, "schedule", set(ScheduleConfig.__dataclass_fields__))

    def seconds(key: str, default: float) -> float:
        return v.number(table, "schedule", key, default=default, positive=True)

    config = ScheduleConfig(
        initial_interval=seconds("initial_interval", d.initial_interval),
        min_interval=seconds("min_interval", d.min_interval),
        max_interval=seconds("max_interval", d.max_interval),
        max_backoff=seconds("max_backoff", d.max_backoff),
        jitter=v.number(table, "schedule", "jitter", default=d.jitter),
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


class _Validator:
    """Reads typed values out of parsed TOML, failing with the file, the key and the expectation."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, section: str, key: str, expected: str, got: object) -> None:
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

    def string(
        self,
        table: dict[str, Any],
        section: str,
        key: str,
        *,
        default: str | None = None,
        nonempty: bool = False,
    ) -> str:
        value = table.get(key, default)
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
        default: float,
        positive: bool = False,
    ) -> float:
        value = table.get(key, default)
        expected = "a number > 0" if positive else "a number >= 0"
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(section, key, expected, value)
        if value < 0 or (positive and value == 0):
            self.fail(section, key, expected, value)
        return float(value)

    def boolean(self, table: dict[str, Any], section: str, key: str, *, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(section, key, "true or false", value)
        return bool(value)
