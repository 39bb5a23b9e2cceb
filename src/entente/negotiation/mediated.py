"""The single negotiating text: a mediator drafts, the parties answer, the mediator revises.

Each round the mediator (actor index n_parties) puts a complete text on the table; then each
party in turn accepts it, or rejects it naming the issues it objects to, or walks away. A text
that every party accepts is the agreement. After `deadline` rounds the talks end unagreed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject, Walk
from entente.negotiation.protocol import NONE, Legal, Move, State

DRAFT: Legal = frozenset({Offer, Walk})
"""The mediator: put a text on the table (or end the talks)."""
ANSWER: Legal = frozenset({Accept, Reject, Walk})
"""A party: accept the text, object to some of its issues, or walk away."""


@dataclass(frozen=True)
class SingleText:
    """Mediated single negotiating text (Fisher's one-text procedure)."""

    name: str = "mediated"
    mediated: bool = True

    def start(self, n_parties: int, deadline: int) -> State:
        return State(n_parties=n_parties, deadline=deadline, actor=n_parties)

    def time(self, state: State) -> float:
        n = state.n_parties
        step = 0 if state.actor == n else state.actor + 1
        return min(1.0, (state.round * (n + 1) + step) / (state.deadline * (n + 1)))

    def legal(self, state: State) -> Legal:
        if state.done:
            return NONE
        return DRAFT if state.actor == state.n_parties else ANSWER

    def check(self, state: State, action: Action) -> str | None:
        if state.done:
            return "the negotiation is over"
        mediator = state.actor == state.n_parties
        match action:
            case Offer() if not mediator:
                return "parties answer the mediator's text; only the mediator drafts"
            case Accept() | Reject() if mediator:
                return "the mediator must put a text on the table"
            case Reject(objections) if len(set(objections)) != len(objections):
                return "an issue is objected to twice"
            case Accept(min_power=low, max_power=high) if low is not None or high is not None:
                return "bounds on a deal's power belong to votes under mopac"
        return None

    def agreement(self, state: State) -> Outcome | None:
        """The mediator's text that every party accepted, the answers right after it."""
        return _agreed(state.history, state.n_parties)

    def is_final(self, state: State) -> bool:
        """Over when someone walked away, a text was agreed, or `deadline` rounds of a text and
        its answers were played."""
        h, n = state.history, state.n_parties
        return bool(h) and (
            isinstance(h[-1].action, Walk)
            or len(h) >= state.deadline * (n + 1)
            or _agreed(h, n) is not None
        )

    def step(self, state: State, action: Action) -> State:
        n = state.n_parties
        move = Move(state.actor, action, state.round, self.time(state))
        history = (*state.history, move)
        s = replace(state, history=history)
        match action:
            case Walk():
                return replace(s, done=True)
            case Offer(outcome):
                return replace(s, table=outcome, proposer=n, responses=(), actor=0)
        s = replace(s, responses=(*state.responses, move))
        if state.actor < n - 1:
            return replace(s, actor=state.actor + 1)
        agreed = _agreed(history, n)
        if agreed is not None:
            return replace(s, done=True, agreement=agreed)
        rnd = state.round + 1
        return replace(s, round=rnd, actor=n, done=len(history) >= state.deadline * (n + 1))


def _agreed(history: tuple[Move, ...], n: int) -> Outcome | None:
    """The text that the last n moves, all of them answers, accept."""
    if len(history) <= n or not isinstance(text := history[-n - 1].action, Offer):
        return None
    if all(isinstance(m.action, Accept) for m in history[len(history) - n :]):
        return text.outcome
    return None
