"""The few functions most users need: load a scenario, negotiate it, draw its frontier."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from entente import registry
from entente.analysis import frontier_distance, nash, pareto_front
from entente.errors import EntenteError
from entente.negotiation.session import Result, run
from entente.prefs import Floats
from entente.scenario import Scenario
from entente.space import Outcomes
from entente.table import Table

DEFAULT_STRATEGY = "boulware(e=0.2)"
DEFAULT_MEDIATOR = "hillclimb"


def load(source: str | Path) -> Scenario:
    """A scenario from a built-in name ('portsmouth'), a TOML file, or a GENIUS or GeniusWeb
    file or folder."""
    from entente.formats import load as load_any

    return load_any(source)


@lru_cache(maxsize=8)
def table(scenario: Scenario) -> Table:
    """Every outcome with every party's utility (computed once per scenario)."""
    return Table.build(scenario.space, scenario.prefs)


def negotiate(
    scenario: Scenario,
    protocol: str | None = None,
    strategies: Mapping[str, str] | None = None,
    seed: int = 0,
    deadline: int | None = None,
    win_sets: bool = False,
) -> Result:
    """Negotiate `scenario`: protocol and per-party strategy specs default to the scenario's.

    `strategies` maps party ids (or a mediator's id) to specs such as 'boulware(e=0.2)'.
    With `win_sets`, each party with constituencies refuses, as a red line of its own, every
    outcome they would not ratify: it concedes only inside its win-set (the two-level game).
    """
    if win_sets:
        from entente.settlement import narrowed

        for p in scenario.parties:
            scenario = narrowed(scenario, p.id)
    proto = registry.protocol(protocol or scenario.protocol)
    given = dict(strategies or {})
    known = {p.id for p in scenario.parties} | {m.id for m in scenario.mediators}
    for key in given:
        if key not in known and key != "mediator":
            raise EntenteError(
                f"no party or mediator {key!r}: expected one of {', '.join(sorted(known))}"
            )
    parties = [
        registry.strategy(given.get(p.id) or p.strategy or DEFAULT_STRATEGY)
        for p in scenario.parties
    ]
    mediator = None
    informed = False
    if proto.mediated:
        m = scenario.mediators[0] if scenario.mediators else None
        spec = (
            given.get(m.id if m else "mediator")
            or given.get("mediator")
            or (m.strategy if m else None)
        )
        mediator = registry.strategy(spec or DEFAULT_MEDIATOR)
        informed = bool(m and m.informed)
    for s in parties:
        if s.mediator:
            raise EntenteError(f"{s.spec()} is a mediator strategy, not a party's")
    if mediator is not None and not mediator.mediator:
        raise EntenteError(f"{mediator.spec()} is a party's strategy, not a mediator's")
    tab = table(scenario) if scenario.space.enumerable else None
    return run(
        proto,
        parties,
        scenario.space,
        scenario.prefs,
        deadline=deadline or scenario.deadline,
        seed=seed,
        mediator=mediator,
        informed=informed,
        table=tab,
        names=[p.id for p in scenario.parties],
    )


@dataclass(frozen=True)
class Frontier:
    """The Pareto frontier of a scenario: outcomes (f, n) and their utilities (f, k)."""

    outcomes: Outcomes
    utilities: Floats
    nash: int
    """Row of the Nash point in the full table, or -1 when no outcome beats every reservation."""

    def distance(self, utilities: Floats) -> float:
        """Distance from a utility vector to the nearest frontier point."""
        return float(frontier_distance(np.asarray(utilities)[None, :], self.utilities)[0])


@lru_cache(maxsize=8)
def frontier(scenario: Scenario) -> Frontier:
    """The Pareto frontier (over outcomes no red line forbids) and the Nash point."""
    t = table(scenario)
    ids = t.candidates
    front = ids[pareto_front(t.u[ids])]
    n = nash(t.u[ids], t.reservations)
    return Frontier(t.space.unflat(front), t.u[front], int(ids[n]) if n >= 0 else -1)
