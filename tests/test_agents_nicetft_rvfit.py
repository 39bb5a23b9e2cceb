"""NiceTitForTat, the Bayesian opponent model, reservation-value fitting, model accuracy."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from entente.negotiation.actions import Accept, Offer
from entente.negotiation.alternating import AlternatingOffers
from entente.negotiation.models.accuracy import accuracy, kendall_tau, pearson
from entente.negotiation.models.bayes import BayesModel, rank_weights, triangles
from entente.negotiation.protocol import Move, State
from entente.negotiation.session import run
from entente.negotiation.strategies.concession import Boulware, Hardliner, TimeDependent
from entente.negotiation.strategies.nicetft import NiceTitForTat, expected_best
from entente.negotiation.strategies.rvfit import ReservationFitter, fit_reservation
from entente.negotiation.view import Own, View
from entente.prefs import LinearAdditive, Preferences
from entente.space import OutcomeSpace, categorical
from entente.table import Table

SHAPE = (5, 4, 6, 3)


def domain(
    seed: int, rv: tuple[float, float] = (0.0, 0.0)
) -> tuple[OutcomeSpace, tuple[Preferences, ...]]:
    """Two parties whose evaluation functions are triangles (inside the model's hypotheses)."""
    rng = np.random.default_rng(seed)
    space = OutcomeSpace(
        tuple(categorical(f"i{i}", [f"o{j}" for j in range(s)]) for i, s in enumerate(SHAPE))
    )
    prefs = []
    for p in range(2):
        w = rng.random(len(SHAPE))
        vals = tuple(triangles(s)[rng.integers(s)] for s in SHAPE)
        prefs.append(Preferences((LinearAdditive(w / w.sum(), vals),), reservation=rv[p]))
    return space, tuple(prefs)


def brute_tau(x: np.ndarray, y: np.ndarray) -> float:
    c = d = tx = ty = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        sx, sy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        if sx == 0 and sy == 0:
            continue
        if sx == 0:
            tx += 1
        elif sy == 0:
            ty += 1
        elif sx == sy:
            c += 1
        else:
            d += 1
    return (c - d) / math.sqrt((c + d + tx) * (c + d + ty))


@pytest.mark.parametrize("seed", range(8))
def test_kendall_tau_equals_brute_force_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    x = rng.integers(0, 5, n).astype(float)  # many ties
    y = x * rng.choice([-1, 1]) + rng.integers(0, 4, n)
    assert kendall_tau(x, y) == pytest.approx(brute_tau(x, y), abs=1e-12)
    z = rng.random(n)
    assert kendall_tau(z, y) == pytest.approx(brute_tau(z, y), abs=1e-12)


def test_accuracy_extremes_and_pearson() -> None:
    x = np.arange(10.0)
    assert accuracy(x, x**3) == (pytest.approx(1.0), pytest.approx(pearson(x, x**3)))
    assert kendall_tau(x, -x) == pytest.approx(-1.0)
    assert pearson(x, 2 * x + 1) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    a, b = rng.random(50), rng.random(50)
    assert pearson(a, b) == pytest.approx(np.corrcoef(a, b)[0, 1])
    assert math.isnan(kendall_tau(x, np.ones(10))) and math.isnan(pearson(x, np.ones(10)))


def test_bayes_hypotheses_are_rank_orderings_and_triangles() -> None:
    w = rank_weights(3, 720, 0)
    assert w.shape == (6, 3) and np.allclose(w.sum(axis=1), 1.0)
    assert {tuple(np.argsort(r)) for r in w} == set(itertools.permutations(range(3)))
    assert np.allclose(np.sort(w[0]), np.array([1, 2, 3]) / 6)
    sampled = rank_weights(8, 50, 1)  # 8! orderings: a seeded sample
    assert sampled.shape == (50, 8) and np.array_equal(sampled, rank_weights(8, 50, 1))
    t = triangles(4)
    assert np.allclose(np.diag(t), 1.0)
    assert np.all(np.diff(t[0]) < 0) and np.all(np.diff(t[-1]) > 0)  # downhill, uphill
    assert t.min() == 0.0


def test_bayes_update_is_the_papers_formula() -> None:
    m = BayesModel((3, 4), sigma=0.3, concession=0.2)
    prior_w = m.weight_post_.copy()
    prior_v = [p.copy() for p in m.eval_post_]
    ew = prior_w @ m.weights
    ev = [p @ s for p, s in zip(prior_v, m.shapes, strict=True)]
    b, t = (2, 1), 0.5
    c = np.array([ev[0][b[0]], ev[1][b[1]]])
    target = 1 - 0.2 * t
    m.update(b, t)

    def gauss(u: np.ndarray) -> np.ndarray:
        return np.exp(-((u - target) ** 2) / (2 * 0.3**2))

    post = prior_w * gauss(m.weights @ c)
    assert np.allclose(m.weight_post_, post / post.sum())
    for i in range(2):
        u = ew @ c - ew[i] * c[i] + ew[i] * m.shapes[i][:, b[i]]
        p = prior_v[i] * gauss(u)
        assert np.allclose(m.eval_post_[i], p / p.sum())
    # the offered option becomes the likeliest peak of each issue
    assert int(np.argmax(m.eval_post_[0])) == 2


def test_bayes_estimate_converges_against_boulware() -> None:
    space, prefs = domain(1)
    r = run(AlternatingOffers(), [Hardliner(), Boulware()], space, prefs, deadline=60, seed=0)
    offers = [
        (m.action.outcome, m.time) for m in r.moves if m.actor == 1 and isinstance(m.action, Offer)
    ]
    rows, truth = space.all(), prefs[1].utility(space.all())
    model = BayesModel(space.shape)
    taus = []
    for o, t in offers:
        model.update(o, t)
        taus.append(accuracy(model.utility(rows), truth)[0])
    assert len(offers) > 40
    assert taus[-1] > taus[0] + 0.15 and taus[-1] > 0.7


def view(
    space: OutcomeSpace,
    prefs: tuple[Preferences, ...],
    moves: list[Move],
    *,
    deadline: int = 10,
    round: int = 1,
    time: float = 0.1,
) -> View:
    """Party 0's view, the opponent's last offer on the table."""
    table = Table.build(space, prefs)
    last = [m.action.outcome for m in moves if isinstance(m.action, Offer)][-1]
    state = State(2, deadline, tuple(moves), round, 0, last, 1)
    return View(0, state, time, space, Own(0, prefs[0], space, table), False)


def test_nice_tft_does_not_concede_to_a_hardliner_and_mirrors_a_conceder() -> None:
    space, prefs = domain(3)
    nice = NiceTitForTat()
    r = run(AlternatingOffers(), [nice, Hardliner()], space, prefs, deadline=30, seed=0)
    mine = [
        (m.time, prefs[0](m.action.outcome))
        for m in r.moves
        if m.actor == 0 and isinstance(m.action, Offer)
    ]
    best = prefs[0].utility(space.all()).max()
    own = Own(0, prefs[0], space, Table.build(space, prefs))
    at_nash = prefs[0](own.outcome(nice.nash_))
    # no mirrored concession; before the late phase only the constant share (0.1 of the way
    # to its Nash utility, undiscounted), then towards the Nash point whatever the hardliner does
    assert nice.concession_ == 0.0 and at_nash < best - 0.05
    early = [u for t, u in mine if t <= 0.91]
    assert min(early) >= best - 0.1 * (best - at_nash) - nice.tolerance - 1e-9
    assert min(u for _, u in mine) < best - 0.5 * (best - at_nash)  # it did concede late
    nice = NiceTitForTat()
    r = run(AlternatingOffers(), [nice, TimeDependent(e=1.0)], space, prefs, deadline=30, seed=0)
    assert 0.0 < nice.concession_ <= 1.0
    # its target is the published mirror: the same share of the way to the estimated Nash point
    v = view(space, prefs, list(r.state.history), round=r.state.round, time=r.time, deadline=30)
    nice.watch_.seen = len(v.state.history)  # already learned
    at_nash = prefs[0](v.me_own.outcome(nice.nash_point(v)))
    want = best - nice.opponent_concession(v, nice.nash_point(v)) * (best - at_nash)
    want -= nice.bonus(v) * max(0.0, want - at_nash)  # and the share it concedes anyway
    assert 0.1 - 1e-12 <= nice.bonus(v) <= 1.0
    assert nice.target(v) == pytest.approx(max(want, prefs[0].reservation))


def test_nice_tft_nash_point_is_the_product_argmax_of_estimates() -> None:
    space, prefs = domain(4, (0.2, 0.0))
    nice = NiceTitForTat()
    run(AlternatingOffers(), [nice, TimeDependent(e=1.0)], space, prefs, deadline=20, seed=2)
    rows = space.all()
    own = prefs[0].utility(rows) - 0.2
    est = nice.watch_.models[1].utility(rows)
    score = np.where(own >= 0, own * est, -np.inf)
    moves = [Move(1, Offer((0, 0, 0, 0)), 0, 0.05)]
    assert nice.nash_point(view(space, prefs, moves)) == int(np.argmax(score))


def test_expected_best_of_remaining_offers() -> None:
    assert expected_best(np.array([0.2, 0.6]), 2) == pytest.approx(0.2 / 4 + 0.6 * 3 / 4)
    rng = np.random.default_rng(0)
    u = rng.random(7)
    draws = rng.choice(u, size=(200_000, 3)).max(axis=1).mean()
    assert expected_best(u, 3) == pytest.approx(draws, abs=3e-3)
    assert expected_best(u, 0) == -np.inf


def test_nice_tft_late_acceptance_rule() -> None:
    space, prefs = domain(5)
    rows = space.all()
    order = np.argsort(prefs[0].utility(rows))
    low, mid = (
        tuple(int(x) for x in rows[order[10]]),
        tuple(int(x) for x in rows[order[len(order) // 3]]),
    )
    moves = [Move(1, Offer(low), k, k / 10) for k in range(5)] + [Move(1, Offer(mid), 5, 0.55)]
    nice = NiceTitForTat(late=0.9)
    early = view(space, prefs, moves, round=6, time=0.6)
    nice.reset(early, np.random.default_rng(0))
    assert not isinstance(nice.act(early), Accept)  # far from the deadline: AC_next only
    nice = NiceTitForTat(late=0.9)
    last = view(space, prefs, moves, round=9, time=0.95)
    nice.reset(last, np.random.default_rng(0))
    # one more opponent offer is to come, like the recent ones: mid beats its expected best
    assert mid and nice.expected_rest(last) < prefs[0](mid)
    assert isinstance(nice.act(last), Accept)


def test_fit_reservation_recovers_a_time_dependent_curve() -> None:
    t = np.linspace(0.02, 0.7, 30)
    for r, e in [(0.4, 0.5), (0.7, 2.0), (0.1, 1.0)]:
        y = 0.95 - (0.95 - r) * t ** (1 / e)
        got_r, got_e = fit_reservation(t, y)
        assert got_r == pytest.approx(r, abs=0.02) and got_e == pytest.approx(e, rel=0.15)


def test_rvfit_tracks_the_opponents_reservation_value() -> None:
    finals = {}
    for rv in (0.3, 0.6):
        space, prefs = domain(2, (0.0, rv))
        agent = ReservationFitter()
        run(AlternatingOffers(), [agent, TimeDependent(e=1.0)], space, prefs, deadline=60, seed=0)
        assert agent.estimates_
        finals[rv] = agent.estimates_[-1][1]
        assert abs(finals[rv] - rv) < 0.3
    assert finals[0.6] > finals[0.3]


def test_agents_are_deterministic_for_a_seed() -> None:
    space, prefs = domain(6)
    for cls in (NiceTitForTat, ReservationFitter):
        out = [
            run(AlternatingOffers(), [cls(), Boulware()], space, prefs, deadline=30, seed=7).moves
            for _ in range(2)
        ]
        assert out[0] == out[1]


def test_kendall_tau_of_a_large_domain_needs_no_quadratic_memory() -> None:
    """Joint ranks of 200,000 outcomes make keys near 4e10: counting ties must not allocate
    an array that long."""
    from entente.negotiation.models.accuracy import kendall_tau

    rng = np.random.default_rng(0)
    x = rng.integers(0, 1000, 200_000).astype(float)
    y = x + rng.integers(0, 3, 200_000)
    tau = kendall_tau(x, y)
    assert 0.9 < tau <= 1.0


def test_nice_tft_measures_the_opponents_concession_in_its_own_utility() -> None:
    space, prefs = domain(6)
    rows = space.all()
    mine = prefs[0].utility(rows)
    order = np.argsort(mine)
    pick = [tuple(int(x) for x in rows[order[j]]) for j in (5, 20, 12)]  # up, then back down
    moves = [Move(1, Offer(o), k, k / 10) for k, o in enumerate(pick)]
    nice = NiceTitForTat()
    v = view(space, prefs, moves, round=3, time=0.3)
    nice.reset(v, np.random.default_rng(0))
    nice.watch_.learn(v)
    nash = nice.nash_point(v)
    goal = prefs[0](v.me_own.outcome(nash))
    first, best = prefs[0](pick[0]), max(prefs[0](o) for o in pick)
    want = float(np.clip((best - first) / (goal - first), 0, 1)) if goal > first else 0.0
    assert goal > first and want > 0
    assert nice.opponent_concession(v, nash) == pytest.approx(want)


def test_nice_tft_bonus_and_its_best_offer_rule() -> None:
    space, prefs = domain(7)
    moves = [Move(1, Offer(tuple(0 for _ in SHAPE)), 0, 0.0)]
    nice = NiceTitForTat()
    assert nice.bonus(view(space, prefs, moves, time=0.5)) == pytest.approx(0.1)  # 0.5 - 0.4
    assert nice.bonus(view(space, prefs, moves, time=0.93)) == pytest.approx(0.4)  # 20 * 0.02
    assert nice.bonus(view(space, prefs, moves, time=0.99)) == 1.0
    # an opponent's earlier offer that beats what it planned is what it offers instead
    rows = space.all()
    top = tuple(int(x) for x in rows[int(np.argmax(prefs[0].utility(rows)))])
    moves = [Move(1, Offer(top), 0, 0.0), Move(0, Offer(top), 0, 0.05)]
    worst = tuple(int(x) for x in rows[int(np.argmin(prefs[0].utility(rows)))])
    moves += [Move(1, Offer(worst), 1, 0.1)]
    v = view(space, prefs, moves, round=2, time=0.2)
    nice.reset(v, np.random.default_rng(0))
    assert nice.choose(v, nice.target(v)) == top
