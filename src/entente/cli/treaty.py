"""`entente treaty` and `entente audit`: write the treaty of an outcome, audit it along its timeline.

The options are here; what the commands do is in cli/treaty_show.py, imported when one runs.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


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
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Seed of the negotiation (0 or more).")]


def treaty_command(
    scenario: ScenarioArg = "portsmouth",
    outcome: OutcomeOpt = OutcomeChoice.history,
    seed: SeedOpt = 0,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Export the obligations.")] = False,
) -> None:
    """Write the treaty an outcome makes, as Markdown, HTML or Akoma Ntoso XML."""
    from entente.cli.treaty_show import write_treaty

    write_treaty(scenario, outcome.value, seed, fmt.value, output, as_json)


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
    seed: SeedOpt = 0,
) -> None:
    """Audit every obligation of the treaty along its timeline: a verdict each."""
    from entente.cli.treaty_show import audit_treaty

    audit_treaty(scenario, timeline, at, as_json, outcome.value, seed)


def register(app: typer.Typer) -> None:
    """Add the `treaty` and `audit` commands to the entente command."""
    app.command("treaty")(treaty_command)
    app.command("audit")(audit_command)
