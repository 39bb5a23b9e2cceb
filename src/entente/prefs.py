"""Preferences: what each outcome is worth to a party, evaluated on arrays of outcomes.

A utility is a sum of terms (a linear additive table, nonlinear terms); red lines mark outcomes
a party will never accept; the reservation value is what no agreement is worth to it; a
discount factor makes agreement worth less as time passes. Nothing is rescaled behind the
user's back: `normalized` must be asked for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from entente.errors import EntenteError
from entente.space import Outcomes, OutcomeSpace

Floats = NDArray[np.float64]


@runtime_checkable
class Term(Protocol):
    """One additive part of a utility function."""

    def __call__(self, outcomes: Outcomes) -> Floats: ...

    def bounds(self, space: OutcomeSpace) -> tuple[float, float]:
        """Exact (or safe outer) lowest and highest value over the whole space."""
        ...

    def scaled(self, factor: float) -> Term:
        """The same term multiplied by `factor`."""
        ...


@dataclass(frozen=True, eq=False)
class LinearAdditive:
    """sum_i weights[i] * values[i][option_i]: a value table per issue, and issue weights."""

    weights: Floats
    values: tuple[Floats, ...]
    _wv: tuple[Floats, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=np.float64)
        vals = tuple(np.asarray(v, dtype=np.float64) for v in self.values)
        if w.shape != (len(vals),):
            raise EntenteError(f"{w.shape[0] if w.ndim else 0} weights for {len(vals)} issues")
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "values", vals)
        object.__setattr__(self, "_wv", tuple(wi * v for wi, v in zip(w, vals, strict=True)))

    def __call__(self, outcomes: Outcomes) -> Floats:
        o = np.asarray(outcomes).reshape(-1, len(self._wv))
        total = np.zeros(o.shape[0])
        for i, wv in enumerate(self._wv):
            total += wv[o[:, i]]
        return total

    def issue_values(self, i: int) -> Floats:
        """The weighted value of each option of issue i (what changing that issue is worth)."""
        return self._wv[i]

    def bounds(self, space: OutcomeSpace) -> tuple[float, float]:
        return float(sum(wv.min() for wv in self._wv)), float(sum(wv.max() for wv in self._wv))

    def best(self) -> tuple[int, ...]:
        """The outcome this term values most (first best option of each issue)."""
        return tuple(int(np.argmax(wv)) for wv in self._wv)

    def scaled(self, factor: float) -> LinearAdditive:
        return LinearAdditive(self.weights * factor, self.values)


@dataclass(frozen=True)
class RedLine:
    """Outcomes a party will never accept: those whose options fall in every listed set.

    `conditions` pairs an issue index with the option indices that, together with the other
    conditions, cross the line; a single condition forbids options of one issue outright.
    """

    conditions: tuple[tuple[int, frozenset[int]], ...]
    reason: str = ""

    def crossed(self, outcomes: Outcomes) -> NDArray[np.bool_]:
        o = np.atleast_2d(np.asarray(outcomes))
        hit = np.ones(o.shape[0], dtype=bool)
        for i, opts in self.conditions:
            hit &= np.isin(o[:, i], np.fromiter(opts, dtype=np.int64, count=len(opts)))
        return hit


@dataclass(frozen=True)
class Preferences:
    """A party's utility function with its red lines, reservation value and time discount.

    `utility` is the sum of the terms; `discount` is the factor applied per unit of relative
    time (1.0 means patience): an agreement at relative time t is worth u * discount**t, and so
    is the reservation value, as in GENIUS.
    """

    terms: tuple[Term, ...]
    reservation: float = 0.0
    discount: float = 1.0
    red_lines: tuple[RedLine, ...] = ()
    offset: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 < self.discount <= 1.0:
            raise EntenteError(f"discount factor {self.discount} is not in (0, 1]")

    def utility(self, outcomes: Outcomes) -> Floats:
        """Utility of each row of an (m, n) array of outcomes (red lines not applied)."""
        o = np.asarray(outcomes, dtype=np.int64)
        if o.ndim == 1:
            o = o.reshape(1, -1)
        total = np.full(o.shape[0], self.offset)
        for term in self.terms:
            total += term(o)
        return total

    def __call__(self, outcome: tuple[int, ...] | Outcomes) -> float:
        """Utility of one outcome."""
        return float(self.utility(np.asarray(outcome, dtype=np.int64).reshape(1, -1))[0])

    def feasible(self, outcomes: Outcomes) -> NDArray[np.bool_]:
        """True where no red line is crossed."""
        o = np.asarray(outcomes, dtype=np.int64).reshape(-1, np.shape(outcomes)[-1])
        ok = np.ones(o.shape[0], dtype=bool)
        for line in self.red_lines:
            ok &= ~line.crossed(o)
        return ok

    def discounted(self, u: Floats | float, time: float) -> Floats | float:
        """What utility `u` is worth when agreed at relative time `time` in [0, 1]."""
        return u * self.discount**time if self.discount != 1.0 else u

    def bounds(self, space: OutcomeSpace) -> tuple[float, float]:
        """Lowest and highest utility over the space (exact for additive terms)."""
        lo, hi = self.offset, self.offset
        for term in self.terms:
            a, b = term.bounds(space)
            lo, hi = lo + a, hi + b
        return lo, hi

    @property
    def linear(self) -> LinearAdditive | None:
        """The only term when the utility is purely linear additive, else None."""
        if len(self.terms) == 1 and isinstance(self.terms[0], LinearAdditive):
            return self.terms[0]
        return None


def normalized(prefs: Preferences, space: OutcomeSpace) -> Preferences:
    """The same preferences mapped affinely so the worst outcome is 0 and the best is 1.

    The reservation value moves with the map, so every comparison a party makes is unchanged.
    """
    lo, hi = prefs.bounds(space)
    if hi - lo <= 0:
        raise EntenteError("cannot normalise a utility that is the same for every outcome")
    k = 1.0 / (hi - lo)
    return replace(
        prefs,
        terms=tuple(t.scaled(k) for t in prefs.terms),
        offset=(prefs.offset - lo) * k,
        reservation=(prefs.reservation - lo) * k,
    )


def linear(
    space: OutcomeSpace,
    weights: dict[str, float],
    values: dict[str, dict[str, float]] | None = None,
    **kwargs: object,
) -> Preferences:
    """Linear additive preferences from labelled weights and value tables.

    An issue without a value table gets, if it is numeric or ordinal, values rising evenly from
    0 for its first option to 1 for its last.
    """
    values = values or {}
    w = np.zeros(space.n_issues)
    tables: list[Floats] = []
    for i, iss in enumerate(space.issues):
        w[i] = float(weights.get(iss.id, 0.0))
        table = values.get(iss.id)
        if table is None:
            if iss.kind == "categorical" and w[i] != 0:
                raise EntenteError(f"issue {iss.id!r} is categorical and needs a value per option")
            tables.append(np.linspace(0.0, 1.0, iss.size) if iss.size > 1 else np.ones(1))
        else:
            t = np.zeros(iss.size)
            for label, v in table.items():
                t[iss.index(label)] = float(v)
            tables.append(t)
    # sum_i |w_i| * max |t_i| bounds |utility|: it must stay finite (checked in Python floats,
    # which overflow to inf quietly, before NumPy multiplies and warns)
    reach = sum(abs(float(wi)) * float(np.abs(t).max()) for wi, t in zip(w, tables, strict=True))
    if not math.isfinite(reach):
        raise EntenteError(
            "weights times values exceed the range of floating-point numbers "
            "(keep utilities below about 1e300)"
        )
    return Preferences(terms=(LinearAdditive(w, tuple(tables)),), **kwargs)  # type: ignore[arg-type]


MAX_SPLITS = 100_000
"""Cases `excludes_everything` may examine before it gives up (red lines built to be hard)."""


def excludes_everything(shape: tuple[int, ...], red_lines: Sequence[RedLine]) -> bool:
    """Whether the red lines together exclude every outcome of a space of this shape.

    A red line excludes a box: the product of its conditions' option sets, with every option
    of the issues it does not name. The boxes cover the space if, splitting the options of one
    issue into classes that lie in the same boxes, the boxes that hold each class cover the
    rest of the issues; options no box names form one class. The work depends on the red
    lines, not on the size of the space, and is exact; a shortcut compares volumes first.
    """
    boxes: list[dict[int, frozenset[int]]] = []
    for line in red_lines:
        box: dict[int, frozenset[int]] = {}
        for i, opts in line.conditions:
            box[i] = box[i] & opts if i in box else frozenset(opts)
        if all(box.values()):  # a condition with no option excludes nothing
            boxes.append({i: v for i, v in box.items() if len(v) < shape[i]})
    stack = [boxes]
    steps = 0
    while stack:
        node = stack.pop()
        if not node or not _may_cover(shape, node):
            return False
        if any(not b for b in node):
            continue
        steps += 1
        if steps > MAX_SPLITS:
            raise EntenteError(
                f"red lines too intricate to check (more than {MAX_SPLITS:,} cases); "
                "merge or simplify them"
            )
        stack.extend(_split(shape, node))
    return True


def _may_cover(shape: tuple[int, ...], boxes: list[dict[int, frozenset[int]]]) -> bool:
    """False when the boxes' volumes add up to less than the space they should cover."""
    issues = sorted({i for b in boxes for i in b})
    total = math.prod(shape[i] for i in issues)
    volume = 0
    for b in boxes:
        volume += math.prod(len(b[i]) if i in b else shape[i] for i in issues)
        if volume >= total:
            return True
    return volume >= total


def _split(
    shape: tuple[int, ...], boxes: list[dict[int, frozenset[int]]]
) -> list[list[dict[int, frozenset[int]]]]:
    """The subproblems of one split, on the issue most boxes name."""
    counts: dict[int, int] = {}
    for b in boxes:
        for i in b:
            counts[i] = counts.get(i, 0) + 1
    i = max(counts, key=lambda j: (counts[j], -j))
    named = [b for b in boxes if i in b]
    free = [b for b in boxes if i not in b]
    options = sorted(set().union(*(b[i] for b in named)))
    # each option's column: which named boxes hold it; one subproblem per distinct column, in
    # sorted order (plain sets: these are a handful of options, and NumPy's `unique` would
    # import numpy.ma, 40 ms, on every load of a scenario with red lines)
    columns = sorted({tuple(o in b[i] for b in named) for o in options})
    rest = [{j: v for j, v in b.items() if j != i} for b in named]
    out = [[*free, *(r for r, hit in zip(rest, column, strict=True) if hit)] for column in columns]
    if len(options) < shape[i]:
        out.append(free)
    return out
