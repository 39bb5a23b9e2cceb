"""Fast paths against the plain computation they replace: the answers must be identical."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from entente.formats import genius
from entente.hyperrect import from_boxes
from entente.prefs import LinearAdditive, Preferences
from entente.search import LocalMoves
from entente.space import Neighbourhood, OutcomeSpace, categorical
from genius_paths import DATA

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
