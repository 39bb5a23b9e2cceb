"""A negotiating agent composed of a bidding strategy, an opponent model and an acceptance
condition (the BOA architecture: Baarslag, Hindriks, Hendrikx, Dirkzwager and Jonker,
"Decoupling negotiating agents to explore the space of negotiation strategies", 2014).

- Bidding: the target curve of a registered time-dependent strategy (`timedep`, `boulware`,
  `linear`, `conceder`, `aspiration`, `hardliner`). Among the outcomes worth between the
  target and `tolerance` more to the agent (the `window` cheapest of them), it offers the one
  its opponent models rate best (their sum), as the `learner` strategy does; before any model
  has learned anything, or where the space is too large to list, the outcome nearest the target.
- Opponent model: one per other party, made from a spec of `models.MODELS`.
- Acceptance: a condition of `acceptance`, given the utility of the bid the agent would make
  next. Whatever the condition, an offer that crosses the agent's red lines or falls below its
  reservation value is refused (every strategy here respects those).

Where the legal actions leave no offer to make (a mediator's text, an offer put to the vote), the
same parts answer the text on the table: accept by the condition, otherwise object as every
aspiration-holding strategy does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from entente import registry
from entente.errors import StrategyError, quoted
from entente.negotiation.actions import Offer, Outcome
from entente.negotiation.boa.acceptance import Condition
from entente.negotiation.boa.models import Factory, OpponentModel, model
from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.strategies.concession import Aspiration, Hardliner, TimeDependent
from entente.negotiation.strategies.learning import favoured
from entente.negotiation.view import View

BIDDING = (TimeDependent, Aspiration, Hardliner)
"""The strategies whose target curve a BOA agent may bid along."""


class BOA(Negotiator):
    """Bidding, opponent model and acceptance condition, each given by spec (see the module)."""

    name = "boa"
    opponent_model_: dict[int, OpponentModel] | None = None
    """After `reset`: the model of each other party, by party index."""

    def __init__(
        self,
        bid: str = "boulware",
        model: str = "frequency",
        accept: str = "ac_next",
        tolerance: float = 0.05,
        window: int = 2000,
    ) -> None:
        self.bid = bid
        self.model = model
        self.accept = accept
        self.tolerance = tolerance
        self.window = window
        bidder = registry.strategy(bid)
        if not isinstance(bidder, BIDDING):
            raise StrategyError(
                f"boa: bid {quoted(bid)} is not a time-dependent strategy; expected one of "
                "timedep, boulware, linear, conceder, aspiration, hardliner"
            )
        self._bidder: Negotiator = bidder
        self._factory: Factory = _model(model)
        self._condition: Condition = registry.acceptance(accept)

    @property
    def reads_utilities(self) -> bool:
        """Whether the view must carry every party's utilities (the perfect model's ablation)."""
        return self._factory.reads_utilities

    def params(self) -> dict[str, Any]:
        return {
            "bid": self._bidder.spec(),
            "model": self._factory.spec(),
            "accept": self._condition.spec(),
            "tolerance": self.tolerance,
            "window": self.window,
        }

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self._bidder.reset(view, rng)
        self.opponent_model_ = {
            j: self._factory.new(view, j) for j in range(view.n_parties) if j != view.me
        }
        self.learned_ = 0
        self.seen_ = 0

    def target(self, view: View) -> float:
        return self._bidder.target(view)

    def _learn(self, view: View) -> None:
        assert self.opponent_model_ is not None
        history = view.state.history
        for m in history[self.seen_ :]:
            if m.actor in self.opponent_model_ and isinstance(m.action, Offer):
                self.opponent_model_[m.actor].update(m.action.outcome, m.time)
                self.learned_ += 1
        self.seen_ = len(history)

    def choose(self, view: View, target: float) -> Outcome:
        self._learn(view)
        assert self.opponent_model_ is not None
        own = view.me_own
        if own.table is None or not self.learned_:
            return own.near(target, self.rng_)
        models = self.opponent_model_.values()
        return favoured(own, target, self.tolerance, self.window, models, self.rng_)

    def accepts(self, view: View, outcome: Outcome, target: float) -> bool:
        own = view.me_own
        if not own.acceptable(outcome) or own.utility(outcome) < own.prefs.reservation:
            return False
        next_bid = own.utility(self.choose(view, target))
        return self._condition.accepts(view, outcome, next_bid)


def _model(spec: str) -> Factory:
    try:
        return model(spec)
    except StrategyError as e:
        raise StrategyError(f"boa: model: {e}") from None
