from __future__ import annotations

import tomllib
from dataclasses import MISSING, fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor import REPOSITORY, __version__
from monitor.cli import cli
from monitor.config import SECTIONS, load_config, packaged_text, parse_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_has_twelve_outlets_and_matches_the_packaged_defaults() -> None:
    config = load_config(ROOT / "config.toml")
    assert len({feed.source for feed in config.feeds}) >= 12
    assert all(feed.url.startswith("https://") for feed in config.feeds)
    packaged = (ROOT / "monitor" / "default_config.toml").read_text("utf-8")
    assert packaged == (ROOT / "config.toml").read_text("utf-8")
    assert tomllib.loads(packaged)["index"]["engine"] == "tantivy"


def test_relative_storage_dir_is_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[storage]\ndir = "store"\n')
    config = load_config(path)
    assert config.storage.dir == (tmp_path / "store").resolve()
    assert config.archive_path.parent == config.storage.dir


def test_defaults_fill_what_the_file_leaves_out(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[http]\nper_host_delay = 0\n"))
    assert config.http.per_host_delay == 0
    assert config.http.timeout == 30
    assert config.index.engine == "tantivy"


def test_environment_variable_names_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[index]\nengine = "whoosh"\n')
    monkeypatch.setenv("MONITOR_CONFIG", str(path))
    assert load_config(None).index.engine == "whoosh"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[http]\ntimeout = "soon"\n', "[http.timeout] must be a number > 0, got 'soon'"),
        ("[http]\ntimeout = 0\n", "[http.timeout] must be a number > 0"),
        ("[http]\nper_host_delay = -1\n", "[http.per_host_delay] must be a number >= 0"),
        ('[index]\nengine = "lucene"\n', "[index.engine] must be one of tantivy, whoosh"),
        ("[http]\ntimeuot = 3\n", "[http] unknown key 'timeuot'"),
        ('[[feeds]]\nurl = "https://x.vn/rss"\n', "[feeds #1.source] must be present"),
        ('[[feeds]]\nurl = "ftp://x.vn/rss"\nsource = "X"\n', "[feeds #1.url] must be an http"),
        ('[report]\ntimezone = "Mars/Base"\n', "[report.timezone] must be an IANA time zone"),
        ("[http\n", "not valid TOML"),
    ],
)
def test_wrong_values_name_file_key_and_expectation(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert expected in str(info.value)
    assert str(path.resolve()) in str(info.value) or str(path) in str(info.value)


def test_cli_reports_a_bad_config_with_exit_code_2(tmp_path: Path) -> None:
    path = write(tmp_path, '[http]\ntimeout = "soon"\n')
    result = CliRunner().invoke(cli, ["--config", str(path), "stats"])
    assert result.exit_code == 2
    assert "[http.timeout] must be a number > 0" in result.output
    assert "Traceback" not in result.output


def test_cli_reports_a_missing_config_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "nope.toml"), "stats"])
    assert result.exit_code == 2
    assert "config file not found" in result.output


def test_parse_config_without_a_file_uses_the_given_base(tmp_path: Path) -> None:
    config = parse_config("", None, base=tmp_path)
    assert config.storage.dir == tmp_path / "data"
    assert config.describe == "built-in defaults"


def test_every_default_comes_from_the_packaged_config() -> None:
    for section in SECTIONS.values():
        for field in fields(section):
            assert field.default is MISSING and field.default_factory is MISSING, field.name
    packaged = tomllib.loads(packaged_text())
    config = parse_config("", None, base=ROOT)
    assert config.http.timeout == packaged["http"]["timeout"]
    assert config.schedule.jitter == packaged["schedule"]["jitter"]
    assert config.index.engine == packaged["index"]["engine"]
    assert config.report.timezone == packaged["report"]["timezone"]


def test_the_default_user_agent_follows_the_version_and_names_the_contact() -> None:
    user_agent = parse_config("", None, base=ROOT).http.user_agent
    assert user_agent == f"press-monitor/{__version__} (+{REPOSITORY})"
    mine = parse_config('[http]\ncontact = "an@uni.edu.vn"\n', None, base=ROOT).http
    assert (mine.contact, mine.user_agent) == (
        "an@uni.edu.vn",
        f"press-monitor/{__version__} (+an@uni.edu.vn)",
    )
    page = parse_config('[http]\ncontact = "https://lab.example.org/news"\n', None, base=ROOT)
    assert page.http.user_agent.endswith("(+https://lab.example.org/news)")
    assert parse_config('[http]\nuser_agent = "x/1"\n', None, base=ROOT).http.user_agent == "x/1"


@pytest.mark.parametrize("contact", ["me", "an@", "ftp://x.org", "an @uni.vn"])
def test_a_contact_is_an_email_or_a_url(contact: str) -> None:
    with pytest.raises(ConfigError, match=r"\[http.contact\] must be an email"):
        parse_config(f'[http]\ncontact = "{contact}"\n', None, base=ROOT)


def test_a_file_lists_its_own_feeds_and_only_no_file_gets_the_packaged_ones(
    tmp_path: Path,
) -> None:
    assert load_config(write(tmp_path, "[http]\ntimeout = 5\n")).feeds == ()
    assert len(parse_config(packaged_text(), None, base=tmp_path).feeds) >= 12
