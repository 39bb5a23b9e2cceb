"""Outcome spaces and preferences: indexing round trips, vectorised utilities, normalisation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entente.errors import EntenteError
from entente.prefs import LinearAdditive, Preferences, RedLine, linear, normalized
from entente.space import OutcomeSpace, categorical, integer, ordinal, real

shapes = st.lists(st.integers(1, 6), min_size=1, max_size=5)


def space_of(shape: list[int]) -> OutcomeSpace:
    return OutcomeSpace(
        tuple(categorical(f"i{k}", [f"o{j}" for j in range(s)]) for k, s in enumerate(shape))
    )


@settings(max_examples=60, deadline=None)
@given(shapes)
def test_flat_ids_round_trip(shape: list[int]) -> None:
    sp = space_of(shape)
    allo = sp.all()
    assert len(allo) == sp.size
    ids = sp.flat(allo)
    assert ids.tolist() == list(range(sp.size))
    assert np.array_equal(sp.unflat(ids), allo)


@settings(max_examples=60, deadline=None)
@given(shapes, st.integers(0, 2**32 - 1))
def test_linear_utility_matches_a_plain_loop(shape: list[int], seed: int) -> None:
    sp = space_of(shape)
    rng = np.random.default_rng(seed)
    w = rng.random(len(shape))
    vals = tuple(rng.random(s) for s in shape)
    prefs = Preferences((LinearAdditive(w, vals),), offset=0.3)
    o = sp.all()
    expected = [0.3 + sum(w[i] * vals[i][row[i]] for i in range(len(shape))) for row in o]
    assert np.allclose(prefs.utility(o), expected, rtol=0, atol=1e-12)
    if np.ptp(prefs.utility(o)) == 0:
        with pytest.raises(EntenteError, match="same for every outcome"):
            normalized(prefs, sp)
        return
    u = normalized(prefs, sp).utility(o)
    assert u.min() == pytest.approx(0.0, abs=1e-12)
    assert u.max() == pytest.approx(1.0, abs=1e-12)


def test_normalisation_keeps_every_comparison_with_the_reservation_value() -> None:
    sp = space_of([3, 4])
    p = linear(
        sp,
        {"i0": 2.0, "i1": 1.0},
        {"i0": {"o0": 0, "o1": 5, "o2": 1}, "i1": {"o0": 1, "o1": 0, "o2": 3, "o3": 2}},
        reservation=6.0,
    )
    n = normalized(p, sp)
    o = sp.all()
    assert np.array_equal(p.utility(o) >= p.reservation, n.utility(o) >= n.reservation)


def test_red_lines_mark_combinations() -> None:
    sp = space_of([2, 3])
    line = RedLine(((0, frozenset({1})), (1, frozenset({0, 2}))))
    p = Preferences((LinearAdditive(np.ones(2), (np.zeros(2), np.zeros(3))),), red_lines=(line,))
    ok = p.feasible(sp.all())
    assert ok.tolist() == [True, True, True, False, True, False]


def test_issue_kinds() -> None:
    assert integer("n", 2, 5).options == ("2", "3", "4", "5")
    r = real("x", 0.0, 1.0, 0.25)
    assert r.values == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert ordinal("o", ["low", "high"]).kind == "ordinal"
    with pytest.raises(EntenteError):
        integer("n", 5, 2)
    with pytest.raises(EntenteError, match="too many to list"):
        space_of([10] * 9).all()


def test_discount_applies_per_unit_of_relative_time() -> None:
    p = Preferences((), discount=0.5)
    assert p.discounted(1.0, 1.0) == 0.5
    assert p.discounted(1.0, 0.0) == 1.0
