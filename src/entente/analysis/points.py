"""Bargaining solutions over a finite set of utility vectors.

Each takes `u` (m, k) and the reservation values (k,) and returns a row index, or -1 when no
row gives every party at least its reservation value. Utilities within each party's tie
tolerance (`pareto.tolerance`) count as equal, here as in the frontier: a utility a rounding
error below the reservation value still meets it, and scores that differ only by what such
errors can make are ties. Among tied rows, the lowest that no other tied row dominates wins,
so the point lies on the frontier even when every product of gains is zero.
"""

from __future__ import annotations

import numpy as np

from entente.analysis.pareto import TIE, tolerance, undominated
from entente.prefs import Floats


def _rational(u: Floats, reservation: Floats, t: Floats) -> np.ndarray:
    return np.flatnonzero((u >= (np.asarray(reservation) - t)[None, :]).all(axis=1))


def _first_max(values: Floats, ids: np.ndarray, tol: float, u: Floats, t: Floats) -> int:
    """The first of `ids` whose value is within `tol` of the largest and that no other such
    row of `u` dominates (with ties `t`), or -1 when `ids` is empty."""
    if len(ids) == 0:
        return -1
    tied = ids[values >= values.max() - tol]
    if len(tied) > 1:
        best = np.flatnonzero(undominated(u[tied], t))
        return int(tied[best[0] if len(best) else 0])
    return int(tied[0])


def nash(u: Floats, reservation: Floats) -> int:
    """The Nash bargaining point: the largest product of gains over the reservation values."""
    u = np.asarray(u, dtype=np.float64)
    t = tolerance(u)
    ids = _rational(u, reservation, t)
    if len(ids) == 0:
        return -1
    gains = u[ids] - np.asarray(reservation)[None, :]
    # sum of logs, not a product: no underflow with many parties; a gain within the
    # tolerance of zero is zero, and ranks lowest
    score = gains.copy()
    score[score <= t] = 0.0
    with np.errstate(divide="ignore"):
        score = np.log(score, out=score).sum(axis=1)
    # moving each utility by its tolerance moves the log of a gain g by about t / g; gains are
    # floored at a millionth of the scale, where near-zero gains make every score uncertain
    g = gains[int(np.argmax(score))]
    floor = 1e-6 * t / TIE
    tol = float((t / np.maximum(g, np.where(floor > 0, floor, 1.0))).sum())
    return _first_max(score, ids, tol, u, t)


def kalai_smorodinsky(u: Floats, reservation: Floats) -> int:
    """The Kalai-Smorodinsky point: the largest equal share of each party's best possible gain."""
    u = np.asarray(u, dtype=np.float64)
    t = tolerance(u)
    ids = _rational(u, reservation, t)
    if len(ids) == 0:
        return -1
    r = np.asarray(reservation)
    gains = u[ids] - r[None, :]
    ideal = gains.max(axis=0)
    positive = ideal > t
    unit = np.where(positive, ideal, 1.0)
    share = gains / unit[None, :]
    worst = share.min(axis=1)
    top = worst >= worst.max() - float((t / unit).max())
    # among equal shares, the one with most welfare (so the point is Pareto optimal)
    welfare = np.where(top, gains.sum(axis=1), -np.inf)
    return _first_max(welfare, ids, float(t.sum()), u, t)


def egalitarian(u: Floats, reservation: Floats) -> int:
    """The egalitarian point: the largest smallest gain over the reservation values."""
    u = np.asarray(u, dtype=np.float64)
    t = tolerance(u)
    ids = _rational(u, reservation, t)
    if len(ids) == 0:
        return -1
    gains = u[ids] - np.asarray(reservation)[None, :]
    worst = gains.min(axis=1)
    top = worst >= worst.max() - float(t.max())
    return _first_max(np.where(top, gains.sum(axis=1), -np.inf), ids, float(t.sum()), u, t)


def max_welfare(u: Floats, reservation: Floats) -> int:
    """The outcome with the largest sum of utilities (among individually rational ones)."""
    u = np.asarray(u, dtype=np.float64)
    t = tolerance(u)
    ids = _rational(u, reservation, t)
    return _first_max(u[ids].sum(axis=1), ids, float(t.sum()), u, t) if len(ids) else -1
