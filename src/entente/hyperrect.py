"""Nonlinear utilities made of hyper-rectangles (the ANAC 2014 domains).

Each rectangle bounds a few issues to ranges of option indices. An inclusive rectangle adds
its utility to an outcome inside every range; an exclusive one to an outcome outside at least
one of them. The sum may be capped (GENIUS caps a nonlinear utility at 1). Evaluation is one
boolean array and one grouped reduction per batch of outcomes: no loop over outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from entente.errors import EntenteError
from entente.prefs import Floats
from entente.space import Neighbourhood, Outcomes, OutcomeSpace


@dataclass(frozen=True, eq=False)
class HyperRectangles:
    """min(cap, sum of `utilities[r]` over the rectangles r an outcome satisfies).

    The constraints are stored flat: constraint c belongs to rectangle `rect[c]` and bounds
    issue `issue[c]` to option indices `low[c]..high[c]` (inclusive). `exclusive[r]` marks a
    rectangle satisfied when the outcome lies outside at least one of its ranges.
    """

    utilities: Floats
    rect: NDArray[np.int64]
    issue: NDArray[np.int64]
    low: NDArray[np.int64]
    high: NDArray[np.int64]
    exclusive: NDArray[np.bool_]
    cap: float = np.inf
    _order: NDArray[np.int64] = field(init=False, repr=False)
    _starts: NDArray[np.int64] = field(init=False, repr=False)
    _owners: NDArray[np.int64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        u = np.asarray(self.utilities, dtype=np.float64).reshape(-1)
        arrays = [np.asarray(a, dtype=np.int64).reshape(-1) for a in (self.rect, self.issue)]
        lo = np.asarray(self.low, dtype=np.int64).reshape(-1)
        hi = np.asarray(self.high, dtype=np.int64).reshape(-1)
        ex = np.asarray(self.exclusive, dtype=bool).reshape(-1)
        rect, issue = arrays
        if not (len(rect) == len(issue) == len(lo) == len(hi)) or len(ex) != len(u):
            raise EntenteError("hyper-rectangle arrays have different lengths")
        if len(rect) and (rect.min() < 0 or rect.max() >= len(u)):
            raise EntenteError("a hyper-rectangle constraint names no rectangle")
        # constraints grouped by rectangle, so that one reduceat folds each group
        order = np.argsort(rect, kind="stable")
        owners, starts = np.unique(rect[order], return_index=True)
        for name, a in (("utilities", u), ("rect", rect), ("issue", issue)):
            object.__setattr__(self, name, a)
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)
        object.__setattr__(self, "exclusive", ex)
        object.__setattr__(self, "_order", order)
        object.__setattr__(self, "_starts", starts.astype(np.int64))
        object.__setattr__(self, "_owners", owners.astype(np.int64))

    @property
    def n_rectangles(self) -> int:
        return len(self.utilities)

    def satisfied(self, outcomes: Outcomes) -> NDArray[np.bool_]:
        """(m, r): whether each outcome satisfies each rectangle."""
        o = np.atleast_2d(np.asarray(outcomes, dtype=np.int64))
        out = np.zeros((o.shape[0], self.n_rectangles), dtype=bool)
        if len(self._order):
            k = self._order
            x = o[:, self.issue[k]]
            outside = (x < self.low[k]) | (x > self.high[k])
            out[:, self._owners] = np.logical_or.reduceat(outside, self._starts, axis=1)
        # inclusive: inside every range; exclusive: outside some range
        return out == self.exclusive[None, :]

    def __call__(self, outcomes: Outcomes) -> Floats:
        return self.total(self.satisfied(outcomes))

    def total(self, satisfied: NDArray[np.bool_]) -> Floats:
        """The utility of outcomes from their `satisfied` matrix (m, r)."""
        total = satisfied.astype(np.float64) @ self.utilities
        return np.minimum(total, self.cap) if np.isfinite(self.cap) else total

    def moves(self, hood: Neighbourhood) -> Moves:
        """Evaluation of every single-issue change of an outcome, one rectangle count at a time."""
        return Moves(self, hood)

    def bounds(self, space: OutcomeSpace) -> tuple[float, float]:
        """Safe outer bounds: every negative (resp. positive) rectangle satisfied at once."""
        u = self.utilities
        lo, hi = float(u[u < 0].sum()), float(u[u > 0].sum())
        return min(lo, self.cap), min(hi, self.cap)

    def scaled(self, factor: float) -> HyperRectangles:
        if factor < 0 and np.isfinite(self.cap):
            raise EntenteError("a capped hyper-rectangle utility cannot be negated")
        return HyperRectangles(
            self.utilities * factor,
            self.rect,
            self.issue,
            self.low,
            self.high,
            self.exclusive,
            self.cap * factor if factor else 0.0,
        )


def from_boxes(
    boxes: list[tuple[float, list[tuple[int, int, int]]]], exclusive: list[bool] | None = None
) -> HyperRectangles:
    """Build from [(utility, [(issue, low, high), ...]), ...] (option indices, inclusive)."""
    rect = [r for r, (_, cons) in enumerate(boxes) for _ in cons]
    flat = [c for _, cons in boxes for c in cons]
    return HyperRectangles(
        utilities=np.array([u for u, _ in boxes], dtype=np.float64),
        rect=np.array(rect, dtype=np.int64),
        issue=np.array([c[0] for c in flat], dtype=np.int64),
        low=np.array([c[1] for c in flat], dtype=np.int64),
        high=np.array([c[2] for c in flat], dtype=np.int64),
        exclusive=np.array(exclusive if exclusive is not None else [False] * len(boxes)),
    )


class Moves:
    """`satisfied` and the utility of `hood.of(x)`, worked out from x's own constraints.

    Changing issue i moves only the constraints on issue i: each row of the neighbourhood
    starts from x's count of ranges missed per rectangle and adds, for the constraints on the
    issue it changes, whether its new option misses the range minus whether x's did. The
    booleans are those of `HyperRectangles.satisfied` on the same rows, so the utilities
    (`HyperRectangles.total` on them) are identical too.
    """

    def __init__(self, term: HyperRectangles, hood: Neighbourhood) -> None:
        self.term = term
        self.hood = hood
        m, r = len(hood.issue), term.n_rectangles
        rows, cons = [], []
        for i in range(int(hood.issue.max()) + 1 if m else 0):
            on = np.flatnonzero(term.issue == i)
            at = np.flatnonzero(hood.issue == i)
            rows.append(np.repeat(at, len(on)))
            cons.append(np.tile(on, len(at)))
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        con = np.concatenate(cons) if cons else np.zeros(0, dtype=np.int64)
        v = hood.value[row]
        self._con = con
        self._rect = term.rect[con]
        self._missed = ((v < term.low[con]) | (v > term.high[con])).astype(np.int64)
        self._cell = row * r + self._rect
        self._shape = (m, r)
        # a rectangle with two ranges on one issue: counts must be summed per cell
        self._summed = len(np.unique(self._cell)) < len(self._cell)

    def satisfied(self, x: NDArray[np.int64]) -> NDArray[np.bool_]:
        """(m, r): whether each row of `hood.of(x)` satisfies each rectangle."""
        t = self.term
        v = x[t.issue]
        missed = ((v < t.low) | (v > t.high)).astype(np.int64)
        base = np.bincount(t.rect, weights=missed, minlength=t.n_rectangles).astype(np.int64)
        change = self._missed - missed[self._con]
        if self._summed:
            counts = np.bincount(
                self._cell, weights=change, minlength=self._shape[0] * self._shape[1]
            )
            counts = counts.reshape(self._shape) + base[None, :]
            return (counts > 0) == t.exclusive[None, :]
        # each cell moved by one constraint at most: x's row, with the moved cells rewritten
        out = np.empty(self._shape, dtype=bool)
        out[:] = (base > 0) == t.exclusive
        out.reshape(-1)[self._cell] = ((base[self._rect] + change) > 0) == t.exclusive[self._rect]
        return out

    def __call__(self, x: NDArray[np.int64]) -> Floats:
        """The utility of each row of `hood.of(x)`."""
        return self.term.total(self.satisfied(x))
