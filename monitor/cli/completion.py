"""`monitor completion SHELL`: the shell's completion script for `monitor`."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script of SHELL for `monitor` (commands, options, feed ids).

    Install it once, for bash: monitor completion bash >> ~/.bashrc
    (zsh: >> ~/.zshrc; fish: > ~/.config/fish/completions/monitor.fish)
    """
    completer = get_completion_class(shell)
    assert completer is not None  # every name in SHELLS has one
    root = ctx.find_root()
    script = completer(root.command, {}, root.info_name or "monitor", "_MONITOR_COMPLETE")
    click.echo(script.source())
