"""Bargaining solutions over a finite set of utility vectors.

Each takes `u` (m, k) and the reservation values (k,) and returns a row index, or -1 when no
row gives every party at least its reservation value. Utilities within each party's tie
tolerance (`pareto.tolerance`) count as equal, here as in the frontier: a utility a rounding
error below the reservation value still meets it, and scores that differ only by what such
errors can make are ties. Ties go to the lowest index.
"""

from __future__ import annotations

import numpy as np

from entente.analysis.pareto import TIE, tolerance
from entente.prefs import Floats


def _rational(u: Floats, reservation: Floats, t: Floats) -> np.ndarray:
    return np.flatnonzero((u >= (np.asarray(reservation) - t)[None, :]).all(axis=1))


def _first_max(values: Floats, ids: np.ndarray, tol: float = 0.0) -> int:
    """The first of `ids` whose value is within `tol` of the largest, or -1 when none."""
    if len(ids) == 0:
        return -1
    best = values.max()
    return int(ids[np.flatnonzero(values >= best - tol)[0]])


def nash(u: Floats, reservation: Floats) -> int:
    """The Nash bargaining point: the largest product of gains over the reservation values."""
    u = np.asarray(u, dtype=np.float64)
    t = tolerance(u)
    ids = _rational(u, reservation, t)
    if len(ids) == 0:
        return -1
    gains = u[ids] - np.asarray(reservation)[None, :]
    # sum of logs, not a product: no underflow with many parties; zero gain ranks lowest
    with np.errstate(divide="ignore"):
        score = np.log(np.maximum(gains, 0.0)).sum(axis=1)
    # moving each utility by its tolerance moves the log of a gain g by about t / g; gains are
    # floored at a millionth of the scale, where near-zero gains make every score uncertain
    g = gains[int(np.argmax(score))]
    floor = 1e-6 * t / TIE
    tol = float((t / np.maximum(g, np.where(floor > 0, floor, 1.0))).sum())
    return _first_max(score, ids, tol)


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
    return _first_max(welfare, ids, float(t.sum()))


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
    return _first_max(np.where(top, gains.sum(axis=1), -np.inf), ids, float(t.sum()))


def max_welfare(u: Floats, reservation: Floats) -> int:
    """The outcome with the largest sum of utilities (among individually rational ones)."""
    u = np.asarray(u, dtype=np.float64)
    t = tolerance(u)
    ids = _rational(u, reservation, t)
    return _first_max(u[ids].sum(axis=1), ids, float(t.sum())) if len(ids) else -1
