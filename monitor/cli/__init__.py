"""The command line (`monitor`): click commands by noun, and the one error boundary."""

from monitor.cli.root import cli, main

__all__ = ["cli", "main"]
