"""Atlas3, the winner of ANAC 2015 (Mori and Ito).

A. Mori and T. Ito, "Atlas3: a negotiating agent based on expecting lower limit of concession
function", in Modern Approaches to Agent-based Complex Automated Negotiation, Studies in
Computational Intelligence 674, Springer, 2017, pp. 169-173.

The agent models the end of the talks as a two-by-two game (each side holds out or concedes
in the final offer phase) and takes the expected utility of its mixed equilibrium as the lower
limit of its concession function. Its threshold falls linearly in time from its best utility to
that limit (without discount). It accepts an offer at or above the threshold; it offers an
"appropriate" outcome, worth at least the threshold and as little more as it can find, with the
options the others offer most often swapped in where that costs nothing. In the final phase it
goes down the list of outcomes every other party has supported, best for itself first, one per
round, so as to reach the deadline with the best deal the others have shown they would take.
"""

from __future__ import annotations

import numpy as np

from entente.negotiation.actions import Accept, Action, Offer, Outcome, Walk
from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.view import Own, View
from entente.space import Neighbourhood

FINAL_TIME = 1.0
"""When the final offer phase ends (the exponent of the discount in the game's payoffs)."""
FIRST = 0.5
"""Chance that this side concedes first when both concede in the final phase."""


def game(rv: float, discount: float, c: float, best: float = 1.0) -> tuple[float, ...]:
    """The payoffs (A11, A12, A21, A22) to this side of the final-phase game.

    1 holds out, 2 concedes (this side first, the other second): both holding out gives the
    (discounted) reservation value, holding out against a conceder the best utility, conceding
    the compromise `c` (or the reservation value if `c` is lower), and both conceding a coin
    toss between the two.
    """
    a11 = rv * discount
    a12 = best * discount**FINAL_TIME
    a21 = c * discount**FINAL_TIME if c >= rv else rv * discount
    a22 = FIRST * a21 + (1.0 - FIRST) * a12
    return a11, a12, a21, a22


def opponent_holds_out(a11: float, a12: float, a21: float, a22: float) -> float:
    """The probability q with which the other side holds out at the mixed equilibrium (1 when
    the equation has no solution in [0, 1])."""
    q = 1.0
    if a12 - a22 != 0 and 1.0 - (a11 - a21) / (a12 - a22) != 0:
        q = 1.0 / (1.0 - (a11 - a21) / (a12 - a22))
    return q if 0.0 <= q <= 1.0 else 1.0


def lower_limit(rv: float, discount: float, c: float, best: float = 1.0) -> float:
    """The expected utility of conceding in the final phase: q A21 + (1 - q) A22."""
    a11, a12, a21, a22 = game(rv, discount, c, best)
    q = opponent_holds_out(a11, a12, a21, a22)
    return q * a21 + (1.0 - q) * a22


def threshold(t: float, rv: float, discount: float, c: float, best: float = 1.0) -> float:
    """Atlas3's threshold at time t: from `best` down to the lower limit (raised to undo the
    discount); with a discount, `best * (1 - t / discount)` but never under that limit."""
    target = lower_limit(rv, discount, c, best) / discount**t
    if discount == 1.0:
        return target + (best - target) * (1.0 - t)
    return max(best * (1.0 - t / discount), target)


class Atlas3(Negotiator):
    """ANAC 2015 winner: a game-theoretic lower limit, appropriate bids, and a final phase that
    goes down the outcomes the others have supported.

    The compromise `c` of the game is the best utility among the other party's offers (with two
    parties) or among the outcomes every other party has supported (with more).
    """

    name = "atlas3"

    def __init__(self) -> None:
        pass

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self.freq_ = [np.zeros(s) for s in view.space.shape]
        self.supported_: list[Outcome] = []
        self.best_offered_ = 0.0
        self.popular_best_ = 0.0
        self.offered_: Outcome | None = None
        self.backtrack_ = 0
        self.seen_ = 0
        self.hood_ = Neighbourhood(view.space)

    def _learn(self, view: View) -> None:
        own = view.me_own
        history = view.state.history
        k = view.n_parties
        for pos in range(self.seen_, len(history)):
            m = history[pos]
            if m.actor == view.me or m.actor >= k or not isinstance(m.action, Offer):
                continue
            bid = m.action.outcome
            u = own.utility(bid)
            self.best_offered_ = max(self.best_offered_, u)
            for i, v in enumerate(bid):
                self.freq_[i][v] += 1.0
        # outcomes supported by every other party: offered by one, accepted by the rest
        self.supported_ = []
        support = 0
        table: Outcome | None = None
        for m in history:
            if m.actor >= k:
                continue
            if isinstance(m.action, Offer):
                table, support = m.action.outcome, int(m.actor != view.me)
            elif isinstance(m.action, Accept) and m.actor != view.me:
                support += 1
            if table is not None and support == k - 1 and table not in self.supported_:
                self.supported_.append(table)
        self.supported_.sort(key=own.utility, reverse=True)
        if self.supported_:
            self.popular_best_ = own.utility(self.supported_[0])
        self.seen_ = len(history)

    def target(self, view: View) -> float:
        own = view.me_own
        p = own.prefs
        c = self.best_offered_ if view.n_parties == 2 else self.popular_best_
        return threshold(view.time, p.reservation, p.discount, c, own.best)

    def _appropriate(self, own: Own, aim: float) -> Outcome:
        """An outcome worth at least `aim` and as little more as possible: first among the
        neighbours of a random outcome, then over every outcome; failing both, the best."""
        rng = self.rng_
        base = own.space.sample(rng, 1)[0].astype(np.int64)
        near = self.hood_.of(base)
        u = own.prefs.utility(near)
        ok = (u >= aim) & own.prefs.feasible(near)
        if ok.any():
            low = u[ok].min()
            rows = np.flatnonzero(ok & (u == low))
            return tuple(int(x) for x in near[int(rows[int(rng.integers(len(rows)))])])
        bid = own.near(aim, rng)
        if own.utility(bid) < aim or not own.acceptable(bid):
            return own.ideal
        return bid

    def _frequent(self, own: Own, bid: Outcome) -> Outcome:
        """Swap in, issue by issue in random order, the option the others offer most often,
        wherever that does not lower the agent's own utility."""
        rng = self.rng_
        current = list(bid)
        u = own.utility(bid)
        for i in rng.permutation(len(current)):
            counts = self.freq_[int(i)]
            top = np.flatnonzero(counts == counts.max())
            nxt = list(current)
            nxt[int(i)] = int(top[int(rng.integers(len(top)))])
            cand = tuple(nxt)
            if own.acceptable(cand) and own.utility(cand) >= u:
                current, u = nxt, own.utility(cand)
        return tuple(current)

    def choose(self, view: View, target: float) -> Outcome:
        own = view.me_own
        bid = self._appropriate(own, target)
        if any(c.any() for c in self.freq_):
            bid = self._frequent(own, bid)
        return bid

    def accepts(self, view: View, outcome: Outcome, target: float) -> bool:
        own = view.me_own
        return own.acceptable(outcome) and own.utility(outcome) >= max(
            target, own.prefs.reservation
        )

    def _final(self, view: View) -> Action:
        """The final phase: offer the next supported outcome while it beats the one on the
        table; otherwise accept what is on the table when it beats the reservation value."""
        own = view.me_own
        rv = own.prefs.reservation
        text = view.table
        mine = Accept not in view.legal or text is None or view.state.proposer == view.me
        u = -np.inf if mine or text is None else own.utility(text)
        ok = text is not None and not mine and own.acceptable(text)
        if self.backtrack_ >= len(self.supported_):
            if ok and u >= rv:
                return Accept()
            return Offer(self.choose(view, self.target(view)))
        bid = self.supported_[self.backtrack_]
        ub = own.utility(bid)
        if ub > u and ub > rv and own.acceptable(bid):
            self.backtrack_ += 1
            return Offer(bid)
        if ok and u > rv:
            return Accept()
        return Offer(self.choose(view, self.target(view)))

    def act(self, view: View) -> Action:
        self._learn(view)
        if Offer not in view.legal:  # answering a text: the aspiration's rules
            return super().act(view)
        own = view.me_own
        # one own turn per round: the final phase is as many rounds as there are supported
        # outcomes, plus one
        left = view.deadline - view.round
        if view.table is not None and left <= len(self.supported_) + 1:
            return self._final(view)
        aim = self.target(view)
        text = view.table
        if (
            Accept in view.legal
            and text is not None
            and view.state.proposer != view.me
            and self.accepts(view, text, aim)
        ):
            return Accept()
        p = own.prefs
        if Walk in view.legal and p.discounted(p.reservation, view.time) >= aim:
            return Walk()
        return Offer(self.choose(view, aim))
