"""What `entente tournament` and `entente leaderboard` do and print (cli/tournament.py holds
their options)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

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


class _Rate(ProgressColumn):
    """Negotiations per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "-/s", style="progress.data.speed")


def plural(n: int, word: str) -> str:
    """'1 negotiation', '2 negotiations'."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def run_grid(
    scenarios: list[str],
    strategy: list[str],
    out: Path,
    rounds: int,
    repetitions: int,
    seed: int,
    resume: bool,
    executor: str,
    workers: int,
    ray: str | None,
    protocol: str,
    mediator: str | None,
    self_play: bool,
) -> None:
    """The body of `entente tournament`."""
    from entente.tournament import executor as make_executor
    from entente.tournament import run_tournament

    ex = make_executor("ray", workers, ray) if ray is not None else make_executor(executor, workers)
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


def show_leaderboard(
    results: Path,
    as_json: bool,
    seed: int,
    by: str | None = None,
    matrix: bool = False,
    compare: tuple[str, str] | None = None,
) -> None:
    """The body of `entente leaderboard`."""
    from entente.errors import EntenteError
    from entente.tournament import Store, analysis
    from entente.tournament import leaderboard as standings

    chosen = [o for o, on in (("--by", by), ("--matrix", matrix), ("--compare", compare)) if on]
    if len(chosen) > 1:
        raise EntenteError(f"{' and '.join(chosen)}: choose one of them")
    table = Store(results).read()
    if by is not None:
        groups = analysis.breakdown(table, by, seed=seed)
        if as_json:
            typer.echo(json.dumps([g.to_json() for g in groups], indent=2))
            return
        for name in dict.fromkeys(g.group for g in groups):
            where = "in" if by == "scenario" else "against"
            mine = [g.standing for g in groups if g.group == name]
            _print_standings(mine, f"Leaderboard {where} {name}")
        return
    if matrix:
        m = analysis.matrix(table)
        if as_json:
            typer.echo(json.dumps(m.to_json(), indent=2))
            return
        _print_matrix(m)
        return
    if compare is not None:
        c = analysis.compare(table, compare[0], compare[1], seed=seed)
        if as_json:
            typer.echo(json.dumps(c.to_json(), indent=2))
            return
        how = "paired" if c.paired else "unpaired"
        typer.echo(
            f"{c.a} minus {c.b}: mean utility difference {c.difference:.4f} "
            f"[{c.low:.4f}, {c.high:.4f}] (95% bootstrap, {how}; {c.n_a} and {c.n_b} plays), "
            f"p = {c.p_value:.4f}"
        )
        return
    rows = standings(table, seed=seed)
    if as_json:
        typer.echo(json.dumps([s.to_json() for s in rows], indent=2))
        return
    _print_standings(rows, "Leaderboard")


def _cell(e: Any) -> str:
    """A mean over its interval (NaN: '-')."""
    return "-" if math.isnan(e.mean) else f"{e.mean:.3f}\n[{e.low:.3f}, {e.high:.3f}]"


def _print_standings(rows: list[Any], title: str) -> None:
    console = Console()
    table = Table(title=f"{title} (95% bootstrap intervals of the mean)")
    # nothing is ever cut (two settings of one strategy must stay apart): a spec that fits
    # keeps its line and the numbers wrap; a longer one wraps too, at its spaces first
    widest = max([len("strategy"), *(len(s.strategy) for s in rows)])
    table.add_column("strategy", width=min(widest, max(20, console.width - 50)), overflow="fold")
    for col in ("plays", "utility", "agreed", "rounds", "welfare", "to front", "to Nash"):
        table.add_column(col, justify="right", overflow="fold")
    for s in rows:
        measures = (s.utility, s.agreement, s.rounds, s.welfare)
        cells = [_cell(e) for e in (*measures, s.frontier_distance, s.nash_distance)]
        table.add_row(Text(s.strategy), str(s.n), *cells)
    console.print(table)


def _print_matrix(m: Any) -> None:
    console = Console()
    table = Table(title="Mean utility of each strategy (row) against each (column); plays")
    table.add_column("strategy", overflow="fold")
    for s in m.strategies:
        table.add_column(s, justify="right", overflow="fold")
    for i, s in enumerate(m.strategies):
        cells = [
            "-" if m.count[i, j] == 0 else f"{m.mean[i, j]:.3f} ({m.count[i, j]})"
            for j in range(len(m.strategies))
        ]
        table.add_row(Text(s), *cells)
    console.print(table)
