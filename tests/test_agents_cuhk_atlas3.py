"""CUHKAgent (ANAC 2012) and Atlas3 (ANAC 2015): their published rules, one by one."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from entente import conformance, registry
from entente.negotiation.actions import Accept, Offer, Outcome, Walk
from entente.negotiation.alternating import AlternatingOffers
from entente.negotiation.protocol import State
from entente.negotiation.session import run
from entente.negotiation.strategies import atlas3, cuhk
from entente.negotiation.strategies.atlas3 import Atlas3
from entente.negotiation.strategies.concession import Hardliner
from entente.negotiation.strategies.cuhk import CUHKAgent
from entente.negotiation.view import Own, View
from entente.prefs import Preferences
from entente.space import OutcomeSpace
from entente.table import Table


def domain(
    discount: float = 1.0, reservation: float = 0.0, seed: int = 3
) -> tuple[OutcomeSpace, tuple[Preferences, ...]]:
    return conformance.domain(
        seed=seed, shape=(5, 4, 6), reservation=reservation, discount=discount
    )


def view_after(
    moves: list[Offer], me: int, deadline: int = 40, discount: float = 1.0, rv: float = 0.0
) -> tuple[View, Own]:
    """The view of party `me` after the other party and it have made `moves` in turn."""
    space, prefs = domain(discount, rv)
    table = Table.build(space, prefs)
    proto = AlternatingOffers()
    state = proto.start(2, deadline)
    for a in moves:
        state = proto.step(state, a)
    own = Own(me, prefs[me], space, table)
    assert state.actor == me or not moves
    return View(me, state, proto.time(state), space, own, False), own


# ---- CUHKAgent ----------------------------------------------------------------------------


def test_concession_degree_counts_new_offers_among_the_latest() -> None:
    bids = [(i, 0, 0) for i in range(5)]
    assert cuhk.concession_degree(bids, Counter(bids)) == pytest.approx(0.25)
    many = [(i % 5, i // 5, 0) for i in range(12)]
    assert cuhk.concession_degree(many, Counter(many)) == pytest.approx(1.0)
    repeated = Counter({b: 1 for b in many})
    for b in many[-4:]:
        repeated[b] = 3  # offered again and again: no longer a concession
    assert cuhk.concession_degree(many, repeated) == pytest.approx(0.36)


def test_concede_time_grows_with_discount_and_with_the_opponents_concession() -> None:
    assert cuhk.concede_time(1.0, 0.0) == pytest.approx(1.0)
    lam0 = 0.08 + 0.92 * 0.6**1.5
    assert cuhk.concede_time(0.6, 0.0) == pytest.approx(lam0)
    assert cuhk.concede_time(0.6, 1.0) == pytest.approx(lam0 + 0.1 * (1 - lam0))
    assert cuhk.concede_time(0.3, 0.0) == pytest.approx(0.08 + 0.92 * 0.3**1.2)
    degrees = np.linspace(0, 1, 11)
    lams = [cuhk.concede_time(0.6, d) for d in degrees]
    assert all(a <= b for a, b in itertools.pairwise(lams))


def test_cuhk_threshold_falls_to_the_discounted_best_then_holds_it() -> None:
    best, d, lam = 0.9, 0.5, 0.4
    assert cuhk.threshold(best, d, lam, 0.0) == pytest.approx(best)
    assert cuhk.threshold(best, d, lam, lam) == pytest.approx(best * d ** (1 - lam))
    ts = np.linspace(0, lam, 9)
    th = [cuhk.threshold(best, d, lam, t) for t in ts]
    assert all(a >= b for a, b in itertools.pairwise(th))
    for t in (0.5, 0.7, 1.0):  # after lam its discounted value stays at best * d
        assert cuhk.threshold(best, d, lam, t) * d**t == pytest.approx(best * d)
    # without discount the threshold never leaves the best utility
    assert cuhk.threshold(best, 1.0, 1.0, 0.8) == pytest.approx(best)


def test_cuhk_is_tougher_against_a_conceding_opponent() -> None:
    _, own = view_after([], me=1, discount=0.6)
    mine = own.ideal

    def lam_after(theirs: list[Outcome]) -> float:
        moves: list[Offer] = []
        for o in theirs:
            moves += [Offer(o), Offer(mine)]
        v, _ = view_after(moves[:-1], me=1, discount=0.6)
        agent = CUHKAgent()
        agent.reset(v, np.random.default_rng(0))
        agent._learn(v)
        return agent.lam_

    lam0 = cuhk.concede_time(0.6, 0.0)
    fresh = [own.outcome(int(f)) for f in own.order[::7][:12]]
    assert len(set(fresh)) == 12
    # twelve new offers: degree 1, the concede-to-time moves a tenth of the way to 1
    assert lam_after(fresh) == pytest.approx(lam0 + 0.1 * (1 - lam0))
    # one offer repeated twelve times: degree 0.01, no visible change
    assert lam_after([fresh[0]] * 12) == pytest.approx(lam0 + 0.1 * (1 - lam0) * 0.01**10)


def test_cuhk_accepts_at_its_threshold_or_its_next_offer_and_not_below() -> None:
    view, own = view_after([], me=1)
    agent = CUHKAgent()
    agent.reset(view, np.random.default_rng(0))
    ideal = own.ideal
    # the other side offers this party's best outcome: accepted at once
    v, _ = view_after([Offer(ideal)], me=1)
    assert agent.act(v) == Accept()
    # a poor offer early on is refused with a counter-offer at the threshold (here the best)
    worst = own.outcome(int(own.order[-1]))
    agent = CUHKAgent()
    v, _ = view_after([Offer(worst)], me=1)
    agent.reset(v, np.random.default_rng(0))
    act = agent.act(v)
    assert isinstance(act, Offer)
    assert own.utility(act.outcome) >= agent.threshold_ - 1e-12
    assert agent.threshold_ == pytest.approx(own.best)


def test_cuhk_ends_against_a_hardliner_on_the_hardliners_offer() -> None:
    space, prefs = domain()
    r = run(AlternatingOffers(), [Hardliner(), CUHKAgent()], space, prefs, deadline=30, seed=1)
    own = Own(0, prefs[0], space, Table.build(space, prefs))
    # undiscounted, the agent holds its best until the last rounds, then takes the other's best
    assert r.agreement == own.ideal
    assert r.rounds >= 30 - 5


def test_cuhk_walks_away_when_no_deal_beats_its_next_offer() -> None:
    v, _own = view_after([Offer((0, 0, 0))], me=1, rv=2.0)
    agent = CUHKAgent()
    agent.reset(v, np.random.default_rng(0))
    assert agent.act(v) == Walk()


# ---- Atlas3 -------------------------------------------------------------------------------


def test_atlas3_lower_limit_is_the_equilibrium_expected_utility() -> None:
    # A11 = 0, A12 = 1, A21 = 0.6, A22 = 0.8: q = 1 / (1 + 0.6 / 0.2) = 0.25
    assert atlas3.game(0.0, 1.0, 0.6) == pytest.approx((0.0, 1.0, 0.6, 0.8))
    assert atlas3.opponent_holds_out(0.0, 1.0, 0.6, 0.8) == pytest.approx(0.25)
    assert atlas3.lower_limit(0.0, 1.0, 0.6) == pytest.approx(0.25 * 0.6 + 0.75 * 0.8)
    # a compromise worth less than the reservation value counts as the reservation value
    assert atlas3.game(0.5, 1.0, 0.3)[2] == pytest.approx(0.5)
    for t in (0.0, 0.3, 1.0):
        assert atlas3.threshold(t, 0.0, 1.0, 0.6) == pytest.approx(0.75 + 0.25 * (1 - t))
    # with a discount: 1 - t / d, but never under the limit raised by the discount
    lim = atlas3.lower_limit(0.0, 0.5, 0.6)
    assert atlas3.threshold(0.1, 0.0, 0.5, 0.6) == pytest.approx(max(0.8, lim / 0.5**0.1))
    assert atlas3.threshold(0.9, 0.0, 0.5, 0.6) == pytest.approx(lim / 0.5**0.9)


def test_atlas3_accepts_exactly_from_its_threshold() -> None:
    _v0, own = view_after([], me=1, deadline=100)
    ids = own.order
    rng = np.random.default_rng(0)
    for flat in rng.choice(ids, size=25, replace=False):
        offer = own.outcome(int(flat))
        v, _ = view_after([Offer(offer)], me=1, deadline=100)
        agent = Atlas3()
        agent.reset(v, np.random.default_rng(1))
        agent._learn(v)
        aim = agent.target(v)
        act = agent.act(v)
        assert (act == Accept()) == (own.utility(offer) >= aim)
        if isinstance(act, Offer):  # an appropriate bid: at or above the threshold
            assert own.utility(act.outcome) >= aim - 1e-12


def test_atlas3_threshold_uses_the_opponents_best_offer() -> None:
    _v, own = view_after([], me=1, deadline=100)
    low, high = own.outcome(int(own.order[-1])), own.outcome(int(own.order[len(own.order) // 4]))
    agents = []
    for first in (low, high):
        va, _ = view_after([Offer(first), Offer(own.ideal), Offer(low)], me=1, deadline=100)
        agent = Atlas3()
        agent.reset(va, np.random.default_rng(0))
        agent._learn(va)
        assert agent.best_offered_ == pytest.approx(own.utility(first))
        aim = agent.target(va)
        assert aim == pytest.approx(
            atlas3.threshold(va.time, 0.0, 1.0, own.utility(first), own.best)
        )
        agents.append(aim)
    assert agents[1] > agents[0]


def test_atlas3_final_phase_offers_the_opponents_best_offers_best_first() -> None:
    _v0, own = view_after([], me=1, deadline=100)
    offers = [own.outcome(int(own.order[k])) for k in (40, 10, 25)]  # 10 is the best of them
    moves: list[Offer] = []
    mine = own.outcome(int(own.order[0]))
    for o in offers:
        moves += [Offer(o), Offer(mine)]
    moves = moves[:-1]
    v, _ = view_after(moves, me=1, deadline=100)
    # move the clock to the last rounds: as many as the supported outcomes, plus one
    late = replace(v, state=replace(v.state, round=100 - 4), time=0.96)
    agent = Atlas3()
    agent.reset(late, np.random.default_rng(0))
    ranked = sorted(offers, key=own.utility, reverse=True)
    act = agent.act(late)
    assert act == Offer(ranked[0])
    assert agent.supported_ == ranked
    # next turn: the table holds the other's worst offer; the agent goes one step down the list
    later = replace(late, state=replace(late.state, table=offers[0], round=100 - 3))
    assert agent.act(later) == Offer(ranked[1])
    # once the list has come down to the offer on the table, it accepts
    last = replace(later, state=replace(later.state, table=ranked[1], round=100 - 2))
    assert agent.act(last) == Accept()


@pytest.mark.parametrize("name", ["cuhk", "atlas3"])
def test_same_seed_same_moves_and_specs_round_trip(name: str) -> None:
    space, prefs = domain(discount=0.7, reservation=0.2)

    def once(seed: int) -> tuple[Outcome | None, int]:
        r = run(
            AlternatingOffers(),
            [registry.strategy(name), registry.strategy("boulware")],
            space,
            prefs,
            deadline=40,
            seed=seed,
        )
        return r.agreement, r.rounds

    assert once(4) == once(4)
    s = registry.strategy(name)
    assert registry.strategy(s.spec()).spec() == s.spec()


def test_state_helper_is_consistent() -> None:
    v, _ = view_after([Offer((0, 0, 0))], me=1)
    assert isinstance(v.state, State) and v.state.table == (0, 0, 0)
