"""A peace conference: bilateral sittings article by article, then a mediator from outside.

The first `bilateral` rounds (days) are sittings of the parties alone, each taking up the next
articles of the `agenda` (spread evenly over those days). The first party (the one that tabled
the demands) puts its text on the table. Each other party then states its own position (a
complete text of its own) and is asked about the day's articles: it answers, as it would
answer a mediator's text, the text made of its own position with the day's articles as the
first party tabled them. An article of the day that no party objects to is settled at the
tabled option and is not reopened; an article someone objects to is set aside. Asking each
party about its own position with only the day's articles changed is what makes an answer
speak to those articles: silence on an article the party was not asked about is not consent.

From round `bilateral` on, the mediator acts, through texts rather than at the table: each
round it drafts a complete text, the settled articles standing as settled, and the parties
answer it as under the single negotiating text (`mediated`); a text they all accept is the
agreement. The history records a party's text as the party gave it, and the mediator's as put
on the table. Objections to settled articles are out of order: the table hears (`responses`) only
those to open ones; the history keeps every answer as given. If the sittings settle every
issue, the settled articles are the agreement. After `deadline` rounds the talks end unagreed.

Besides the public state, the protocol keeps the articles settled so far with the round of
each (`ConferenceState.settled`), which `entente run` compares with the chronology a scenario
records. Whether the talks are over and what was agreed follow from the history alone
(`is_final`, `agreement`: the moves replayed from the start).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from entente.errors import EntenteError
from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject, Walk
from entente.negotiation.protocol import NONE, Legal, Move, State

TABLE: Legal = frozenset({Offer, Walk})
"""Putting a text on the table (the first party's demands, another party's own position, or
the mediator's draft), or ending the talks."""
ANSWER: Legal = frozenset({Accept, Reject, Walk})
"""A party answering the text: accept it, object to some of its issues, or walk away."""


@dataclass(frozen=True)
class ConferenceState(State):
    """The public state, plus the articles settled so far ((issue, option, round) each), the
    text the first party tabled today (`tabled`), and whether the actor to move answers a text
    (`answering`) rather than puts one on the table."""

    settled: tuple[tuple[int, int, int], ...] = field(default=())
    tabled: Outcome | None = None
    answering: bool = False


@dataclass(frozen=True)
class Conference:
    """Bilateral sittings issue by issue, then the mediator's good offices from outside."""

    bilateral: int = 5
    agenda: tuple[int, ...] = ()
    name: str = "conference"
    mediated: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.bilateral, bool) or not isinstance(self.bilateral, int):
            raise ValueError(f"bilateral={self.bilateral!r}: expected a whole number of rounds")
        if self.bilateral < 0:
            raise ValueError(f"bilateral={self.bilateral}: expected 0 or more rounds")
        agenda = self.agenda
        if not isinstance(agenda, tuple | list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in agenda
        ):
            raise ValueError(f"agenda={agenda!r}: expected a list of issue indices (0, 1, ...)")
        if len(set(agenda)) != len(agenda):
            raise ValueError(f"agenda={list(agenda)!r}: an issue is on the agenda twice")
        object.__setattr__(self, "agenda", tuple(agenda))

    def start(self, n_parties: int, deadline: int) -> ConferenceState:
        actor = 0 if self.bilateral > 0 else n_parties
        return ConferenceState(n_parties=n_parties, deadline=deadline, actor=actor)

    def _opener(self, state: State, rnd: int) -> int:
        """Who puts the first text on the table in round `rnd`: the first party on bilateral
        days, the mediator afterwards."""
        return 0 if rnd < self.bilateral else state.n_parties

    def articles(self, rnd: int, n_issues: int) -> tuple[int, ...]:
        """The agenda's articles taken up on bilateral day `rnd` (none after the last one)."""
        agenda = self.agenda or tuple(range(n_issues))
        too_far = [i for i in agenda if i >= n_issues]
        if too_far:
            raise EntenteError(
                f"protocol conference: the agenda names issue {too_far[0]}, but the issues are "
                f"numbered 0 to {n_issues - 1}"
            )
        if rnd >= self.bilateral:
            return ()
        m, b = len(agenda), self.bilateral
        return agenda[rnd * m // b : (rnd + 1) * m // b]

    def time(self, state: State) -> float:
        n = state.n_parties
        answering = bool(getattr(state, "answering", False))
        if state.round < self.bilateral:
            per = 2 * n - 1
            step = 0 if state.actor == 0 else 2 * state.actor - 1 + answering
        else:
            per = n + 1
            step = 0 if state.actor == n else state.actor + 1
        return min(1.0, (state.round + step / per) / state.deadline)

    def voting(self, state: State) -> bool:
        """Whether the actor to move answers a text (shown as a mediator's text is)."""
        return not state.done and bool(getattr(state, "answering", False))

    def legal(self, state: State) -> Legal:
        if state.done:
            return NONE
        return ANSWER if getattr(state, "answering", False) else TABLE

    def check(self, state: State, action: Action) -> str | None:
        if state.done:
            return "the negotiation is over"
        answering = bool(getattr(state, "answering", False))
        match action:
            case Offer() if answering:
                return "answer the text on the table: accept it, object to issues, or walk away"
            case Accept() | Reject() if not answering:
                if state.actor == state.n_parties:
                    return "the mediator must put a text on the table"
                if state.actor == self._opener(state, state.round):
                    return "this party must table its text"
                return "this party must state its own position (a text) before answering"
            case Reject(objections) if len(set(objections)) != len(objections):
                return "an issue is objected to twice"
        return None

    def step(self, state: State, action: Action) -> ConferenceState:
        assert isinstance(state, ConferenceState)
        n = state.n_parties
        move = Move(state.actor, action, state.round, self.time(state))
        sitting = state.round < self.bilateral
        match action:
            case Walk():
                return replace(state, history=(*state.history, move), done=True)
            case Offer(outcome):
                text = self._standing(state, outcome)
                if not sitting:  # the mediator's draft, answered by every party
                    s = replace(state, history=(*state.history, replace(move, action=Offer(text))))
                    return replace(s, table=text, proposer=n, responses=(), actor=0, answering=True)
                s = replace(state, history=(*state.history, move))  # a party's text, as given
                if state.actor == 0:  # today's demands: the next party states its position
                    return replace(s, table=text, tabled=text, proposer=0, responses=(), actor=1)
                tabled = state.tabled
                assert tabled is not None
                asked = list(text)  # its own position, today's articles as tabled
                for i in self.articles(state.round, len(text)):
                    asked[i] = tabled[i]
                return replace(s, table=self._standing(state, tuple(asked)), answering=True)
        settled = {i for i, _, _ in state.settled}
        heard = action
        if isinstance(action, Reject) and settled:
            heard = Reject(tuple(i for i in action.objections if i not in settled))
        s = replace(
            state,
            history=(*state.history, move),
            responses=(*state.responses, replace(move, action=heard)),
            answering=False,
        )
        if state.actor < n - 1:
            actor = state.actor + 1
            if sitting:  # the next party states its position, facing today's demands
                return replace(s, actor=actor, table=state.tabled, proposer=0)
            return replace(s, actor=actor, answering=True)
        if not sitting:
            if all(isinstance(m.action, Accept) for m in s.responses):
                return replace(s, done=True, agreement=state.table)
        else:
            tabled = state.tabled
            assert tabled is not None
            objected = {
                i for m in s.responses if isinstance(m.action, Reject) for i in m.action.objections
            }
            new = tuple(
                (i, tabled[i], state.round)
                for i in self.articles(state.round, len(tabled))
                if i not in objected and i not in settled
            )
            s = replace(s, settled=(*state.settled, *new), table=tabled, proposer=0)
            if len(s.settled) == len(tabled):  # the sittings settled every issue
                agreed = self._standing(s, tabled)
                return replace(s, table=agreed, done=True, agreement=agreed)
        rnd = state.round + 1
        return replace(
            s,
            round=rnd,
            actor=self._opener(state, rnd),
            tabled=None if rnd >= self.bilateral else s.tabled,
            done=rnd >= state.deadline,
        )

    def replay(self, state: State) -> ConferenceState:
        """The state the moves of `state.history` lead to, from the start."""
        s = self.start(state.n_parties, state.deadline)
        for m in state.history:
            s = self.step(s, m.action)
        return s

    def agreement(self, state: State) -> Outcome | None:
        """What the moves of the history agreed, if anything."""
        return self.replay(state).agreement

    def is_final(self, state: State) -> bool:
        """Whether the moves of the history ended the talks."""
        return self.replay(state).done

    def _standing(self, state: ConferenceState, outcome: Outcome) -> Outcome:
        """The text as put on the table: `outcome` with every settled article as settled."""
        if not state.settled:
            return outcome
        text = list(outcome)
        for i, option, _ in state.settled:
            if i < len(text):
                text[i] = option
        return tuple(text)
