"""A strategy that learns what the others want from what they offer.

A frequency model (`models.frequency`, as in the HardHeaded agent and its successors): an issue
on which an opponent's offers rarely change is taken to matter to it, and the options it offers
most often to be the ones it values. Among the outcomes worth about the same to itself, the strategy
offers the one the model says the others like best.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from entente.negotiation.actions import Offer, Outcome
from entente.negotiation.models.frequency import FrequencyModel
from entente.negotiation.strategies.concession import TimeDependent
from entente.negotiation.view import Own, View


class FrequencyLearner(TimeDependent):
    """Time-dependent concession; among offers within `tolerance` of its aspiration, the one the
    frequency models of the other parties value most (their sum)."""

    name = "learner"
    opponent_model_: dict[int, FrequencyModel] | None = None
    """After `reset`: the model of each other party, by party index (read by the reports of
    model accuracy)."""

    def __init__(self, e: float = 0.2, tolerance: float = 0.05, window: int = 2000) -> None:
        super().__init__(e)
        self.tolerance = tolerance
        self.window = window

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self.models_ = {
            j: FrequencyModel(view.space.shape) for j in range(view.n_parties) if j != view.me
        }
        self.opponent_model_ = self.models_
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
        return favoured(own, target, self.tolerance, self.window, self.models_.values(), self.rng_)


def favoured(
    own: Own,
    target: float,
    tolerance: float,
    window: int,
    models: Iterable[Any],
    rng: np.random.Generator,
) -> Outcome:
    """Among one's own outcomes worth `target` to `target + tolerance` (the `window` nearest the
    target: the cheapest concessions), the one the opponent models value most (their sum);
    the outcome nearest the target when there is none. `own.table` must be listed."""
    assert own.table is not None
    ids = own.between(target, target + tolerance)
    if len(ids) == 0:
        return own.near(target, rng)
    ids = ids[-window:]
    rows = own.table.outcomes[ids]
    score = sum(m.utility(rows) for m in models)
    return own.outcome(int(ids[int(np.argmax(score))]))
