"""Strategies that concede on a schedule: the time-dependent family and the hardliner."""

from __future__ import annotations

from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.strategies.targets import Targets
from entente.negotiation.view import View


class TimeDependent(Negotiator):
    """Aspiration falls from the best utility to the floor as t**(1/e) (Faratin et al., 1998).

    e < 1 concedes late (Boulware), e = 1 steadily (linear), e > 1 early (Conceder).
    """

    name = "timedep"

    def __init__(self, e: float = 1.0) -> None:
        if e <= 0:
            raise ValueError("e must be positive")
        self.e = e

    def targets(self) -> Targets:
        return Targets.falling(1.0 / self.e)

    def target(self, view: View) -> float:
        return self.targets().aim(view, self.floor(view.me_own))


class Boulware(TimeDependent):
    """Time-dependent with a late concession (e < 1)."""

    name = "boulware"

    def __init__(self, e: float = 0.2) -> None:
        super().__init__(e)


class Linear(TimeDependent):
    """Time-dependent with a steady concession (e = 1)."""

    name = "linear"

    def __init__(self) -> None:
        super().__init__(1.0)

    def params(self) -> dict[str, object]:
        return {}


class Conceder(TimeDependent):
    """Time-dependent with an early concession (e > 1)."""

    name = "conceder"

    def __init__(self, e: float = 5.0) -> None:
        super().__init__(e)


class Aspiration(Negotiator):
    """Aspiration falls from the best utility to the floor as 1 - t**exponent.

    exponent > 1 holds out and concedes near the deadline, 1 concedes steadily, < 1 early.
    """

    name = "aspiration"

    def __init__(self, exponent: float = 4.0) -> None:
        if exponent <= 0:
            raise ValueError("exponent must be positive")
        self.exponent = exponent

    def targets(self) -> Targets:
        return Targets.rising(self.exponent)

    def target(self, view: View) -> float:
        return self.targets().aim(view, self.floor(view.me_own))


class Hardliner(Negotiator):
    """Never concedes: offers its best outcome and accepts nothing less."""

    name = "hardliner"

    def __init__(self) -> None:
        pass

    def targets(self) -> Targets:
        return Targets.stay()

    def target(self, view: View) -> float:
        return view.me_own.best  # what `Targets.stay().aim` gives, without arithmetic
