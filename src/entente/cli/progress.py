"""`--frontier-budget` and the progress line of long frontier computations (on stderr)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

FrontierBudgetOpt = Annotated[
    float | None,
    typer.Option(
        "--frontier-budget",
        help="Seconds the exact Pareto frontier may take; past them the approximate frontier "
        "is used, and said to be approximate.",
        min=0.001,
    ),
]

SHOW_AFTER = 2.0
"""Seconds of work before the progress line appears (quick runs print nothing)."""


class _Line:
    """A Rich progress line on stderr, shown once the work has lasted `SHOW_AFTER` seconds."""

    def __init__(self, label: str = "Pareto frontier") -> None:
        self.label = label
        self.start = time.perf_counter()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, fraction: float) -> None:
        if fraction <= 0.0:
            self.start = time.perf_counter()
        if self.bar is None:
            if fraction >= 1.0 or time.perf_counter() - self.start < SHOW_AFTER:
                return
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(
                *Progress.get_default_columns(),
                console=Console(stderr=True),
                transient=True,
                auto_refresh=False,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=1.0)
        self.bar.update(self.task, completed=min(fraction, 1.0), refresh=True)
        if fraction >= 1.0:
            self.bar.stop()
            self.bar = None


@contextmanager
def watch_frontier(budget: float | None) -> Iterator[None]:
    """Every frontier computed in the block: within `budget` seconds, with a progress line."""
    from entente import api

    with api.frontier_settings(budget, _Line()):
        yield
