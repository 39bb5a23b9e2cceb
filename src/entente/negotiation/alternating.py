"""Alternating offers for two or more parties.

Parties move in turn. The first must offer (or walk away); each later party accepts the offer
on the table or replaces it with its own. An offer is agreed when every other party has
accepted it in turn. A round is one move by each party; after `deadline` rounds the talks end
without agreement. With two parties this is Rubinstein's protocol with a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from entente.negotiation.actions import Accept, Action, Offer, Reject, Walk
from entente.negotiation.protocol import Move, State


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

    def check(self, state: State, action: Action) -> str | None:
        if state.done:
            return "the negotiation is over"
        match action:
            case Accept() if state.table is None:
                return "there is no offer on the table to accept"
            case Reject():
                return "in alternating offers, reject by making a counter-offer"
        return None

    def step(self, state: State, action: Action) -> State:
        move = Move(state.actor, action, state.round, self.time(state))
        s = replace(state, history=(*state.history, move))
        match action:
            case Walk():
                return replace(s, done=True)
            case Offer(outcome):
                s = replace(s, table=outcome, proposer=state.actor, responses=())
            case Accept():
                s = replace(s, responses=(*state.responses, move))
                if len(s.responses) == state.n_parties - 1:
                    return replace(s, done=True, agreement=state.table)
            case Reject():
                raise ValueError("reject is not a move of alternating offers")
        actor = (state.actor + 1) % state.n_parties
        rnd = state.round + (actor == 0)
        return replace(s, actor=actor, round=rnd, done=rnd >= state.deadline)
