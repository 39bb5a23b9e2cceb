"""HardHeaded, winner of ANAC 2011: a hard time curve, and a frequency model to choose among
offers that are worth about the same to itself.

van Krimpen, T., Looije, D., Hajizadeh, S. (2013). HardHeaded. In: Ito, T., Zhang, M., Robu, V.,
Matsuo, T. (eds) Complex Automated Negotiations: Theories, Models, and Software Competitions.
Studies in Computational Intelligence 435, pp. 223-227. Springer.
https://doi.org/10.1007/978-3-642-30737-9_17
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from entente.negotiation.actions import Accept, Action, Offer, Outcome
from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.strategies.micro import Ranking
from entente.negotiation.view import Own, View
from entente.prefs import Floats


def unit_scale(own: Own) -> tuple[float, float]:
    """(low, high) such that (u - low) / (high - low) puts this party's utilities on the
    [0, 1] scale the ANAC agents assume: high is its best utility, low is 0 or its worst if
    that is below 0. A GENIUS profile (best 1, nothing below 0) is left as it is."""
    hi, lo = own.best, min(0.0, own.worst)
    return lo, (hi if hi > lo else lo + 1.0)


class HardHeadedModel:
    """HardHeaded's frequency model of one opponent.

    Issue weights start equal; each value's count starts at 1. From the second offer on, each
    issue whose value did not change gains `learning_coef / n_issues` (unless already at the
    largest weight the scheme allows) and all weights are divided by 1 plus that gain times the
    number of unchanged issues; the count of each value in the new offer grows by
    `value_addition`. A value's estimated utility is its count over its issue's largest count.
    """

    def __init__(
        self, shape: tuple[int, ...], learning_coef: float = 0.2, value_addition: float = 1.0
    ) -> None:
        n = len(shape)
        self.weights = np.full(n, 1.0 / n)
        self.counts = [np.ones(s) for s in shape]
        self.golden = learning_coef / n
        self.value_addition = value_addition
        self.last: Outcome | None = None

    def update(self, outcome: Outcome) -> None:
        last, self.last = self.last, outcome
        if last is None:
            return  # the first offer teaches nothing, as in the original
        same = np.array([a == b for a, b in zip(outcome, last, strict=True)])
        total = 1.0 + self.golden * int(same.sum())
        top = 1.0 - len(self.weights) * self.golden / total
        grow = same & (self.weights < top)
        self.weights = np.where(grow, self.weights + self.golden, self.weights) / total
        for i, k in enumerate(outcome):
            self.counts[i][k] += self.value_addition

    def utility(self, rows: NDArray[np.int64]) -> Floats:
        """Estimated utility of each row of outcomes."""
        total = np.zeros(rows.shape[0])
        for i, c in enumerate(self.counts):
            total += self.weights[i] * (c / c.max())[rows[:, i]]
        return total


class HardHeaded(Negotiator):
    """HardHeaded (van Krimpen, Looije and Hajizadeh; ANAC 2011 winner).

    It walks down its own ranking one outcome at a time, never below the concession curve
    p(t) = min + (1 - Fa(t)) (max - min), Fa(t) = ka + (1 - ka) t**(1/e), with e = 0.05 (it
    holds out until the very end) and min = max(`min_utility`, reservation value); with a time
    discount below 0.9 the curve steps down at t = discount as in the original. When the next
    outcome falls below p(t), it repeats one of its earlier offers at random. Outcomes within
    `tolerance` below the next one and above p(t) join it; when there are more than
    `top_selected` of them, the `top_selected` + 1 the opponent model likes best are queued.
    The opponent's best offer so far goes first when it beats the queue. It accepts an offer
    worth more than the least it has offered, or at least what it would offer next.
    Utilities are read on the [0, 1] scale of `unit_scale`.
    """

    name = "hardheaded"

    def __init__(
        self,
        ka: float = 0.05,
        e: float = 0.05,
        min_utility: float = 0.585,
        tolerance: float = 0.01,
        top_selected: int = 4,
        learning_coef: float = 0.2,
        value_addition: float = 1.0,
    ) -> None:
        if e <= 0:
            raise ValueError("e must be positive")
        self.ka = ka
        self.e = e
        self.min_utility = min_utility
        self.tolerance = tolerance
        self.top_selected = top_selected
        self.learning_coef = learning_coef
        self.value_addition = value_addition

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        own = view.me_own
        self.ranking_ = Ranking(own, rng)
        lo, hi = unit_scale(own)
        self.scale_ = (lo, hi)
        self.s_ = (self.ranking_.u - lo) / (hi - lo)  # ranking's utilities on [0, 1]
        self.min_ = max(self.min_utility, (own.prefs.reservation - lo) / (hi - lo))
        self.max_ = float(self.s_[0]) if len(self.s_) else 1.0
        self.models_ = {
            j: HardHeadedModel(view.space.shape, self.learning_coef, self.value_addition)
            for j in range(view.n_parties)
            if j != view.me
        }
        self.mine_: list[int] = []  # positions in the ranking of the offers made
        self.queue_: list[int] = []
        self.lowest_ = 1.0  # lowest (scaled) utility offered so far
        self.their_best_: Outcome | None = None
        self.seen_ = 0

    def scaled(self, u: float) -> float:
        lo, hi = self.scale_
        return (u - lo) / (hi - lo)

    def p(self, t: float, discount: float = 1.0) -> float:
        """The concession curve: the least (scaled) utility it offers anew at time t."""
        hi, lo, ka = self.max_, self.min_, self.ka
        if discount >= 0.9:
            fa = ka + (1 - ka) * (t / discount) ** (1 / self.e)
            return lo + (1 - fa) * (hi - lo)
        if t <= discount:
            fa = ka + (1 - ka) * (t / discount) ** (discount / self.e)
            low = lo + abs(hi - lo) * discount
            return low + (1 - fa) * (hi - low)
        fa = ka + (1 - ka) * ((t - discount) / (1 - discount)) ** (1 / 30)
        high = lo + abs(hi - lo) * discount
        return lo + (1 - fa) * (high - lo)

    def target(self, view: View) -> float:
        lo, hi = self.scale_
        return lo + (hi - lo) * self.p(view.time, view.me_own.prefs.discount)

    def _learn(self, view: View) -> None:
        own = view.me_own
        for move in view.state.history[self.seen_ :]:
            if move.actor in self.models_ and isinstance(move.action, Offer):
                bid = move.action.outcome
                self.models_[move.actor].update(bid)
                if own.acceptable(bid) and (
                    self.their_best_ is None or own.utility(bid) > own.utility(self.their_best_)
                ):
                    self.their_best_ = bid
        self.seen_ = len(view.state.history)

    def _refill(self, view: View) -> None:
        r, s = self.ranking_, self.s_
        p = self.p(view.time, view.me_own.prefs.discount)
        last = len(s) - 1
        nxt = min(self.mine_[-1] + 1, last)
        first = nxt
        if s[nxt] < p:  # below the curve: an earlier offer again, drawn at random
            first = self.mine_[int(self.rng_.integers(len(self.mine_)))]
        group = [first]
        j = nxt + 1
        while j <= last and s[nxt] - s[j] < self.tolerance and s[j] >= p:
            group.append(j)
            j += 1
        if len(group) <= self.top_selected:
            self.queue_ = group
        else:
            rows = r.outcomes(np.asarray(group, dtype=np.int64))
            liked = sum(m.utility(rows) for m in self.models_.values())
            # best for the opponent first; ties go to the better for itself (earlier position)
            pick = np.argsort(-np.asarray(liked), kind="stable")[: self.top_selected + 1]
            self.queue_ = [group[int(i)] for i in pick]
        if self.their_best_ is not None:
            theirs = r.position(self.their_best_)
            if s[self.queue_[0]] < s[theirs]:
                self.queue_.insert(0, theirs)

    def act(self, view: View) -> Action:
        own = view.me_own
        text = view.table
        if Offer not in view.legal:  # answering a text: the aspiration's rules
            return self.answer(view, self.target(view))
        self._learn(view)
        if len(self.ranking_) == 0:  # nothing acceptable to it at all
            return Offer(own.ideal)
        if not self.mine_:
            self.queue_ = [0]  # the opening: its best outcome
        elif not self.queue_:
            self._refill(view)
        if (
            Accept in view.legal
            and text is not None
            and view.state.proposer != view.me
            and own.acceptable(text)
        ):
            u = own.utility(text)
            theirs = self.scaled(u)
            good = theirs > self.lowest_ or self.s_[self.queue_[0]] <= theirs
            if good and u >= own.prefs.reservation:
                return Accept()
        pos = self.queue_.pop(0)
        self.mine_.append(pos)
        self.lowest_ = min(self.lowest_, float(self.s_[pos]))
        return Offer(self.ranking_.outcome(pos))
