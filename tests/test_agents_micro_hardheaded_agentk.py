"""The published rules of MiCRO, HardHeaded and AgentK, checked against their moves."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from entente import conformance
from entente.negotiation.actions import Accept, Action, Offer, Outcome
from entente.negotiation.alternating import AlternatingOffers
from entente.negotiation.session import Result, run
from entente.negotiation.strategies.agentk import AgentK, targets
from entente.negotiation.strategies.base import Strategy
from entente.negotiation.strategies.hardheaded import HardHeaded, HardHeadedModel
from entente.negotiation.strategies.micro import MiCRO
from entente.negotiation.view import View
from entente.prefs import Preferences
from entente.space import OutcomeSpace


def domain(seed: int = 3, reservation: float = 0.3) -> tuple[OutcomeSpace, tuple[Preferences, ...]]:
    return conformance.domain(seed=seed, reservation=reservation)


class Script(Strategy):
    """Offers the listed outcomes in turn (cycling), accepts nothing."""

    name = "script"

    def __init__(self, outcomes: tuple[Outcome, ...] = ((0, 0, 0),)) -> None:
        self.outcomes = outcomes

    def act(self, view: View) -> Action:
        mine = sum(1 for m in view.state.history if m.actor == view.me)
        return Offer(self.outcomes[mine % len(self.outcomes)])


def moves_of(r: Result, who: int) -> list[tuple[int, Action]]:
    return [(i, m.action) for i, m in enumerate(r.moves) if m.actor == who]


# ---- MiCRO


def ranking(space: OutcomeSpace, p: Preferences) -> list[Outcome]:
    """Brute force: every outcome, best first, ties by flat id."""
    rows = space.all()
    u = p.utility(rows)
    return [tuple(int(x) for x in rows[i]) for i in np.argsort(-u, kind="stable")]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("reservation", [0.3, 0.8])
def test_micro_concedes_only_as_often_as_the_opponent_and_accepts_at_its_threshold(
    seed: int, reservation: float
) -> None:
    space, prefs = domain(seed, reservation)
    rng = np.random.default_rng(seed)
    # an opponent that mostly repeats itself: a few distinct offers, in bursts
    pool = [tuple(int(x) for x in row) for row in space.sample(rng, 4)]
    script = tuple(pool[int(i)] for i in rng.integers(0, 4, size=30))
    mine = MiCRO()
    r = run(AlternatingOffers(), [mine, Script(script)], space, prefs, deadline=40, seed=seed)
    p = prefs[0]
    ranked = [o for o in ranking(space, p) if p(o) >= p.reservation]
    proposed: list[Outcome] = []
    received: set[Outcome] = set()
    for move in r.moves:
        if move.actor == 1:
            assert isinstance(move.action, Offer)
            table = move.action.outcome
            received.add(table)
            continue
        m, n = len(set(proposed)), len(received)
        may = n >= m and m < len(ranked)
        lowest = min((p(o) for o in proposed), default=math.inf)
        nxt = p(ranked[m]) if may else lowest if proposed else p(ranked[0])
        if isinstance(move.action, Accept):
            assert p(table) >= max(nxt, p.reservation) - 1e-12
            break
        if received:
            assert p(table) < max(nxt, p.reservation)  # it would have accepted
        assert isinstance(move.action, Offer)
        o = move.action.outcome
        if may:
            assert o == ranked[m]  # the next outcome of its ranking
        else:
            assert o in proposed  # a repeat of one of its own
        proposed.append(o)
    assert len(set(proposed)) <= len(received) + 1


def test_micro_accepts_anything_at_or_above_its_lowest_offer_and_reservation() -> None:
    space, prefs = domain(4, 0.3)
    p = prefs[0]
    ranked = ranking(space, p)
    # the opponent offers MiCRO's own 3rd best outcome after two rounds of stubbornness
    low = ranked[-1]
    r = run(
        AlternatingOffers(),
        [MiCRO(), Script((low, low, ranked[1]))],
        space,
        prefs,
        deadline=10,
        seed=0,
    )
    # MiCRO offered w1, w2 (one new offer per distinct opponent offer), then repeated; the
    # opponent's offer of w2 reaches its lowest own offer: accepted
    assert r.agreement == ranked[1]


def test_micro_self_play_walks_both_rankings_one_step_a_turn() -> None:
    space, prefs = domain(5, 0.0)
    r = run(AlternatingOffers(), [MiCRO(), MiCRO()], space, prefs, deadline=60, seed=0)
    offers = [m.action.outcome for m in r.moves if isinstance(m.action, Offer)]
    for who in (0, 1):
        theirs = offers[who::2]
        assert theirs == ranking(space, prefs[who])[: len(theirs)]
    assert r.agreement is not None


# ---- HardHeaded


def test_hardheaded_concession_curve() -> None:
    space, prefs = domain(3, 0.0)
    hh = HardHeaded()
    r = run(AlternatingOffers(), [hh, Script()], space, prefs, deadline=5, seed=0)
    assert r.moves
    lo, hi = hh.min_, hh.max_
    assert lo == pytest.approx(0.585) and hi == pytest.approx(1.0)
    # starts at 95% of the range (ka = 0.05) and ends at the minimum
    assert hh.p(0.0) == pytest.approx(lo + 0.95 * (hi - lo))
    assert hh.p(1.0) == pytest.approx(lo)
    # e = 0.05: t**20, nearly no concession before the end
    assert hh.p(0.5) == pytest.approx(lo + (1 - 0.05 - 0.95 * 0.5**20) * (hi - lo))
    ts = np.linspace(0, 1, 101)
    ps = [hh.p(float(t)) for t in ts]
    assert all(a >= b for a, b in itertools.pairwise(ps))
    # with a discount under 0.9 the curve steps down at t = discount
    d = 0.5
    assert hh.p(d, d) == pytest.approx(lo + d * (hi - lo))
    # after it: from min + discount (max - min) down to min along ((t - d) / (1 - d))**(1/30)
    fa = 0.05 + 0.95 * 0.5 ** (1 / 30)
    assert hh.p(0.75, d) == pytest.approx(lo + (1 - fa) * d * (hi - lo))
    assert hh.p(d + 1e-6, d) < hh.p(d, d)
    assert hh.p(1.0, d) == pytest.approx(lo)


def test_hardheaded_frequency_model_weight_updates() -> None:
    m = HardHeadedModel((3, 3, 3))
    g = 0.2 / 3
    m.update((0, 0, 0))
    assert np.allclose(m.weights, 1 / 3)  # the first offer teaches nothing
    assert all((c == 1).all() for c in m.counts)
    m.update((0, 1, 1))  # issue 0 unchanged
    total = 1 + g
    assert m.weights == pytest.approx([(1 / 3 + g) / total, (1 / 3) / total, (1 / 3) / total])
    assert m.counts[0].tolist() == [2, 1, 1] and m.counts[1].tolist() == [1, 2, 1]
    u = m.utility(np.array([[0, 1, 1], [2, 2, 2]]))
    assert u[0] == pytest.approx(m.weights.sum()) and u[1] == pytest.approx(m.weights.sum() / 2)
    # an issue never changed stops growing at 1 - n * g / total
    for _ in range(200):
        m.update((0, 1, 1))
    top = 1 - 3 * g / (1 + 3 * g)
    assert m.weights[0] <= top + g and m.weights[0] > m.weights[1]


@pytest.mark.parametrize("discount", [1.0, 0.6])
def test_hardheaded_never_offers_below_its_curve_and_opens_with_its_best(discount: float) -> None:
    space, prefs = domain(6, 0.2)
    prefs = (replace(prefs[0], discount=discount), prefs[1])
    hh = HardHeaded()
    r = run(AlternatingOffers(), [hh, Script()], space, prefs, deadline=50, seed=1)
    mine = [m for m in r.moves if m.actor == 0]
    first = mine[0].action
    assert isinstance(first, Offer) and first.outcome == ranking(space, prefs[0])[0]
    for m in mine:
        assert isinstance(m.action, Offer)
        assert hh.scaled(prefs[0](m.action.outcome)) >= hh.p(m.time, discount) - 1e-12


def test_hardheaded_accepts_above_its_lowest_offer() -> None:
    space, prefs = domain(7, 0.0)
    ranked = ranking(space, prefs[0])
    # the opponent offers HardHeaded's own second best: better than HardHeaded's lowest offer
    # so far once it has made two offers
    r = run(
        AlternatingOffers(),
        [HardHeaded(), Script((ranked[-1], ranked[-1], ranked[1]))],
        space,
        prefs,
        deadline=20,
        seed=0,
    )
    assert r.agreement == ranked[1]


# ---- AgentK


def test_agentk_targets_and_acceptance_probability() -> None:
    # no spread: estimate_max is the mean; target = 1 - (deviation + 0.1), pulled towards it
    got = targets(0.95, 0.8, 0.0, 0.9, 2.0, 0.5)
    alpha = 1 + 2 + 8 - 3.2
    assert got.estimate_max == pytest.approx(0.8)
    m = -300 * 0.9**3 + 400
    assert got.target == pytest.approx(0.9 - 0.1 * 100 / m)
    assert got.bid_target == pytest.approx(got.target)  # draw 1/2: beta == alpha
    assert got.p == pytest.approx(0.9**alpha / 5 + 0.15 + (0.95 - got.target))
    assert got.p == pytest.approx(0.343083, abs=1e-5)
    # a spread: deviation sqrt(12 var); the ratio is capped at 2; p below 0.1 is 0
    got = targets(0.8, 0.5, 0.01, 0.5, 2.0, 0.5)
    assert got.estimate_max == pytest.approx(0.5 + 0.5 * math.sqrt(0.12))
    assert got.target == pytest.approx(0.981074, abs=1e-5)
    assert got.p == 0.0
    # the tremor moves only the bidding target
    hi, lo = targets(0.8, 0.5, 0.01, 0.5, 2.0, 0.0), targets(0.8, 0.5, 0.01, 0.5, 2.0, 0.99)
    assert hi.target == lo.target and hi.bid_target != lo.bid_target


def test_agentk_accepts_by_chance_and_never_below_reservation() -> None:
    space, prefs = domain(8, 0.4)
    accepted = 0
    for seed in range(10):
        r = run(AlternatingOffers(), [AgentK(), AgentK()], space, prefs, deadline=30, seed=seed)
        for m in r.moves:
            if isinstance(m.action, Offer):
                assert prefs[m.actor](m.action.outcome) >= 0.4 - 1e-12
        if r.agreement is not None:
            accepted += 1
            assert all(p(r.agreement) >= p.reservation for p in prefs)
    assert accepted > 0
