"""Alternating offers for two or more parties.

Parties move in turn. The first must offer (or walk away); each later party accepts the offer
on the table or replaces it with its own. An offer is agreed when every other party has
accepted it in turn. A round is one move by each party; after `deadline` rounds the talks end
without agreement. With two parties this is Rubinstein's protocol with a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from entente.negotiation.actions import Accept, Action, Offer, Reject, Walk
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
            case Reject():
                return "in alternating offers, reject by making a counter-offer"
        return None

    def step(self, state: State, action: Action) -> State:
        move = Move(state.actor, action, state.round, self.time(state))
        history = (*state.history, move)
        table, proposer, responses = state.table, state.proposer, state.responses
        match action:
            case Walk():
                return replace(state, history=history, done=True)
            case Offer(outcome):
                table, proposer, responses = outcome, state.actor, ()
            case Accept():
                responses = (*responses, move)
                if len(responses) == state.n_parties - 1:
                    return replace(
                        state, history=history, responses=responses, done=True, agreement=table
                    )
            case Reject():
                raise ValueError("reject is not a move of alternating offers")
        actor = (state.actor + 1) % state.n_parties
        rnd = state.round + (actor == 0)
        # one new state per move, built directly: this runs once per action of every session
        return State(
            n_parties=state.n_parties,
            deadline=state.deadline,
            history=history,
            round=rnd,
            actor=actor,
            table=table,
            proposer=proposer,
            responses=responses,
            done=rnd >= state.deadline,
            agreement=state.agreement,
        )
