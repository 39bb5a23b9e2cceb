"""Alternating offers for two or more parties.

Parties move in turn. The first must offer (or walk away); each later party accepts the offer
on the table or replaces it with its own. An offer is agreed when every other party has
accepted it in turn. A round is one move by each party; after `deadline` rounds the talks end
without agreement. With two parties this is Rubinstein's protocol with a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject, Walk
from entente.negotiation.protocol import NONE, Legal, Move, State

OPEN: Legal = frozenset({Offer, Walk})
"""Nothing on the table: offer, or walk away."""
ANSWER: Legal = frozenset({Offer, Accept, Walk})
"""An offer on the table: accept it, counter it, or walk away."""


@dataclass(frozen=True)
class AlternatingOffers:
    """Parties take turns to offer or accept; agreement needs every party."""

    name: str = "alternating"
    mediated: bool = False

    def start(self, n_parties: int, deadline: int) -> State:
        return State(n_parties=n_parties, deadline=deadline)

    def time(self, state: State) -> float:
        n = state.n_parties
        return min(1.0, (state.round * n + state.actor) / (state.deadline * n))

    def legal(self, state: State) -> Legal:
        if state.done:
            return NONE
        return OPEN if state.table is None else ANSWER

    def check(self, state: State, action: Action) -> str | None:
        if state.done:
            return "the negotiation is over"
        match action:
            case Accept() if state.table is None:
                return "there is no offer on the table to accept"
            case Accept(min_power=low, max_power=high) if low is not None or high is not None:
                return "bounds on a deal's power belong to votes under mopac"
            case Reject():
                return "in alternating offers, reject by making a counter-offer"
        return None

    def agreement(self, state: State) -> Outcome | None:
        """The offer that every other party accepted, each in turn right after it."""
        return _agreed(state.history, state.n_parties)

    def is_final(self, state: State) -> bool:
        """Over when a party walked away, an offer was agreed, or `deadline` rounds of one move
        per party were played."""
        h, n = state.history, state.n_parties
        return bool(h) and (
            isinstance(h[-1].action, Walk)
            or len(h) >= state.deadline * n
            or _agreed(h, n) is not None
        )

    def step(self, state: State, action: Action) -> State:
        move = Move(state.actor, action, state.round, self.time(state))
        history = (*state.history, move)
        table, proposer, responses = state.table, state.proposer, state.responses
        match action:
            case Offer(outcome):
                table, proposer, responses = outcome, state.actor, ()
            case Accept():
                responses = (*responses, move)
            case Reject():
                raise ValueError("reject is not a move of alternating offers")
        agreed = _agreed(history, state.n_parties)
        if agreed is not None or isinstance(action, Walk):  # the talks end at this move
            return replace(state, history=history, responses=responses, done=True, agreement=agreed)
        actor = (state.actor + 1) % state.n_parties
        # one new state per move, built directly: this runs once per action of every session
        after = State(
            n_parties=state.n_parties,
            deadline=state.deadline,
            history=history,
            round=state.round + (actor == 0),
            actor=actor,
            table=table,
            proposer=proposer,
            responses=responses,
        )
        # neither walked nor agreed: over when the last round is played
        return (
            replace(after, done=True) if len(history) >= state.deadline * state.n_parties else after
        )


def _agreed(history: tuple[Move, ...], n: int) -> Outcome | None:
    """The offer that the n - 1 moves after it accept, when those are the last moves (an
    agreement is made by an acceptance)."""
    if not history or type(history[-1].action) is not Accept:
        return None
    if len(history) < n or not isinstance(offer := history[-n].action, Offer):
        return None
    if all(isinstance(m.action, Accept) for m in history[len(history) - n + 1 :]):
        return offer.outcome
    return None
