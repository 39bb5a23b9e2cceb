"""Acceptance conditions: when a negotiating agent takes the offer in front of it.

From T. Baarslag, K. Hindriks and C. Jonker, "Acceptance conditions in automated negotiation"
(ACAN 2011), as used to decouple agents in T. Baarslag, K. Hindriks, M. Hendrikx, A. Dirkzwager
and C. Jonker, "Decoupling negotiating agents to explore the space of negotiation strategies"
(Novel Insights in Agent-based Complex Automated Negotiation, Springer, 2014). With x the
offer received at relative time t and x' the offer the agent would make next, u its own utility:

- AC_next(a, b): accept when a * u(x') + b <= u(x);
- AC_const(c): accept when u(x) >= c;
- AC_time(T): accept anything once t >= T;
- AC_combi(T, MAX^W): accept when AC_next holds, or when t >= T and x is worth at least the best
  offer received in the window W = [t - (1 - t), t], a stretch of the past as long as the time
  that remains (the received offers include x itself).

Each condition is a small object with `accepts(view, offer, next_bid)`, utilities being the
agent's own (undiscounted). The agent adds what every strategy here respects: nothing that
crosses its red lines, nothing below its reservation value.
"""

from __future__ import annotations

from dataclasses import dataclass

from entente.negotiation.actions import Offer, Outcome
from entente.negotiation.view import View


class Condition:
    """Base of the acceptance conditions: parameters as given, a spec like a strategy's."""

    name = ""

    def accepts(self, view: View, offer: Outcome, next_bid: float) -> bool:
        """Whether to accept `offer`, the agent's next bid being worth `next_bid` to it."""
        raise NotImplementedError

    def spec(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{self.name}({args})"


@dataclass(frozen=True, repr=False)
class ACNext(Condition):
    """Accept when a * u(next own bid) + b <= u(offer)."""

    a: float = 1.0
    b: float = 0.0
    name = "ac_next"

    def accepts(self, view: View, offer: Outcome, next_bid: float) -> bool:
        return self.a * next_bid + self.b <= view.me_own.utility(offer)


@dataclass(frozen=True, repr=False)
class ACConst(Condition):
    """Accept when u(offer) >= c."""

    c: float = 0.9
    name = "ac_const"

    def accepts(self, view: View, offer: Outcome, next_bid: float) -> bool:
        return view.me_own.utility(offer) >= self.c


@dataclass(frozen=True, repr=False)
class ACTime(Condition):
    """Accept any offer once the relative time reaches t."""

    t: float = 0.99
    name = "ac_time"

    def accepts(self, view: View, offer: Outcome, next_bid: float) -> bool:
        return view.time >= self.t


@dataclass(frozen=True, repr=False)
class ACCombi(Condition):
    """AC_combi(T, MAX^W): AC_next(a, b), or, once the time reaches t, an offer at least as good
    as every offer received in the last stretch of time as long as the time that remains."""

    t: float = 0.98
    a: float = 1.0
    b: float = 0.0
    name = "ac_combi"

    def accepts(self, view: View, offer: Outcome, next_bid: float) -> bool:
        own = view.me_own
        u = own.utility(offer)
        if self.a * next_bid + self.b <= u:
            return True
        if view.time < self.t:
            return False
        start = view.time - (1.0 - view.time)
        best = max(
            (
                own.utility(m.action.outcome)
                for m in view.state.history
                if m.actor != view.me and isinstance(m.action, Offer) and m.time >= start
            ),
            default=u,
        )
        return u >= best
