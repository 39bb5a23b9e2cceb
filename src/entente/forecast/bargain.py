"""The Nash bargaining solution on each issue's line.

Actor a's utility for an outcome z on the unit scale is 1 - |z - x_a|; its gain over the
disagreement point d is g_a(z) = |d_a - x_a| - |z - x_a|, where d_a is the status quo when the
issue has one and otherwise the end of the scale farthest from the actor (its worst outcome).
The solution maximises sum_a w_a log g_a(z), w = capability x salience (the weighted Nash
product), over the points where every weighted actor gains. The objective is concave, so its
maximum is where the slope changes sign; the slope is found by bisection for all issues at once.
Where no point makes every weighted actor gain, the forecast is the status quo.
"""

from __future__ import annotations

import numpy as np

from entente.forecast.actors import Actors, Floats, Forecast, relative_capability

#: bisection steps: the bracket shrinks to 2**-STEPS of the scale
STEPS = 60


def nash_line(x: Floats, w: Floats, reach: Floats) -> tuple[Floats, Floats]:
    """(i,) the weighted Nash point of each column, and (i,) whether one exists.

    `x` (a, i) positions on [0, 1], `w` (a, i) weights, `reach` (a, i) = |d_a - x_a|, how far
    from its position an outcome still gains for actor a.
    """
    live = w > 0
    lo = np.where(live, x - reach, -np.inf).max(axis=0)
    hi = np.where(live, x + reach, np.inf).min(axis=0)
    lo = np.maximum(lo, 0.0)
    hi = np.minimum(hi, 1.0)
    # an empty or rounding-thin set of points where all gain, or no one weighs the issue
    ok = (lo < hi - 1e-12) & live.any(axis=0)
    a_, b_ = lo.copy(), hi.copy()
    for _ in range(STEPS):
        z = (a_ + b_) / 2
        gain = reach - np.abs(z - x)
        safe = np.where(live & (gain > 0), gain, 1.0)
        slope = np.where(live, w * np.sign(x - z) / safe, 0.0).sum(axis=0)
        up = slope > 0
        a_ = np.where(up, z, a_)
        b_ = np.where(up, b_, z)
    return (a_ + b_) / 2, ok


def nash(actors: Actors, *, seed: int = 0) -> Forecast:
    """The weighted Nash bargaining solution per issue (status quo: see the module's text)."""
    del seed  # deterministic
    x = actors.unit(actors.position)
    w = relative_capability(actors)[:, None] * actors.salience
    if actors.status_quo is None:
        reach = np.maximum(x, 1 - x)
    else:
        reach = np.abs(actors.unit(actors.status_quo) - x)
    z, ok = nash_line(x, w, reach)
    fallback = (
        actors.status_quo if actors.status_quo is not None else (actors.low + actors.high) / 2
    )
    # no agreement: the status quo (or, with no one weighing the issue, the scale's middle)
    out = np.where(ok, actors.scale(z), fallback)
    return Forecast("nash", out, None, {"agreement": ok.tolist()})
