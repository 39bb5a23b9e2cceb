"""Rewrite a linear additive utility as per-issue tables that other formats can hold.

GENIUS and GeniusWeb have no constant term and no negative evaluations: a utility
offset + sum_i w_i v_i is rewritten as sum_i t_i with every table t_i >= 0, the offset and
the tables' minima folded into the first table. Writers then pick weights = max(t_i).
"""

from __future__ import annotations

import numpy as np

from entente.errors import ScenarioError
from entente.prefs import Floats, LinearAdditive, Preferences


def tables(prefs: Preferences, who: str, fmt: str) -> list[Floats]:
    """Non-negative tables t_i, one per issue, with utility(x) = sum_i t_i[x_i]."""
    lin = prefs.linear
    if lin is None:
        raise ScenarioError(f"{fmt} holds linear additive utilities only", field=who)
    if prefs.red_lines:
        raise ScenarioError(f"{fmt} has no red lines: cannot write them", field=who)
    t = [lin.issue_values(i).copy() for i in range(len(lin.values))]
    if not (all(np.isfinite(ti).all() for ti in t) and np.isfinite(prefs.offset)):
        raise ScenarioError(f"{fmt} holds finite numbers only; this utility has others", field=who)
    rest = prefs.offset
    for ti in t:
        low = ti.min()
        ti -= low
        rest += low
    if rest < -1e-12 * max(1.0, abs(prefs.offset)):
        raise ScenarioError(
            f"{fmt} utilities cannot be negative (lowest utility {rest:.6g}); normalise first",
            field=who,
        )
    t[0] += max(rest, 0.0)
    return t


def weighted(t: Floats) -> tuple[float, Floats]:
    """(weight, evaluations in [0, 1]) with weight * evaluations == t."""
    top = float(t.max())
    if top <= 0:
        return 0.0, np.zeros_like(t)
    return top, t / top


def affine(t: Floats, x: Floats) -> tuple[float, float] | None:
    """(value at x[0], slope) if t is affine in x (to rounding), else None."""
    if len(t) < 2:
        return (float(t[0]), 0.0)
    slope = (t[-1] - t[0]) / (x[-1] - x[0])
    line = t[0] + slope * (x - x[0])
    scale = max(1.0, float(np.abs(t).max()))
    return (float(t[0]), float(slope)) if np.abs(line - t).max() <= 1e-13 * scale else None


def from_tables(t: list[Floats]) -> LinearAdditive:
    """The linear additive term sum_i t_i (weights 1)."""
    return LinearAdditive(np.ones(len(t)), tuple(t))
