"""How far outcomes lie from the frontier, and how opposed the parties are."""

from __future__ import annotations

import numpy as np

from entente.prefs import Floats


def frontier_distance(points: Floats, front: Floats) -> Floats:
    """Euclidean distance from each point (m, k) to the nearest frontier vector (f, k).

    Zero for a point on the frontier; the frontier is the finite set of its outcomes.
    """
    p = np.atleast_2d(np.asarray(points, dtype=np.float64))
    f = np.asarray(front, dtype=np.float64)
    out = np.empty(p.shape[0])
    for s in range(0, p.shape[0], 1024):
        d = ((p[s : s + 1024, None, :] - f[None, :, :]) ** 2).sum(axis=2)
        out[s : s + 1024] = np.sqrt(d.min(axis=1))
    return out


def opposition(u: Floats) -> float:
    """How far the best compromise lies from everyone's ideal, in [0, 1].

    Utilities are rescaled per party to [0, 1]; the result is the smallest distance from any
    outcome to the ideal point (1, ..., 1), divided by sqrt(k). 0: one outcome is ideal for all.
    """
    u = np.asarray(u, dtype=np.float64)
    lo, hi = u.min(axis=0), u.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    z = (u - lo) / span
    return float(np.sqrt(((1.0 - z) ** 2).sum(axis=1)).min() / np.sqrt(u.shape[1]))
