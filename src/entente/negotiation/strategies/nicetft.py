"""Nice tit-for-tat (Baarslag, Hindriks and Jonker 2013), with a Bayesian opponent model.

T. Baarslag, K. Hindriks and C. Jonker, "A tit for tat negotiation strategy for real-time
bilateral negotiations", in Complex Automated Negotiations, Studies in Computational
Intelligence 435, Springer, 2013. The rules, as published:

- Bidding mirrors the opponent's concession. How far the opponent has come from its first offer
  towards the Nash point is measured in the agent's own utility (the opponent's utility is not
  known): the best of the opponent's offers so far over its first, as a share of the agent's
  utility at the Nash point over that first offer; the agent concedes the same share of the way
  from its best utility to its own utility at the Nash point. The Nash point is that of the
  agent's utility and the estimated utility of the opponent. Among outcomes worth about that
  target to itself, it offers the one the model says the opponent likes best.
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

BONUS_FROM = 0.91
"""Time from which the agent concedes towards the Nash point whatever the opponent does."""
BONUS_FROM_BIG = 0.85
"""The same in spaces of more than `BIG` outcomes."""
BIG = 3000
RAMP = 20.0
"""How fast the late concession grows: all the way to the Nash point 1/20 of the time later."""


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
    draws = False  # `Own.near` draws only in spaces too large to list
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
        # per opponent: offers read, its first offer's utility, its best offer's, that offer
        self._offered: dict[int, tuple[int, float, float, Outcome]] = {}

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
        this agent's own utility: the best of its offers so far over its first, against the
        Nash point over its first; the least of the opponents' shares."""
        own = view.me_own
        goal = own.utility(own.outcome(nash))
        shares = []
        self.best_offered(view)
        for j in self.watch_.models:
            if j not in self._offered:
                return 0.0
            _, first, best, _ = self._offered[j]
            span = goal - first
            shares.append(0.0 if span <= 1e-12 else float(np.clip((best - first) / span, 0, 1)))
        return min(shares) if shares else 0.0

    def best_offered(self, view: View) -> tuple[float, Outcome | None]:
        """The best offer any opponent has made, to this agent, and its utility (-inf, None
        before any); kept up to date with every opponent's first and best offer."""
        own = view.me_own
        top: tuple[float, Outcome | None] = (-np.inf, None)
        for j, offers in self.watch_.offers.items():
            if not offers:
                continue
            seen, first, best, outcome = self._offered.get(
                j, (0, own.utility(offers[0][0]), -np.inf, offers[0][0])
            )
            for o, _ in offers[seen:]:
                u = own.utility(o)
                if u > best:
                    best, outcome = u, o
            self._offered[j] = (len(offers), first, best, outcome)
            if best > top[0]:
                top = (best, outcome)
        return top

    def target(self, view: View) -> float:
        self.watch_.learn(view)
        own = view.me_own
        version = self.watch_.version
        if self._aim is None or self._aim[0] != version:  # the mirror, once per update
            self.nash_ = self.nash_point(view)
            at_nash = own.best
            if self.nash_ >= 0:
                self.concession_ = self.opponent_concession(view, self.nash_)
                at_nash = own.utility(own.outcome(self.nash_))
            self._aim = (version, self.nash_, self.concession_, at_nash)
        _, self.nash_, self.concession_, at_nash = self._aim
        if self.nash_ < 0:
            return own.best
        mirrored = own.best - self.concession_ * (own.best - at_nash)
        gap = max(0.0, mirrored - at_nash)
        return max(self.floor(own), mirrored - self.bonus(view) * gap)

    def bonus(self, view: View) -> float:
        """The share of the gap between the mirrored target and the Nash utility conceded
        anyway: 0.5 - 0.4 d for a discount factor d (0.1 without discounting), and from time
        `BONUS_FROM` on (`BONUS_FROM_BIG` in spaces of more than `BIG` outcomes) a share
        rising by `RAMP` per unit of time, whichever is larger, at most all of it."""
        d = view.me_own.prefs.discount
        d = d if 0.0 < d <= 1.0 else 1.0
        start = BONUS_FROM_BIG if view.space.size > BIG else BONUS_FROM
        late = min(1.0, RAMP * (view.time - start)) if view.time > start else 0.0
        return min(1.0, max(0.0, 0.5 - 0.4 * d, late))

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
        # never ask for less than an opponent already offered: offer that offer instead
        best, offered = self.best_offered(view)
        if offered is not None and best >= own.utility(got):
            got = offered
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
