"""The Pareto frontier of a set of utility vectors, with rounding noise treated as a tie.

Utilities equal in exact arithmetic can come out of floating point one unit in the last
place apart (0.1 + 0.2 is not 0.3), so dominance is decided with a tolerance per party:

    a dominates b  iff  a_i >= b_i - t_i for every party i,
                        and a_j > b_j + t_j for some party j,

where t = `tolerance(u)`: `TIE` times the scale of each party's utility column. A row is on
the frontier when no other row dominates it. Rows within the tolerance of one another do not
dominate each other, so all of them are kept, exact duplicates included.

The relation is not transitive (a row may be dominated only by a row that is itself
dominated), so the fast paths below never rely on transitivity; the tests check them against
the plain O(m^2) definition. With three or more parties, rows a little more than a tolerance
apart can even dominate one another in a cycle, and then none of them is kept; utilities that
differ by rounding noise only, or by real amounts, never do.

Two parties: a coarse grid prefilter, then one sort and a few searches. More parties: a
skyline filter in sorted blocks, then an exact check among the few rows it leaves.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from entente.prefs import Floats

TIE = 1e-12
"""Utilities closer than TIE times the scale of a party's utilities are equal for dominance."""


def tolerance(u: Floats) -> Floats:
    """Each party's tie tolerance (k,): `TIE` times the larger of the span and the magnitude
    of its column of `u` (m, k).

    Rounding errors grow with the magnitude of the numbers added, hence the magnitude; the
    span alone would make the tolerance vanish on a column of nearly equal large values.
    Non-finite entries are left out; a column of zeros has tolerance 0.
    """
    lo, hi, _ = _bounds(np.asarray(u, dtype=np.float64))
    return TIE * np.maximum(hi - lo, np.maximum(np.abs(hi), np.abs(lo)))


def _bounds(u: Floats) -> tuple[Floats, Floats, bool]:
    """The smallest and largest finite value of each column (0 and 0 for a column without),
    and whether every value is finite."""
    k = u.shape[1] if u.ndim == 2 else 0
    lo, hi = np.zeros(k), np.zeros(k)
    finite = True
    if u.size == 0:
        return lo, hi, finite
    for j in range(k):  # column by column: min(axis=0) is slow on a tall (m, 2)
        col = u[:, j]
        lo[j], hi[j] = col.min(), col.max()
        if not (np.isfinite(lo[j]) and np.isfinite(hi[j])):
            finite = False
            col = col[np.isfinite(col)]
            lo[j], hi[j] = (col.min(), col.max()) if len(col) else (0.0, 0.0)
    return lo, hi, finite


def pareto_mask(u: Floats) -> NDArray[np.bool_]:
    """True for each row of `u` (m, k) that no other row dominates (beyond `tolerance(u)`).

    Rows equal within the tolerance do not dominate one another: all of them are kept.
    """
    u = np.asarray(u, dtype=np.float64)
    m, _ = u.shape
    if m == 0:
        return np.zeros(0, dtype=bool)
    lo, hi, finite = _bounds(u)
    t = TIE * np.maximum(hi - lo, np.maximum(np.abs(hi), np.abs(lo)))
    return _undominated(u, t, lo, hi, finite)


def undominated(u: Floats, t: Floats) -> NDArray[np.bool_]:
    """`pareto_mask` of `u` (m, k) with the tolerances `t` (k,) given, say those of a larger
    set that `u` is part of."""
    u = np.asarray(u, dtype=np.float64)
    if len(u) == 0:
        return np.zeros(0, dtype=bool)
    return _undominated(u, np.asarray(t, dtype=np.float64), *_bounds(u))


def _undominated(u: Floats, t: Floats, lo: Floats, hi: Floats, finite: bool) -> NDArray[np.bool_]:
    m, k = u.shape
    if k == 1:
        return ~(u[:, 0].max() > u[:, 0] + t[0])
    if k == 2:
        if not finite or m <= 4096:
            return _sweep2(u[:, 0], u[:, 1], t)
        return _mask2(u, t, float(lo[0]), float(hi[0]))
    return _skyline(u, t)


def pareto_front(u: Floats) -> NDArray[np.int64]:
    """Row indices of the frontier, from the first party's best to its worst (ties by index)."""
    idx = np.flatnonzero(pareto_mask(u))
    keys = tuple(-u[idx, j] for j in reversed(range(u.shape[1])))
    return idx[np.lexsort((idx, *keys))]


def _mask2(u: Floats, t: Floats, lo: float, hi: float) -> NDArray[np.bool_]:
    """Two-party frontier of many finite rows: first drop what a coarse grid shows dominated.

    Cells of the first party's utility are non-decreasing in it. Cells are far wider than the
    tolerance, so a row two or more cells higher beats the first party's utility by more than
    t[0]: if it also gives the second party at least b - t[1], it dominates. A row that no
    higher cell matches so is "loose"; every row that dominates a loose row is loose too, or
    some loose row dominates it as well (see `_sweep2`), so the sweep needs the loose rows only.
    """
    a, b = u[:, 0], u[:, 1]
    cells = max(1, min(len(a) // 16, 1 << 16))
    if not (hi - lo) / cells > 1e3 * float(t[0]):  # also when hi - lo overflows or is 0
        return _sweep2(a, b, t)
    cell = np.subtract(a, lo)
    cell *= cells / (hi - lo)
    np.minimum(cell, cells - 1, out=cell)
    c = cell.astype(np.intp)
    top_b = np.full(cells + 2, -np.inf)
    np.maximum.at(top_b, c, b)
    # best b in any cell at least two higher
    above = np.maximum.accumulate(top_b[::-1])[::-1][2:]
    loose = np.flatnonzero(b > above[c])  # b - t[1] <= b: a superset of the rows kept below
    cl = c[loose]
    al, bl = a[loose], b[loose]
    keep = (bl - t[1] > above[cl]) & _sweep2(al, bl, t)
    mask = np.zeros(len(a), dtype=bool)
    mask[loose[keep]] = True
    return mask


def _sweep2(a: Floats, b: Floats, t: Floats) -> NDArray[np.bool_]:
    """Exactly the rows no other row dominates, for two parties.

    Row x is dominated iff some row y has y_a >= x_a - t0 and y_b > x_b + t1, or y_a > x_a + t0
    and y_b >= x_b - t1 (x itself satisfies neither). With the rows sorted by a and the best b
    of every suffix, each is one search. Why the loose rows suffice in `_mask2`: if y in a cell
    below x's dominates x, then either some row of x's next cell has b >= y_b (and dominates x
    too, and is loose), or y_b beats every cell above y but x's, and y is loose itself.
    """
    order = np.argsort(a, kind="stable")
    sa, sb = a[order], b[order]
    best_b = np.r_[np.maximum.accumulate(sb[::-1])[::-1], -np.inf]  # best b from position on
    first_ge = np.searchsorted(sa, sa - t[0], side="left")
    first_gt = np.searchsorted(sa, sa + t[0], side="right")
    dominated = (best_b[first_ge] > sb + t[1]) | (best_b[first_gt] >= sb - t[1])
    mask = np.empty(len(a), dtype=bool)
    mask[order] = ~dominated
    return mask


def _skyline(u: Floats, t: Floats, block: int = 2048) -> NDArray[np.bool_]:
    """k-party frontier.

    First a skyline under a stricter, transitive relation: y beats x when y_i >= x_i for all i
    and y_j > x_j + t_j for some j. Whoever it drops is dominated. What it keeps includes every
    row nothing beats so, and whoever dominates a row, one of those dominates it too (it is at
    least as good everywhere); so checking the kept rows against one another is exact.
    Rows go in order of decreasing sum of scaled utilities, which makes the skyline fast.
    """
    scale = np.where(t > 0, t / TIE, 1.0)
    order = np.lexsort((np.arange(u.shape[0]), -(u / scale).sum(axis=1)))
    none = np.zeros(u.shape[1])
    front = np.empty((0, u.shape[1]))
    kept: list[NDArray[np.int64]] = []
    for s in range(0, len(order), block):
        ids = order[s : s + block]
        x = u[ids]
        # drop rows beaten by the frontier found so far, then rows beaten inside the block
        if len(front):
            alive = ~_dominated_by(x, front, none, t)
            ids, x = ids[alive], x[alive]
        if len(ids):
            alive = ~_dominated_by(x, x, none, t)
            ids, x = ids[alive], x[alive]
            kept.append(ids)
            front = np.vstack([front, x])
    mask = np.zeros(u.shape[0], dtype=bool)
    if kept:
        ids = np.concatenate(kept)
        mask[ids[~_dominated_by(u[ids], u[ids], t, t)]] = True
    return mask


def _dominated_by(
    x: Floats, by: Floats, lose: Floats, gain: Floats, chunk: int = 512
) -> NDArray[np.bool_]:
    """For each row of x: has `by` a row at least x - lose everywhere and above x + gain once?"""
    out = np.zeros(x.shape[0], dtype=bool)
    for s in range(0, x.shape[0], chunk):
        xs = x[s : s + chunk]
        ge = np.all(by[None, :, :] >= (xs - lose)[:, None, :], axis=2)
        gt = np.any(by[None, :, :] > (xs + gain)[:, None, :], axis=2)
        out[s : s + chunk] = np.any(ge & gt, axis=1)
    return out
