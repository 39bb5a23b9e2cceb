"""`entente tournament` and `entente leaderboard`: run a grid of negotiations, rank strategies.

The options are here; what the commands do is in cli/tournament_show.py, imported when one runs.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class GroupBy(StrEnum):
    scenario = "scenario"
    opponent = "opponent"


class ExecutorName(StrEnum):
    auto = "auto"
    inprocess = "inprocess"
    processes = "processes"


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
        ExecutorName,
        typer.Option(
            help="Where to negotiate: auto (this process for small grids, else workers), "
            "inprocess, processes (see also --ray)."
        ),
    ] = ExecutorName.auto,
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
    mediator: Annotated[
        str | None, typer.Option(help="Mediator spec (mediated; default: the scenario's).")
    ] = None,
    self_play: Annotated[bool, typer.Option(help="Let a strategy meet itself.")] = True,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Ask language-model strategies (llm) again instead of replaying cached replies.",
        ),
    ] = False,
) -> None:
    """Negotiate every strategy against every other, in every role, on every scenario."""
    from entente.cli.tournament_show import run_grid
    from entente.llm.cache import refreshing

    with refreshing(no_cache):
        run_grid(
            scenarios,
            strategy,
            out,
            rounds,
            repetitions,
            seed,
            resume,
            executor.value,
            workers,
            ray,
            protocol,
            mediator,
            self_play,
        )


def leaderboard(
    results: Annotated[Path, typer.Argument(help="Results folder written by `tournament`.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the bootstrap intervals.")] = 0,
    by: Annotated[
        GroupBy | None,
        typer.Option("--by", help="Standings within each scenario or against each opponent."),
    ] = None,
    matrix: Annotated[
        bool,
        typer.Option("--matrix", help="Mean utility of each strategy (row) against each (column)."),
    ] = False,
    compare: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--compare",
            help="Bootstrap test of A's mean utility minus B's (paired where plays pair).",
            metavar="A B",
        ),
    ] = None,
) -> None:
    """Rank strategies: mean utility, agreement rate, rounds, welfare and the distances to the
    Pareto frontier and the Nash point, with 95% intervals."""
    from entente.cli.tournament_show import show_leaderboard

    show_leaderboard(results, as_json, seed, by.value if by else None, matrix, compare)


def register(app: typer.Typer) -> None:
    """Add `tournament` and `leaderboard` to the entente command."""
    app.command("tournament")(tournament)
    app.command("leaderboard")(leaderboard)
