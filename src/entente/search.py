"""Finding offers in spaces too large to list: sampling plus local search.

Strategies call these when a space cannot be enumerated (10^10 to 10^40 outcomes). Each step
evaluates a whole batch at once: a random sample, or every outcome that differs from the
current one in a single issue.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from entente.hyperrect import HyperRectangles
from entente.prefs import Floats, Preferences
from entente.space import Neighbourhood, Outcomes, OutcomeSpace


class LocalMoves:
    """Every single-issue change of an outcome with its utility to one party.

    Hyper-rectangle terms are worked out from the outcome itself (only the rectangles the
    changed issue touches move, see `hyperrect.Moves`); other terms are evaluated on the rows.
    The utilities are those of `prefs.utility(hood.of(x))`, bit for bit: the same terms added
    in the same order to the same offset.
    """

    def __init__(self, prefs: Preferences, hood: Neighbourhood) -> None:
        self.prefs = prefs
        self.hood = hood
        self._fast = [t.moves(hood) if type(t) is HyperRectangles else None for t in prefs.terms]

    def of(self, x: NDArray[np.int64]) -> tuple[Outcomes, Floats]:
        """`hood.of(x)` and the utility of each of its rows."""
        nb = self.hood.of(x)
        total = np.full(nb.shape[0], self.prefs.offset)
        for term, fast in zip(self.prefs.terms, self._fast, strict=True):
            total += fast(x) if fast is not None else term(nb)
        return nb, total


def _climb(
    moves: LocalMoves, x: NDArray[np.int64], steps: int = 200
) -> tuple[NDArray[np.int64], float]:
    """Steepest ascent from `x` on the party's own utility: move to the best single-issue
    change while it improves (each neighbourhood evaluated by `moves`)."""
    s = moves.prefs(x)
    for _ in range(steps):
        nb, u = moves.of(x)
        j = int(np.argmax(u))
        if u[j] <= s:
            break
        x, s = nb[j], float(u[j])
    return x, s


def near(
    prefs: Preferences,
    space: OutcomeSpace,
    target: float,
    rng: np.random.Generator,
    *,
    budget: int = 512,
    starts: int = 8,
    hood: Neighbourhood | None = None,
    moves: LocalMoves | None = None,
) -> tuple[int, ...]:
    """An outcome with utility >= target, as close to target as the search finds.

    Samples `budget` outcomes; if none reaches the target, climbs from the best `starts`. It
    then walks down single-issue changes that stay at or above the target. When the target
    is out of reach, returns the best outcome found. `moves` (for `prefs`) saves setting up
    the incremental evaluation on every call.
    """
    if moves is None or moves.prefs is not prefs:
        moves = LocalMoves(prefs, hood or Neighbourhood(space))
    pop = space.sample(rng, budget)
    u = prefs.utility(pop)
    above = u >= target
    if above.any():
        j = int(np.argmin(np.where(above, u, np.inf)))
        x, s = pop[j], float(u[j])
    else:  # climb from the best samples until one reaches the target
        x, s = pop[int(np.argmax(u))], float(u.max())
        for j in np.argsort(-u)[:starts]:
            y, t = _climb(moves, pop[j])
            if t > s:
                x, s = y, t
            if s >= target:
                break
        if s < target:
            return tuple(int(v) for v in x)
    for _ in range(100):  # descend towards the target without crossing it
        nb, un = moves.of(x)
        ok = (un >= target) & (un < s)
        if not ok.any():
            break
        j = int(np.argmin(np.where(ok, un, np.inf)))
        x, s = nb[j], float(un[j])
    return tuple(int(v) for v in x)


def best(
    prefs: Preferences, space: OutcomeSpace, rng: np.random.Generator, *, starts: int = 8
) -> tuple[int, ...]:
    """The party's best outcome: exact for linear utilities, multi-start ascent otherwise."""
    lin = prefs.linear
    if lin is not None:
        return lin.best()
    moves = LocalMoves(prefs, Neighbourhood(space))
    pop = space.sample(rng, 64 * starts)
    u = prefs.utility(pop)
    tops = np.argsort(-u)[:starts]
    found = [_climb(moves, pop[j]) for j in tops]
    x, _ = max(found, key=lambda f: f[1])
    return tuple(int(v) for v in x)
