"""CUHKAgent, the winner of ANAC 2012 (Hao and Leung).

J. Hao and H. Leung, "CUHKAgent: an adaptive negotiation strategy for bilateral negotiations
over multiple items", in Novel Insights in Agent-based Complex Automated Negotiation, Studies in
Computational Intelligence 535, Springer, 2014, pp. 171-179 (the ABiNeS strategy of the same
authors, IAT 2012).

The agent holds an aspiration (its utility threshold) that falls from its best utility towards
`best * discount**(1 - lam)` until the time `lam` ("concede-to-time"), and stays at the
discounted best afterwards. `lam` starts from the discount factor and grows with the
opponent's concession degree (how many of its latest offers are new), so a conceding opponent
makes the agent tougher. Offers are drawn from the outcomes above the threshold, the one whose
options the opponent has offered most often; the opponent's best offer is proposed when it
reaches the threshold. Near the deadline the agent proposes the opponent's best offer.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from entente.negotiation.actions import Accept, Action, Offer, Outcome, Walk
from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.view import Own, View

MIN_CONCEDE_TIME = 0.08
"""The earliest concede-to-time, reached with a discount factor of 0."""
HISTORY = 10
"""How many of the opponent's latest distinct offers measure its concession degree."""
STORED = 100
"""Option counts are kept over the opponent's first `STORED` distinct offers."""
SEARCH = 200
"""Candidates scored by the opponent's option counts; more are sampled down to this many."""


def concession_degree(distinct: list[Outcome], counts: Counter[Outcome]) -> float:
    """The opponent's concession degree: the share of new offers among its latest ones, squared.

    `distinct` lists its distinct offers in the order first made, `counts` how often each was
    made. With more than `HISTORY` distinct offers, the share is that of the last `HISTORY` made
    only once; with fewer, the number of distinct offers over `HISTORY`.
    """
    if len(distinct) > HISTORY:
        fresh = sum(1 for b in distinct[-HISTORY:] if counts[b] == 1)
        return (fresh / HISTORY) ** 2
    return (len(distinct) / HISTORY) ** 2


def concede_time(discount: float, degree: float, weight: float = 0.1, gamma: float = 10.0) -> float:
    """Time until which the agent concedes: grows with the discount and the opponent's concession.

    `lam0 = 0.08 + 0.92 * discount**beta` (beta 1.8, 1.5 or 1.2 as the discount is above 0.75,
    above 0.5, or lower), then `lam = lam0 + weight * (1 - lam0) * degree**gamma`, at most 1.
    """
    beta = 1.8 if discount > 0.75 else 1.5 if discount > 0.5 else 1.2
    lam0 = MIN_CONCEDE_TIME + (1.0 - MIN_CONCEDE_TIME) * discount**beta
    return min(1.0, lam0 + weight * (1.0 - lam0) * degree**gamma)


def threshold(best: float, discount: float, lam: float, t: float, alpha: float = 2.0) -> float:
    """The utility threshold at time t: from `best` down to `best * discount**(1 - lam)`."""
    if t <= lam:
        low = best * discount ** (1.0 - lam)
        return best - (best - low) * (t / lam) ** alpha
    return best * discount ** (1.0 - t)


class CUHKAgent(Negotiator):
    """ANAC 2012 winner: a discount-aware threshold, adapted to the opponent's concession.

    `alpha` shapes the fall of the threshold before the concede-to-time (2 in the original),
    `weight` and `gamma` how much the opponent's concession degree delays it (0.1 and 10),
    `explore` the chance of offering a random candidate instead of the opponent's favourite
    (0.05), and `last` the number of rounds before the deadline at which the agent proposes the
    opponent's best offer (5). Against several parties, their offers are pooled as one opponent.
    """

    name = "cuhk"

    def __init__(
        self,
        alpha: float = 2.0,
        weight: float = 0.1,
        gamma: float = 10.0,
        explore: float = 0.05,
        last: int = 5,
    ) -> None:
        if alpha <= 0:
            raise ValueError("alpha must be positive")
        if not 0.0 <= explore <= 1.0:
            raise ValueError("explore must be in [0, 1]")
        self.alpha = alpha
        self.weight = weight
        self.gamma = gamma
        self.explore = explore
        self.last = last

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        own = view.me_own
        self.discount_ = own.prefs.discount
        self.lam_ = concede_time(self.discount_, 0.0, self.weight, self.gamma)
        self.distinct_: list[Outcome] = []
        self.counts_: Counter[Outcome] = Counter()
        self.options_ = [np.zeros(s) for s in view.space.shape]
        self.best_offer_: Outcome | None = None
        self.seen_ = 0
        self.concede_ = False
        self.threshold_ = own.best

    def _learn(self, view: View) -> None:
        own = view.me_own
        history = view.state.history
        for m in history[self.seen_ :]:
            if m.actor == view.me or m.actor >= view.n_parties or not isinstance(m.action, Offer):
                continue
            bid = m.action.outcome
            if bid not in self.counts_:
                self.distinct_.append(bid)
                if self.best_offer_ is None or own.utility(bid) > own.utility(self.best_offer_):
                    self.best_offer_ = bid
            self.counts_[bid] += 1
            if len(self.distinct_) <= STORED:
                for i, k in enumerate(bid):
                    self.options_[i][k] += 1.0
        self.seen_ = len(history)
        degree = concession_degree(self.distinct_, self.counts_)
        self.lam_ = concede_time(self.discount_, degree, self.weight, self.gamma)

    def _scale(self, own: Own) -> float:
        return own.best - own.worst

    def target(self, view: View) -> float:
        """The utility threshold now."""
        own = view.me_own
        best = own.best
        if self.discount_ == 1.0 and view.space.size > 3000:
            # large undiscounted domains: stay within a narrow band below the best
            drop = 0.25 if view.space.size > 10000 and view.time >= 0.98 else 0.05
            aim = best - drop * self._scale(own)
        else:
            aim = threshold(best, self.discount_, self.lam_, view.time, self.alpha)
        self.threshold_ = aim
        return aim

    def _candidates(self, own: Own, low: float, high: float) -> list[Outcome]:
        if own.table is None:
            return [own.near(low, self.rng_)]
        ids = own.between(low, high)
        if len(ids) == 0:
            return [own.ideal]
        return [own.outcome(int(i)) for i in ids]

    def _pick(self, own: Own, cands: list[Outcome]) -> Outcome:
        """The candidate whose options the opponent offered most often (ties at random)."""
        rng = self.rng_
        if len(cands) > SEARCH:
            cands = [cands[int(i)] for i in rng.integers(len(cands), size=SEARCH)]
        rows = np.asarray(cands, dtype=np.int64)
        score = sum(c[rows[:, i]] for i, c in enumerate(self.options_))
        score = np.asarray(score, dtype=float)
        if score.max() <= 0.0 or rng.random() >= 1.0 - self.explore:
            return cands[int(rng.integers(len(cands)))]
        top = np.flatnonzero(score == score.max())
        return cands[int(top[int(rng.integers(len(top)))])]

    def _bid(self, view: View, aim: float) -> Outcome:
        """The offer for this round (the original's BidToOffer)."""
        own = view.me_own
        best = self.best_offer_
        if best is not None and own.utility(best) >= aim:
            return best
        return self._pick(own, self._candidates(own, aim, own.best))

    def choose(self, view: View, target: float) -> Outcome:
        self._learn(view)
        own = view.me_own
        left = view.deadline - view.round
        best = self.best_offer_
        if best is None:
            return own.ideal
        if left > HISTORY or left >= self.last:
            return self._bid(view, target)
        # the last rounds: the opponent's best offer, or, when that is poor, a near-best outcome
        scale = self._scale(own)
        if own.utility(best) < own.worst + 0.85 * scale and left >= 2:
            hi = own.best - 0.02 * scale
            return self._pick(own, self._candidates(own, own.best - 0.15 * scale, hi))
        return best

    def accepts(self, view: View, outcome: Outcome, target: float) -> bool:
        """Accept at or above the threshold; or, when the opponent's best offer (discounted)
        beats what the agent can still hope for, accept what comes within 0.01 of that best
        offer, and otherwise propose that best offer next."""
        own = view.me_own
        if not own.acceptable(outcome) or own.utility(outcome) < own.prefs.reservation:
            return False
        u = own.utility(outcome)
        if u >= target:
            return True
        best = self.best_offer_
        if best is None:
            return False
        top = own.prefs.discounted(own.utility(best), view.time)
        hope = own.best * self.discount_
        if (
            top > hope and view.time > self.lam_
        ) or top > self.threshold_ * self.discount_**view.time:
            if u >= own.utility(best) - 0.01 * self._scale(own):
                return True
            self.concede_ = True
        return False

    def act(self, view: View) -> Action:
        self._learn(view)
        aim = self.target(view)
        if Offer not in view.legal:  # answering a text: the aspiration's rules
            return super().act(view)
        own = view.me_own
        self.concede_ = False
        bid = self.choose(view, aim)
        text = view.table
        if Accept in view.legal and text is not None and view.state.proposer != view.me:
            # as good as the threshold or as the agent's own next offer
            if self.accepts(view, text, min(aim, own.utility(bid))):
                return Accept()
            if (
                self.concede_
                and self.best_offer_ is not None
                and view.deadline - view.round > HISTORY
            ):
                bid = self.best_offer_
        if Walk in view.legal and self._walks(view, aim, bid):
            return Walk()
        return Offer(bid)

    def _walks(self, view: View, aim: float, bid: Outcome) -> bool:
        """End the talks when the reservation value reaches the threshold or the next offer, or
        when, discounted, it beats the best the agent can still hope for after `lam`."""
        own = view.me_own
        rv = own.prefs.reservation
        if rv <= own.worst:
            return False  # no deal is worth no more than the worst outcome: keep talking
        if rv >= aim or rv >= own.utility(bid):
            return True
        later = own.prefs.discounted(rv, view.time)
        return bool(later > own.best * self.discount_ and view.time > self.lam_)
