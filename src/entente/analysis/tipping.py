"""How far one number can move, alone, before a prediction changes.

`margin` walks from a number's point towards one end of a search interval on a grid, finds the
first grid value whose prediction differs from the point's, and narrows that bracket by
evaluating several values at once per step. A prediction that changes and changes back between
two grid values is missed; the grid has `GRID` values per side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from entente.prefs import Floats

GRID = 32
"""Values tried on each side of the point before narrowing."""
SPLIT = 8
"""Values tried at once in each narrowing step."""

Predict = Callable[[Floats], NDArray[np.int64]]
"""Predictions (flat outcome ids) for an array of values of the number."""


@dataclass(frozen=True)
class Tip:
    """The prediction holds from the point to `before`, and at `after` it is `outcome`.
    `after` is None when nothing changes up to the end of the interval searched (`limit`)."""

    before: float
    after: float | None
    outcome: int
    limit: float


def margin(predict: Predict, point: float, limit: float, base: int, precision: float) -> Tip:
    """The first change of `predict` from `base` between `point` and `limit`, to within
    `precision` (an absolute width)."""
    if limit == point:
        return Tip(point, None, base, limit)
    xs = point + (limit - point) * np.arange(1, GRID + 1) / GRID
    got = predict(xs)
    moved = np.flatnonzero(got != base)
    if len(moved) == 0:
        return Tip(float(limit), None, base, limit)
    j = int(moved[0])
    inside = point if j == 0 else float(xs[j - 1])
    outside, outcome = float(xs[j]), int(got[j])
    while abs(outside - inside) > precision:
        ys = inside + (outside - inside) * np.arange(1, SPLIT + 1) / (SPLIT + 1)
        got = predict(ys)
        moved = np.flatnonzero(got != base)
        if len(moved) == 0:
            inside = float(ys[-1])
            continue
        j = int(moved[0])
        if j > 0:
            inside = float(ys[j - 1])
        outside, outcome = float(ys[j]), int(got[j])
    return Tip(inside, outside, outcome, limit)
