"""The conference protocol: bilateral sittings settle or set aside the agenda's articles, then a
mediator drafts from outside, with the settled articles standing."""

from __future__ import annotations

import numpy as np
import pytest

from entente import registry
from entente.conformance import _below, domain
from entente.errors import EntenteError, StrategyError
from entente.negotiation.actions import Accept, Action, Offer, Reject, Walk
from entente.negotiation.conference import ANSWER, TABLE, Conference, ConferenceState
from entente.negotiation.session import run, trace_jsonl
from entente.negotiation.strategies.base import Strategy
from entente.negotiation.view import View
from entente.prefs import LinearAdditive, Preferences
from entente.space import OutcomeSpace, categorical


def test_registered_with_its_parameters() -> None:
    p = registry.protocol("conference(bilateral=3, agenda=[2, 0])")
    assert isinstance(p, Conference) and p.bilateral == 3 and p.agenda == (2, 0)
    assert "conference" in registry.DESCRIPTIONS
    with pytest.raises(StrategyError, match="on the agenda twice"):
        registry.protocol("conference(agenda=[1, 1])")
    with pytest.raises(StrategyError, match="issue indices"):
        registry.protocol("conference(agenda=['korea'])")
    with pytest.raises(StrategyError, match="0 or more"):
        registry.protocol("conference(bilateral=-1)")


def test_articles_spread_evenly_over_the_bilateral_days() -> None:
    p = Conference(bilateral=3, agenda=(4, 0, 1, 2, 3))
    days = [p.articles(d, 5) for d in range(4)]
    assert days == [(4,), (0, 1), (2, 3), ()]
    assert sum(days, ()) == p.agenda
    assert Conference(bilateral=2).articles(1, 4) == (2, 3)  # no agenda: every issue in order
    with pytest.raises(EntenteError, match="agenda names issue 7"):
        Conference(bilateral=2, agenda=(7,)).articles(0, 3)


class Script(Strategy):
    """Plays the actions given, in turn; records what it saw."""

    name = "script"

    def __init__(self, *actions: Action) -> None:
        self.actions = list(actions)
        self.seen_: list[tuple[object, frozenset[type], bool]] = []

    def act(self, view: View) -> Action:
        self.seen_.append((view.table, view.legal, view.mediated))
        return self.actions.pop(0)


def _space() -> tuple[OutcomeSpace, tuple[Preferences, ...]]:
    space = OutcomeSpace(tuple(categorical(f"i{i}", ["a", "b", "c"]) for i in range(3)))
    prefs = tuple(
        Preferences((LinearAdditive(np.ones(3), tuple(np.arange(3.0) for _ in range(3))),))
        for _ in range(2)
    )
    return space, prefs


def test_unobjected_articles_settle_objected_ones_wait_for_the_mediator() -> None:
    space, prefs = _space()
    japan = Script(Offer((2, 2, 2)), Offer((2, 2, 2)), Accept(), Accept())
    russia = Script(
        Offer((0, 0, 0)), Reject((1,)), Offer((0, 0, 0)), Reject((2,)), Reject((0, 1)), Reject(())
    )
    mediator = Script(Offer((0, 0, 0)), Offer((0, 1, 1)))
    p = Conference(bilateral=2, agenda=(1, 0, 2))  # day 0 takes up issue 1; day 1, 0 and 2
    r = run(p, [japan, russia], space, prefs, deadline=4, mediator=mediator)
    state = r.state
    assert isinstance(state, ConferenceState)
    # Russia is asked about its own position with only the day's articles as Japan tabled them
    assert [seen[:2] for seen in russia.seen_[:4]] == [
        ((2, 2, 2), TABLE),
        ((0, 2, 0), ANSWER),
        ((2, 2, 2), TABLE),
        ((2, 0, 2), ANSWER),
    ]
    assert russia.seen_[1][2] is True  # shown as a text to answer
    # 1 objected on day 0: set aside; on day 1, 0 settled at the tabled option, 2 set aside
    assert state.settled == ((0, 2, 1),)
    # the mediator starts from the tabled text; its texts keep issue 0 as settled
    offers = [m.action for m in r.moves if isinstance(m.action, Offer)]
    assert offers[4:] == [Offer((2, 0, 0)), Offer((2, 1, 1))]
    assert mediator.seen_[0][0] == (2, 2, 2) and mediator.seen_[1][0] == (2, 0, 0)
    assert mediator.seen_[0][1] == TABLE and japan.seen_[2][1] == ANSWER
    assert r.agreement is None and r.rounds == 4


def test_heard_objections_leave_out_settled_articles() -> None:
    space, prefs = _space()
    japan = Script(Offer((2, 2, 2)), Reject((0,)))
    russia = Script(Offer((0, 0, 0)), Reject((2,)), Reject((0, 2)))
    seen: list[object] = []

    class Med(Script):
        def act(self, view: View) -> Action:
            seen.append(view.state.responses)
            return super().act(view)

    p = Conference(bilateral=1, agenda=(0, 1))
    r = run(p, [japan, russia], space, prefs, deadline=3, mediator=Med(Offer((0, 0, 0)), Walk()))
    heard = [m.action for m in seen[1]]  # type: ignore[attr-defined]
    assert heard == [Reject(()), Reject((2,))]
    # the history keeps the answers as given
    assert [m.action for m in r.moves if m.round == 1][1:] == [Reject((0,)), Reject((0, 2))]
    assert r.agreement is None and r.state.done


def test_sittings_that_settle_every_issue_make_the_agreement() -> None:
    space, prefs = _space()
    r = run(
        Conference(bilateral=3, agenda=(0, 1, 2)),
        [Script(Offer((1, 2, 0)), Offer((1, 2, 0)), Offer((1, 2, 0))),
         Script(Offer((0, 0, 0)), Accept(), Offer((2, 2, 2)), Reject((2,)), Offer((0, 0, 0)),
                Accept())],
        space,
        prefs,
        deadline=5,
        mediator=Script(),
    )  # fmt: skip
    # issue 0 settles on day 0 at 1; issue 1 on day 1 at 2 (the objection named only 2)
    # issue 2 on day 2 at 0 (tabled (1, 2, 0) with 0 and 1 standing)
    assert r.agreement == (1, 2, 0) and r.rounds == 3


def test_time_runs_evenly_through_both_phases() -> None:
    p = Conference(bilateral=1)
    s = p.start(2, 2)
    times = []
    moves = (Offer((0,)), Offer((0,)), Reject((0,)), Offer((0,)), Reject(()), Reject(()))
    for a in moves:
        times.append(p.time(s))
        s = p.step(s, a)
    assert times == pytest.approx([0.0, 1 / 6, 1 / 3, 0.5, 0.5 + 1 / 6, 0.5 + 2 / 6])
    assert s.done and s.agreement is None and p.legal(s) == frozenset()


@pytest.mark.parametrize("mediator", registry.strategy_names(mediator=True))
@pytest.mark.parametrize("k", [2, 3])
def test_every_party_strategy_plays_the_conference_legally(mediator: str, k: int) -> None:
    """Legal moves only, nothing offered or accepted below the reservation value, the same
    moves for the same seed (the conformance suite plays 2 parties; here 3 as well)."""
    names = [n for n in registry.strategy_names(mediator=False) if n != "llm"]
    space, prefs = domain(k)
    for name in names:
        traces = []
        for _ in range(2):
            r = run(
                Conference(bilateral=3, agenda=(2, 0)),
                [registry.strategy(name) for _ in range(k)],
                space,
                prefs,
                deadline=12,
                seed=5,
                mediator=registry.strategy(mediator),
                informed=True,
            )
            assert _below(r, prefs) is None, name
            traces.append(trace_jsonl(r, space, prefs))
        assert traces[0] == traces[1], name


def test_the_end_and_the_agreement_follow_from_the_history_alone() -> None:
    """`is_final` and `agreement`, read from the moves, say what `step` recorded."""
    space, prefs = _space()
    one = Conference(bilateral=1, agenda=(1,))
    cases = [
        (one, [Script(Offer((1, 1, 1)), Accept()), Script(Offer((0, 0, 0)), Reject((1,)), Accept())],
         Script(Offer((2, 2, 2))), 5),
        (one, [Script(Offer((1, 1, 1)), Reject(())), Script(Offer((0, 0, 0)), Reject(()), Reject((0,)))],
         Script(Offer((0, 0, 0))), 2),
        (one, [Script(Offer((1, 1, 1))), Script(Walk())], Script(), 5),
        (Conference(bilateral=1), [Script(Offer((1, 2, 0))), Script(Offer((0, 0, 0)), Accept())],
         Script(), 5),
    ]  # fmt: skip
    for p, parties, mediator, deadline in cases:
        r = run(p, parties, space, prefs, deadline=deadline, mediator=mediator)
        s = p.start(2, deadline)
        for m in r.moves:
            assert not p.is_final(s)
            s = p.step(s, m.action)
        assert p.is_final(s) and s.done
        assert p.agreement(s) == s.agreement == r.agreement
    assert r.agreement == (1, 2, 0)


def test_a_plan_keeps_the_protocol_parameters() -> None:
    """The plan (and so the run and its replay line) plays the protocol as specified."""
    from entente import api

    sc = api.load("portsmouth")
    p = api.plan(sc, protocol="conference(bilateral=3, agenda=[1, 0])")
    assert p.protocol == "conference(bilateral=3, agenda=(1, 0))"
    assert registry.protocol(p.protocol) == Conference(bilateral=3, agenda=(1, 0))
    assert api.plan(sc, protocol="mopac(min_parties=2)").protocol == "mopac"
    r = api.play(p, seed=1)
    assert r.state.history[0].actor == 0  # the parties sit alone first: no mediator's text
    assert all(m.actor < 2 for m in r.state.history if m.round < 3)
