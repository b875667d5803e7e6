"""The command line: the one composition root, and the one place errors become messages.

Commands live by noun in this package (`jobs`, `search`, `searches`, `feeds`, `export`,
`analyses`); each parses its arguments, calls one function of `monitor.jobs` or
`monitor.report` and prints what `views` (and `analysis_views`) render. Only this package uses
click and rich.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from index.errors import IndexNeedsRebuild, QuerySyntaxError, SearchError
from monitor.cli.analyses import compare_command, keyness_command, kwic_command, sample_command
from monitor.cli.app import App
from monitor.cli.arguments import config_first
from monitor.cli.completion import completion
from monitor.cli.demo import demo
from monitor.cli.export import export_command
from monitor.cli.feeds import feeds
from monitor.cli.follow import index_command
from monitor.cli.help_topics import help_command
from monitor.cli.jobs import reextract_command, reindex_command, run, watch
from monitor.cli.logs import LOG_DIR, log_internal_error
from monitor.cli.pages import pages
from monitor.cli.revisions import changes, diff, revisit
from monitor.cli.search import report, search, show, stats
from monitor.cli.searches import searches
from monitor.errors import (
    EXIT_FAILURES,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_USAGE,
    MonitorError,
)
from monitor.safe_text import one_line


class CommandFailed(click.ClickException):
    """A domain error as click shows it, "Error: <message>"; exit code 1."""

    def __init__(self, message: str) -> None:
        # Messages quote servers and files: no control character reaches the terminal.
        super().__init__("\n".join(one_line(line) for line in message.split("\n")))


class UsageProblem(CommandFailed):
    """What the caller asked for must change (a wrong config, an unparseable query): exit 2."""

    exit_code = EXIT_USAGE


class InternalFailure(CommandFailed):
    """A bug: one line, and where the traceback was written."""

    exit_code = EXIT_INTERNAL


class LockedOrBusy(CommandFailed):
    """Another process holds the archive: try again later."""

    exit_code = EXIT_LOCKED


# click keeps an exception's exit code on its class: one class for each code the domain uses.
_FAILURES: dict[int, type[CommandFailed]] = {
    EXIT_FAILURES: CommandFailed,
    EXIT_USAGE: UsageProblem,
    EXIT_LOCKED: LockedOrBusy,
}
# click's own ways to end a command: they pass the boundary as they are.
_CLICK_EXITS = (click.ClickException, click.exceptions.Exit, click.exceptions.Abort)


class MonitorGroup(click.Group):
    """The one error boundary: every way a command can end becomes an exit code.

    A MonitorError exits with its own `exit_code` (1, 2 for a wrong config or command line, 75
    for a locked or busy archive) and one line; an unparseable query is the caller's to change
    (2) and gets a hint. Ctrl-C exits 130 without a traceback. Anything else is a bug: one line
    naming the log file that holds the traceback, and exit code 3. With MONITOR_DEBUG set,
    errors are raised with their traceback instead.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, config_first(args))

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # Outside `invoke`, click would print "Aborted!" and exit 1 on Ctrl-C.
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _CLICK_EXITS:
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except (MonitorError, SearchError) as exc:
            if os.environ.get("MONITOR_DEBUG"):
                raise
            raise _failed(exc) from exc
        except Exception as exc:
            if os.environ.get("MONITOR_DEBUG"):
                raise
            raise _internal(ctx, exc) from exc


def _failed(exc: MonitorError | SearchError) -> CommandFailed:
    if isinstance(exc, QuerySyntaxError):
        return UsageProblem(
            f'query syntax error: {exc}\nHint: put a phrase in "double quotes"; '
            "OR and NOT are uppercase."
        )
    if isinstance(exc, IndexNeedsRebuild):
        # The search library says what is wrong; how this application rebuilds is said here.
        return CommandFailed(f"{exc}\nRebuild the index from the archive: monitor reindex")
    code = exc.exit_code if isinstance(exc, MonitorError) else EXIT_FAILURES
    return _FAILURES.get(code, CommandFailed)(str(exc))


def _internal(ctx: click.Context, exc: Exception) -> CommandFailed:
    """An exception nobody expected: logged with its traceback, told in one line."""
    app = ctx.find_object(App)
    config = app.loaded_config if app is not None else None
    directory = config.storage.dir / LOG_DIR if config is not None else None
    path = log_internal_error(exc, directory)
    return InternalFailure(
        f"internal error: {type(exc).__name__}: {exc} (traceback in {path}; please report it)"
    )


@click.group(cls=MonitorGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    watch,
    search,
    show,
    report,
    stats,
    reindex_command,
    index_command,
    reextract_command,
    searches,
    feeds,
    export_command,
    demo,
    pages,
    help_command,
    completion,
    compare_command,
    kwic_command,
    keyness_command,
    sample_command,
    revisit,
    changes,
    diff,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="monitor")
