"""Multiple offers, partial consensus: every party offers, every party votes, subsets can settle.

After GeniusWeb's MOPaC protocol. Each round has three phases, taken one turn at a time:

1. offer and vote: each party still at the table puts one offer on it, and each of the others
   votes on that offer right after it is made (accept or reject);
2. opt in: once every offer of the round has its votes, each party is asked again about each
   offer it rejected (offer by offer, parties in order) and may accept it now, having seen every
   vote of the round; a vote can be extended, never withdrawn. Such a move names the offer it
   answers (`Move.answers`), since that offer is no longer the last one in the history;
3. deals: an offer's supporters are its maker and those who accepted it. A vote may bound the
   total power of the deal it joins (`Accept(min_power=, max_power=)`, as GeniusWeb's votes
   do); each party weighs `powers[i]` (1 by default). The consensus group of an offer is its
   largest set of supporters (by power, then by number) whose total power lies within every
   member's bounds and who number at least `min_parties`. The offer with the strongest group
   is a deal binding that group (ties go to the earlier offer); among the offers left, deals
   are made in the same way with the parties not yet bound, until none is possible.

Parties bound by a deal leave the table; the others go on to the next round among themselves
while at least `min_parties` of them remain. After `deadline` rounds the talks end. Parties in
no deal get their reservation value.

Where this departs from GeniusWeb's MOPaC, and why:
- Turns are taken one at a time, so each offer is put to the vote as soon as it is made, and a
  party making a later offer of the round has seen the earlier offers and their votes. This keeps
  every vote right after the offer it answers in the history, so traces and checks read it as
  they read any answer.
- The opt-in phase asks each party only about the offers it rejected, one at a time, instead
  of taking a new set of votes from everyone at once; extending a vote's power bounds is not
  offered (a party that accepted keeps its first bounds).
- The maker of an offer supports it without voting on it, with no bounds on the deal's power.
- A party that walks away ends the talks for everyone (deals made in earlier rounds stand), as in
  the other protocols.
- `agreement` and `bound` are the first deal and its parties; `deals` in the state lists every
  deal, and each party's utility is that of the deal that binds it.

While voting or opting in, a party is shown the offer as a mediator's text is shown (`table`,
with the maker as `proposer`) and may accept or reject it, so every strategy that answers a
mediator votes without change; while offering, nothing is on the table and it may offer or walk
away. The round's offers and their supporters so far are public (`offers`, `support`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations

from entente.errors import EntenteError
from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject, Walk
from entente.negotiation.protocol import NONE, Legal, Move, State

OFFER: Legal = frozenset({Offer, Walk})
"""A party's turn to offer: make an offer, or walk away."""
VOTE: Legal = frozenset({Accept, Reject})
"""A party's turn to vote on the offer on the table (or to opt in to it)."""

Deal = tuple[Outcome, tuple[int, ...]]
"""An agreed offer and the parties it binds."""


@dataclass(frozen=True)
class MopacState(State):
    """The public state, plus this round's offers and each one's supporters so far.

    `step` counts the turns taken in this round; `active` names the parties still at the
    table; `deals` every deal made so far; `bound` the parties of the first.
    """

    step: int = 0
    offers: tuple[Outcome, ...] = ()
    support: tuple[tuple[int, ...], ...] = field(default=())
    bound: tuple[int, ...] | None = None
    active: tuple[int, ...] = ()
    deals: tuple[Deal, ...] = ()


@dataclass(frozen=True)
class _Vote:
    """A supporter of an offer and the bounds it puts on the deal's power."""

    party: int
    low: int
    high: int | None


@dataclass(frozen=True)
class Mopac:
    """Every party offers, the others vote and may opt in; deals bind subsets, the rest go on."""

    min_parties: int = 2
    powers: tuple[int, ...] | None = None
    name: str = "mopac"
    mediated: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.min_parties, bool) or not isinstance(self.min_parties, int):
            raise ValueError(f"min_parties={self.min_parties!r}: expected a whole number")
        if self.min_parties < 2:
            raise ValueError(f"min_parties={self.min_parties}: expected at least 2")
        if self.powers is not None:
            powers = tuple(self.powers)
            if not all(isinstance(p, int) and not isinstance(p, bool) and p > 0 for p in powers):
                raise ValueError(f"powers={self.powers!r}: expected whole numbers above 0")
            object.__setattr__(self, "powers", powers)

    def start(self, n_parties: int, deadline: int) -> MopacState:
        if self.min_parties > n_parties:
            raise EntenteError(
                f"protocol mopac: min_parties={self.min_parties} but only {n_parties} parties"
            )
        if self.powers is not None and len(self.powers) != n_parties:
            raise EntenteError(f"protocol mopac: {len(self.powers)} powers for {n_parties} parties")
        return MopacState(n_parties=n_parties, deadline=deadline, active=tuple(range(n_parties)))

    def power(self, party: int) -> int:
        return 1 if self.powers is None else self.powers[party]

    def time(self, state: State) -> float:
        m = len(state.active) if isinstance(state, MopacState) and state.active else state.n_parties
        per = m * m
        step = min(state.step, per) if isinstance(state, MopacState) else 0
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
            case Accept(min_power=low, max_power=high):
                if low is not None and (isinstance(low, bool) or not isinstance(low, int)):
                    return f"min_power={low!r}: expected a whole number"
                if high is not None and (isinstance(high, bool) or not isinstance(high, int)):
                    return f"max_power={high!r}: expected a whole number"
                if low is not None and high is not None and low > high:
                    return f"min_power={low} is above max_power={high}"
        return None

    # -- the turns of a round ------------------------------------------------------------

    def _turns(self, active: Sequence[int], moves: Sequence[Move]) -> list[tuple[int, int]]:
        """The round's turns as (offer index, actor) pairs: each party at the table offers
        (an offer index with its maker) and each of the others votes on it right after (the
        first m * m turns); then, once `moves` (the round's moves so far) hold every vote,
        each party's opt-in turns, one for each offer it rejected, offer by offer."""
        turns = []
        for j, maker in enumerate(active):
            turns.append((j, maker))
            turns += [(j, p) for p in active if p != maker]
        if len(moves) >= len(turns):
            no = {t for t, m in zip(turns, moves, strict=False) if isinstance(m.action, Reject)}
            turns += [(j, p) for j, maker in enumerate(active) for p in active if (j, p) in no]
        return turns

    def step(self, state: State, action: Action) -> MopacState:
        assert isinstance(state, MopacState)
        n = len(state.active)
        j = self._turns(state.active, _this_round(state.history, state.round))[state.step][0]
        opting = state.step >= n * n  # an opt-in turn: the move names the offer it answers
        answers = state.offers[j] if opting else None
        move = Move(state.actor, action, state.round, self.time(state), answers)
        history = (*state.history, move)
        if isinstance(action, Walk):
            return replace(state, history=history, done=True, table=None)
        s = state
        match action:
            case Offer(outcome):
                s = replace(
                    s,
                    offers=(*s.offers, outcome),
                    support=(*s.support, (s.actor,)),
                )
            case Accept():
                support = list(s.support)
                support[j] = tuple(sorted({*support[j], s.actor}))
                s = replace(s, support=tuple(support))
        s = replace(s, history=history)
        done_round = _this_round(history, s.round)
        turns = self._turns(s.active, done_round)
        step = s.step + 1
        if step < len(turns):
            j, actor = turns[step]
            vote = actor != s.active[j]
            # the votes (and opt-ins) this offer has had so far
            said = tuple(
                mv
                for (k, a), mv in zip(turns, done_round, strict=False)
                if k == j and a != s.active[j]
            )
            return replace(
                s,
                step=step,
                actor=actor,
                table=s.offers[j] if vote else None,
                proposer=s.active[j] if vote else -1,
                responses=said if vote else (),
            )
        # the round is over: its deals, then the next round among the parties left
        deals = self.round_deals(s.active, done_round)
        active = tuple(p for p in s.active if not any(p in b for _, b in deals))
        every = (*s.deals, *deals)
        rnd = s.round + 1
        over = len(active) < self.min_parties or rnd >= s.deadline
        first = every[0] if every else None
        return replace(
            s,
            round=rnd if not over else s.round,
            actor=active[0] if active and not over else s.actor,
            step=0,
            table=None,
            proposer=-1,
            responses=(),
            offers=(),
            support=(),
            active=active if not over else s.active,
            deals=every,
            done=over,
            agreement=first[0] if first else None,
            bound=first[1] if first else None,
        )

    # -- deals, from the votes ----------------------------------------------------------

    def round_deals(self, active: Sequence[int], moves: Sequence[Move]) -> tuple[Deal, ...]:
        """The deals of one complete round (its moves, in order), as the module describes."""
        turns = self._turns(active, moves)
        offers: dict[int, Outcome] = {}
        votes: dict[int, dict[int, _Vote]] = {}
        for (j, actor), m in zip(turns, moves, strict=False):
            match m.action:
                case Offer(outcome):
                    offers[j] = outcome
                    votes[j] = {actor: _Vote(actor, 0, None)}
                case Accept(min_power=low, max_power=high):
                    votes[j][actor] = _Vote(actor, low or 0, high)
        deals: list[Deal] = []
        taken: set[int] = set()
        left = sorted(offers)
        while left:
            best: tuple[tuple[int, int, int], int, tuple[int, ...]] | None = None
            for j in left:
                group = self.consensus([v for p, v in votes[j].items() if p not in taken])
                if group:
                    key = (sum(self.power(p) for p in group), len(group), -j)
                    if best is None or key > best[0]:
                        best = (key, j, group)
            if best is None:
                break
            _, j, group = best
            deals.append((offers[j], group))
            taken.update(group)
            left.remove(j)
        return tuple(deals)

    def consensus(self, votes: Sequence[_Vote]) -> tuple[int, ...]:
        """The strongest set of these supporters (by power, then number, then the lowest
        indices) whose total power lies within every member's bounds and who number at least
        `min_parties`; () when there is none."""
        best: tuple[tuple[int, int], tuple[int, ...]] | None = None
        for size in range(len(votes), self.min_parties - 1, -1):
            for group in combinations(sorted(votes, key=lambda v: v.party), size):
                power = sum(self.power(v.party) for v in group)
                if all(v.low <= power and (v.high is None or power <= v.high) for v in group):
                    key = (power, size)
                    if best is None or key > best[0]:
                        best = (key, tuple(v.party for v in group))
        return best[1] if best else ()

    # -- the end, from the history alone ---------------------------------------------------

    def _replay(self, state: State) -> tuple[tuple[Deal, ...], int, bool]:
        """From the history alone: every deal made, the rounds completed, and whether a
        party walked away."""
        active = tuple(range(state.n_parties))
        got: list[Deal] = []
        by_round: dict[int, list[Move]] = {}
        for m in state.history:
            by_round.setdefault(m.round, []).append(m)
        complete = 0
        for rnd in sorted(by_round):
            moves = by_round[rnd]
            if any(isinstance(m.action, Walk) for m in moves):
                return tuple(got), complete, True
            if len(moves) < len(self._turns(active, moves)):
                break  # the round is not over
            deals = self.round_deals(active, moves)
            got += deals
            active = tuple(p for p in active if not any(p in b for _, b in deals))
            complete += 1
        return tuple(got), complete, False

    def deals(self, state: State) -> tuple[Deal, ...]:
        """Every deal made, read from the history alone (round by round)."""
        return self._replay(state)[0]

    def agreement(self, state: State) -> Outcome | None:
        """The first deal's offer (see `deals`)."""
        deals = self.deals(state)
        return deals[0][0] if deals else None

    def is_final(self, state: State) -> bool:
        """Over when a party walked away, fewer than `min_parties` parties are left unbound,
        or `deadline` rounds were played."""
        deals, complete, walked = self._replay(state)
        left = state.n_parties - sum(len(b) for _, b in deals)
        return walked or left < self.min_parties or complete >= state.deadline


def _this_round(history: Sequence[Move], rnd: int) -> list[Move]:
    """The moves of round `rnd` (the last ones of the history)."""
    out: list[Move] = []
    for m in reversed(history):
        if m.round != rnd:
            break
        out.append(m)
    return out[::-1]
