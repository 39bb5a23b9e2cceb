"""Every outcome of an enumerable space with every party's utility, computed once and shared.

Sessions, strategies and analyses of one scenario all read the same arrays. Linear additive
utilities and red lines are evaluated by broadcasting per-issue tables over the mixed-radix
grid (flat-id order), so the (N, n) array of outcomes is built only when something asks for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from entente.ordering import Ladder, descending
from entente.prefs import Floats, LinearAdditive, Preferences, RedLine
from entente.space import Outcomes, OutcomeSpace


@dataclass(frozen=True, eq=False)
class Table:
    """`outcomes` (N, n) option indices, `u` (N, k) utilities, `ok` (N, k) no red line of that
    party crossed, `feasible` (N,) no red line of any party crossed."""

    space: OutcomeSpace
    prefs: tuple[Preferences, ...]
    u: Floats
    ok: NDArray[np.bool_]
    feasible: NDArray[np.bool_]

    @classmethod
    def build(cls, space: OutcomeSpace, prefs: tuple[Preferences, ...]) -> Table:
        """Evaluate every party on every outcome (refuses unlistable spaces)."""
        if not space.enumerable:
            space.all()  # raises the error that says why
        n = space.size
        listed: list[Outcomes] = []  # filled only if some term needs the rows

        def rows() -> Outcomes:
            if not listed:
                listed.append(space.all())
            return listed[0]

        u = np.empty((n, len(prefs)))
        ok = np.ones((n, len(prefs)), dtype=bool)
        for j, p in enumerate(prefs):
            _utility(p, space, rows, u[:, j])
            if p.red_lines:
                ok[:, j] = _outside(p.red_lines, space, rows)
        feasible = np.all(ok, axis=1) if any(p.red_lines for p in prefs) else np.ones(n, bool)
        for a in (u, ok, feasible):
            a.setflags(write=False)
        t = cls(space, prefs, u, ok, feasible)
        if listed:
            listed[0].setflags(write=False)
            t.__dict__["outcomes"] = listed[0]
        return t

    @cached_property
    def outcomes(self) -> Outcomes:
        """Every outcome in flat-id order (listed on first use)."""
        o = self.space.all()
        o.setflags(write=False)
        return o

    @property
    def reservations(self) -> Floats:
        return np.array([p.reservation for p in self.prefs])

    @cached_property
    def candidates(self) -> NDArray[np.int64]:
        """Flat ids of the outcomes that can be agreed (no party's red line crossed)."""
        return self.feasible.nonzero()[0]

    def order(self, party: int) -> NDArray[np.int64]:
        """Flat ids the party could accept (its own red lines kept), best first, ties by id."""
        return self._orders[party]

    @cached_property
    def _orders(self) -> _Orders:
        return _Orders(self)

    def ladder(self, party: int) -> Ladder:
        """The party's acceptable outcomes grouped by utility band, for queries without a sort."""
        got = self._ladders.get(party)
        if got is None:
            column = self.u[:, party]
            if self.prefs[party].red_lines:
                ids = np.flatnonzero(self.ok[:, party])
                got = Ladder(ids, column[ids])
            else:
                got = Ladder(None, column)
            self._ladders[party] = got
        return got

    @cached_property
    def _ladders(self) -> dict[int, Ladder]:
        return {}


def _grid_sum(tables: tuple[Floats, ...], out: Floats) -> None:
    """out[flat id] = t[0][o0] + t[1][o1] + ... for every outcome, added left to right.

    The additions happen in the same order as a loop over issues on listed outcomes, so the
    sums are bit for bit the same. `out` may be a strided view (a column of the table).
    """
    if len(tables) <= 1:
        np.add(0.0, tables[0] if tables else 0.0, out=out)
        return
    acc = np.zeros(1) + tables[0]
    for t in tables[1:-1]:
        acc = (acc[:, None] + t[None, :]).reshape(-1)
    last = tables[-1]
    np.add(acc[:, None], last[None, :], out=out.reshape(len(acc), len(last)))


def _utility(
    p: Preferences, space: OutcomeSpace, rows: Callable[[], Outcomes], out: Floats
) -> None:
    """out = Preferences.utility over the whole space; linear additive terms by broadcasting."""
    lin = p.linear
    if lin is not None and type(lin) is LinearAdditive and len(lin.values) == space.n_issues:
        # offset + sum, as Preferences.utility adds them (float addition commutes)
        _grid_sum(tuple(lin.issue_values(i) for i in range(space.n_issues)), out)
        out += p.offset
        return
    total = np.full(space.size, p.offset)
    for term in p.terms:
        if type(term) is LinearAdditive and len(term.values) == space.n_issues:
            part = np.empty(space.size)
            _grid_sum(tuple(term.issue_values(i) for i in range(space.n_issues)), part)
            total += part
        else:
            total += term(rows())
    out[:] = total


def _outside(
    lines: tuple[RedLine, ...], space: OutcomeSpace, rows: Callable[[], Outcomes]
) -> NDArray[np.bool_]:
    """Preferences.feasible over the whole space: plain red lines by broadcasting, others
    (subclasses with their own `crossed`) on the listed outcomes."""
    shape = space.shape
    ok = np.ones(shape, dtype=bool)
    for line in lines:
        if type(line) is not RedLine:
            ok &= ~line.crossed(rows()).reshape(shape)
            continue
        hit = np.ones(shape, dtype=bool)
        for i, opts in line.conditions:
            member = np.isin(np.arange(shape[i]), np.fromiter(opts, np.int64, len(opts)))
            hit &= member.reshape([-1 if d == i else 1 for d in range(len(shape))])
        ok &= ~hit
    return ok.reshape(-1)


class _Orders:
    """Lazily sorted feasible outcomes per party."""

    def __init__(self, table: Table) -> None:
        self._t = table
        self._cache: dict[int, NDArray[np.int64]] = {}

    def __getitem__(self, party: int) -> NDArray[np.int64]:
        got = self._cache.get(party)
        if got is None:
            ids = _acceptable(self._t, party)
            got = ids[descending(self._t.u[ids, party])]
            got.setflags(write=False)
            self._cache[party] = got
        return got


def _acceptable(t: Table, party: int) -> NDArray[np.int64]:
    """Flat ids of the outcomes the party's own red lines allow, ascending."""
    if not t.prefs[party].red_lines:
        return np.arange(len(t.u), dtype=np.int64)
    return np.flatnonzero(t.ok[:, party])
