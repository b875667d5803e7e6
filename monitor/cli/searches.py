"""`monitor searches`: saved searches, run as `monitor search @NAME`."""

from __future__ import annotations

import json

import click
from rich.text import Text

from monitor.cli import views
from monitor.cli.app import App, format_option, pass_app, wide_option, writes
from monitor.cli.arguments import QueryCommand, query_argument
from monitor.cli.tables import print_data
from monitor.errors import MonitorError
from monitor.report.saved import add_search, list_searches, remove_search, validate_name


@click.group()
def searches() -> None:
    """Saved searches: name a query once, run it with `monitor search @NAME [more words]`.

    Example: monitor searches add storms '(bão OR lũ) "miền Trung"'
    """


def check_name(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    try:
        return validate_name(value)
    except MonitorError as exc:
        raise click.BadParameter(str(exc)) from None


@searches.command("add", cls=QueryCommand)
@writes
@click.argument("name", callback=check_name)
@query_argument()
@click.option("--replace", is_flag=True, help="Overwrite a saved search of the same name.")
@pass_app
def searches_add(app: App, name: str, query: str, replace: bool) -> None:
    """Save QUERY under NAME (letters, digits, - and _; at most 64 characters).

    The query is checked now; an existing name is kept unless --replace.

    Example: monitor searches add storms '(bão OR lũ) "miền Trung"'
    """
    saved = add_search(app.archive, name, query, replace=replace)
    app.console.print(Text.assemble("saved ", (f"@{saved.name}", "bold"), ": ", saved.query))


@searches.command("list")
@wide_option
@format_option("table", "json")
@pass_app
def searches_list(app: App, wide: bool, fmt: str) -> None:
    """List the saved searches, by name.

    Example: monitor searches list --format json
    """
    saved = list_searches(app.archive)
    if fmt == "json":
        data = {"searches": [s.as_json() for s in saved]}
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    if not saved:
        app.console.print("no saved searches; add one with `monitor searches add NAME QUERY`")
        return
    table = views.saved_searches_table(saved, app.config.report.timezone)
    print_data(app.console, table, wide=wide)


@searches.command("remove")
@writes
@click.argument("name")
@pass_app
def searches_remove(app: App, name: str) -> None:
    """Delete the saved search NAME.

    Example: monitor searches remove storms
    """
    saved = remove_search(app.archive, name)
    app.console.print(Text.assemble("removed ", (f"@{saved.name}", "bold"), ": ", saved.query))
