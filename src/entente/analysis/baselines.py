"""Measures of predicted outcomes against a reference outcome, and their spread over draws.

Outcomes are flat ids of a space of issue sizes `shape` (-1: no agreement, which matches no
issue). The bargaining points and the random Pareto point of each draw come from
`analysis.sensitivity.solve` (which computes them with `analysis.points`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

PERCENTILES = (10, 50, 90)


def options(ids: NDArray[np.int64], shape: tuple[int, ...]) -> NDArray[np.int64]:
    """The option of each issue (m, n) of flat ids (m,); rows of -1 for no agreement."""
    ids = np.asarray(ids, dtype=np.int64)
    out = np.full((len(ids), len(shape)), -1, dtype=np.int64)
    ok = ids >= 0
    if ok.any():
        out[ok] = np.stack(np.unravel_index(ids[ok], shape), axis=1)
    return out


def matched(
    ids: NDArray[np.int64], shape: tuple[int, ...], reference: tuple[int, ...]
) -> NDArray[np.int64]:
    """How many issues of each outcome take the reference's option (0 for no agreement)."""
    return (options(ids, shape) == np.asarray(reference)[None, :]).sum(axis=1)


def spread(x: NDArray[np.int64] | NDArray[np.float64]) -> dict[str, float]:
    """Mean and the 10th, 50th and 90th percentiles."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0:
        return {}
    out = {"mean": float(x.mean())}
    for p in PERCENTILES:
        out[f"p{p}"] = float(np.percentile(x, p))
    return out


def mode(ids: NDArray[np.int64]) -> tuple[int, float]:
    """The most frequent id (the smallest among equals) and its share."""
    values, counts = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
    j = int(np.argmax(counts))
    return int(values[j]), float(counts[j] / counts.sum())


def first_order(
    theta: NDArray[np.float64], y: NDArray[np.float64], bins: int = 20
) -> NDArray[np.float64]:
    """First-order sensitivity index of `y` (B,) to each column of `theta` (B, D), from the
    draws alone: the variance of the mean of `y` within equal-count bins of the column, over
    the variance of `y` (0 where `y` does not vary)."""
    y = np.asarray(y, dtype=np.float64)
    var = float(y.var())
    b, d = theta.shape
    out = np.zeros(d)
    if var <= 0 or b < 2 * bins:
        return out
    edges = np.linspace(0, b, bins + 1).astype(np.int64)
    for j in range(d):
        ys = y[np.argsort(theta[:, j], kind="stable")]
        means = np.add.reduceat(ys, edges[:-1]) / np.diff(edges)
        out[j] = float(((means - y.mean()) ** 2 * np.diff(edges)).sum() / b / var)
    return out
