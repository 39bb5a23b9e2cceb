"""What a scenario offers before anyone negotiates: its frontier, bargaining points, opposition,
and where history stands among them. Approximate (and said so) for spaces too large to list."""

from __future__ import annotations

from typing import Any

import numpy as np

from entente.analysis import (
    egalitarian,
    frontier_distance,
    kalai_smorodinsky,
    max_welfare,
    nash,
    opposition,
)
from entente.api import frontier, table
from entente.scenario import Scenario


def overview(scenario: Scenario, *, seed: int = 0) -> dict[str, Any]:
    """A JSON-ready dict: outcomes, frontier (utility vectors, parties in scenario order),
    reservations, nash / kalai_smorodinsky / egalitarian / max_welfare points (each an outcome
    as {issue id: option id} and its utilities), opposition, and the historical outcome's
    utilities and distance to the frontier. Utilities are undiscounted (time 0)."""
    ids = [p.id for p in scenario.parties]
    space = scenario.space
    out: dict[str, Any] = {
        "scenario": scenario.id,
        "parties": ids,
        "outcomes": space.size,
        "reservations": {
            i: float(p.prefs.reservation) for i, p in zip(ids, scenario.parties, strict=True)
        },
    }

    def point(outcome: tuple[int, ...] | np.ndarray, u: np.ndarray) -> dict[str, Any]:
        return {
            "outcome": space.labels(outcome),
            "utilities": {i: float(x) for i, x in zip(ids, u, strict=True)},
        }

    r = np.array([p.prefs.reservation for p in scenario.parties])
    f = frontier(scenario) if space.enumerable else None
    if f is not None and not f.approximate:
        t = table(scenario)
        cand = t.candidates
        u = t.u if len(cand) == len(t.u) else t.u[cand]
        # the frontier's Nash point is nash(u, r) already: its row among the candidates
        known = {"nash": int(np.searchsorted(cand, f.nash)) if f.nash >= 0 else -1}

        def row(k: int) -> np.ndarray:
            return space.unflat(cand[k : k + 1])[0]

        front_u = f.utilities
        out["opposition"] = opposition(u) if len(u) else None
    else:
        if f is not None:  # the exact frontier would have taken longer than its budget
            outcomes, u = f.outcomes, f.utilities
        else:
            from entente.analysis.approx import approx_frontier

            af = approx_frontier(scenario.prefs, space, np.random.default_rng(seed))
            outcomes, u = af.outcomes, af.u

        def row(k: int) -> np.ndarray:
            return outcomes[k]

        front_u = u
        known = {}
        out["opposition"] = None
    out["approximate"] = f is None or f.approximate
    out["frontier"] = front_u.tolist()
    for key, fn in (
        ("nash", nash),
        ("kalai_smorodinsky", kalai_smorodinsky),
        ("egalitarian", egalitarian),
        ("max_welfare", max_welfare),
    ):
        k = known[key] if key in known else fn(u, r)
        out[key] = point(row(k), u[k]) if k >= 0 else None
    h = scenario.history
    if h is not None and h.outcome is not None:
        hu = np.array([p.prefs(h.outcome) for p in scenario.parties])
        out["history"] = point(h.outcome, hu)
        out["history"]["pareto_distance"] = float(frontier_distance(hu[None, :], front_u)[0])
    return out
