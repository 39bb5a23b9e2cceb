"""Bargaining solutions over a finite set of utility vectors.

Each takes `u` (m, k) and the reservation values (k,) and returns a row index, or -1 when no
row gives every party at least its reservation value. Utilities within each party's tie
tolerance (`pareto.tolerance`) count as equal, here as in the frontier: a utility a rounding
error below the reservation value still meets it, and scores that differ only by what such
errors can make are ties. Among tied rows, the lowest that no other tied row dominates wins,
so the point lies on the frontier even when every product of gains is zero.

The rule, for each point, with R the rows that meet every reservation value (`u >= r - t`)
and g = u - r a row's gains:

- Nash: score = sum of log g_i (a gain at most t_i counts as 0, so -inf); x* the first row of
  R with the largest score S*; tol = sum of t_i / max(g*_i, floor_i), g* the gains of x*,
  floor a millionth of each party's scale; tied: the rows of R with score >= S* - tol.
- Kalai-Smorodinsky: share_i = g_i / G_i, G the largest gains over R (1 where G_i <= t_i);
  top: the rows of R whose smallest share is within max(t_i / G_i) of the largest; tied: the
  rows of top whose sum of gains is within sum(t) of top's largest.
- egalitarian: as Kalai-Smorodinsky with the gains themselves for shares, max(t) for the
  first tolerance.
- max welfare: tied: the rows of R whose sum of utilities is within sum(t) of the largest.

Then the winner is the first tied row that no other tied row dominates (with the tolerances t
of all of `u`), or the first tied row when every tied row is dominated (a cycle, k >= 3).

Only the Pareto frontier's rows can win, but computing a point over them alone would not give
the same answer: a row a tolerance from a frontier row is dominated, yet its score can be the
largest (it decides S* and tol for Nash) or its utility the largest for a party (it decides
G for Kalai-Smorodinsky), and either can move the tie threshold enough to let in or keep out
another row. So the rule is kept as stated, and the work is cut another way:

- Kalai-Smorodinsky, egalitarian and max welfare compute each row's quantities column by
  column (the same floating-point operations on the same values as the plain rule, whose
  minima and maxima are exact), and only the rows of `top` (tied) are gathered.
- Nash takes a cheap bound first (`_nash_rows`): the product of gains per row, one multiply
  per party, in place of two logarithms and a sum. The exact score of the row with the
  largest product is a lower bound L <= S*, which bounds every gain of x* from below, hence
  tol from above by some TOL; every row that could be x* or tied has score >= S* - tol >=
  L - TOL, so its product is at least exp(L - TOL - d), d covering the rounding of a product
  and of a sum of logarithms. The plain rule then runs on the rows above that threshold (in
  their order, with the tolerances of all of `u`): x* is among them (its score is S* >= L),
  so are all rows scoring S* (so the first of them is still x*), hence the same tol, the
  same tied rows and the same winner; rows let in by the slack of the bound score below
  S* - tol and change nothing. Where a product could underflow or overflow, or values are
  not finite, the plain rule runs on every row.

`tests/test_points_fast.py` checks each fast path against the plain rule (`plain`) on random
and tied data and on GENIUS domains.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from entente.analysis.pareto import TIE, _bounds, tolerance, undominated
from entente.prefs import Floats

FAST_FROM = 2048
"""Fewer rows than this go through the plain rule (the fast path's few extra steps cost more
than they save)."""


def _rational(u: Floats, reservation: Floats, t: Floats) -> NDArray[np.intp]:
    low = np.asarray(reservation) - t
    if u.shape[1] == 2:  # the same test by columns: reductions along short rows are slow
        return ((u[:, 0] >= low[0]) & (u[:, 1] >= low[1])).nonzero()[0]
    ok = np.logical_and.reduce(u >= low[None, :], axis=1)
    return np.asarray(ok).nonzero()[0]


def _first_max(values: Floats, ids: NDArray[np.intp], tol: float, u: Floats, t: Floats) -> int:
    """The first of `ids` whose value is within `tol` of the largest and that no other such
    row of `u` dominates (with ties `t`), or -1 when `ids` is empty."""
    if len(ids) == 0:
        return -1
    tied = ids[values >= np.maximum.reduce(values) - tol]
    if len(tied) > 1:
        best = undominated(u[tied], t).nonzero()[0]
        return int(tied[best[0] if len(best) else 0])
    return int(tied[0])


# --- the plain rule over every row -----------------------------------------------------------


def _nash_scores(gains: Floats, t: Floats) -> Floats:
    """Each row's sum of logs of gains; a gain within the tolerance of zero counts as zero."""
    # sum of logs, not a product: no underflow with many parties; a gain within the
    # tolerance of zero is zero, and ranks lowest
    score = gains.copy()
    zero = score <= t
    score[zero] = 1.0  # then -inf, the log of zero, without a warning to silence
    np.log(score, out=score)
    score[zero] = -np.inf
    if score.shape[1] == 2:  # the same sums (up to the sign of a zero) without a slow reduction
        return score[:, 0] + score[:, 1]
    return np.add.reduce(score, axis=1)


def _nash_plain(u: Floats, reservation: Floats, t: Floats) -> int:
    ids = _rational(u, reservation, t)
    if len(ids) == 0:
        return -1
    gains = u[ids] - np.asarray(reservation)[None, :]
    score = _nash_scores(gains, t)
    # moving each utility by its tolerance moves the log of a gain g by about t / g; gains are
    # floored at a millionth of the scale, where near-zero gains make every score uncertain
    g = gains[int(score.argmax())]
    tol = float(np.add.reduce(t / np.maximum(g, _floor(t))))
    return _first_max(score, ids, tol, u, t)


def _floor(t: Floats) -> Floats:
    floor = 1e-6 * t / TIE
    return np.where(floor > 0, floor, 1.0)


def _ks_plain(u: Floats, reservation: Floats, t: Floats) -> int:
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


def _egalitarian_plain(u: Floats, reservation: Floats, t: Floats) -> int:
    ids = _rational(u, reservation, t)
    if len(ids) == 0:
        return -1
    gains = u[ids] - np.asarray(reservation)[None, :]
    worst = gains.min(axis=1)
    top = worst >= worst.max() - float(t.max())
    return _first_max(np.where(top, gains.sum(axis=1), -np.inf), ids, float(t.sum()), u, t)


def _max_welfare_plain(u: Floats, reservation: Floats, t: Floats) -> int:
    ids = _rational(u, reservation, t)
    return _first_max(u[ids].sum(axis=1), ids, float(t.sum()), u, t) if len(ids) else -1


Rule = Callable[[Floats, Floats, Floats], int]


def plain(rule: str, u: Floats, reservation: Floats) -> int:
    """The point named `rule` ('nash', 'kalai_smorodinsky', 'egalitarian', 'max_welfare') by
    the plain rule over every row: what the public functions return, computed the slow way."""
    u = np.asarray(u, dtype=np.float64)
    return _PLAIN[rule](u, reservation, tolerance(u))


_PLAIN: dict[str, Rule] = {
    "nash": _nash_plain,
    "kalai_smorodinsky": _ks_plain,
    "egalitarian": _egalitarian_plain,
    "max_welfare": _max_welfare_plain,
}


# --- the fast paths ----------------------------------------------------------------------------


def _columns(u: Floats, reservation: Floats, t: Floats) -> tuple[list[Floats], NDArray[np.bool_]]:
    """Each party's gains (m,) and the rational rows' mask, column by column: the values the
    plain rule computes on (m, k) arrays, without its slow reductions along rows."""
    r = np.asarray(reservation)
    low = r - t
    gains = []
    ok = np.ones(len(u), dtype=bool)
    for j in range(u.shape[1]):
        col = u[:, j]
        ok &= col >= low[j]
        gains.append(col - r[j])
    return gains, ok


def _measure(u: Floats, reservation: Floats) -> tuple[Floats, Floats, bool]:
    """`tolerance(u)`, each column's largest value, and whether `u` and the reservation values
    are all finite (the fast paths' bounds assume they are)."""
    lo, hi, finite = _bounds(u)
    t = TIE * np.maximum(hi - lo, np.maximum(np.abs(hi), np.abs(lo)))
    return t, hi, finite and bool(np.isfinite(np.asarray(reservation, dtype=np.float64)).all())


def nash(u: Floats, reservation: Floats) -> int:
    """The Nash bargaining point: the largest product of gains over the reservation values."""
    u = np.asarray(u, dtype=np.float64)
    if len(u) >= FAST_FROM and u.ndim == 2 and u.shape[1]:
        t, hi, finite = _measure(u, reservation)
        rows = _nash_rows(u, reservation, t, hi) if finite else None
        if rows is not None:
            got = _nash_plain(u[rows], reservation, t)
            return int(rows[got]) if got >= 0 else -1
    else:
        t = tolerance(u)
    return _nash_plain(u, reservation, t)


def _nash_rows(u: Floats, reservation: Floats, t: Floats, hi: Floats) -> NDArray[np.intp] | None:
    """Rows, in order, among which lie the Nash rule's x* and every row it ties (see the
    module's notes), or None where the bound does not apply (the plain rule must run)."""
    m, k = u.shape
    r = np.asarray(reservation, dtype=np.float64)
    top = hi - r  # the largest gains: subtraction rounds monotonically
    if not (top > 0).all():
        return None  # a party gains nowhere: every score is -inf
    big = float(np.prod(np.maximum(top, 1.0)))
    if not big < 1e290:
        return None  # products of these gains could overflow
    # each row's product of gains, 0 where a gain is not positive; in blocks that stay in cache
    product = np.empty(m)
    for s in range(0, m, _BLOCK):
        gains = u[s : s + _BLOCK] - r[None, :]
        p = product[s : s + _BLOCK]
        p[:] = gains[:, 0]
        positive = gains[:, 0] > 0
        for j in range(1, k):
            p *= gains[:, j]
            positive &= gains[:, j] > 0
        np.copyto(p, 0.0, where=~positive)
    x0 = int(product.argmax())
    if not product[x0] > 0:
        return None  # no row with every gain positive
    low = float(_nash_scores((u[x0 : x0 + 1] - r[None, :]), t)[0])
    if not np.isfinite(low):
        return None
    # every gain of x* is at least exp(low - sum of logs of the others' largest gains)
    logs = np.log(top)
    least = np.exp(low - (logs.sum() - logs) - 1e-6)
    tol = float((t / np.maximum(least, _floor(t))).sum())
    bound = 2.0 * tol + 1e-12 * (1.0 + abs(low))  # covers the rounding of tol's sum
    # products lose at most a few ulps each, logs a few ulps of values up to 745: 1e-8 is wide
    threshold = float(np.exp(low - bound - 1e-8 * k))
    if not threshold > 1e-290 * big:
        return None  # products of the rows that matter could underflow
    return (product >= threshold).nonzero()[0]


_BLOCK = 1 << 15
"""Rows per block where a fast path walks every row."""


def kalai_smorodinsky(u: Floats, reservation: Floats) -> int:
    """The Kalai-Smorodinsky point: the largest equal share of each party's best possible gain."""
    u = np.asarray(u, dtype=np.float64)
    if len(u) < FAST_FROM or u.ndim != 2 or not u.shape[1]:
        return _ks_plain(u, reservation, tolerance(u))
    t, _, finite = _measure(u, reservation)
    if not finite:
        return _ks_plain(u, reservation, t)
    gains, ok = _columns(u, reservation, t)
    if not ok.any():
        return -1
    ideal = np.array([float(g[ok].max()) for g in gains])
    positive = ideal > t
    unit = np.where(positive, ideal, 1.0)
    worst = gains[0] / unit[0]
    for g, s in zip(gains[1:], unit[1:], strict=True):
        np.minimum(worst, g / s, out=worst)
    return _top_welfare(u, reservation, t, worst, ok, float((t / unit).max()))


def egalitarian(u: Floats, reservation: Floats) -> int:
    """The egalitarian point: the largest smallest gain over the reservation values."""
    u = np.asarray(u, dtype=np.float64)
    if len(u) < FAST_FROM or u.ndim != 2 or not u.shape[1]:
        return _egalitarian_plain(u, reservation, tolerance(u))
    t, _, finite = _measure(u, reservation)
    if not finite:
        return _egalitarian_plain(u, reservation, t)
    gains, ok = _columns(u, reservation, t)
    if not ok.any():
        return -1
    worst = gains[0].copy()
    for g in gains[1:]:
        np.minimum(worst, g, out=worst)
    return _top_welfare(u, reservation, t, worst, ok, float(t.max()))


def _top_welfare(
    u: Floats, reservation: Floats, t: Floats, worst: Floats, ok: NDArray[np.bool_], tol: float
) -> int:
    """The plain rule's last steps: among rational rows whose `worst` is within `tol` of the
    largest, the tied ones by sum of gains."""
    w = worst[ok]
    top = np.flatnonzero(ok)[w >= w.max() - tol]
    welfare = (u[top] - np.asarray(reservation)[None, :]).sum(axis=1)
    return _first_max(welfare, top, float(t.sum()), u, t)


def max_welfare(u: Floats, reservation: Floats) -> int:
    """The outcome with the largest sum of utilities (among individually rational ones)."""
    u = np.asarray(u, dtype=np.float64)
    if len(u) < FAST_FROM or u.ndim != 2 or not u.shape[1]:
        return _max_welfare_plain(u, reservation, tolerance(u))
    t, _, finite = _measure(u, reservation)
    if not finite:
        return _max_welfare_plain(u, reservation, t)
    _, ok = _columns(u, reservation, t)
    if not ok.any():
        return -1
    # a superset of the tied rows: column sums differ from the plain sum's order by a few ulps
    total = u[:, 0].copy()
    for j in range(1, u.shape[1]):
        total += u[:, j]
    total[~ok] = -np.inf
    best = float(total.max())
    scale = float(t.sum() / TIE)  # at least the sum of the columns' magnitudes
    slack = float(t.sum()) + 8 * u.shape[1] * np.finfo(float).eps * scale
    rows = np.flatnonzero(total >= best - slack)
    got = _max_welfare_plain(u[rows], reservation, t)
    return int(rows[got]) if got >= 0 else -1
