"""The Pareto frontier of a set of utility vectors.

Two parties: sort once, sweep once. More parties: a skyline filter in sorted blocks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from entente.prefs import Floats


def pareto_mask(u: Floats) -> NDArray[np.bool_]:
    """True for each row of `u` (m, k) that no other row weakly dominates with one strict gain.

    Rows with identical vectors do not dominate one another: all of them are kept.
    """
    u = np.asarray(u, dtype=np.float64)
    m, k = u.shape
    if m == 0:
        return np.zeros(0, dtype=bool)
    if k == 1:
        return u[:, 0] == u[:, 0].max()
    if k == 2:
        return _mask2(u)
    return _skyline(u)


def pareto_front(u: Floats) -> NDArray[np.int64]:
    """Row indices of the frontier, from the first party's best to its worst (ties by index)."""
    idx = np.flatnonzero(pareto_mask(u))
    keys = tuple(-u[idx, j] for j in reversed(range(u.shape[1])))
    return idx[np.lexsort((idx, *keys))]


def _mask2(u: Floats, coarse: int = 4096) -> NDArray[np.bool_]:
    """Two-party frontier; on many rows, first drop those a coarse grid already shows dominated."""
    a, b = u[:, 0], u[:, 1]
    lo, hi = float(a.min()), float(a.max())
    if len(a) <= coarse or not 0 < hi - lo < np.inf or not np.isfinite(b).all():
        return _sweep2(u)
    # cells of a, non-decreasing in a: a row in a higher cell has a strictly larger a
    cells = max(1, min(len(a) // 16, 1 << 16))
    cell = np.subtract(a, lo)
    cell *= cells / (hi - lo)
    np.minimum(cell, cells - 1, out=cell)
    c = cell.astype(np.intp)
    top_b = np.full(cells + 1, -np.inf)
    np.maximum.at(top_b, c, b)
    # best b in any strictly higher cell; a row with no more b than that is dominated
    above = np.maximum.accumulate(top_b[::-1])[::-1][1:]
    alive = np.flatnonzero(b > above[c])
    mask = np.zeros(len(a), dtype=bool)
    mask[alive] = _sweep2(u[alive])
    return mask


def _sweep2(u: Floats) -> NDArray[np.bool_]:
    a, b = u[:, 0], u[:, 1]
    order = np.lexsort((-b, -a))  # a descending, then b descending
    sa, sb = a[order], b[order]
    # first position of each run of equal a: the best b of the run sits there
    start = np.r_[True, sa[1:] != sa[:-1]]
    run_id = np.cumsum(start) - 1
    run_best_b = sb[start]
    # best b among all strictly larger a: prefix max over earlier runs
    prefix = np.maximum.accumulate(run_best_b)
    before = np.r_[-np.inf, prefix[:-1]]
    keep_sorted = (sb == run_best_b[run_id]) & (sb > before[run_id])
    mask = np.zeros(u.shape[0], dtype=bool)
    mask[order] = keep_sorted
    return mask


def _skyline(u: Floats, block: int = 2048) -> NDArray[np.bool_]:
    """k-party frontier: rows in order of decreasing sum, filtered block by block."""
    order = np.lexsort((np.arange(u.shape[0]), -u.sum(axis=1)))
    front = np.empty((0, u.shape[1]))
    kept: list[NDArray[np.int64]] = []
    for s in range(0, len(order), block):
        ids = order[s : s + block]
        x = u[ids]
        # drop rows dominated by the frontier found so far
        if len(front):
            alive = ~_dominated_by(x, front)
            ids, x = ids[alive], x[alive]
        # then rows dominated inside the block
        if len(ids):
            alive = ~_dominated_by(x, x)
            ids, x = ids[alive], x[alive]
            kept.append(ids)
            front = np.vstack([front, x])
    mask = np.zeros(u.shape[0], dtype=bool)
    if kept:
        mask[np.concatenate(kept)] = True
    return mask


def _dominated_by(x: Floats, by: Floats, chunk: int = 512) -> NDArray[np.bool_]:
    """For each row of x: does some row of `by` weakly dominate it with one strict gain?"""
    out = np.zeros(x.shape[0], dtype=bool)
    for s in range(0, x.shape[0], chunk):
        xs = x[s : s + chunk, None, :]
        ge = np.all(by[None, :, :] >= xs, axis=2)
        gt = np.any(by[None, :, :] > xs, axis=2)
        out[s : s + chunk] = np.any(ge & gt, axis=1)
    return out
