"""`monitor pages`: the article pages the archive knows, and those that failed, with why."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

import click

from monitor.archive.failed_pages import FailedPage, failed_pages
from monitor.cli.app import App, format_option, pass_app, since_option
from monitor.cli.tables import Column, print_table
from monitor.cli.zones import headed, local_time
from monitor.timestamps import day_start, to_iso


@click.command("pages")
@click.option("--failed", is_flag=True, help="List the pages that failed, with the reason.")
@since_option
@click.option("--wide", is_flag=True, help="Never shorten a URL or a reason.")
@format_option("table", "json")
@pass_app
def pages(app: App, failed: bool, since: date | None, wide: bool, fmt: str) -> None:
    """The article pages the archive knows by state; with --failed, each page whose last
    attempt failed: source, URL, reason, attempts, and whether a later run tries again.

    Example: monitor pages --failed --since 2026-11-01
    """
    zone = ZoneInfo(app.config.report.timezone)
    if not failed:
        counts = app.archive.stats()
        data = {k: v for k, v in counts.items() if k.startswith("pages")}
        if fmt == "json":
            click.echo(json.dumps(data))
        else:
            for key, value in data.items():
                app.console.print(f"{key.replace('_', ' ')}: {value}", highlight=False)
            app.console.print("`monitor pages --failed` lists the failed ones", style="dim")
        return
    found = failed_pages(app.archive, since=day_start(since, zone) if since else None)
    if fmt == "json":
        click.echo(json.dumps({"failed": [_json(p) for p in found]}, ensure_ascii=False))
        return
    if not found:
        app.console.print("no failed pages" + (f" since {since}" if since else ""))
        return
    print_table(
        app.console,
        f"{len(found)} failed pages" + (f" since {since}" if since else ""),
        [
            Column("id", "id", "right"),
            Column("source", "id"),
            Column(
                headed("last try", app.config.report.timezone, [p.last_attempt_at for p in found]),
                "id",
            ),
            Column("tries", "id", "right"),  # ✕: not tried again
            Column("url", "long"),
            Column("reason", "long"),
        ],
        [
            [
                str(p.id),
                p.source,
                local_time(p.last_attempt_at, app.config.report.timezone),
                f"{p.attempts}" + ("" if p.retrying else "✕"),
                p.url,
                p.reason,
            ]
            for p in found
        ],
        wide=wide,
    )


def _json(page: FailedPage) -> dict[str, object]:
    return {
        "id": page.id,
        "source": page.source,
        "url": page.url,
        "reason": page.reason,
        "status": page.status,
        "attempts": page.attempts,
        "last_attempt_at": to_iso(page.last_attempt_at),
        "retrying": page.retrying,
    }
