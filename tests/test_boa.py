"""Composed (BOA) agents: acceptance conditions, opponent models by name, accuracy reports."""

from __future__ import annotations

import math

import pytest

import entente
from entente import api, registry
from entente.errors import EntenteError, StrategyError
from entente.negotiation.actions import Offer
from entente.negotiation.boa.acceptance import ACCombi, ACConst, ACNext, ACTime
from entente.negotiation.boa.models import Perfect, model, party_accuracy
from entente.negotiation.protocol import Move, State
from entente.negotiation.view import Own, View
from entente.scenario import Scenario
from entente.summary import summarize
from entente.table import Table
from genius_paths import DATA

LAPTOP = str(DATA / "y2011" / "Laptop")


@pytest.fixture(scope="module")
def laptop() -> Scenario:
    return entente.load(LAPTOP)


def _view(sc: Scenario, offers: list[tuple[int, float]], time: float) -> View:
    """Party 0's view after the opponent made offers (flat id, time), the last on the table."""
    table = Table.build(sc.space, tuple(sc.prefs))
    own = Own(0, sc.prefs[0], sc.space, table)
    moves = tuple(Move(1, Offer(own.outcome(f)), i, t) for i, (f, t) in enumerate(offers))
    state = State(2, 100, moves, len(moves), 0, moves[-1].action.outcome, 1)
    return View(0, state, time, sc.space, own, False)


def _u(v: View, flat: int) -> float:
    return v.me_own.utility(v.me_own.outcome(flat))


def test_ac_next_const_time_follow_their_published_rules(laptop: Scenario) -> None:
    v = _view(laptop, [(5, 0.1)], 0.1)
    x = v.table
    assert x is not None
    u = v.me_own.utility(x)
    assert ACNext(1.0, 0.0).accepts(v, x, u) and not ACNext(1.0, 0.0).accepts(v, x, u + 1e-9)
    assert ACNext(1.02, 0.0).accepts(v, x, u / 1.02) and not ACNext(1.02, 0.0).accepts(v, x, u)
    assert ACNext(1.0, -0.1).accepts(v, x, u + 0.1) and not ACNext(1.0, 0.0).accepts(v, x, u + 0.1)
    assert ACConst(u).accepts(v, x, 1.0) and not ACConst(u + 1e-9).accepts(v, x, 0.0)
    assert not ACTime(0.5).accepts(v, x, 0.0)
    assert ACTime(0.5).accepts(_view(laptop, [(5, 0.5)], 0.5), x, 1.0)


def test_ac_combi_takes_the_best_offer_of_the_window_after_t(laptop: Scenario) -> None:
    table = Table.build(laptop.space, tuple(laptop.prefs))
    order = [int(f) for f in table.order(0)]  # party 0's outcomes, best first
    good, mid, low = order[0], order[len(order) // 2], order[-1]
    ac = ACCombi(t=0.9)
    # at t = 0.95 the window is [0.9, 0.95]: `good` at 0.8 is outside it, `low` at 0.92 inside
    v = _view(laptop, [(good, 0.8), (low, 0.92), (mid, 0.95)], 0.95)
    assert v.table is not None and ac.accepts(v, v.table, next_bid=2.0)
    assert not ACCombi(t=0.96).accepts(v, v.table, next_bid=2.0)  # before T: AC_next only
    assert ACCombi(t=0.96).accepts(v, v.table, next_bid=_u(v, mid))  # AC_next holds
    # the same, but `good` came at 0.91, inside the window: refused
    w = _view(laptop, [(good, 0.91), (low, 0.92), (mid, 0.95)], 0.95)
    assert w.table is not None and not ac.accepts(w, w.table, next_bid=2.0)


def test_boa_bids_as_the_learner_does(laptop: Scenario) -> None:
    """boa(bid=boulware, model=frequency, accept=ac_next(1, 0)) chooses bids exactly as `learner`
    (e=0.2) does. Their acceptance differs in principle (the learner accepts at its target,
    AC_next at the bid it would make, which may lie up to `tolerance` above it); against these
    opponents it does not show, and the whole negotiations are equal."""
    ids = [p.id for p in laptop.parties]
    boa = "boa(bid='boulware', model='frequency', accept='ac_next(a=1, b=0)')"
    for opp in ("hardliner", "nice_tft", "linear"):
        for seed in (0, 3):
            a = api.negotiate(laptop, strategies={ids[0]: boa, ids[1]: opp}, seed=seed, deadline=60)
            b = api.negotiate(
                laptop, strategies={ids[0]: "learner", ids[1]: opp}, seed=seed, deadline=60
            )
            assert [(m.actor, m.action) for m in a.moves] == [(m.actor, m.action) for m in b.moves]
            assert len(a.moves) > 1


def test_spec_round_trip_and_refusals() -> None:
    s = registry.strategy('boa(bid="timedep(e=0.2)", model="bayes", accept="ac_next(a=1.02, b=0)")')
    assert registry.strategy(s.spec()).spec() == s.spec()
    assert "bayes(sigma=0.25" in s.spec() and "ac_next(a=1.02, b=0)" in s.spec()
    with pytest.raises(StrategyError, match="not a time-dependent strategy"):
        registry.strategy("boa(bid='hardheaded')")
    with pytest.raises(StrategyError, match="unknown opponent model 'nope'"):
        registry.strategy("boa(model='nope')")
    with pytest.raises(StrategyError, match="unknown acceptance condition 'ac_foo'"):
        registry.strategy("boa(accept='ac_foo')")
    with pytest.raises(StrategyError, match="ac_next has no parameter 'c'"):
        registry.strategy("boa(accept='ac_next(c=1)')")


def test_perfect_model_needs_the_grant_and_is_exact(laptop: Scenario) -> None:
    v = _view(laptop, [(5, 0.1)], 0.1)
    with pytest.raises(EntenteError, match="not granted"):
        Perfect().new(v, 1)
    assert model("perfect").reads_utilities and not model("bayes").reads_utilities
    ids = [p.id for p in laptop.parties]
    p = api.plan(laptop, strategies={ids[0]: "boa(model='perfect')", ids[1]: "conceder"})
    r = api.play(p, 0)
    acc = party_accuracy(p.strategies, r.moves, laptop.space, tuple(laptop.prefs))
    assert acc[1] is None and acc[0] is not None
    assert acc[0].kendall_tau == pytest.approx(1.0) and acc[0].pearson == pytest.approx(1.0)


def test_run_json_reports_model_accuracy_over_time(laptop: Scenario) -> None:
    ids = [p.id for p in laptop.parties]
    p = api.plan(laptop, strategies={ids[0]: "boa(model='bayes')", ids[1]: "boulware"}, deadline=60)
    r = api.play(p, 1)
    out = summarize(laptop, r, p.protocol, 1, p).to_json()["model_accuracy"]
    assert list(out) == [ids[0]]  # boulware keeps no model
    got = out[ids[0]]
    assert -1.0 <= got["kendall_tau"] <= 1.0 and -1.0 <= got["pearson"] <= 1.0
    rounds = [x["round"] for x in got["over_time"]]
    assert rounds == sorted(rounds) and rounds[-1] == r.rounds and 2 <= len(rounds) <= 11
    assert got["over_time"][-1]["kendall_tau"] == got["kendall_tau"]


def test_tournament_rows_carry_model_accuracy() -> None:
    pytest.importorskip("pyarrow")
    from entente.tournament.grid import cells
    from entente.tournament.play import Task, play

    grid = cells([("laptop", 2)], ["boulware", "learner"], 1, seed=2)
    rows = play(Task(LAPTOP, tuple(grid), 40))
    for cell, row in zip(grid, rows, strict=True):
        for spec, tau, r in zip(cell.specs, row["model_tau"], row["model_pearson"], strict=True):
            if spec == "boulware":
                assert tau is None and r is None
            else:
                assert isinstance(tau, float) and -1 <= tau <= 1 and not math.isnan(r)
    assert any("learner" in c.specs for c in grid)
