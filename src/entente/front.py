"""The Pareto frontier of a scenario and its Nash point, cached per scenario: what
`entente.frontier` computes.

Kept apart from `api`, which re-exports these names, so that a program that only draws a
frontier loads the table and the analysis functions, not the negotiation layer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from entente.analysis import frontier_distance, nash, pareto_front
from entente.errors import EntenteError
from entente.prefs import Floats
from entente.scenario import Scenario
from entente.space import Outcomes
from entente.table import Table


@lru_cache(maxsize=8)
def table(scenario: Scenario) -> Table:
    """Every outcome with every party's utility (computed once per scenario)."""
    return Table.build(scenario.space, scenario.prefs)


@dataclass(frozen=True)
class Frontier:
    """The Pareto frontier of a scenario: outcomes (f, n) and their utilities (f, k)."""

    outcomes: Outcomes
    utilities: Floats
    nash: int
    """Row of the Nash point in the full table, or -1 when no outcome beats every reservation."""
    approximate: bool = False
    """True when the exact frontier would have taken longer than the budget allowed: then the
    frontier is `approx_frontier`'s (outcomes found by search) and the Nash point its best."""

    def distance(self, utilities: Floats) -> float:
        """Distance from a utility vector to the nearest frontier point."""
        return float(frontier_distance(np.asarray(utilities)[None, :], self.utilities)[0])


Progress = Callable[[float], None]
"""Called with the fraction of the work done (0 to 1)."""

_DEFAULTS: dict[str, Any] = {"budget": None, "progress": None}


@contextmanager
def frontier_settings(
    budget: float | None = None, progress: Progress | None = None
) -> Iterator[None]:
    """Within the block, every `frontier` call that names no budget or progress callback uses
    these (the command line sets them for everything one command computes); restored after."""
    if budget is not None and not budget > 0:
        raise EntenteError(f"frontier budget {budget}: expected a number of seconds above 0")
    saved = dict(_DEFAULTS)
    _DEFAULTS.update(budget=budget, progress=progress)
    try:
        yield
    finally:
        _DEFAULTS.update(saved)


def frontier(
    scenario: Scenario, budget: float | None = None, progress: Progress | None = None
) -> Frontier:
    """The Pareto frontier (over outcomes no red line forbids) and the Nash point.

    `budget` (seconds) bounds the exact computation: past it, the approximate frontier is
    returned instead, marked `approximate`. `progress` is told the fraction done as the work
    goes. Both default to what an enclosing `frontier_settings` block set. Exact frontiers
    are cached per scenario, whatever budget or callback asked for them.
    """
    if budget is None:
        budget = _DEFAULTS["budget"]
    if budget is not None and not budget > 0:
        raise EntenteError(f"frontier budget {budget}: expected a number of seconds above 0")
    progress = progress or _DEFAULTS["progress"]
    found = _EXACT.get(scenario)
    if found is not None:
        return found
    try:
        found = _exact(scenario, budget, progress)
    except _OverBudget:
        front = _approximate(scenario)
        if progress is not None:
            progress(1.0)
        return front
    _EXACT[scenario] = found
    while len(_EXACT) > 8:  # the eight latest scenarios, as the table's cache keeps
        del _EXACT[next(iter(_EXACT))]
    return found


_EXACT: dict[Scenario, Frontier] = {}
"""Exact frontiers computed so far (an exact frontier does not depend on the budget it met)."""


class _OverBudget(Exception):
    pass


def _exact(scenario: Scenario, budget: float | None, progress: Progress | None) -> Frontier:
    start = time.perf_counter()

    def step(fraction: float) -> None:
        if budget is not None and time.perf_counter() - start > budget:
            raise _OverBudget
        if progress is not None:
            progress(fraction)

    step(0.0)
    t = table(scenario)
    step(0.1)
    ids = t.candidates
    u = t.u if len(ids) == len(t.u) else t.u[ids]  # no copy when no red line bites
    front = pareto_front(u, lambda f: step(0.1 + 0.75 * f))
    n = nash(u, t.reservations)
    step(1.0)
    return Frontier(t.space.unflat(ids[front]), t.u[ids[front]], int(ids[n]) if n >= 0 else -1)


@lru_cache(maxsize=8)
def _approximate(scenario: Scenario) -> Frontier:
    """The frontier found by search (`approx_frontier`, seed 0: the same for every run)."""
    from entente.analysis.approx import approx_frontier

    af = approx_frontier(scenario.prefs, scenario.space, np.random.default_rng(0))
    r = np.array([p.reservation for p in scenario.prefs])
    n = nash(af.u, r) if len(af.u) else -1
    flat = int(scenario.space.flat(af.outcomes[n : n + 1])[0]) if n >= 0 else -1
    return Frontier(af.outcomes, af.u, flat, approximate=True)
