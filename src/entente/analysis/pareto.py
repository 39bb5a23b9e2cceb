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

Two parties: a coarse grid prefilter, then one sort and a few searches. Three parties: repeated
rows merged, a coarse grid prefilter, then for each party an offline sweep in the order of its
utility with a two-dimensional staircase query for the other two (`_sweep3`), each comparison
the definition's own. More parties: a skyline filter in sorted blocks, then an exact check
among the few rows it leaves.

`progress`, where taken, is called with the fraction done (0 to 1) between steps; what it
raises stops the computation (a time budget, say).
"""

from __future__ import annotations

import math
from collections.abc import Callable

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
    if u.size > 0 and len(u) <= 32:  # few rows: two reductions beat a loop of them
        lo, hi = np.minimum.reduce(u, axis=0), np.maximum.reduce(u, axis=0)
        if math.isfinite(np.add.reduce(hi - lo)):  # else a value is not finite, or the sum
            return lo, hi, True
    lo, hi = np.zeros(k), np.zeros(k)
    finite = True
    if u.size == 0:
        return lo, hi, finite
    for j in range(k):  # column by column: min(axis=0) is slow on a tall (m, 2)
        col = u[:, j]
        lo[j], hi[j] = np.minimum.reduce(col), np.maximum.reduce(col)
        if not (math.isfinite(lo[j]) and math.isfinite(hi[j])):
            finite = False
            col = col[np.isfinite(col)]
            lo[j], hi[j] = (col.min(), col.max()) if len(col) else (0.0, 0.0)
    return lo, hi, finite


Progress = Callable[[float], None]
"""Called with the fraction of the work done; may raise to stop it."""


def pareto_mask(u: Floats, progress: Progress | None = None) -> NDArray[np.bool_]:
    """True for each row of `u` (m, k) that no other row dominates (beyond `tolerance(u)`).

    Rows equal within the tolerance do not dominate one another: all of them are kept.
    """
    u = np.asarray(u, dtype=np.float64)
    m, _ = u.shape
    if m == 0:
        return np.zeros(0, dtype=bool)
    lo, hi, finite = _bounds(u)
    t = TIE * np.maximum(hi - lo, np.maximum(np.abs(hi), np.abs(lo)))
    return _undominated(u, t, lo, hi, finite, progress)


def undominated(u: Floats, t: Floats) -> NDArray[np.bool_]:
    """`pareto_mask` of `u` (m, k) with the tolerances `t` (k,) given, say those of a larger
    set that `u` is part of."""
    u = np.asarray(u, dtype=np.float64)
    if len(u) == 0:
        return np.zeros(0, dtype=bool)
    t = np.asarray(t, dtype=np.float64)
    if u.shape[1] == 2 and len(u) <= 512:  # what _undominated does, without the bounds
        return _sweep2(u[:, 0], u[:, 1], t)
    return _undominated(u, t, *_bounds(u))


def _undominated(
    u: Floats,
    t: Floats,
    lo: Floats,
    hi: Floats,
    finite: bool,
    progress: Progress | None = None,
) -> NDArray[np.bool_]:
    m, k = u.shape
    if k == 1:
        return ~(u[:, 0].max() > u[:, 0] + t[0])
    if k == 2:
        if not finite or m <= 512:  # from about 500 rows the grid pays for itself
            return _sweep2(u[:, 0], u[:, 1], t)
        return _mask2(u, t, float(lo[0]), float(hi[0]))
    if k == 3 and finite:
        return _mask3(u, t, lo, hi, progress)
    return _skyline(u, t, progress=progress)


def pareto_front(u: Floats, progress: Progress | None = None) -> NDArray[np.int64]:
    """Row indices of the frontier, from the first party's best to its worst (ties by index)."""
    idx = pareto_mask(u, progress).nonzero()[0]
    if u.shape[1] == 2:
        return idx[np.lexsort((idx, -u[idx, 1], -u[idx, 0]))]
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
    order = a.argsort(kind="stable")
    sa, sb = a[order], b[order]
    best_b = np.empty(len(sb) + 1)  # best b from each position on
    best_b[-1] = -np.inf
    np.maximum.accumulate(sb[::-1], out=best_b[-2::-1])
    first_ge = sa.searchsorted(sa - t[0], side="left")
    first_gt = sa.searchsorted(sa + t[0], side="right")
    dominated = (best_b[first_ge] > sb + t[1]) | (best_b[first_gt] >= sb - t[1])
    mask = np.empty(len(a), dtype=bool)
    mask[order] = ~dominated
    return mask


def _skyline(
    u: Floats, t: Floats, block: int = 2048, progress: Progress | None = None
) -> NDArray[np.bool_]:
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
        if progress is not None:
            progress(0.9 * s / len(order))
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


def _mask3(
    u: Floats, t: Floats, lo: Floats, hi: Floats, progress: Progress | None = None
) -> NDArray[np.bool_]:
    """Three-party frontier of finite rows.

    Dominance depends on a row's values only (a row never dominates its copy), so repeated
    rows are merged first: GENIUS domains of millions of outcomes hold a few thousand
    distinct utility vectors. Many distinct rows then go through `_grid3`, which keeps a
    superset of the rows no row beats under a stricter, transitive relation; as in `_skyline`,
    whoever dominates a row is beaten by a kept row that dominates it too, so checking the
    kept rows against one another (`_sweep3`) is exact.
    """
    step = progress or (lambda f: None)
    m = len(u)
    rows, back = (u, None) if m < 4096 else _distinct(u)
    step(0.3)
    cand = np.arange(len(rows))
    if len(rows) > 20000:
        cand = np.flatnonzero(_grid3(rows, t, lo, hi))
        step(0.4)
    kept = cand[~_sweep3(rows[cand], t, lambda f: step(0.4 + 0.6 * f))]
    mask = np.zeros(len(rows), dtype=bool)
    mask[kept] = True
    return mask if back is None else mask[back]


def _distinct(u: Floats) -> tuple[Floats, NDArray[np.intp] | None]:
    """The distinct rows of `u` and, for each row, its place among them; (u, None) when the
    rows are not worth merging (too many distinct values)."""
    m = len(u)
    code, span = np.zeros(m, dtype=np.int64), 1
    for j in range(u.shape[1]):
        got = _codes(u[:, j], m // 8)
        if got is None:
            return u, None
        code *= got[1]
        code += got[0]
        code, span = _compact(code, span * got[1])
        if span > m // 2:
            return u, None
    first = np.empty(span, dtype=np.int64)
    first[code] = np.arange(m)  # any row of a class will do: they are equal
    return u[first], code


def _codes(col: Floats, most: int) -> tuple[NDArray[np.int64], int] | None:
    """Each value's place among the column's distinct values (found from a sample, then
    completed with any the sample missed), and their number; None past `most` of them."""
    col = np.ascontiguousarray(col)
    values = np.unique(col[:: max(1, len(col) // 262144)])
    if len(values) > most:
        return None
    idx = np.minimum(np.searchsorted(values, col), len(values) - 1)
    missed = np.flatnonzero(values[idx] != col)
    if len(missed):
        more = np.union1d(values, col[missed])
        if len(more) > most:
            return None
        idx = np.searchsorted(more, values)[idx]  # renumbered, then the missed ones placed
        idx[missed] = np.searchsorted(more, col[missed])
        values = more
    return idx.astype(np.int64, copy=False), len(values)


def _compact(code: NDArray[np.int64], span: int) -> tuple[NDArray[np.int64], int]:
    """Codes below `span` renumbered 0..d-1 in the same order, and d."""
    if span <= 4 * len(code) + (1 << 20):
        present = np.zeros(span, dtype=bool)
        present[code] = True
        number = np.cumsum(present, dtype=np.int64) - 1
        return number[code], int(number[-1]) + 1
    values, inverse = np.unique(code, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64, copy=False), len(values)


def _grid3(u: Floats, t: Floats, lo: Floats, hi: Floats, cells: int = 512) -> NDArray[np.bool_]:
    """False for rows that a coarse grid on the first two parties shows beaten: another row
    at least as good for all three and better by more than the tolerance for one.

    Cells are non-decreasing in the utility and far wider than the tolerance, so a row two
    cells higher for one party and one higher for the other, with as much for the third,
    beats the row; so does one a cell higher for both and more than a tolerance above for
    the third. The best third utility over every such cell is one suffix maximum.
    """
    a, b, c = u[:, 0], u[:, 1], u[:, 2]
    n = min(cells, max(4, int(np.sqrt(len(u) / 4))))
    ok = [(hi[j] - lo[j]) / n > 1e3 * float(t[j]) for j in (0, 1)]
    if not all(ok):  # also when a span overflows or is 0
        return np.ones(len(u), dtype=bool)

    def cell(col: Floats, j: int) -> NDArray[np.intp]:
        x = np.subtract(col, lo[j])
        x *= n / (hi[j] - lo[j])
        np.minimum(x, n - 1, out=x)
        return x.astype(np.intp)

    ca, cb = cell(a, 0), cell(b, 1)
    top = np.full(n * n, -np.inf)
    np.maximum.at(top, ca * n + cb, c)
    best = np.full((n + 2, n + 2), -np.inf)
    best[:n, :n] = top.reshape(n, n)
    best = np.maximum.accumulate(best[::-1], axis=0)[::-1]
    best = np.maximum.accumulate(best[:, ::-1], axis=1)[:, ::-1]
    beaten = (best[ca + 2, cb + 1] >= c) | (best[ca + 1, cb + 2] >= c)
    beaten |= best[ca + 1, cb + 1] > c + t[2]
    return ~beaten


def _sweep3(u: Floats, t: Floats, progress: Progress) -> NDArray[np.bool_]:
    """Exactly the rows of `u` (m, 3) that another row dominates.

    Row x is dominated iff for some party j a row y has y_j > x_j + t_j and y_i >= x_i - t_i
    for the other two. For each j: the rows sorted by party j's utility, best first; the rows
    above x_j + t_j are a prefix of that order, and whether the prefix holds a row at least
    x_a - t_a and x_b - t_b for the other two is a two-dimensional dominance query, answered
    for every row at once from the prefix's binary blocks (`_prefix_any`). Values are compared
    through their ranks among the column's sorted values, which decide each comparison
    exactly as the floats do.
    """
    m = len(u)
    low = u - t  # the thresholds the definition compares against, rounded as it rounds them
    high = u + t
    rank = np.empty((m, 3), dtype=np.int64)
    at_least = np.empty((m, 3), dtype=np.int64)
    above = np.empty((m, 3), dtype=np.int64)
    for j in range(3):
        col = np.sort(u[:, j])
        rank[:, j] = np.searchsorted(col, u[:, j], side="left")  # y >= v iff rank >= at_least
        at_least[:, j] = np.searchsorted(col, low[:, j], side="left")
        above[:, j] = m - np.searchsorted(col, high[:, j], side="right")  # rows > x_j + t_j
    dominated = np.zeros(m, dtype=bool)
    for j in range(3):
        a, b = [i for i in range(3) if i != j]
        order = np.argsort(-u[:, j], kind="stable")
        dominated |= _prefix_any(
            rank[order, a], rank[order, b], above[:, j], at_least[:, a], at_least[:, b]
        )
        progress((j + 1) / 3)
    return dominated


def _prefix_any(
    ra: NDArray[np.int64],
    rb: NDArray[np.int64],
    length: NDArray[np.int64],
    qa: NDArray[np.int64],
    qb: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """For each query q: is there a position p < length[q] with ra[p] >= qa[q] and
    rb[p] >= qb[q]? (ra, rb are ranks in 0..n-1; qa, qb in 0..n.)

    [0, length) splits into at most one block of size 2^l per bit l of length, the block
    numbered (length >> l) - 1 at level l. At each level the positions are ordered by (block,
    ra), which one stable sort of the previous level's order gives (two sorted runs merged per
    block); the best rb from each place to its block's end answers every query of that level
    with one search.
    """
    n = len(ra)
    hit = np.zeros(len(length), dtype=bool)
    o = np.arange(n, dtype=np.int64)
    place = np.arange(n, dtype=np.int64)
    width = n + 1
    for level in range(max(1, n.bit_length())):
        if level:
            key = (o >> level) * width + ra[o]
            o = o[np.argsort(key, kind="stable")]
        block = place >> level
        keys = block * width + ra[o]
        nb = int(block[-1]) + 1
        shift = (nb - 1 - block) * width  # later blocks lower: the maximum stays in its block
        best = np.maximum.accumulate((rb[o] + shift)[::-1])[::-1] - shift
        ask = np.flatnonzero((length >> level) & 1)
        if len(ask) == 0:
            continue
        target = (length[ask] >> level) - 1
        pos = np.searchsorted(keys, target * width + qa[ask], side="left")
        inside = pos < (target + 1) << level
        got = ask[inside]
        hit[got] |= best[pos[inside]] >= qb[got]
    return hit
