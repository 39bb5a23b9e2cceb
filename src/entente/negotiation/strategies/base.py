"""What every strategy is: explicit keyword parameters, stored as given, and one method.

`act(view) -> Action` is required; `reset(view, rng)` is called once before the first move.
Whatever a strategy learns during a negotiation ends in an underscore.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject, Walk
from entente.negotiation.strategies.targets import Targets
from entente.negotiation.view import Own, View


class Strategy:
    """Base class: parameter listing and spec strings come from `__init__`'s signature."""

    name: str = ""
    mediator: bool = False
    """True for strategies that draft texts as a mediator."""
    draws: bool = True
    """False when it draws no random numbers in a space that is listed (`Own.table`), so that
    its negotiations there do not depend on their seeds. Read only on the class that sets it:
    a subclass says so again."""

    def reset(self, view: View, rng: np.random.Generator) -> None:
        """Prepare for a new negotiation (called before the first move)."""
        self.rng_ = rng

    def act(self, view: View) -> Action:
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        """The keyword parameters, as given."""
        sig = inspect.signature(type(self).__init__)
        named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        return {
            k: getattr(self, k)
            for k, p in sig.parameters.items()
            if k != "self" and p.kind in named
        }

    def spec(self) -> str:
        """The string that makes this strategy again, e.g. 'boulware(e=0.2)'."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{self.name}({args})"

    def __repr__(self) -> str:
        return self.spec()


class Negotiator(Strategy):
    """A party that holds an aspiration level: it offers near it and accepts what reaches it.

    Subclasses say what the aspiration is at each moment (`target`) and may choose among the
    offers near it (`choose`). What it may do comes from the view's legal actions, whatever
    the protocol: where it may not offer (a mediator's text, an offer put to the vote) the same
    rules answer the text on the table: accept when it reaches the aspiration, otherwise object
    to the issues that would close the gap, naming at most `OBJECTIONS` of them, the most
    important first, as a delegation states its main points.
    """

    OBJECTIONS = 3

    def target(self, view: View) -> float:
        raise NotImplementedError

    def targets(self) -> Targets | None:
        """The declared rule its aspiration follows (`strategies.targets`), which lets the
        batched tournament engine play it as arrays; None (the default) plays it in the
        driver loop. Declare one only if `target` computes `targets().aim(view, floor)`, or,
        for `Targets.ranked()`, if it plays as that describes (MiCRO)."""
        return None

    def floor(self, own: Own) -> float:
        """The least this party will settle for: its reservation value, or its worst outcome."""
        return max(own.prefs.reservation, own.worst)

    def choose(self, view: View, target: float) -> Outcome:
        return view.me_own.near(target, self.rng_)

    def accepts(self, view: View, outcome: Outcome, target: float) -> bool:
        own = view.me_own
        return own.acceptable(outcome) and own.utility(outcome) >= max(
            target, own.prefs.reservation
        )

    def answer(self, view: View, aim: float) -> Action:
        """Answer the text on the table (a mediator's, or an offer put to a vote): accept it
        when it reaches `aim`, else object to the issues that would close the gap (or walk
        away where objecting is not a legal action)."""
        own, text = view.me_own, view.table
        assert text is not None
        if Accept in view.legal and self.accepts(view, text, aim):
            return Accept()
        if Reject not in view.legal and Walk in view.legal:
            return Walk()
        return Reject(own.objections(text, aim - own.utility(text), self.OBJECTIONS))

    def act(self, view: View) -> Action:
        own = view.me_own
        if Walk in view.legal and own.table is not None and len(own.order) == 0:
            return Walk()  # nothing this party could accept (its red lines or win-set) is left
        aim = self.target(view)
        if Offer not in view.legal:
            return self.answer(view, aim)
        if (
            Accept in view.legal
            and view.table is not None
            and view.state.proposer != view.me
            and self.accepts(view, view.table, aim)
        ):
            return Accept()
        return Offer(self.choose(view, aim))
