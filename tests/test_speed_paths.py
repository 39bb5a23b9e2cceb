"""Fast paths against the plain computation they replace: the answers must be identical."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entente import api
from entente.analysis import TIE, pareto_mask, tolerance
from entente.analysis.pareto import _distinct, _grid3, _mask3, _sweep3
from entente.errors import EntenteError
from entente.formats import genius
from entente.hyperrect import from_boxes
from entente.prefs import LinearAdditive, Preferences, RedLine
from entente.search import LocalMoves
from entente.space import Neighbourhood, OutcomeSpace, categorical
from genius_paths import DATA
from test_frontier_ties import brute_mask, exact_mask, near_ties, tied

# incremental evaluation of hyper-rectangles ------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_neighbours_evaluated_incrementally_equal_full_evaluation(seed: int, twice: bool) -> None:
    rng = np.random.default_rng(seed)
    shape = tuple(int(s) for s in rng.integers(1, 6, rng.integers(1, 7)))
    n = len(shape)
    boxes = []
    for _ in range(int(rng.integers(0, 25))):
        cons = []
        for i in rng.choice(n, size=rng.integers(0, n + 1), replace=False):
            lo = int(rng.integers(0, shape[i]))
            cons.append((int(i), lo, int(rng.integers(lo, shape[i]))))
            if twice and rng.random() < 0.3:  # a second range on the same issue
                lo = int(rng.integers(0, shape[i]))
                cons.append((int(i), lo, int(rng.integers(lo, shape[i]))))
        boxes.append((float(rng.normal()), cons))
    term = from_boxes(boxes, list(rng.random(len(boxes)) < 0.3))
    space = OutcomeSpace(
        tuple(categorical(f"i{i}", [str(j) for j in range(s)]) for i, s in enumerate(shape))
    )
    lin = LinearAdditive(rng.random(n), tuple(rng.random(s) for s in shape))
    prefs = Preferences((lin, term), offset=float(rng.normal()))
    hood = Neighbourhood(space)
    moves = LocalMoves(prefs, hood)
    inc = term.moves(hood)
    for x in space.sample(rng, 5):
        nb = hood.of(x)
        assert np.array_equal(inc.satisfied(x), term.satisfied(nb))
        got_nb, got_u = moves.of(x)
        assert np.array_equal(got_nb, nb)
        assert np.array_equal(got_u, prefs.utility(nb))  # bit for bit


def test_neighbours_on_a_real_nonlinear_domain_equal_full_evaluation() -> None:
    s = genius.load(DATA / "y2014/10issues")
    hood = Neighbourhood(s.space)
    rng = np.random.default_rng(3)
    for p in s.prefs:
        moves = LocalMoves(p, hood)
        for x in s.space.sample(rng, 50):
            nb, u = moves.of(x)
            assert np.array_equal(u, p.utility(nb))


# the three-party frontier ----------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(tied((3, 3), 80))
def test_three_party_sweep_equals_brute_force_with_ties(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    u, x = data
    t = tolerance(u)
    assert np.array_equal(~_sweep3(u, t, lambda f: None), brute_mask(u))
    assert np.array_equal(pareto_mask(u), exact_mask(x))


@settings(max_examples=150, deadline=None)
@given(near_ties((3, 3), 120))
def test_three_party_sweep_where_dominance_is_not_transitive(u: np.ndarray) -> None:
    assert np.array_equal(~_sweep3(u, tolerance(u), lambda f: None), brute_mask(u))


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 40), st.booleans())
def test_three_party_grid_and_merged_rows_equal_brute_force(seed: int, n: int, near: bool) -> None:
    """Thousands of rows on a lattice (many repeated, many tied an ulp apart): the merged
    rows, the grid and the sweep together give the definition's answer."""
    rng = np.random.default_rng(seed)
    m = int(rng.integers(4096, 4400))
    u = rng.integers(0, n, (m, 3)) / (n - 1)
    if near:
        u = u + rng.integers(-3, 4, (m, 3)) * (0.5 * TIE)
    else:  # values equal in exact arithmetic, an ulp or so apart
        u = np.where(rng.random((m, 3)) < 0.5, u, (u * 3.0 + 0.1 - 0.1) / 3.0)
    t = tolerance(u)
    lo, hi = u.min(axis=0), u.max(axis=0)
    brute = brute_mask(u)
    rows, back = _distinct(u)
    if back is not None:
        assert np.array_equal(rows[back], u)
    assert np.array_equal(_mask3(u, t, lo, hi), brute)
    kept = _grid3(u, t, lo, hi, cells=16)
    assert not (brute & ~kept).any()  # the grid drops only dominated rows
    cand = np.flatnonzero(kept)
    swept = np.zeros(m, dtype=bool)
    swept[cand[~_sweep3(u[cand], t, lambda f: None)]] = True
    assert np.array_equal(swept, brute)


def test_progress_is_told_the_fraction_done_and_can_stop_the_work() -> None:
    rng = np.random.default_rng(5)
    u = rng.random((5000, 3))
    seen: list[float] = []
    pareto_mask(u, seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and seen[0] > 0

    class Stop(Exception):
        pass

    def stop(f: float) -> None:
        raise Stop

    with pytest.raises(Stop):
        pareto_mask(u, stop)


def test_frontier_past_its_budget_is_the_approximate_one_and_says_so() -> None:
    s = genius.load(DATA / "y2011/Laptop")
    api._EXACT.pop(s, None)
    over = api.frontier(s, budget=1e-12)
    assert over.approximate
    assert pareto_mask(over.utilities).all()
    assert over.nash >= 0
    fractions: list[float] = []
    exact = api.frontier(s, progress=fractions.append)
    assert not exact.approximate and fractions[-1] == 1.0
    # once known, the exact frontier is the answer whatever the budget: nothing is left to bound
    assert api.frontier(s, budget=1e-12) is exact
    api._EXACT.pop(s)
    again = api.frontier(s)  # computed anew: the same frontier
    assert np.array_equal(again.utilities, exact.utilities) and again.nash == exact.nash
    with pytest.raises(EntenteError, match="frontier budget -1"):
        api.frontier(s, budget=-1)


@pytest.mark.parametrize("name", ["portsmouth", "y2011/Laptop", "other/Jobs", "other/laptopdomain"])
def test_overview_reuses_the_frontiers_nash_point_unchanged(name: str) -> None:
    from entente.analysis import nash
    from entente.overview import overview

    s = api.load(name if "/" not in name else str(DATA / name))
    if name == "portsmouth":  # a red line of the first party's: fewer candidates than rows
        first = s.parties[0]
        line = RedLine(((0, frozenset({0})), (1, frozenset({0}))))
        prefs = replace(first.prefs, red_lines=(*first.prefs.red_lines, line))
        s = replace(s, parties=(replace(first, prefs=prefs), *s.parties[1:]))
    t = api.table(s)
    assert name != "portsmouth" or len(t.candidates) < len(t.u)
    cand = t.candidates
    r = np.array([p.prefs.reservation for p in s.parties])
    k = nash(t.u[cand], r)  # the plain computation, over every candidate row
    got = overview(s)["nash"]
    assert got["outcome"] == s.space.labels(s.space.unflat(cand[k : k + 1])[0])
    assert list(got["utilities"].values()) == t.u[cand[k]].tolist()
