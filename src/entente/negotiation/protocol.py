"""What every protocol is: an immutable state and pure functions over it.

A protocol says who acts next, checks an action, and returns the next state. Whether the talks
are over and what was agreed are derived from the history of moves alone: a built-in protocol
answers `is_final(state)` and `agreement(state)` from `state.history` (with the number of
parties and the deadline), and its `step` stores those answers in the state's `done` and
`agreement` so that readers need not ask again. A protocol written without these two methods
sets `done` and `agreement` in its own `step`, and `is_final` and `agreement` below read them
from the state. One driver loop (`session.run`) serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol as _Protocol

from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject, Walk

Legal = frozenset[type[Action]]
"""The kinds of action the actor to move may take now (its action mask)."""

KINDS: tuple[type[Action], ...] = (Offer, Accept, Reject, Walk)
NONE: Legal = frozenset()


@dataclass(frozen=True)
class Move:
    """One action taken: by whom (party index; the mediator is n_parties), in which round.

    An answer (accept, reject) answers the last offer before it, unless `answers` names the
    outcome it answers (a vote extended after later offers, as in mopac's opt-in phase)."""

    actor: int
    action: Action
    round: int
    time: float
    answers: Outcome | None = None


@dataclass(frozen=True)
class State:
    """The public state of a negotiation: everything a strategy may see of it.

    `table` is the outcome under consideration (the standing offer, or the mediator's text);
    `responses` the answers given to it so far in this round. `done` and `agreement` are what
    the protocol derives from `history` (see the module), kept with the state; the driver also
    sets `done` when a clock runs out.
    """

    n_parties: int
    deadline: int
    history: tuple[Move, ...] = ()
    round: int = 0
    actor: int = 0
    table: Outcome | None = None
    proposer: int = -1
    responses: tuple[Move, ...] = ()
    done: bool = False
    agreement: Outcome | None = None


class Protocol(_Protocol):
    """The rules of a negotiation.

    A protocol may also derive the end from the history (every built-in one does):
    `is_final(state) -> bool` and `agreement(state) -> Outcome | None`, reading only
    `state.history`, `state.n_parties` and `state.deadline`. They are not required here, so a
    protocol that sets `done` and `agreement` in its `step` conforms as it is.
    """

    @property
    def name(self) -> str:
        """The protocol's registered name."""
        ...

    @property
    def mediated(self) -> bool:
        """Whether a mediator drafts the texts."""
        ...

    def start(self, n_parties: int, deadline: int) -> State:
        """The state before anyone has acted."""
        ...

    def check(self, state: State, action: Action) -> str | None:
        """Why `action` is not allowed for the actor to move now, or None if it is."""
        ...

    def legal(self, state: State) -> Legal:
        """The kinds of action the actor to move may take now; `check` allows an action of
        one of these kinds (an offer of an outcome of the space, an objection to each issue at
        most once) and refuses every other kind."""
        ...

    def step(self, state: State, action: Action) -> State:
        """The state after the actor to move takes `action` (which `check` allowed)."""
        ...

    def time(self, state: State) -> float:
        """Relative time in [0, 1]: the share of the deadline used up."""
        ...


def legal_by_check(protocol: Protocol, state: State) -> Legal:
    """The kinds of action `protocol.check` allows now, asked of one plain action of each kind:
    the legal actions of a protocol that does not list them itself."""
    samples: tuple[Action, ...] = (Offer(()), Accept(), Reject(()), Walk())
    return frozenset(type(a) for a in samples if protocol.check(state, a) is None)


def is_final(protocol: Protocol, state: State) -> bool:
    """Whether the talks are over: as the protocol derives it from the history, or, for a
    protocol without `is_final`, as its `step` recorded it; a state the driver ended (a clock
    ran out) is final too."""
    derive = getattr(protocol, "is_final", None)
    return state.done or (derive is not None and bool(derive(state)))


def agreement(protocol: Protocol, state: State) -> Outcome | None:
    """What was agreed: as the protocol derives it from the history, or, for a protocol
    without `agreement`, as its `step` recorded it."""
    derive = getattr(protocol, "agreement", None)
    return derive(state) if derive is not None else state.agreement


def legal_of(protocol: Protocol, state: State) -> Legal:
    """The legal actions now: those `protocol.legal` lists, or, for a protocol written
    without that method, those its `check` allows."""
    listed = getattr(protocol, "legal", None)
    return listed(state) if listed is not None else legal_by_check(protocol, state)
