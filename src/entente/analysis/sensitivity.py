"""Bargaining points of many variants of one linear additive negotiation, on arrays.

A variant ("draw") sets every party's issue weights, option values and reservation value.
Utilities are linear in weight x value, so a batch of draws is a few array sums; and the
frontier of a sum of independent parts is found within the sums of the parts' frontiers. The
issues are split into groups (issues tied by a red line stay together, so each group lists
its own feasible combinations once); per draw, each group's undominated combinations are kept
and the groups are merged, pruning after each merge. The few rows left hold every Pareto
optimal outcome, and the bargaining points of `points` are computed on them: on 248,832
outcomes (Portsmouth) a draw keeps a few hundred rows.

Dominance in the groups is decided with the tolerance of the whole space (`pareto.TIE` times
the span or magnitude of the sums), so a row dropped in a group is dominated beyond the
tolerance in every sum it enters, and no outcome the whole table keeps is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
from numpy.typing import NDArray

from entente.analysis.pareto import TIE, undominated
from entente.analysis.points import egalitarian, kalai_smorodinsky, max_welfare, nash
from entente.errors import EntenteError
from entente.prefs import Floats, RedLine

GROUP_SIZE = 1024
"""Largest number of combinations a group of issues is grown to (a red line may force more)."""

MAX_GROUP = 1_000_000
"""Most combinations one group may list (issues tied by red lines, or one large issue)."""

POINTS = ("nash", "kalai_smorodinsky", "egalitarian", "max_welfare")


@dataclass(frozen=True)
class Group:
    """Some issues, the option column (over all issues' options) of each of their feasible
    combinations (m, issues), and each combination's part of the flat outcome id."""

    issues: tuple[int, ...]
    cols: NDArray[np.int64]
    flat: NDArray[np.int64]


@dataclass(frozen=True)
class Linear:
    """k linear additive parties: `weights` (k, n) and `values` (k, O), the value tables of
    the n issues side by side; `normalized` parties are mapped onto [0, 1] in every draw,
    the others keep `offset`."""

    shape: tuple[int, ...]
    weights: Floats
    values: Floats
    offset: Floats
    normalized: NDArray[np.bool_]
    reservation: Floats
    groups: tuple[Group, ...]

    @property
    def issue_of(self) -> NDArray[np.int64]:
        """The issue of each option column (O,)."""
        return np.repeat(np.arange(len(self.shape)), self.shape)

    @property
    def starts(self) -> NDArray[np.int64]:
        return np.concatenate([[0], np.cumsum(self.shape)[:-1]]).astype(np.int64)


def grouped(shape: tuple[int, ...], red_lines: Sequence[RedLine]) -> tuple[Group, ...]:
    """Issues split into groups of at most about `GROUP_SIZE` combinations, each red line's
    issues in one group, with each group's combinations that cross no red line."""
    n = len(shape)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for line in red_lines:
        tied = [i for i, _ in line.conditions]
        for i in tied[1:]:
            parent[root(i)] = root(tied[0])
    parts: dict[int, list[int]] = {}
    for i in range(n):
        parts.setdefault(root(i), []).append(i)
    comps = sorted(parts.values(), key=lambda c: -int(np.prod([shape[i] for i in c])))
    bins: list[list[int]] = []
    for comp in comps:  # first fit, largest first
        size = int(np.prod([shape[i] for i in comp]))
        for b in bins:
            if int(np.prod([shape[i] for i in b])) * size <= GROUP_SIZE:
                b.extend(comp)
                break
        else:
            bins.append(list(comp))
    strides = np.array([int(np.prod(shape[i + 1 :])) for i in range(n)], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(shape)[:-1]]).astype(np.int64)
    out = []
    for b in bins:
        issues = tuple(sorted(b))
        size = int(np.prod([shape[i] for i in issues]))
        if size > MAX_GROUP:
            raise EntenteError(
                f"red lines tie issues with {size:,} combinations together; sensitivity "
                f"lists at most {MAX_GROUP:,} (expected red lines over fewer or smaller issues)"
            )
        combos = np.array(list(product(*(range(shape[i]) for i in issues))), dtype=np.int64)
        ok = np.ones(len(combos), dtype=bool)
        for line in red_lines:
            if {i for i, _ in line.conditions} <= set(issues):
                hit = np.ones(len(combos), dtype=bool)
                for i, opts in line.conditions:
                    hit &= np.isin(combos[:, issues.index(i)], list(opts))
                ok &= ~hit
        combos = combos[ok]
        cols = starts[list(issues)][None, :] + combos
        out.append(Group(issues, cols, combos @ strides[list(issues)]))
    return tuple(out)


def coefficients(model: Linear, weights: Floats, values: Floats) -> tuple[Floats, Floats]:
    """Per draw and party, each option's weight x value on the scale used (B, k, O), and the
    constant added (B, k): normalised parties span [0, 1] in every draw."""
    c = weights[:, :, model.issue_of] * values
    lo = np.minimum.reduceat(c, model.starts, axis=2).sum(axis=2)
    hi = np.maximum.reduceat(c, model.starts, axis=2).sum(axis=2)
    span = hi - lo
    norm = model.normalized[None, :] & (span > 0)
    scale = np.where(norm, 1.0 / np.where(span > 0, span, 1.0), 1.0)
    off = np.where(norm, -lo * scale, model.offset[None, :])
    return c * scale[:, :, None], off


@dataclass(frozen=True)
class Solved:
    """Per draw (B,): the flat id of each bargaining point (-1: no outcome every party
    accepts), a random Pareto optimal outcome that beats every reservation (-1: none), and
    whether the `reference` outcome is Pareto optimal."""

    points: dict[str, NDArray[np.int64]]
    random_pareto: NDArray[np.int64]
    reference_optimal: NDArray[np.bool_]


def solve(
    model: Linear,
    weights: Floats,
    values: Floats,
    reservation: Floats,
    rng: np.random.Generator | None = None,
    which: Sequence[str] = ("nash",),
    reference: Sequence[int] | None = None,
) -> Solved:
    """The bargaining points `which` of each draw: `weights` (B, k, n), `values` (B, k, O),
    `reservation` (B, k). With `rng`, a random rational Pareto point per draw as well; with
    `reference` (an outcome, one option per issue), whether it is Pareto optimal per draw."""
    c, off = coefficients(model, weights, values)
    b, k = off.shape
    parts = []
    for g, group in enumerate(model.groups):
        u: Floats = np.zeros((b, len(group.flat), k))
        for t in range(len(group.issues)):
            u += c[:, :, group.cols[:, t]].transpose(0, 2, 1)  # (B, m, k)
        if g == 0:
            u += off[:, None, :]
        parts.append(u)
    lo = sum(p.min(axis=1) for p in parts)
    hi = sum(p.max(axis=1) for p in parts)
    tol = TIE * np.maximum(hi - lo, np.maximum(np.abs(hi), np.abs(lo)))  # (B, k)
    ref_u = None
    if reference is not None:
        cols = model.starts + np.asarray(reference, dtype=np.int64)
        ref_u = c[:, :, cols].sum(axis=2) + off
    found = {name: np.full(b, -1, dtype=np.int64) for name in which}
    rand = np.full(b, -1, dtype=np.int64)
    ref_ok = np.zeros(b, dtype=bool)
    fns = {"nash": nash, "kalai_smorodinsky": kalai_smorodinsky}
    fns |= {"egalitarian": egalitarian, "max_welfare": max_welfare}
    for d in range(b):
        t = tol[d]
        u, ids = _front(parts[0][d], model.groups[0].flat, t)
        for g in range(1, len(parts)):
            ug, ig = _front(parts[g][d], model.groups[g].flat, t)
            u = (u[:, None, :] + ug[None, :, :]).reshape(-1, k)
            ids = (ids[:, None] + ig[None, :]).reshape(-1)
            keep = undominated(u, t)
            u, ids = u[keep], ids[keep]
        order = np.argsort(ids, kind="stable")
        u, ids = u[order], ids[order]
        r = reservation[d]
        for name in which:
            i = fns[name](u, r)
            found[name][d] = ids[i] if i >= 0 else -1
        if rng is not None:
            ok = np.flatnonzero((u >= (r - t)[None, :]).all(axis=1))
            rand[d] = ids[ok[rng.integers(len(ok))]] if len(ok) else -1
        if ref_u is not None:
            h = ref_u[d]
            beats = (u >= h - t).all(axis=1) & (u > h + t).any(axis=1)
            ref_ok[d] = not beats.any()
    return Solved(found, rand, ref_ok)


def _front(u: Floats, ids: NDArray[np.int64], t: Floats) -> tuple[Floats, NDArray[np.int64]]:
    """The rows of one draw's group that no row dominates beyond the tolerance `t`."""
    keep = undominated(u, t)
    return u[keep], ids[keep]


def utilities_of(
    model: Linear, weights: Floats, values: Floats, outcomes: NDArray[np.int64]
) -> Floats:
    """Each party's utility (B, k) of one outcome per draw (`outcomes` (B, n) options)."""
    c, off = coefficients(model, weights, values)
    cols = model.starts[None, :] + outcomes
    return np.take_along_axis(c, cols[:, None, :], axis=2).sum(axis=2) + off
