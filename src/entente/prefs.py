"""Preferences: what each outcome is worth to a party, evaluated on arrays of outcomes.

A utility is a sum of terms (a linear additive table, nonlinear terms); red lines mark outcomes
a party will never accept; the reservation value is what no agreement is worth to it; a
discount factor makes agreement worth less as time passes. Nothing is rescaled behind the
user's back: `normalized` must be asked for.
"""

from __future__ import annotations

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
    return Preferences(terms=(LinearAdditive(w, tuple(tables)),), **kwargs)  # type: ignore[arg-type]
