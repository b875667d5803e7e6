"""After an upgrade: an index of an older schema is rebuilt by the commands that index, and
`monitor reextract` says what the new extraction changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.engines.directory import MARKER
from tests.cli import Cli, write_config
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite


@dataclass
class Collected(Cli):
    config: Path

    @property
    def marker(self) -> Path:
        return self.config.parent / "data" / "index-tantivy" / MARKER


@pytest.fixture
def collected(tmp_path: Path) -> Iterator[Collected]:
    with LocalSite() as site:
        config = write_config(
            tmp_path / "config.toml",
            [(site.url(cat.VNEXPRESS_FEED), "VnExpress")],
            http={"per_host_delay": 0, "timeout": 10},
        )
        collected = Collected(config)
        assert collected("run").exit_code == 0
        yield collected


def _age(marker: Path) -> None:
    """Make the index look written by an earlier version (schema 1)."""
    data = json.loads(marker.read_text("utf-8"))
    marker.write_text(json.dumps({**data, "schema": 1}), "utf-8")


def test_an_index_of_an_older_schema_is_rebuilt_by_reindex(collected: Collected) -> None:
    total = collected.json("search", "*")["total"]
    assert total > 0
    _age(collected.marker)
    refused = collected("search", "*")
    assert refused.exit_code != 0
    assert "monitor reindex" in refused.output
    rebuilt = collected("reindex")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilding it from the archive" in rebuilt.output
    assert json.loads(collected.marker.read_text("utf-8"))["schema"] > 1
    assert collected.json("search", "*")["total"] == total


def test_reextract_rebuilds_an_older_index_and_says_what_changed(collected: Collected) -> None:
    total = collected.json("search", "*")["total"]
    _age(collected.marker)
    summary = collected.json("reextract", "--workers", "1")
    assert summary["articles"] == total
    # The same extraction made the articles: nothing changed, field by field.
    assert summary["changed"] == 0
    assert summary["changed_fields"] == {"title": 0, "text": 0, "published": 0, "flags": 0}
    assert collected.json("search", "*")["total"] == total
