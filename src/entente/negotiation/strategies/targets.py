"""A declared description of a strategy's aspiration, which array engines can play.

A `Negotiator` that offers near its aspiration and accepts what reaches it (the base class's
own `act`, `choose`, `accepts` and `floor`) may declare the rule its aspiration follows by
returning a `Targets` from `targets()`. The batched tournament engine then plays many of its
negotiations at once as arrays, with the same arithmetic, instead of one move at a time; a
strategy that declares nothing (or changes how it offers or accepts) plays in the driver loop.

Three shapes cover the clock-driven and reactive aspirations, with hi the best utility, lo
the floor and t the relative time:
- falling: hi - (hi - lo) * curve(t) (the time-dependent family: curve = t ** (1 / e));
- rising: lo + (hi - lo) * curve(t) (aspiration: curve = 1 - t ** exponent);
- reactive: max(lo, hi - factor * conceded), where conceded is how much better to this party
  the others' latest offer is than their first, plus `kindness` per offer (tit-for-tat).

A fourth, `ranked`, is not an aspiration but a whole way to play, which a strategy that keeps
its own `act` may declare (MiCRO does): with its acceptable outcomes ranked best first
(`Own.order`), it proposes the next one only while the others have proposed at least as many
distinct outcomes as it has, and it is worth the reservation value; otherwise it repeats one
of its earlier proposals drawn with `rng.integers` (its first if it has none). It accepts an
offer worth at least what it would propose next (its last proposal's utility when it may not
concede) and its reservation value.

`aim(view)` computes the aspiration from the declaration, so a strategy whose `target` is
`self.targets().aim(view)` cannot disagree with what it declares.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Literal

from entente.negotiation.actions import Offer
from entente.negotiation.view import View

Shape = Literal["falling", "rising", "reactive", "ranked"]


def _still(t: float) -> float:
    return 0.0


@dataclass(frozen=True)
class Targets:
    """The aspiration's rule (see the module). `curve` maps a relative time (a float) to a
    share of the span; `key` names the curve, so that engines compute each one once for all
    strategies that share it (equal keys must mean equal curves; an empty key shares with
    nothing)."""

    shape: Shape
    curve: Callable[[float], float] = _still
    key: tuple[Hashable, ...] = ()
    factor: float = 1.0
    kindness: float = 0.0

    @staticmethod
    def falling(power: float) -> Targets:
        """hi - (hi - lo) * t ** power."""
        return Targets("falling", lambda t: t**power, ("falling", power))

    @staticmethod
    def stay() -> Targets:
        """Always the best utility (hi - (hi - lo) * 0)."""
        return Targets("falling", _still, ("stay",))

    @staticmethod
    def rising(exponent: float) -> Targets:
        """lo + (hi - lo) * (1 - t ** exponent)."""
        return Targets("rising", lambda t: 1.0 - t**exponent, ("rising", exponent))

    @staticmethod
    def reactive(factor: float, kindness: float) -> Targets:
        """max(lo, hi - factor * conceded): tit-for-tat in one's own terms."""
        return Targets("reactive", _still, ("reactive",), factor, kindness)

    @staticmethod
    def ranked() -> Targets:
        """One step down its own ranking per distinct offer received (see the module)."""
        return Targets("ranked", _still, ("ranked",))

    def aim(self, view: View, lo: float) -> float:
        """The aspiration now, for the party acting in `view`, above floor `lo` (not for
        `ranked`, whose moves are no aspiration)."""
        if self.shape == "ranked":
            raise ValueError("a ranked strategy declares how it plays, not an aspiration")
        own = view.me_own
        hi = own.best
        match self.shape:
            case "falling":
                return hi - (hi - lo) * self.curve(view.time)
            case "rising":
                return lo + (hi - lo) * self.curve(view.time)
        theirs = [
            m.action.outcome
            for m in view.state.history
            if m.actor != view.me and isinstance(m.action, Offer)
        ]
        conceded = 0.0
        if theirs:
            conceded = max(0.0, own.utility(theirs[-1]) - own.utility(theirs[0]))
            conceded += self.kindness * len(theirs)
        return max(lo, hi - self.factor * conceded)
