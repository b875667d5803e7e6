"""The command line as researchers type it: a query is the rest of the line.

`monitor search hoa binh`, `monitor search -lũ bão`, `monitor report -quảng-cáo` work without
quotes or `--`: any word that is not one of the command's own options (`--limit 5`, `-o FILE`)
is a word of the query, in the order typed, a leading "-" (an exclusion) included. Options keep
working anywhere on the line. A short option takes its value as the next word only (`-o FILE`),
so that `-oto` stays the query word it looks like.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class QueryCommand(click.Command):
    """A command whose last positional argument, the query, takes the rest of the line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, split_query(self, ctx, args))


def split_query(command: click.Command, ctx: click.Context, args: list[str]) -> list[str]:
    """`args` with the command's options first, then `--`, then every other word in order."""
    values = _option_arity(command, ctx)
    options: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            words += args[i + 1 :]
            break
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if name in values:
            taken = 0 if "=" in arg else values[name]
            options += args[i : i + 1 + taken]
            i += 1 + taken
            continue
        words.append(arg)
        i += 1
    return [*options, "--", *words]


def _option_arity(command: click.Command, ctx: click.Context) -> dict[str, int]:
    """Each option name of `command` (and the help option) and how many values it takes."""
    arity: dict[str, int] = {name: 0 for name in ctx.help_option_names}
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            takes = 0 if param.is_flag or param.count else max(param.nargs, 1)
            for name in (*param.opts, *param.secondary_opts):
                arity[name] = takes
    return arity


def query_argument(*, default: str | None = None) -> Callable[[F], F]:
    """The QUERY argument: the rest of the line, joined by spaces (`default` when empty)."""

    def join(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> str | None:
        text = " ".join(value)
        return text if text.strip() else default

    return click.argument(
        "query", nargs=-1, required=default is None, callback=join, metavar="QUERY..."
    )


def query_command(name: str | None = None, **kwargs: Any) -> Callable[[F], Any]:
    """`click.command` for a command whose query is the rest of the line."""
    return click.command(name, cls=QueryCommand, **kwargs)


def config_first(args: list[str]) -> list[str]:
    """`args` with `--config PATH` moved before the command name, wherever it was typed
    (`monitor search bão --config my.toml` as `monitor --config my.toml search bão`)."""
    moved: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg == "--config" and i + 1 < len(args):
            moved += args[i : i + 2]
            i += 2
            continue
        if arg.startswith("--config="):
            moved.append(arg)
        else:
            rest.append(arg)
        i += 1
    return [*moved, *rest]
