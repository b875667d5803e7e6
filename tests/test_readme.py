"""The README's examples run: every `$ monitor …` line of README.md is run through the real
command line on an archive built by `monitor demo DIR`, with `--config DIR/config.toml`, and must
exit as the README shows: 0, unless "(exit code N)" follows its block. The lines that can't run
here are in SKIPPED, each with the reason.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.archive.lock import StorageLock
from monitor.cli import cli
from tests.cli import WIDE

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```console\n(.*?)^```\n(?:\n\(exit code (\d+)\))?", re.MULTILINE | re.DOTALL)

# (section, command line) → why it is not run here. The demo's feeds are served only while
# `monitor demo` runs, so what fetches from them again can't be run on its archive.
SKIPPED = {
    ("Two commands", "monitor demo"): "builds the archive the other examples run on: the "
    "fixture of this module runs it (as `monitor demo DIR`)",
    ("Using it", "monitor run"): "collects from the demo's feeds, served only while `monitor "
    "demo` runs (whose run this is)",
    ("Edits and takedowns", "monitor run --all"): "collects from the sample site's feeds after "
    "its outlets edited and took down articles (tests/test_revisions_e2e.py)",
    ("Edits and takedowns", "monitor revisit --all"): "fetches the articles again from the "
    "sample site (tests/test_revisions_e2e.py)",
    ("Edits and takedowns", "monitor revisit 'vùng phát thải thấp' --all"): "fetches the "
    "articles again from the sample site (tests/test_revisions_e2e.py)",
    ("`monitor watch`", "monitor watch"): "runs until it is stopped, collecting from real feeds "
    "(tests/test_processes.py stops one with signals)",
}
# (section, command line) → the exit code the README's text gives it, for a block that shows
# an error without "(exit code N)" after it, and how to make it happen.
HELD = {("One writer at a time", "monitor run"): 75}


@dataclass(frozen=True)
class Example:
    section: str
    line: str  # as the README writes it, without "$ "
    exit_code: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.section, self.line)

    @property
    def args(self) -> list[str]:
        """The arguments of `monitor`: what a shell pipes the output to is no part of it."""
        words = shlex.split(re.split(r" [|;] ", self.line)[0])
        assert words[0] == "monitor", self.line
        return words[1:]


def headings(text: str) -> list[tuple[int, str]]:
    """(offset, title) of each heading, those inside code blocks (shell comments) left out."""
    found, offset, fenced = [], 0, False
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#+ (.+)", line)):
            found.append((offset, match.group(1)))
        offset += len(line)
    return found


def examples() -> list[Example]:
    text = README.read_text("utf-8")
    titles = headings(text)
    found = []
    for block in _BLOCK.finditer(text):
        heading = [title for offset, title in titles if offset < block.start()][-1]
        for line in block.group(1).splitlines():
            if line.startswith("$ monitor"):
                command = line.removeprefix("$ ")
                code = HELD.get((heading, command), int(block.group(2) or 0))
                found.append(Example(heading, command, code))
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("readme") / "press-monitor-demo"
    result = CliRunner(env=dict(WIDE)).invoke(cli, ["demo", str(directory)])
    assert result.exit_code == 0, result.output
    yield directory / "config.toml"


EXAMPLES = examples()


def test_the_readme_has_examples_and_every_skip_is_one_of_them() -> None:
    assert len(EXAMPLES) >= 30
    keys = {e.key for e in EXAMPLES}
    assert set(SKIPPED) <= keys and set(HELD) <= keys


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.section}: {e.line}")
def test_a_readme_example_exits_as_shown(
    demo: Path, example: Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = example.key
    if key in SKIPPED:
        pytest.skip(SKIPPED[key])
    # Beside the demo folder: what an example writes to the current folder lands there.
    monkeypatch.chdir(demo.parent.parent)
    runner = CliRunner(env=dict(WIDE))
    if key in HELD:
        # Another writer holds the archive: `monitor run` waits 0 s for it, then gives up.
        with StorageLock(demo.parent / "data", command="monitor run"):
            result = runner.invoke(cli, ["--config", str(demo), *example.args])
    else:
        result = runner.invoke(cli, ["--config", str(demo), *example.args])
    assert result.exit_code == example.exit_code, result.output
    assert "Traceback" not in result.output
