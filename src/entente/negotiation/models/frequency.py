"""A frequency opponent model (as in the HardHeaded agent, van Krimpen et al. 2013, and its
successors).

An issue on which an opponent's consecutive offers rarely change is taken to matter to it (its
weight grows by `learning_rate` each time the option repeats, then the weights are normalised),
and the options it offers most often to be the ones it values (an option is worth its count over
the issue's largest count). The estimate is the weighted sum, in [0, 1].
"""

from __future__ import annotations

import numpy as np

from entente.negotiation.actions import Outcome
from entente.prefs import Floats


class FrequencyModel:
    """Estimated utility of one opponent, learned from the sequence of its offers."""

    def __init__(self, shape: tuple[int, ...], learning_rate: float = 0.2) -> None:
        self.counts = [np.zeros(s) for s in shape]
        self.weights = np.full(len(shape), 1.0 / len(shape))
        self.rate = learning_rate
        self.last: Outcome | None = None
        self.n = 0

    @property
    def n_(self) -> int:
        """Offers learned from (the name every opponent model shares)."""
        return self.n

    def update(self, outcome: Outcome, time: float = 0.0) -> None:
        """Learn from one offer (`time` is not used: the model counts, it does not date)."""
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
