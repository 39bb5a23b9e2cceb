"""The options that set up a negotiation, shared by `run`, `report` and `plot`, and the one
function that turns them into a finished, measured negotiation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from entente.errors import EntenteError, quoted

if TYPE_CHECKING:
    from entente.api import Plan
    from entente.negotiation.session import Result
    from entente.scenario import Scenario
    from entente.summary import Summary

ProtocolOpt = Annotated[str | None, typer.Option(help="Protocol spec (default: the scenario's).")]
StrategyOpt = Annotated[
    list[str] | None,
    typer.Option(help="PARTY=SPEC, e.g. russia='boulware(e=0.1)'; once per party (or mediator)."),
]
SeedOpt = Annotated[int, typer.Option(min=0, help="Seed of every random choice (0 or more).")]
DeadlineOpt = Annotated[
    int | None,
    typer.Option(min=1, help="Rounds before the talks end (default: the scenario's)."),
]
TimeLimitOpt = Annotated[
    float | None,
    typer.Option(
        min=0.001,
        help="Seconds before the talks end, as in GENIUS and ANAC; strategies see the larger of "
        "the round and clock shares of the deadline (default: rounds only).",
    ),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Ask language-model strategies (llm) again instead of replaying their cached replies.",
    ),
]
WinSetsOpt = Annotated[
    bool,
    typer.Option(
        "--win-sets", help="Parties concede only inside what their constituencies would ratify."
    ),
]


def strategies(items: list[str]) -> dict[str, str]:
    """{party: spec} from `--strategy PARTY=SPEC` options; a party named twice is refused."""
    specs: dict[str, str] = {}
    for item in items:
        party, sep, spec = item.partition("=")
        party, spec = party.strip(), spec.strip()
        if not sep or not party or not spec:
            raise EntenteError(
                f"--strategy {quoted(item)}: expected PARTY=SPEC, e.g. japan='boulware(e=0.2)'"
            )
        if party in specs:
            raise EntenteError(
                f"--strategy {quoted(item)}: {quoted(party)} already has a strategy "
                f"({quoted(specs[party])}); expected one --strategy per party"
            )
        specs[party] = spec
    return specs


@dataclass(frozen=True)
class Negotiated:
    """A negotiation as the options set it up, run and measured."""

    scenario: Scenario
    plan: Plan
    result: Result
    summary: Summary


def negotiate(
    source: str,
    protocol: str | None = None,
    strategy: list[str] | None = None,
    seed: int = 0,
    deadline: int | None = None,
    win_sets: bool = False,
    check: Callable[[Scenario], None] | None = None,
    time_limit: float | None = None,
) -> Negotiated:
    """Load `source`, plan the negotiation the options describe, play it with `seed` and
    measure it (`summary.summarize`). `check` may refuse the scenario before anything runs.
    `time_limit` adds a deadline in seconds to the rounds (`session.run`)."""
    from entente import api
    from entente.summary import summarize

    sc = api.load(source)
    if check is not None:
        check(sc)
    plan = api.plan(
        sc,
        protocol=protocol,
        strategies=strategies(strategy or []),
        deadline=deadline,
        win_sets=win_sets,
    )
    result = api.play(plan, seed, time_limit=time_limit)
    return Negotiated(sc, plan, result, summarize(sc, result, plan.protocol, seed, plan))
