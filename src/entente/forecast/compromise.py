"""The compromise model: the capability x salience weighted mean, and the weighted median.

Both are static: the forecast on each issue depends only on that issue's column of positions
and weights `w = capability * salience`. An issue on which every weight is zero falls back to
equal weights (every actor counts the same), so a forecast always exists.
"""

from __future__ import annotations

import numpy as np

from entente.forecast.actors import Actors, Floats, Forecast, relative_capability

#: relative tolerance under which a cumulative weight counts as exactly half the total
HALF_TIE = 1e-12


def weights(actors: Actors) -> Floats:
    """(a, i) capability x salience, with equal weights on an issue where all are zero.

    Capabilities are taken relative to the largest: only their ratios count, and so sums and
    squares of weights stay finite whatever the scale of the capabilities."""
    w = relative_capability(actors)[:, None] * actors.salience
    dead = w.sum(axis=0) <= 0
    if dead.any():
        w = w.copy()
        w[:, dead] = 1.0
    return w


def mean_of(x: Floats, w: Floats) -> Floats:
    """(i,) the weighted mean of each column of `x` (a, i) with weights `w` (a, i), sum > 0."""
    return (w * x).sum(axis=0) / w.sum(axis=0)


def median_of(x: Floats, w: Floats) -> Floats:
    """(i,) the weighted median of each column: the midpoint of the lower and upper medians.

    The lower median is the smallest position at which the cumulative weight reaches half the
    total; the upper median is the smallest at which it exceeds half. They differ only when
    the weight below some position is exactly half (within `HALF_TIE`); then the forecast is
    their midpoint, so that reversing the scale reverses the forecast.
    """
    order = np.argsort(x, axis=0, kind="stable")
    xs = np.take_along_axis(x, order, axis=0)
    cum = np.cumsum(np.take_along_axis(w, order, axis=0), axis=0)
    half = cum[-1] / 2
    tol = HALF_TIE * cum[-1]
    lo = np.argmax(cum >= half - tol, axis=0)
    hi = np.argmax(cum > half + tol, axis=0)
    cols = np.arange(x.shape[1])
    return (xs[lo, cols] + xs[hi, cols]) / 2


def weighted_mean(actors: Actors, *, seed: int = 0) -> Forecast:
    """Compromise model: sum_a w_a x_a / sum_a w_a per issue, w = capability x salience."""
    del seed  # deterministic
    return Forecast("mean", mean_of(actors.position, weights(actors)))


def weighted_median(actors: Actors, *, seed: int = 0) -> Forecast:
    """The capability x salience weighted median per issue (ties: see `median_of`)."""
    del seed  # deterministic
    return Forecast("median", median_of(actors.position, weights(actors)))
