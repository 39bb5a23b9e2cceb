"""`entente treaty` and `entente audit`: write the treaty of an outcome, audit it along its timeline.

The options are here; what the commands do is in cli/treaty_show.py, imported when one runs.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from entente.cli import options


class OutcomeChoice(StrEnum):
    history = "history"
    negotiated = "negotiated"


class Format(StrEnum):
    md = "md"
    html = "html"
    akn = "akn"


ScenarioArg = Annotated[
    str, typer.Argument(help="A scenario file, or the name of a built-in scenario.")
]
OutcomeOpt = Annotated[
    OutcomeChoice,
    typer.Option("--outcome", help="The outcome that was signed, or one negotiated now."),
]
SeedOpt = Annotated[
    int | None,
    typer.Option("--seed", min=0, help="Seed of the negotiation (0 or more; default 0)."),
]


def negotiation(
    outcome: OutcomeChoice,
    protocol: str | None,
    strategy: list[str] | None,
    seed: int | None,
    deadline: int | None,
    win_sets: bool,
) -> dict[str, Any]:
    """The keyword arguments of `api.negotiate` the options of `run` give, for --outcome
    negotiated; with --outcome history they would be ignored, so they are refused."""
    from entente.errors import EntenteError

    given = [
        name
        for name, value in (
            ("--protocol", protocol),
            ("--strategy", strategy or None),
            ("--seed", seed),
            ("--deadline", deadline),
            ("--win-sets", win_sets or None),
        )
        if value is not None
    ]
    if outcome is OutcomeChoice.history:
        if given:
            raise EntenteError(
                f"{', '.join(given)}: {'sets' if len(given) == 1 else 'set'} up a negotiation, "
                "and the history outcome has none: give --outcome negotiated, or leave "
                f"{'it' if len(given) == 1 else 'them'} out"
            )
        return {}
    return {
        "protocol": protocol,
        "strategies": options.strategies(strategy or []),
        "deadline": deadline,
        "win_sets": win_sets,
    }


def treaty_command(
    scenario: ScenarioArg = "portsmouth",
    outcome: OutcomeOpt = OutcomeChoice.history,
    protocol: options.ProtocolOpt = None,
    strategy: options.StrategyOpt = None,
    seed: SeedOpt = None,
    deadline: options.DeadlineOpt = None,
    win_sets: options.WinSetsOpt = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Export the obligations.")] = False,
) -> None:
    """Write the treaty an outcome makes, as Markdown, HTML or Akoma Ntoso XML.

    With --outcome negotiated, the outcome is negotiated as `run` would (same options), then
    put to the parties' constituencies for ratification."""
    from entente.cli.treaty_show import write_treaty

    how = negotiation(outcome, protocol, strategy, seed, deadline, win_sets)
    write_treaty(scenario, outcome.value, seed or 0, fmt.value, output, as_json, how)


def audit_command(
    scenario: ScenarioArg = "portsmouth",
    timeline: Annotated[
        Path | None, typer.Option("--timeline", help="A timeline file to use instead.")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Audit as of this date (YYYY-MM-DD, ' OS').")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Obligations with their history.")
    ] = False,
    outcome: OutcomeOpt = OutcomeChoice.history,
    protocol: options.ProtocolOpt = None,
    strategy: options.StrategyOpt = None,
    seed: SeedOpt = None,
    deadline: options.DeadlineOpt = None,
    win_sets: options.WinSetsOpt = False,
) -> None:
    """Audit every obligation of the treaty along its timeline: a verdict each.

    With --outcome negotiated, the treaty is that of an outcome negotiated as `run` would
    (same options) and ratified."""
    from entente.cli.treaty_show import audit_treaty

    how = negotiation(outcome, protocol, strategy, seed, deadline, win_sets)
    audit_treaty(scenario, timeline, at, as_json, outcome.value, seed or 0, how)


def register(app: typer.Typer) -> None:
    """Add the `treaty` and `audit` commands to the entente command."""
    app.command("treaty")(treaty_command)
    app.command("audit")(audit_command)
