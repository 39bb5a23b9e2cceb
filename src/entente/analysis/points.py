"""Bargaining solutions over a finite set of utility vectors.

Each takes `u` (m, k) and the reservation values (k,) and returns a row index, or -1 when no
row gives every party at least its reservation value. Ties go to the lowest index.
"""

from __future__ import annotations

import numpy as np

from entente.prefs import Floats


def _rational(u: Floats, reservation: Floats) -> np.ndarray:
    return np.flatnonzero((u >= np.asarray(reservation)[None, :]).all(axis=1))


def _first_max(values: Floats, ids: np.ndarray) -> int:
    if len(ids) == 0:
        return -1
    best = values.max()
    return int(ids[np.flatnonzero(values >= best)[0]])


def nash(u: Floats, reservation: Floats) -> int:
    """The Nash bargaining point: the largest product of gains over the reservation values."""
    ids = _rational(u, reservation)
    gains = u[ids] - np.asarray(reservation)[None, :]
    # sum of logs, not a product: no underflow with many parties; zero gain ranks lowest
    with np.errstate(divide="ignore"):
        score = np.log(np.maximum(gains, 0.0)).sum(axis=1)
    return _first_max(score, ids)


def kalai_smorodinsky(u: Floats, reservation: Floats) -> int:
    """The Kalai-Smorodinsky point: the largest equal share of each party's best possible gain."""
    ids = _rational(u, reservation)
    if len(ids) == 0:
        return -1
    r = np.asarray(reservation)
    gains = u[ids] - r[None, :]
    ideal = gains.max(axis=0)
    share = gains / np.where(ideal > 0, ideal, 1.0)[None, :]
    worst = share.min(axis=1)
    top = worst >= worst.max() - 1e-12
    # among equal shares, the one with most welfare (so the point is Pareto optimal)
    welfare = np.where(top, gains.sum(axis=1), -np.inf)
    return _first_max(welfare, ids)


def egalitarian(u: Floats, reservation: Floats) -> int:
    """The egalitarian point: the largest smallest gain over the reservation values."""
    ids = _rational(u, reservation)
    if len(ids) == 0:
        return -1
    gains = u[ids] - np.asarray(reservation)[None, :]
    worst = gains.min(axis=1)
    top = worst >= worst.max() - 1e-12
    return _first_max(np.where(top, gains.sum(axis=1), -np.inf), ids)


def max_welfare(u: Floats, reservation: Floats) -> int:
    """The outcome with the largest sum of utilities (among individually rational ones)."""
    ids = _rational(u, reservation)
    return _first_max(u[ids].sum(axis=1), ids) if len(ids) else -1
