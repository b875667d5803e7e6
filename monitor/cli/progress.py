"""The one progress bar: renders the `Progress` events of every workflow on standard error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from monitor.jobs.progress import Progress as Event
from monitor.jobs.progress import ProgressFn


@contextmanager
def progress_bar(err: Console) -> Iterator[ProgressFn]:
    """A bar per stage, shown while the block runs; nothing when `err` is not a terminal."""
    progress = Progress(
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[label]}", style="dim", markup=False),
        console=err,
        disable=not err.is_terminal,
    )
    tasks: dict[str, TaskID] = {}

    def on_event(event: Event) -> None:
        if event.stage not in tasks:
            tasks[event.stage] = progress.add_task(event.stage, total=event.total, label="")
        task = tasks[event.stage]
        if event.total is not None:
            progress.update(task, total=event.total)
        if event.advance:
            progress.update(task, advance=event.advance, label=event.label)

    with progress:
        yield on_event
