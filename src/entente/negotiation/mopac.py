"""Multiple offers, partial consensus: every party offers, every party votes, a subset can settle.

A simplified form of GeniusWeb's MOPaC protocol. Each round every party puts one offer on the
table, and the other parties vote on it (accept or reject). When every offer of the round has
been voted on, an offer's supporters are its maker and those who accepted it; the offer with
the most supporters, if they number at least `min_parties`, is the deal (ties go to the earlier
offer), and it binds exactly its supporters. Parties outside the deal get their reservation
value. After `deadline` rounds without a deal the talks end unagreed.

Where this departs from GeniusWeb's MOPaC, and why:
- A vote is accept or reject, without the minimum and maximum power of a deal a party will join
  (entente's parties all weigh the same), and there is no opt-in phase for extending votes.
- Turns are taken one at a time, so each offer is put to the vote as soon as it is made, and a
  party making a later offer of the round has seen the earlier offers and their votes. This keeps
  every vote right after the offer it answers in the history, so traces and checks read it as
  they read any answer.
- The maker of an offer supports it without voting on it.
- The first deal ends the negotiation, also for the parties it leaves out (in MOPaC these go on
  negotiating among themselves).
- A party that walks away ends the talks for everyone, unagreed, as in the other protocols.

While voting, a party is shown the offer as a mediator's text is shown (`table`, with the
maker as `proposer`) and may accept or reject it, so every strategy that answers a mediator
votes without change; while offering, nothing is on the table and it may offer or walk away.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from entente.errors import EntenteError
from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject, Walk
from entente.negotiation.protocol import NONE, Legal, Move, State

OFFER: Legal = frozenset({Offer, Walk})
"""A party's turn to offer: make an offer, or walk away."""
VOTE: Legal = frozenset({Accept, Reject})
"""A party's turn to vote on the offer on the table."""


@dataclass(frozen=True)
class MopacState(State):
    """The public state, plus this round's offers and each one's supporters so far.

    `step` counts the turns taken in this round; `bound` names the parties the deal binds.
    """

    step: int = 0
    offers: tuple[Outcome, ...] = ()
    support: tuple[tuple[int, ...], ...] = field(default=())
    bound: tuple[int, ...] | None = None


def _turn(n: int, step: int) -> tuple[int, int]:
    """(the offer's maker, the actor) at turn `step` of a round: each party offers (its voters
    follow, lowest index first, skipping the maker)."""
    maker, k = divmod(step, n)
    if k == 0:
        return maker, maker
    voter = k - 1
    return maker, voter + (voter >= maker)


@dataclass(frozen=True)
class Mopac:
    """Every party offers, every other party votes; a deal binds those who support it."""

    min_parties: int = 2
    name: str = "mopac"
    mediated: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.min_parties, bool) or not isinstance(self.min_parties, int):
            raise ValueError(f"min_parties={self.min_parties!r}: expected a whole number")
        if self.min_parties < 2:
            raise ValueError(f"min_parties={self.min_parties}: expected at least 2")

    def start(self, n_parties: int, deadline: int) -> MopacState:
        if self.min_parties > n_parties:
            raise EntenteError(
                f"protocol mopac: min_parties={self.min_parties} but only {n_parties} parties"
            )
        return MopacState(n_parties=n_parties, deadline=deadline)

    def _turns(self, state: State) -> int:
        return state.n_parties * state.n_parties

    def time(self, state: State) -> float:
        per = self._turns(state)
        step = state.step if isinstance(state, MopacState) else 0
        return min(1.0, (state.round * per + step) / (state.deadline * per))

    def voting(self, state: State) -> bool:
        """Whether the actor to move votes on an offer (shown as a mediator's text)."""
        return not state.done and state.table is not None

    def legal(self, state: State) -> Legal:
        if state.done:
            return NONE
        return VOTE if state.table is not None else OFFER

    def check(self, state: State, action: Action) -> str | None:
        if state.done:
            return "the negotiation is over"
        voting = state.table is not None
        match action:
            case Offer() if voting:
                return "vote on the offer on the table: accept or reject it"
            case Accept() | Reject() if not voting:
                return "it is this party's turn to make an offer"
            case Walk() if voting:
                return "vote on the offer on the table: accept or reject it"
        return None

    def step(self, state: State, action: Action) -> MopacState:
        assert isinstance(state, MopacState)
        n = state.n_parties
        move = Move(state.actor, action, state.round, self.time(state))
        history = (*state.history, move)
        match action:
            case Walk():
                return replace(state, history=history, done=True)
            case Offer(outcome):
                s = replace(
                    state,
                    history=history,
                    offers=(*state.offers, outcome),
                    support=(*state.support, (state.actor,)),
                    table=outcome,
                    proposer=state.actor,
                    responses=(),
                )
            case Accept() | Reject():
                support = state.support
                if isinstance(action, Accept):
                    support = (*support[:-1], tuple(sorted((*support[-1], state.actor))))
                s = replace(
                    state, history=history, support=support, responses=(*state.responses, move)
                )
        step = state.step + 1
        if step < self._turns(state):
            maker, actor = _turn(n, step)
            voting = actor != maker
            return replace(
                s,
                step=step,
                actor=actor,
                table=s.table if voting else None,
                proposer=s.proposer if voting else -1,
                responses=s.responses if voting else (),
            )
        settled = self.settled(s)
        if settled is not None:
            agreed, bound = settled
            return replace(s, done=True, agreement=agreed, bound=bound, table=None)
        rnd = state.round + 1
        return replace(
            s,
            round=rnd,
            actor=0,
            step=0,
            table=None,
            proposer=-1,
            responses=(),
            offers=(),
            support=(),
            done=len(history) >= state.deadline * self._turns(state),
        )

    def settled(self, state: State) -> tuple[Outcome, tuple[int, ...]] | None:
        """The deal and the parties it binds, read from the history alone: the last round's
        offers and votes, when the history ends with a complete round."""
        h, per = state.history, self._turns(state)
        if not h or len(h) % per:
            return None
        offers: list[Outcome] = []
        support: list[tuple[int, ...]] = []
        for m in h[-per:]:
            match m.action:
                case Offer(outcome):
                    offers.append(outcome)
                    support.append((m.actor,))
                case Accept():
                    support[-1] = tuple(sorted((*support[-1], m.actor)))
                case Walk():
                    return None
        deal = self.deal(tuple(offers), tuple(support))
        return None if deal is None else (offers[deal], support[deal])

    def agreement(self, state: State) -> Outcome | None:
        """The offer of the deal (see `settled`)."""
        settled = self.settled(state)
        return None if settled is None else settled[0]

    def is_final(self, state: State) -> bool:
        """Over when a party walked away, a round ended in a deal, or `deadline` rounds were
        played."""
        h = state.history
        return bool(h) and (
            isinstance(h[-1].action, Walk)
            or len(h) >= state.deadline * self._turns(state)
            or self.settled(state) is not None
        )

    def deal(self, offers: tuple[Outcome, ...], support: tuple[tuple[int, ...], ...]) -> int | None:
        """The index of the offer that binds the most supporters (the first of equals), if
        they are at least `min_parties`; None when no offer has enough."""
        best = max(range(len(offers)), key=lambda j: (len(support[j]), -j), default=None)
        if best is None or len(support[best]) < self.min_parties:
            return None
        return best
