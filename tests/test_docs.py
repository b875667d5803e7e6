"""The README keeps up with the command line: every command is documented and has help, every
exit code is in the table, every option that waits for the lock is named."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from monitor import errors
from monitor.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")


def commands(group: click.Group, prefix: str = "monitor") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found += commands(command, path)
    return found


@pytest.mark.parametrize(("path", "command"), commands(cli), ids=lambda v: str(v))
def test_every_command_is_documented_and_has_help(path: str, command: click.Command) -> None:
    assert command.help, f"{path} has no help"
    group, _, leaf = path.rpartition(" ")
    # A subcommand is named on a line of its group (`monitor feeds import FILE` / `export`).
    lines = [line for line in README.splitlines() if f"`{group} " in line or f"`{path}" in line]
    assert any(re.search(rf"\b{leaf}\b", line) for line in lines), path


def test_every_exit_code_is_in_the_readme_table() -> None:
    codes = {v for k, v in vars(errors).items() if k.startswith("EXIT_")}
    documented = {int(code) for code in re.findall(r"^\| (\d+) \| ", README, re.MULTILINE)}
    assert codes == documented


def test_the_commands_that_wait_for_the_lock_are_named() -> None:
    waiting = sorted(
        path for path, command in commands(cli) if any(p.name == "wait" for p in command.params)
    )
    for path in waiting:
        assert path.removeprefix("monitor ").split()[-1] in README
    assert waiting == [
        "monitor demo",
        "monitor feeds add",
        "monitor feeds import",
        "monitor feeds remove",
        "monitor index",
        "monitor reextract",
        "monitor reindex",
        "monitor revisit",
        "monitor run",
        "monitor searches add",
        "monitor searches remove",
        "monitor watch",
    ]
