"""A peace conference: bilateral sittings article by article, then a mediator from outside.

The first `bilateral` rounds (days) are sittings of the parties alone. Each day the first party
(the one that tabled the demands) puts its text on the table, and every other party answers it
as it would answer a mediator's text: accept it, or reject it naming the issues it objects to,
or walk away. The day's articles, taken from the `agenda` in order and spread evenly over the
bilateral days, are then settled or set aside: an article of the day that no party objected to
is settled at the text's option and is not reopened; an article someone objected to is set
aside for later. A text every party accepts is the agreement, as at any table.

From round `bilateral` on, the mediator acts, through texts rather than at the table: each
round it drafts a complete text, the settled articles standing as settled, and the parties
answer it as under the single negotiating text (`mediated`). Objections to settled articles
are out of order: the table hears (`responses`) only those to open ones; the history keeps
every answer as given. Issues not on the agenda (and
articles set aside) are left to this phase. After `deadline` rounds the talks end unagreed.

What the protocol keeps, besides the public state: the articles settled so far, with the
round of each (`ConferenceState.settled`), which `entente run` compares with the chronology a
scenario records.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from entente.errors import EntenteError
from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject, Walk
from entente.negotiation.protocol import NONE, Legal, Move, State

TABLE: Legal = frozenset({Offer, Walk})
"""The party that tables the text (bilateral days) or the mediator (later): put a text on the
table, or end the talks."""
ANSWER: Legal = frozenset({Accept, Reject, Walk})
"""A party answering the text: accept it, object to some of its issues, or walk away."""


@dataclass(frozen=True)
class ConferenceState(State):
    """The public state, plus the articles settled so far: (issue, option, round) each."""

    settled: tuple[tuple[int, int, int], ...] = field(default=())


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
        """Who puts the text on the table in round `rnd`: the first party on bilateral days,
        the mediator afterwards."""
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
        per = n if state.round < self.bilateral else n + 1
        opener = self._opener(state, state.round)
        step = 0 if state.actor == opener else state.actor + (opener == n)
        return min(1.0, (state.round + step / per) / state.deadline)

    def voting(self, state: State) -> bool:
        """Whether the actor to move answers a text (shown as a mediator's text is)."""
        return (
            not state.done
            and state.table is not None
            and state.actor != self._opener(state, state.round)
        )

    def legal(self, state: State) -> Legal:
        if state.done:
            return NONE
        return TABLE if state.actor == self._opener(state, state.round) else ANSWER

    def check(self, state: State, action: Action) -> str | None:
        if state.done:
            return "the negotiation is over"
        opening = state.actor == self._opener(state, state.round)
        mediator = state.actor == state.n_parties
        match action:
            case Offer() if not opening:
                return "answer the text on the table: accept it, object to issues, or walk away"
            case Accept() | Reject() if opening:
                who = "the mediator" if mediator else "this party"
                return f"{who} must put a text on the table"
            case Reject(objections) if len(set(objections)) != len(objections):
                return "an issue is objected to twice"
        return None

    def step(self, state: State, action: Action) -> ConferenceState:
        assert isinstance(state, ConferenceState)
        n = state.n_parties
        move = Move(state.actor, action, state.round, self.time(state))
        match action:
            case Walk():
                return replace(state, history=(*state.history, move), done=True)
            case Offer(outcome):
                text = self._standing(state, outcome)
                move = replace(move, action=Offer(text))
                return replace(
                    state,
                    history=(*state.history, move),
                    table=text,
                    proposer=state.actor,
                    responses=(),
                    actor=0 if state.actor == n else 1,
                )
        settled = {i for i, _, _ in state.settled}
        heard = action
        if isinstance(action, Reject) and settled:
            heard = Reject(tuple(i for i in action.objections if i not in settled))
        s = replace(
            state,
            history=(*state.history, move),
            responses=(*state.responses, replace(move, action=heard)),
        )
        last = n - 1
        if state.actor < last:
            return replace(s, actor=state.actor + 1)
        on_table = state.table
        assert on_table is not None
        if all(isinstance(m.action, Accept) for m in s.responses):
            return replace(s, done=True, agreement=on_table)
        if state.round < self.bilateral:
            objected = {
                i for m in s.responses if isinstance(m.action, Reject) for i in m.action.objections
            }
            new = tuple(
                (i, on_table[i], state.round)
                for i in self.articles(state.round, len(on_table))
                if i not in objected and i not in settled
            )
            s = replace(s, settled=(*state.settled, *new))
        rnd = state.round + 1
        return replace(
            s,
            round=rnd,
            actor=self._opener(state, rnd),
            done=rnd >= state.deadline,
        )

    def agreement(self, state: State) -> Outcome | None:
        """The text put on the table that every answer after it accepted (from the history)."""
        text, answers = self._last_text(state)
        if text is None or not answers or len(answers) < self._answering(state, text):
            return None
        ok = all(isinstance(m.action, Accept) for m in answers)
        return text.action.outcome if ok and isinstance(text.action, Offer) else None

    def is_final(self, state: State) -> bool:
        """Over when someone walked away, a text was agreed, or the answers to the text of the
        last round (`deadline`) are all in (from the history)."""
        h = state.history
        if not h:
            return False
        if isinstance(h[-1].action, Walk) or self.agreement(state) is not None:
            return True
        text, answers = self._last_text(state)
        return (
            text is not None
            and len(answers) == self._answering(state, text)
            and text.round >= state.deadline - 1
        )

    def _last_text(self, state: State) -> tuple[Move | None, tuple[Move, ...]]:
        """The last text put on the table, and the moves made since."""
        h = state.history
        for j in range(len(h) - 1, -1, -1):
            if isinstance(h[j].action, Offer):
                return h[j], h[j + 1 :]
        return None, ()

    def _answering(self, state: State, text: Move) -> int:
        """How many answers a text gets: every party but the one that tabled it, or all of them
        when the mediator drafted it."""
        return state.n_parties - (text.round < self.bilateral)

    def _standing(self, state: ConferenceState, outcome: Outcome) -> Outcome:
        """The text as put on the table: `outcome` with every settled article as settled."""
        if not state.settled:
            return outcome
        on_table = list(outcome)
        for i, option, _ in state.settled:
            if i < len(on_table):
                on_table[i] = option
        return tuple(on_table)
