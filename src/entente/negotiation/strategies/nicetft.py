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
        self.version = 0
        """Updates so far: what is computed from the models holds while it stays the same."""
        self._all: tuple[np.ndarray, Floats] | None = None  # every outcome's, until an update

    def learn(self, view: View) -> None:
        history = view.state.history
        for m in history[self.seen :]:
            if m.actor in self.models and isinstance(m.action, Offer):
                self.models[m.actor].update(m.action.outcome, m.time)
                self.offers[m.actor].append((m.action.outcome, m.time))
                self._all = None
                self.version += 1
        self.seen = len(history)

    def estimates(self, rows: np.ndarray) -> Floats:
        """Estimated utility (m, opponents) of each row of `rows` to each opponent."""
        return np.stack([self.models[j].utility(rows) for j in self.models], axis=1)

    def every(self, outcomes: np.ndarray) -> Floats:
        """`estimates` of every outcome of a listed space (`outcomes`, indexed by flat id),
        computed once between two updates of the models (row by row the same numbers)."""
        if self._all is None or self._all[0] is not outcomes:
            self._all = (outcomes, self.estimates(outcomes))
        return self._all[1]


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
        # what the rules computed for the models as they stand (`watch_.version`): the
        # aspiration, and the last offer chosen for a target; the same answers, computed once
        self._aim: tuple[int, int, float, float] | None = None
        self._choice: tuple[int, float, Outcome] | None = None
        self._gains: tuple[np.ndarray, Floats, bool] | None = None

    def _rows(self, own: Own) -> np.ndarray:
        assert own.table is not None
        return own.table.outcomes

    def nash_point(self, view: View) -> int:
        """Flat id of the Nash point of own and estimated opponent utilities (-1: none)."""
        own = view.me_own
        if own.table is None:
            return -1
        if self._gains is None:  # its own side of the product: the same at every move
            mine = own.table.u[:, own.index] - own.prefs.reservation
            ok = own.table.ok[:, own.index] & (mine >= 0)
            self._gains = (ok, np.where(ok, mine, -1.0), bool(ok.any()))
        ok, gains, some = self._gains
        if not some:
            return -1
        product = gains * np.prod(self.watch_.every(self._rows(own)), axis=1)
        return int(np.argmax(np.where(ok, product, -np.inf)))

    def opponent_concession(self, view: View, nash: int) -> float:
        """Share of the way from its first offer to the Nash point the opponent has come, in
        its estimated utility; the least of the opponents' shares."""
        own = view.me_own
        shares = []
        every = self.watch_.every(self._rows(own))
        for col, j in enumerate(self.watch_.models):
            offers = self.watch_.offers[j]
            if not offers:
                return 0.0
            first, last, goal = every[[own.flat(offers[0][0]), own.flat(offers[-1][0]), nash], col]
            span = first - goal
            shares.append(0.0 if span <= 1e-12 else float(np.clip((first - last) / span, 0, 1)))
        return min(shares) if shares else 0.0

    def target(self, view: View) -> float:
        self.watch_.learn(view)
        own = view.me_own
        version = self.watch_.version
        if self._aim is not None and self._aim[0] == version:  # nothing learned since
            _, self.nash_, self.concession_, aim = self._aim
            return aim
        self.nash_ = self.nash_point(view)
        if self.nash_ < 0:
            aim = own.best
        else:
            self.concession_ = self.opponent_concession(view, self.nash_)
            at_nash = own.utility(own.outcome(self.nash_))
            aim = max(self.floor(own), own.best - self.concession_ * (own.best - at_nash))
        self._aim = (version, self.nash_, self.concession_, aim)
        return aim

    def choose(self, view: View, target: float) -> Outcome:
        own = view.me_own
        if own.table is None or not any(m.n_ for m in self.watch_.models.values()):
            return own.near(target, self.rng_)
        version = self.watch_.version
        if self._choice is not None and self._choice[:2] == (version, target):
            return self._choice[2]
        ids = own.between(target, target + self.tolerance)
        if len(ids) == 0:
            got = own.near(target, self.rng_)
        else:
            score = self.watch_.every(self._rows(own))[ids].sum(axis=1)
            got = own.outcome(int(ids[int(np.argmax(score))]))
        self._choice = (version, target, got)
        return got

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
