"""An approximate Pareto frontier for spaces too large to list.

Weighted sums of the parties' utilities are maximised by local search from sampled starts;
every outcome met on the way is kept, and the non-dominated ones are returned. The result is
an inner approximation: every vector is reachable, but better ones may exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from entente.analysis.pareto import pareto_front, tolerance
from entente.prefs import Floats, Preferences
from entente.space import Neighbourhood, Outcomes, OutcomeSpace


@dataclass(frozen=True)
class ApproxFrontier:
    """Outcomes (f, n) and their utility vectors (f, k); `approximate` is always True."""

    outcomes: Outcomes
    u: Floats
    approximate: bool = True


def approx_frontier(
    prefs: tuple[Preferences, ...],
    space: OutcomeSpace,
    rng: np.random.Generator,
    *,
    directions: int = 16,
    samples: int = 2048,
    steps: int = 60,
) -> ApproxFrontier:
    """Non-dominated outcomes found by `directions` weighted-sum local searches."""
    k = len(prefs)

    def utilities(o: Outcomes) -> Floats:
        return np.stack([p.utility(o) for p in prefs], axis=1)

    hood = Neighbourhood(space)
    pop = space.sample(rng, samples)
    seen_o, seen_u = [pop], [utilities(pop)]
    tie = tolerance(seen_u[0])  # a gain within rounding noise is no gain
    lam = rng.dirichlet(np.ones(k), size=directions)
    if k == 2:
        t = np.linspace(0.0, 1.0, directions)
        lam = np.stack([t, 1.0 - t], axis=1)
    for w in lam:
        score = seen_u[0] @ w
        x = pop[int(np.argmax(score))]
        s = float(score.max())
        for _ in range(steps):
            nb = hood.of(x)
            un = utilities(nb)
            seen_o.append(nb)
            seen_u.append(un)
            sc = un @ w
            j = int(np.argmax(sc))
            if sc[j] <= s + float(w @ tie):
                break
            x, s = nb[j], float(sc[j])
    o, u = np.concatenate(seen_o), np.concatenate(seen_u)
    idx = pareto_front(u)
    _, first = np.unique(o[idx], axis=0, return_index=True)  # one row per distinct outcome
    keep = idx[np.sort(first)]
    return ApproxFrontier(o[keep], u[keep])
