"""Driving the real CLI in tests: a config file with its feeds, and `monitor` run on it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from click.testing import CliRunner, Result

from monitor.cli import cli

# Wide enough that rich does not wrap the messages the tests look for.
WIDE: Mapping[str, str | None] = {"COLUMNS": "200"}
TEST_CONTACT = "https://press-monitor.example.org/tests"


def write_config(
    path: Path,
    feeds: Iterable[tuple[str, str] | tuple[str, str, Iterable[str]]],
    **tables: Mapping[str, object],
) -> Path:
    """A config file at `path`: the archive in `data/` beside it, then `tables` by name
    (`http={"timeout": 5}`, `storage={...}` adds to the archive's), then the feeds as (URL,
    source) or (URL, source, tags). Values are written as JSON, which TOML reads alike for
    strings, numbers and lists.

    The local site is on 127.0.0.1, so `[http] allow_private_addresses` is true unless `http`
    says otherwise (the tests of the refusal do); the tests name themselves as the contact
    (`contact=""` leaves it unset, as a new user's config does)."""
    storage = {"dir": "data", **tables.get("storage", {})}
    http = {
        "allow_private_addresses": True,
        "contact": TEST_CONTACT,
        **tables.get("http", {}),
    }
    lines: list[str] = []
    for name, values in {**tables, "storage": storage, "http": http}.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {_toml(value)}" for key, value in values.items()]
    for url, source, *tags in feeds:
        lines += ["[[feeds]]", f"url = {_toml(url)}", f"source = {_toml(source)}"]
        if tags:
            lines.append(f"tags = {_toml(list(tags[0]))}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


class Cli:
    """`monitor --config CONFIG …` through click's CliRunner, for classes that hold `config`."""

    config: Path
    env: ClassVar[Mapping[str, str | None]] = WIDE

    def __call__(self, *args: str) -> Result:
        return CliRunner(env=dict(self.env)).invoke(cli, ["--config", str(self.config), *args])

    def json(self, *args: str) -> Any:
        """The command's JSON output; the command must succeed."""
        result = self(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        # stdout alone: notes on stderr (an index being rebuilt) are no part of the JSON.
        return json.loads(result.stdout)
