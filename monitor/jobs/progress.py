"""The progress events every workflow reports, so that one bar renders them all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """A step of a workflow: `stage` names it (feeds, pages, extract, index); `total` is set
    once a stage knows its size, and `advance` counts the items done since the last event."""

    stage: str
    total: int | None = None
    advance: int = 0
    label: str = ""


ProgressFn = Callable[[Progress], None]


def ignore(_event: Progress) -> None:
    """The progress callback of a caller that shows none."""
