"""Every outcome of an enumerable space with every party's utility, computed once and shared.

Sessions, strategies and analyses of one scenario all read the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from entente.prefs import Floats, Preferences
from entente.space import Outcomes, OutcomeSpace


@dataclass(frozen=True, eq=False)
class Table:
    """`outcomes` (N, n) option indices, `u` (N, k) utilities, `ok` (N, k) no red line of that
    party crossed, `feasible` (N,) no red line of any party crossed."""

    space: OutcomeSpace
    prefs: tuple[Preferences, ...]
    outcomes: Outcomes = field(repr=False)
    u: Floats = field(repr=False)
    ok: NDArray[np.bool_] = field(repr=False)
    feasible: NDArray[np.bool_] = field(repr=False)

    @classmethod
    def build(cls, space: OutcomeSpace, prefs: tuple[Preferences, ...]) -> Table:
        """Enumerate the space and evaluate every party on it (refuses unlistable spaces)."""
        outcomes = space.all()
        u = np.empty((outcomes.shape[0], len(prefs)))
        ok = np.ones((outcomes.shape[0], len(prefs)), dtype=bool)
        for j, p in enumerate(prefs):
            u[:, j] = p.utility(outcomes)
            if p.red_lines:
                ok[:, j] = p.feasible(outcomes)
        feasible = np.all(ok, axis=1)
        for a in (outcomes, u, ok, feasible):
            a.setflags(write=False)
        return cls(space, prefs, outcomes, u, ok, feasible)

    @property
    def reservations(self) -> Floats:
        return np.array([p.reservation for p in self.prefs])

    @cached_property
    def candidates(self) -> NDArray[np.int64]:
        """Flat ids of the outcomes that can be agreed (no party's red line crossed)."""
        return np.flatnonzero(self.feasible)

    def order(self, party: int) -> NDArray[np.int64]:
        """Flat ids the party could accept (its own red lines kept), best first, ties by id."""
        return self._orders[party]

    @cached_property
    def _orders(self) -> _Orders:
        return _Orders(self)


class _Orders:
    """Lazily sorted feasible outcomes per party."""

    def __init__(self, table: Table) -> None:
        self._t = table
        self._cache: dict[int, NDArray[np.int64]] = {}

    def __getitem__(self, party: int) -> NDArray[np.int64]:
        got = self._cache.get(party)
        if got is None:
            ids = np.flatnonzero(self._t.ok[:, party])
            got = ids[np.argsort(-self._t.u[ids, party], kind="stable")]
            got.setflags(write=False)
            self._cache[party] = got
        return got
