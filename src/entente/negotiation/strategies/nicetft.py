"""Nice tit-for-tat (Baarslag, Hindriks and Jonker 2013), with a Bayesian opponent model.

T. Baarslag, K. Hindriks and C. Jonker, "A tit for tat negotiation strategy for real-time
bilateral negotiations", in Complex Automated Negotiations, Studies in Computational
Intelligence 435, Springer, 2013. The rules, as published:

- Bidding mirrors the opponent's concession. How far the opponent has come from its first offer
  towards the Nash point is measured in the opponent's own utility, as the opponent model
  estimates it; the agent concedes the same share of the way from its best utility to its own
  utility at the Nash point. The Nash point is that of the agent's utility and the estimated
  utility of the opponent. Among outcomes worth about that target to itself, it offers the one
  the model says the opponent likes best.
- Acceptance: the offer is accepted when it is worth at least the agent's next offer (AC_next).
  Near the deadline (time >= `late`), it is also accepted when it is worth at least what the
  agent expects the rest of the negotiation to bring: the expected best of the opponent's
  remaining offers, each drawn like one of its `window` most recent ones.
- The opponent model is the Bayesian one of Hindriks and Tykhonov (`models.bayes`).

Departures, and why:
- With several opponents, the agent mirrors the one that conceded least (a tit-for-tat that
  gives no more than everyone gives), and the Nash point is that of all estimated utilities.
- Time is in rounds (the paper's agent runs on a clock): the number of opponent offers still to
  come is counted from the rounds left rather than estimated from the offers' pace.
- In spaces too large to list, the Nash point cannot be found: the agent holds at its best
  outcome and accepts only by the rules above.
"""

from __future__ import annotations

import numpy as np

from entente.negotiation.actions import Offer, Outcome
from entente.negotiation.models.bayes import BayesModel
from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.view import Own, View
from entente.prefs import Floats


class OpponentWatch:
    """One Bayesian model per opponent, fed with every offer it makes, in order."""

    def __init__(self, view: View) -> None:
        self.models = {
            j: BayesModel(view.space.shape) for j in range(view.n_parties) if j != view.me
        }
        self.offers: dict[int, list[tuple[Outcome, float]]] = {j: [] for j in self.models}
        self.seen = 0

    def learn(self, view: View) -> None:
        history = view.state.history
        for m in history[self.seen :]:
            if m.actor in self.models and isinstance(m.action, Offer):
                self.models[m.actor].update(m.action.outcome, m.time)
                self.offers[m.actor].append((m.action.outcome, m.time))
        self.seen = len(history)

    def estimates(self, rows: np.ndarray) -> Floats:
        """Estimated utility (m, opponents) of each row of `rows` to each opponent."""
        return np.stack([self.models[j].utility(rows) for j in self.models], axis=1)


def expected_best(utilities: Floats, draws: int) -> float:
    """The expected maximum of `draws` draws (with replacement) from `utilities`."""
    if draws <= 0:
        return -np.inf  # nothing more will come
    if len(utilities) == 0:
        return np.inf  # nothing known of what will come
    u = np.sort(np.asarray(utilities, dtype=np.float64))
    m = len(u)
    cdf = np.arange(1, m + 1) / m
    return float(u @ (cdf**draws - (cdf - 1.0 / m) ** draws))


class NiceTitForTat(Negotiator):
    """Mirrors the opponent's concession towards the estimated Nash point (see the module)."""

    name = "nice_tft"
    opponent_model_: dict[int, BayesModel] | None = None
    """After `reset`: the Bayesian model of each other party (read by reports of accuracy)."""

    def __init__(self, late: float = 0.98, window: int = 10, tolerance: float = 0.02) -> None:
        if not 0.0 <= late <= 1.0:
            raise ValueError("late must be between 0 and 1")
        if window < 1:
            raise ValueError("window must be at least 1")
        self.late = late
        self.window = window
        self.tolerance = tolerance

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self.watch_ = OpponentWatch(view)
        self.opponent_model_ = self.watch_.models
        self.nash_: int = -1
        self.concession_ = 0.0

    def _rows(self, own: Own) -> np.ndarray:
        assert own.table is not None
        return own.table.outcomes

    def nash_point(self, view: View) -> int:
        """Flat id of the Nash point of own and estimated opponent utilities (-1: none)."""
        own = view.me_own
        if own.table is None:
            return -1
        mine = own.table.u[:, own.index] - own.prefs.reservation
        ok = own.table.ok[:, own.index] & (mine >= 0)
        if not ok.any():
            return -1
        product = np.where(ok, mine, -1.0) * np.prod(self.watch_.estimates(self._rows(own)), axis=1)
        return int(np.argmax(np.where(ok, product, -np.inf)))

    def opponent_concession(self, view: View, nash: int) -> float:
        """Share of the way from its first offer to the Nash point the opponent has come, in
        its estimated utility; the least of the opponents' shares."""
        own = view.me_own
        shares = []
        nash_row = np.asarray([own.outcome(nash)])
        for j, model in self.watch_.models.items():
            offers = self.watch_.offers[j]
            if not offers:
                return 0.0
            first, last, goal = model.utility(
                np.asarray([offers[0][0], offers[-1][0], nash_row[0]])
            )
            span = first - goal
            shares.append(0.0 if span <= 1e-12 else float(np.clip((first - last) / span, 0, 1)))
        return min(shares) if shares else 0.0

    def target(self, view: View) -> float:
        self.watch_.learn(view)
        own = view.me_own
        self.nash_ = self.nash_point(view)
        if self.nash_ < 0:
            return own.best
        self.concession_ = self.opponent_concession(view, self.nash_)
        at_nash = own.utility(own.outcome(self.nash_))
        return max(self.floor(own), own.best - self.concession_ * (own.best - at_nash))

    def choose(self, view: View, target: float) -> Outcome:
        own = view.me_own
        if own.table is None or not any(m.n_ for m in self.watch_.models.values()):
            return own.near(target, self.rng_)
        ids = own.between(target, target + self.tolerance)
        if len(ids) == 0:
            return own.near(target, self.rng_)
        score = self.watch_.estimates(self._rows(own)[ids]).sum(axis=1)
        return own.outcome(int(ids[int(np.argmax(score))]))

    def accepts(self, view: View, outcome: Outcome, target: float) -> bool:
        own = view.me_own
        if not own.acceptable(outcome):
            return False
        u = own.utility(outcome)
        if u < own.prefs.reservation:
            return False
        if u >= own.utility(self.choose(view, target)):  # AC_next
            return True
        if view.time < self.late or Offer not in view.legal:  # no offers to come when answering
            return False
        return u >= self.expected_rest(view)

    def expected_rest(self, view: View) -> float:
        """The expected best of the opponents' offers still to come, each like a recent one."""
        self.watch_.learn(view)
        own = view.me_own
        n = view.n_parties
        left = view.deadline - view.round - (1 if view.me == n - 1 else 0)
        best = -np.inf
        for offers in self.watch_.offers.values():
            recent = [own.utility(o) for o, _ in offers[-self.window :]]
            best = max(best, expected_best(np.asarray(recent), left))
        return best
