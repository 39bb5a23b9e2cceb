"""MiCRO: monotonic concession, one new offer for each new offer received.

de Jonge, D. (2022). An Analysis of the Linear Bilateral ANAC Domains Using the MiCRO Benchmark
Strategy. In Proceedings of IJCAI 2022, pp. 223-229. https://doi.org/10.24963/ijcai.2022/32

Also here: `Ranking`, a party's acceptable outcomes best first, which the ANAC agents in this
package (HardHeaded, AgentK) walk as well.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from entente.negotiation.actions import Accept, Action, Offer, Outcome
from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.strategies.targets import Targets
from entente.negotiation.view import Own, View
from entente.prefs import Floats

SAMPLE = 4096
"""Outcomes drawn to stand for a space too large to list."""


class Ranking:
    """A party's acceptable outcomes, best first (ties by flat id), with their utilities.

    Listed spaces use the party's whole order; a space too large to list is stood for by
    `SAMPLE` outcomes drawn with `rng` (plus the party's best outcome).
    """

    def __init__(self, own: Own, rng: np.random.Generator) -> None:
        self.own = own
        self.ids: NDArray[np.int64] | None
        self.rows: NDArray[np.int64] | None
        if own.table is not None:
            self.ids, self.rows = own.order, None
            self.u: Floats = own.table.u[own.order, own.index]
        else:
            rows = np.vstack([np.asarray([own.ideal]), own.space.sample(rng, SAMPLE)])
            rows = np.unique(rows[own.prefs.feasible(rows)], axis=0)
            u = own.prefs.utility(rows)
            order = np.argsort(-u, kind="stable")
            self.ids, self.rows, self.u = None, rows[order], u[order]

    def __len__(self) -> int:
        return len(self.u)

    def outcome(self, i: int) -> Outcome:
        """The outcome at position `i` (0 is the best)."""
        if self.rows is not None:
            return tuple(int(x) for x in self.rows[i])
        assert self.ids is not None
        return self.own.outcome(int(self.ids[i]))

    def outcomes(self, positions: NDArray[np.int64]) -> NDArray[np.int64]:
        """The outcomes at `positions`, as rows."""
        if self.rows is not None:
            return self.rows[positions]
        assert self.ids is not None and self.own.table is not None
        return self.own.table.outcomes[self.ids[positions]]

    def position(self, outcome: Outcome) -> int:
        """Where `outcome` stands; an outcome not ranked (a sampled space) stands just below
        the ranked ones worth at least as much."""
        u = self.own.utility(outcome)
        lo = int(np.searchsorted(-self.u, -u - 1e-12, side="left"))
        hi = int(np.searchsorted(-self.u, -u + 1e-12, side="right"))
        if self.ids is not None:
            hit = np.flatnonzero(self.ids[lo:hi] == self.own.flat(outcome))
            if len(hit):
                return lo + int(hit[0])
        else:
            assert self.rows is not None
            hit = np.flatnonzero((self.rows[lo:hi] == np.asarray(outcome)).all(axis=1))
            if len(hit):
                return lo + int(hit[0])
        return min(hi, len(self.u) - 1)


class MiCRO(Negotiator):
    """MiCRO (de Jonge, IJCAI 2022): concede one outcome at a time, in its own order, and only
    as fast as the opponent does.

    With its acceptable outcomes ranked best first, w1, w2, ..., let m be the number of distinct
    outcomes it has proposed (always w1..wm) and n the number of distinct outcomes the others
    have proposed. When n >= m and w(m+1) is worth at least its reservation value, it proposes
    w(m+1); otherwise it repeats one of w1..wm drawn at random. It accepts an offer worth at
    least what it would propose next (w(m+1) when it may concede, else wm) and at least its
    reservation value. Under a mediator, each new distinct text counts as an opponent's offer,
    and a text is accepted when it reaches the outcome MiCRO would have conceded to by then.
    """

    name = "micro"

    def __init__(self) -> None:
        pass

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self.ranking_ = Ranking(view.me_own, rng)
        self.next_ = 0  # m: distinct outcomes proposed so far (w1..wm)
        self.received_: set[Outcome] = set()
        self.seen_ = 0

    def targets(self) -> Targets:
        """MiCRO's way to play, declared (`Targets.ranked`), so that the batched tournament
        engine plays it as arrays."""
        return Targets.ranked()

    def _learn(self, view: View) -> None:
        history = view.state.history
        for move in history[self.seen_ :]:
            if move.actor != view.me and isinstance(move.action, Offer):
                self.received_.add(move.action.outcome)
        self.seen_ = len(history)

    def _may_concede(self, view: View) -> bool:
        """n >= m, and w(m+1) exists and is worth at least the reservation value."""
        r = self.ranking_
        return (
            len(self.received_) >= self.next_
            and self.next_ < len(r)
            and r.u[self.next_] >= view.me_own.prefs.reservation
        )

    def threshold(self, view: View) -> float:
        """The least utility it accepts now: its next proposal's, and its reservation value."""
        self._learn(view)
        r, own = self.ranking_, view.me_own
        if self._may_concede(view):
            mine = float(r.u[self.next_])
        elif self.next_ > 0:
            mine = float(r.u[self.next_ - 1])
        else:
            mine = own.best
        return max(mine, own.prefs.reservation)

    def target(self, view: View) -> float:
        # under a mediator: one step down its ranking for each new distinct text
        self._learn(view)
        r, own = self.ranking_, view.me_own
        if len(r) == 0:
            return own.best
        step = min(max(len(self.received_) - 1, 0), len(r) - 1)
        return max(float(r.u[step]), own.prefs.reservation)

    def propose(self, view: View) -> Outcome:
        self._learn(view)
        r = self.ranking_
        if self._may_concede(view):
            self.next_ += 1
            return r.outcome(self.next_ - 1)
        if self.next_ > 0:
            return r.outcome(int(self.rng_.integers(self.next_)))
        # nothing worth its reservation value: it states its best and never accepts below
        return r.outcome(0) if len(r) else view.me_own.ideal

    def act(self, view: View) -> Action:
        own = view.me_own
        text = view.table
        if Offer not in view.legal:  # answering a text: one step down per new text
            return self.answer(view, self.target(view))
        if (
            Accept in view.legal
            and text is not None
            and view.state.proposer != view.me
            and own.acceptable(text)
            and own.utility(text) >= self.threshold(view)
        ):
            return Accept()
        return Offer(self.propose(view))
