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


class ExecutorName(StrEnum):
    inprocess = "inprocess"
    processes = "processes"


class _Rate(ProgressColumn):
    """Negotiations per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "-/s", style="progress.data.speed")


def plural(n: int, word: str) -> str:
    """'1 negotiation', '2 negotiations'."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def tournament(
    scenarios: Annotated[
        list[str], typer.Argument(help="Scenarios: built-in names, TOML, GENIUS or GeniusWeb.")
    ],
    strategy: Annotated[
        list[str],
        typer.Option("--strategy", "-s", help="A strategy spec, e.g. 'boulware(e=0.2)'; repeat."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Results folder (Parquet).")],
    rounds: Annotated[int, typer.Option(min=1, help="Deadline in rounds.")] = 100,
    repetitions: Annotated[int, typer.Option(min=1, help="Negotiations per grid cell.")] = 1,
    seed: Annotated[
        int, typer.Option(min=0, help="Tournament seed; each cell's seed derives from it.")
    ] = 0,
    resume: Annotated[bool, typer.Option(help="Continue the results in --out.")] = False,
    executor: Annotated[
        ExecutorName, typer.Option(help="Where to negotiate (see also --ray).")
    ] = ExecutorName.processes,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes (0: all cores).")] = 0,
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

    if ray is not None:
        ex = make_executor("ray", workers, ray)
    else:
        ex = make_executor(executor.value, workers)
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]negotiations"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
    )
    job = bar.add_task("negotiations", total=None)

    def started(n: int) -> None:  # every argument has been checked: show the bar from now
        bar.update(job, total=n)
        bar.start()

    try:
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
            on_start=started,
            on_rows=lambda m: bar.advance(job, m),
        )
    except BaseException:
        if bar.live.is_started:  # an error leaves its one line, not a bar above it
            bar.live.transient = True
            bar.live.stop()
        raise
    if bar.live.is_started:
        bar.stop()
    done = f"{summary.skipped:,} already stored; results in {out}"
    if summary.ran:
        rate = f"{summary.seconds:.2f} s ({summary.rate:,.0f}/s)"
        done = f"{plural(summary.ran, 'negotiation')} in {rate}; {done}"
    else:
        done = f"nothing left to run: {done}"
    console.print(done, markup=False, highlight=False)


def leaderboard(
    results: Annotated[Path, typer.Argument(help="Results folder written by `tournament`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the bootstrap intervals.")] = 0,
) -> None:
    """Rank strategies: mean utility, agreement rate, rounds and welfare, with 95% intervals."""
    from entente.tournament import Store
    from entente.tournament import leaderboard as standings

    rows = standings(Store(results).read(), seed=seed)
    if as_json:
        typer.echo(json.dumps([s.to_json() for s in rows], indent=2))
        return
    console = Console()
    table = Table(title="Leaderboard (95% bootstrap intervals of the mean)")
    # nothing is ever cut (two settings of one strategy must stay apart): a spec that fits
    # keeps its line and the numbers wrap; a longer one wraps too, at its spaces first
    widest = max([len("strategy"), *(len(s.strategy) for s in rows)])
    table.add_column("strategy", width=min(widest, max(20, console.width - 50)), overflow="fold")
    for col in ("plays", "utility", "agreement", "rounds", "welfare"):
        table.add_column(col, justify="right", overflow="fold")
    for s in rows:
        cells = [
            f"{e.mean:.3f} [{e.low:.3f}, {e.high:.3f}]"
            for e in (s.utility, s.agreement, s.rounds, s.welfare)
        ]
        table.add_row(Text(s.strategy), str(s.n), *cells)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `tournament` and `leaderboard` to the entente command."""
    app.command("tournament")(tournament)
    app.command("leaderboard")(leaderboard)
