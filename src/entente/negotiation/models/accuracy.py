"""How well an opponent model knows its opponent: rank and linear correlation over outcomes.

`accuracy(estimated, true)` gives Kendall's tau (tau-b, which counts ties as Kendall's 1945
variant does) and Pearson's correlation between an estimated and the true utility of every
outcome, as the BOA literature reports opponent-model quality (Baarslag et al. 2013, "Predicting
the performance of opponent models in automated negotiation"). Tau is counted with Knight's
method (1966): sort by the first variable, then count the discordant pairs as the inversions of
the second, with a bottom-up merge over NumPy arrays (O(n log^2 n), no Python loop over outcomes).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from entente.prefs import Floats


def _tied_pairs(keys: NDArray[np.int64]) -> int:
    """Pairs of rows that share a key (keys given as non-negative integers).

    Counted by sorting, not by `bincount`: a joint key of two rankings reaches n**2, far too
    large an array for a domain of 10**5 outcomes."""
    counts = np.unique(keys, return_counts=True)[1].astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def _inversions(a: NDArray[np.int64]) -> int:
    """Pairs i < j with a[i] > a[j] (strictly), for integer ranks 0 <= a < n."""
    n = len(a)
    a = a.astype(np.int64).copy()
    pos = np.arange(n, dtype=np.int64)
    total = 0
    size = 1
    while size < n:
        pair = pos // (2 * size)  # which merge each element takes part in
        right = (pos // size) % 2 == 1
        # keys sorted within each pair's left half, and pair by pair: one global searchsorted
        key = a + pair * n
        left_keys = key[~right]
        not_above = np.searchsorted(left_keys, key[right], side="right")
        ends = np.searchsorted(left_keys, (pair[right] + 1) * n, side="left")
        total += int((ends - not_above).sum())
        a = np.sort(key, kind="stable") - pair * n  # merge: sort each pair's block
        size *= 2
    return total


def _ranks(x: Floats) -> NDArray[np.int64]:
    """Dense integer ranks (equal values, equal ranks)."""
    return np.unique(np.asarray(x, dtype=np.float64), return_inverse=True)[1].astype(np.int64)


def kendall_tau(x: Floats, y: Floats) -> float:
    """Kendall's tau-b of two equally long arrays; NaN when either is constant."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("kendall_tau needs two 1-d arrays of the same length")
    n = len(x)
    rx, ry = _ranks(x), _ranks(y)
    n0 = n * (n - 1) // 2
    n1, n2 = _tied_pairs(rx), _tied_pairs(ry)
    n3 = _tied_pairs(rx * (int(ry.max(initial=0)) + 1) + ry)
    denominator = (n0 - n1) * (n0 - n2)
    if denominator == 0:
        return math.nan
    order = np.lexsort((ry, rx))  # by x, ties in x by y: those pairs are never inversions
    discordant = _inversions(ry[order])
    concordant = n0 - n1 - n2 + n3 - discordant
    return (concordant - discordant) / math.sqrt(denominator)


def pearson(x: Floats, y: Floats) -> float:
    """Pearson's correlation; NaN when either array is constant."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    dx, dy = x - x.mean(), y - y.mean()
    scale = math.sqrt(float(dx @ dx) * float(dy @ dy))
    return float(dx @ dy) / scale if scale > 0 else math.nan


def accuracy(estimated: Floats, true: Floats) -> tuple[float, float]:
    """(Kendall's tau-b, Pearson's r) between estimated and true utilities of the same outcomes."""
    return kendall_tau(estimated, true), pearson(estimated, true)
