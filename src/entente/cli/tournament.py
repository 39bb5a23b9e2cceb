"""`entente tournament` and `entente leaderboard`: run a grid of negotiations, rank strategies."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from entente.errors import EntenteError


class ExecutorName(StrEnum):
    inprocess = "inprocess"
    processes = "processes"


class _Rate(ProgressColumn):
    """Negotiations per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "-/s", style="progress.data.speed")


def _fail(e: EntenteError) -> typer.Exit:
    typer.echo(f"error: {e}", err=True)
    return typer.Exit(2)


def tournament(
    scenarios: Annotated[
        list[str], typer.Argument(help="Scenarios: built-in names, TOML, GENIUS or GeniusWeb.")
    ],
    strategy: Annotated[
        list[str],
        typer.Option("--strategy", "-s", help="A strategy spec, e.g. 'boulware(e=0.2)'; repeat."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Results folder (Parquet).")],
    rounds: Annotated[int, typer.Option(help="Deadline in rounds.")] = 100,
    repetitions: Annotated[int, typer.Option(help="Negotiations per grid cell.")] = 1,
    seed: Annotated[
        int, typer.Option(help="Tournament seed; each cell's seed derives from it.")
    ] = 0,
    resume: Annotated[bool, typer.Option(help="Continue the results in --out.")] = False,
    executor: Annotated[
        ExecutorName, typer.Option(help="Where to negotiate (see also --ray).")
    ] = ExecutorName.processes,
    workers: Annotated[int, typer.Option(help="Worker processes (0: all cores).")] = 0,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            help="Run on Ray at ADDRESS; a bare --ray (or 'local') starts a local Ray, 'auto' finds a cluster.",
            metavar="ADDRESS",
        ),
    ] = None,
    protocol: Annotated[str, typer.Option(help="Protocol spec.")] = "alternating",
    mediator: Annotated[str | None, typer.Option(help="Mediator spec (mediated).")] = None,
    self_play: Annotated[bool, typer.Option(help="Let a strategy meet itself.")] = True,
) -> None:
    """Negotiate every strategy against every other, in every role, on every scenario."""
    from entente.tournament import executor as make_executor
    from entente.tournament import run_tournament

    console = Console(stderr=True)
    try:
        if ray is not None:
            ex = make_executor("ray", workers, ray)
        else:
            ex = make_executor(executor.value, workers)
        with Progress(
            TextColumn("[bold]negotiations"),
            BarColumn(),
            MofNCompleteColumn(),
            _Rate(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console,
        ) as bar:
            job = bar.add_task("negotiations", total=None)
            summary = run_tournament(
                scenarios,
                strategy,
                out,
                rounds=rounds,
                repetitions=repetitions,
                seed=seed,
                resume=resume,
                executor=ex,
                protocol=protocol,
                mediator=mediator,
                self_play=self_play,
                on_start=lambda n: bar.update(job, total=n),
                on_rows=lambda m: bar.advance(job, m),
            )
    except EntenteError as e:
        raise _fail(e) from None
    console.print(
        f"{summary.ran} negotiations in {summary.seconds:.2f} s ({summary.rate:,.0f}/s); "
        f"{summary.skipped} already stored; results in {out}"
    )


def leaderboard(
    results: Annotated[Path, typer.Argument(help="Results folder written by `tournament`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap intervals.")] = 0,
) -> None:
    """Rank strategies: mean utility, agreement rate, rounds and welfare, with 95% intervals."""
    from entente.tournament import Store
    from entente.tournament import leaderboard as standings

    try:
        rows = standings(Store(results).read(), seed=seed)
    except EntenteError as e:
        raise _fail(e) from None
    if as_json:
        typer.echo(json.dumps([s.to_json() for s in rows], indent=2))
        return
    table = Table(title="Leaderboard (95% bootstrap intervals of the mean)")
    for col in ("strategy", "plays", "utility", "agreement", "rounds", "welfare"):
        table.add_column(col, justify="left" if col == "strategy" else "right")
    for s in rows:
        cells = [
            f"{e.mean:.3f} [{e.low:.3f}, {e.high:.3f}]"
            for e in (s.utility, s.agreement, s.rounds, s.welfare)
        ]
        table.add_row(s.strategy, str(s.n), *cells)
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add `tournament` and `leaderboard` to the entente command."""
    app.command("tournament")(tournament)
    app.command("leaderboard")(leaderboard)
