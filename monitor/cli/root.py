"""The command line: the one composition root, and the one place errors become messages.

Commands live by noun in this package (`jobs`, `search`, `searches`, `feeds`, `export`); each
parses its arguments, calls one function of `monitor.jobs` or `monitor.report` and prints what
`views` renders. Only this package uses click and rich.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from index.errors import IndexNeedsRebuild, QuerySyntaxError, SearchError
from monitor.cli.app import App
from monitor.cli.demo import demo
from monitor.cli.export import export_command
from monitor.cli.feeds import feeds
from monitor.cli.jobs import reextract_command, reindex_command, run
from monitor.cli.pages import pages
from monitor.cli.revisions import changes, diff, revisit
from monitor.cli.search import report, search, show, stats
from monitor.cli.searches import searches
from monitor.errors import MonitorError


class CommandFailed(click.ClickException):
    """A domain error as click shows it, "Error: <message>"; exit code 1."""


class UsageProblem(CommandFailed):
    """What the caller asked for must change (a wrong config, an unparseable query): exit 2."""

    exit_code = 2


# click keeps an exception's exit code on its class: one class for each code the domain uses.
_FAILURES: dict[int, type[CommandFailed]] = {1: CommandFailed, 2: UsageProblem}


class MonitorGroup(click.Group):
    """Translates domain errors into one clear line and an exit code, at this one boundary.

    A MonitorError exits with its own `exit_code` (2 for a wrong config, else 1); an
    unparseable query is the caller's to change (2) and gets a hint. With MONITOR_DEBUG set,
    domain errors are raised with their traceback instead.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (MonitorError, SearchError) as exc:
            if os.environ.get("MONITOR_DEBUG"):
                raise
            raise _failed(exc) from exc


def _failed(exc: MonitorError | SearchError) -> CommandFailed:
    if isinstance(exc, QuerySyntaxError):
        return UsageProblem(
            f'query syntax error: {exc}\nHint: put a phrase in "double quotes"; '
            "OR and NOT are uppercase."
        )
    if isinstance(exc, IndexNeedsRebuild):
        # The search library says what is wrong; how this application rebuilds is said here.
        return CommandFailed(f"{exc}\nRebuild the index from the archive: monitor reindex")
    code = exc.exit_code if isinstance(exc, MonitorError) else 1
    return _FAILURES.get(code, CommandFailed)(str(exc))


@click.group(cls=MonitorGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (default: $MONITOR_CONFIG, ./config.toml, the user config dir, "
    "then built-in defaults).",
)
@click.version_option(package_name="press-monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """press-monitor: collect public news feeds, archive and index them, search and report.

    Example: monitor run && monitor search "hoà bình"
    """
    app = App(config_path)
    ctx.obj = app
    ctx.call_on_close(app.close)


for command in (
    run,
    search,
    show,
    report,
    stats,
    reindex_command,
    reextract_command,
    searches,
    feeds,
    export_command,
    demo,
    pages,
    revisit,
    changes,
    diff,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="monitor")
