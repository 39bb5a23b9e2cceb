"""A strategy that learns what the others want from what they offer.

A frequency model (as in the HardHeaded agent and its successors): an issue on which an
opponent's offers rarely change is taken to matter to it, and the options it offers most often
to be the ones it values. Among the outcomes worth about the same to itself, the strategy
offers the one the model says the others like best.
"""

from __future__ import annotations

import numpy as np

from entente.negotiation.actions import Offer, Outcome
from entente.negotiation.strategies.concession import TimeDependent
from entente.negotiation.view import View
from entente.prefs import Floats


class FrequencyModel:
    """Estimated utility of one opponent, learned from the sequence of its offers."""

    def __init__(self, shape: tuple[int, ...], learning_rate: float = 0.2) -> None:
        self.counts = [np.zeros(s) for s in shape]
        self.weights = np.full(len(shape), 1.0 / len(shape))
        self.rate = learning_rate
        self.last: Outcome | None = None
        self.n = 0

    def update(self, outcome: Outcome) -> None:
        for i, k in enumerate(outcome):
            self.counts[i][k] += 1.0
        if self.last is not None:
            same = np.array([a == b for a, b in zip(outcome, self.last, strict=True)], dtype=float)
            self.weights = self.weights + self.rate * same
            self.weights /= self.weights.sum()
        self.last = outcome
        self.n += 1

    def utility(self, outcomes: np.ndarray) -> Floats:
        """Estimated utility in [0, 1] of each row of `outcomes`."""
        total = np.zeros(outcomes.shape[0])
        for i, c in enumerate(self.counts):
            top = c.max()
            if top > 0:
                total += self.weights[i] * (c / top)[outcomes[:, i]]
        return total


class FrequencyLearner(TimeDependent):
    """Time-dependent concession; among offers within `tolerance` of its aspiration, the one the
    frequency models of the other parties value most (their sum)."""

    name = "learner"

    def __init__(self, e: float = 0.2, tolerance: float = 0.05, window: int = 2000) -> None:
        super().__init__(e)
        self.tolerance = tolerance
        self.window = window

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self.models_ = {
            j: FrequencyModel(view.space.shape) for j in range(view.n_parties) if j != view.me
        }
        self.seen_ = 0

    def _learn(self, view: View) -> None:
        history = view.state.history
        for m in history[self.seen_ :]:
            if m.actor in self.models_ and isinstance(m.action, Offer):
                self.models_[m.actor].update(m.action.outcome)
        self.seen_ = len(history)

    def choose(self, view: View, target: float) -> Outcome:
        self._learn(view)
        own = view.me_own
        if own.table is None or not any(m.n for m in self.models_.values()):
            return own.near(target, self.rng_)
        ids = own.between(target, target + self.tolerance)
        if len(ids) == 0:
            return own.near(target, self.rng_)
        ids = ids[-self.window :]  # the cheapest concessions, nearest the aspiration
        rows = own.table.outcomes[ids]
        score = sum(m.utility(rows) for m in self.models_.values())
        return own.outcome(int(ids[int(np.argmax(score))]))
