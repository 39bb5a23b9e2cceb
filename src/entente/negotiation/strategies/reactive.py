"""Strategies that react to the others rather than to the clock: tit-for-tat and random."""

from __future__ import annotations

import numpy as np

from entente.negotiation.actions import Accept, Action, Offer, Reject, Walk
from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.strategies.targets import Targets
from entente.negotiation.view import View


class TitForTat(Negotiator):
    """Relative tit-for-tat: concede as much as the others have conceded, in one's own terms.

    The others' concession is how much better (to this party) their latest proposal is than
    their first; the aspiration is the best utility less `factor` times that, plus a small
    opening `kindness` so that two tit-for-tat players do not deadlock.
    """

    name = "tit_for_tat"

    def __init__(self, factor: float = 1.0, kindness: float = 0.02) -> None:
        self.factor = factor
        self.kindness = kindness

    def targets(self) -> Targets:
        return Targets.reactive(self.factor, self.kindness)

    def target(self, view: View) -> float:
        return self.targets().aim(view, self.floor(view.me_own))


class RandomStrategy(Negotiator):
    """Baseline: offers a random outcome above its reservation value; accepts such an outcome
    with probability `p_accept`."""

    name = "random"

    def __init__(self, p_accept: float = 0.5) -> None:
        self.p_accept = p_accept

    def target(self, view: View) -> float:
        return view.me_own.prefs.reservation

    def act(self, view: View) -> Action:
        own = view.me_own
        rng = self.rng_
        text = view.table
        if Accept in view.legal and text is not None and view.state.proposer != view.me:
            good = own.acceptable(text) and own.utility(text) >= own.prefs.reservation
            if good and rng.random() < self.p_accept:
                return Accept()
            if Offer not in view.legal:  # answering a text: object to some of its issues
                if Reject not in view.legal:
                    return Walk()
                gains = own.objections(text, np.inf)
                k = int(rng.integers(1, len(gains) + 1)) if gains else 0
                return Reject(
                    tuple(sorted(rng.choice(gains, size=k, replace=False).tolist())) if k else ()
                )
        if own.table is not None:
            ids = own.at_least(own.prefs.reservation)
            pick = ids[rng.integers(len(ids))] if len(ids) else own.order[0]
            return Offer(own.outcome(int(pick)))
        sample = own.space.sample(rng, 256)
        u = own.prefs.utility(sample)
        good_rows = np.flatnonzero(u >= own.prefs.reservation)
        row = sample[good_rows[0]] if len(good_rows) else sample[int(np.argmax(u))]
        return Offer(tuple(int(x) for x in row))
