"""Search in spaces too large to list, and the approximate frontier."""

from __future__ import annotations

import numpy as np

from entente.analysis import pareto_mask
from entente.analysis.approx import approx_frontier
from entente.formats import genius
from entente.hyperrect import from_boxes
from entente.search import best, near
from entente.space import Neighbourhood
from genius_paths import DATA


def test_near_reaches_the_target_closely_on_y2014() -> None:
    s = genius.load(DATA / "y2014/10issues")
    p = s.parties[0].prefs
    rng = np.random.default_rng(0)
    hood = Neighbourhood(s.space)
    for target in (0.9, 0.7, 0.5):
        x = near(p, s.space, target, rng, hood=hood)
        assert target <= p(x) <= target + 0.1


def test_best_is_exact_for_linear_and_good_for_hyperrectangles() -> None:
    s = genius.load(DATA / "y2011/Laptop")
    rng = np.random.default_rng(1)
    for party in s.parties:
        u = party.prefs.utility(s.space.all())
        assert party.prefs(best(party.prefs, s.space, rng)) == u.max()
    h = genius.load(DATA / "y2014/10issues").parties[1].prefs
    space = genius.load(DATA / "y2014/10issues").space
    found = h(best(h, space, rng))
    assert found >= h.utility(space.sample(rng, 5000)).max()


def test_hyperrectangles_vectorised_equal_loop() -> None:
    rng = np.random.default_rng(2)
    boxes = []
    for _ in range(30):
        issues = rng.choice(6, size=rng.integers(0, 4), replace=False)
        cons = [
            (int(i), int(lo), int(lo + rng.integers(0, 3)))
            for i, lo in zip(issues, rng.integers(0, 4, len(issues)), strict=True)
        ]
        boxes.append((float(rng.normal()), cons))
    excl = list(rng.random(30) < 0.3)
    term = from_boxes(boxes, excl)
    o = rng.integers(0, 6, size=(200, 6))
    want = []
    for row in o:
        total = 0.0
        for (u, cons), ex in zip(boxes, excl, strict=True):
            inside = all(lo <= row[i] <= hi for i, lo, hi in cons)
            total += u if inside != ex else 0.0
        want.append(total)
    np.testing.assert_allclose(term(o), want, atol=1e-12)


def test_approximate_frontier_is_marked_and_never_beats_the_exact_one() -> None:
    s = genius.load(DATA / "y2011/Laptop")
    rng = np.random.default_rng(3)
    approx = approx_frontier(s.prefs, s.space, rng, samples=8)
    assert approx.approximate
    u = np.stack([p.utility(s.space.all()) for p in s.prefs], axis=1)
    exact = u[pareto_mask(u)]
    for v in approx.u:  # each approximate vector is reachable and weakly dominated by the exact
        assert ((exact >= v - 1e-12).all(axis=1)).any()
    assert pareto_mask(approx.u).all()
