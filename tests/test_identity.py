"""Identity: the user agent says who asks. `[http] contact` goes into it; until it is set,
`monitor run` asks for it in one line, and the user agent names the project's repository."""

from __future__ import annotations

from pathlib import Path

from monitor import REPOSITORY, __version__
from tests.cli import Cli, write_config
from tests.fixtures import catalog as cat
from tests.localsite import LocalSite

ASKED = "set [http] contact"


def collect(directory: Path, site: LocalSite, **http: object) -> tuple[str, set[str]]:
    run = Cli()
    run.config = write_config(
        directory / "config.toml",
        [(site.url(cat.TUOITRE_FEED), "Tuổi Trẻ")],
        http={"per_host_delay": 0, "timeout": 10, **http},
    )
    result = run("run")
    assert result.exit_code == 0, result.output
    return result.output, {r.headers.get("user-agent") or "" for r in site.requests}


def test_without_a_contact_the_run_asks_once_and_names_the_repository(tmp_path: Path) -> None:
    with LocalSite() as site:
        output, agents = collect(tmp_path, site, contact="")
    assert output.count(ASKED) == 1
    assert agents == {f"press-monitor/{__version__} (+{REPOSITORY})"}


def test_a_contact_goes_into_the_user_agent_and_the_run_asks_nothing(tmp_path: Path) -> None:
    with LocalSite() as site:
        output, agents = collect(tmp_path, site, contact="nghien.cuu@uni.edu.vn")
    assert ASKED not in output
    assert agents == {f"press-monitor/{__version__} (+nghien.cuu@uni.edu.vn)"}
