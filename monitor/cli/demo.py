"""`monitor demo`: an archive to look at, built offline from the sample site in seconds."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
from rich.markup import escape

from monitor.cli import views
from monitor.cli.app import App, pass_app, wait_option
from monitor.cli.jobs import collect
from monitor.demo import demo_config, prepare
from monitor.demo.server import serve

TRY = (
    'search "hoà bình"',
    "search bão --sort newest",
    "show 1",
    "report",
    "feeds health",
    "stats",
)


@click.command("demo")
@click.argument(
    "directory",
    required=False,
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("press-monitor-demo"),
)
@wait_option
@pass_app
def demo(app: App, directory: Path, wait: float) -> None:
    """Build a demo archive offline, then show the commands to try on it.

    The sample site in the package (three outlets' feeds and pages, a near-duplicate report of
    one event, a broken feed) is served on 127.0.0.1 while a collection run reads it over HTTP
    exactly as it reads real feeds. DIRECTORY (default ./press-monitor-demo) then holds its own
    config.toml and archive; running `monitor demo` on it again rebuilds it.

    Example: monitor demo && monitor --config press-monitor-demo/config.toml search bão
    """
    config_path = prepare(directory)
    with serve() as base_url:
        config_path.write_text(demo_config(base_url), "utf-8")
        built = App(config_path, console=app.console, err=app.err)
        try:
            built.hold_lock(wait, command="monitor demo")
            summary = collect(built, all_feeds=True)
        finally:
            built.close()
    app.console.print(views.run_summary(summary, built.config.report.timezone))
    shown = shlex.quote(str(config_path))
    app.console.print(
        f"\nThe demo archive is in {escape(str(directory))}; the failing feed is on purpose "
        "(an old address that now serves a web page). Try:"
    )
    for command in TRY:
        app.console.print(f"  monitor --config {escape(shown)} {escape(command)}", highlight=False)
