"""The command line (`monitor`): click commands by noun, and the one error boundary.

`main` loads the commands itself, under a SIGINT handler that ends the program at once: Ctrl-C
while they load (half a second of imports, before the error boundary exists) exits 130 with
one line, as Ctrl-C anywhere does, instead of a traceback from deep inside an import.
"""

import os
import signal
from types import FrameType
from typing import TYPE_CHECKING, Any

# monitor.errors imports nothing, so it adds nothing to the time before the handler is in place.
from monitor.errors import EXIT_INTERRUPTED

if TYPE_CHECKING:
    from monitor.cli.root import cli

__all__ = ["cli", "main"]


def interrupted_while_loading(_signum: int, _frame: FrameType | None) -> None:
    os.write(2, b"interrupted\n")
    os._exit(EXIT_INTERRUPTED)


def main() -> None:
    signal.signal(signal.SIGINT, interrupted_while_loading)
    from monitor.cli.root import main as run

    signal.signal(signal.SIGINT, signal.default_int_handler)
    run()


def __getattr__(name: str) -> Any:
    if name == "cli":
        from monitor.cli.root import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
