"""The bargaining points' fast paths give the plain rule's answer, ties included.

`points.plain` runs each rule over every row the slow way (the code the fast paths replaced);
the public functions must return the same row on random data, on data full of near ties (rows
a fraction of a tolerance to a few tolerances apart, reservation values on or a tolerance off
the utilities) and on the shared GENIUS domains.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entente import api
from entente.analysis import (
    egalitarian,
    kalai_smorodinsky,
    max_welfare,
    nash,
    pareto_front,
    points,
    tolerance,
)
from entente.formats import genius
from genius_paths import shared_domains

RULES = {
    "nash": nash,
    "kalai_smorodinsky": kalai_smorodinsky,
    "egalitarian": egalitarian,
    "max_welfare": max_welfare,
}


@contextmanager
def fast_from(rows: int) -> Iterator[None]:
    """Take the fast paths from `rows` rows on (the module's threshold restored after)."""
    saved = points.FAST_FROM
    points.FAST_FROM = rows
    try:
        yield
    finally:
        points.FAST_FROM = saved


def assert_same(u: np.ndarray, r: np.ndarray) -> list[int]:
    got = []
    for name, fn in RULES.items():
        want = points.plain(name, u, r)
        with fast_from(0):
            assert fn(u, r) == want, name
        assert fn(u, r) == want, name
        got.append(want)
    return got


@st.composite
def near_ties(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Rows on a coarse grid, each moved by a few tenths to a few tolerances, and reservation
    values taken from the rows (moved likewise) or from the grid."""
    seed = draw(st.integers(0, 2**32 - 1))
    m = draw(st.integers(1, 160))
    k = draw(st.integers(1, 4))
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.integers(-3, 4)
    base = rng.integers(0, draw(st.integers(1, 12)) + 1, (m, k)) / 8.0
    if draw(st.booleans()):  # products of gains equal on a hyperbola: many exact ties
        base[:, -1] = np.round(1.0 / np.maximum(base[:, 0], 0.125), 3)
    u = base * scale
    t = 1e-12 * np.maximum(np.ptp(u, axis=0), np.abs(u).max(axis=0))
    steps = rng.choice(np.array([0, 0, 0.3, -0.3, 0.9, -0.9, 1.1, -1.1, 2.5, -2.5, 11.0]), (m, k))
    u = u + steps * t
    if draw(st.booleans()):
        r = u[rng.integers(0, m)] + rng.choice(np.array([0, 0.5, -0.5, 1.5, -1.5]), k) * t
    else:
        r = rng.integers(0, 6, k) / 8.0 * scale
    return u, r


@settings(max_examples=300, deadline=None)
@given(near_ties())
def test_fast_points_equal_the_plain_rule_on_near_ties(data: tuple[np.ndarray, np.ndarray]) -> None:
    u, r = data
    assert_same(u, r)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 400), st.integers(2, 5))
def test_fast_points_equal_the_plain_rule_on_random_rows(seed: int, m: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    u = rng.random((m, k)) ** rng.uniform(0.2, 3.0, k)
    r = rng.random(k) * rng.choice([0.0, 0.3, 0.8])
    assert_same(u, r)


def test_a_dominated_row_can_decide_the_nash_point() -> None:
    """Why the points are not simply computed over the frontier's rows.

    x = (0.1, 1) scores highest but y, a little worse for the first party and more than a
    tolerance better for the second, dominates it. The plain rule takes its tie tolerance from
    x and ties only x and y: y wins. Over the frontier alone, y scores highest, its (larger)
    tolerance also ties z, and z comes first.
    """
    t = 1e-12
    z = (1.0, 0.1 - 1.5e-12)
    x = (0.1, 1.0)
    y = (0.1 - 0.9 * t, 1.0 + 1.1 * t)
    filler = np.full((100, 2), 0.01)  # far below: never tied, but the fast path's size
    u = np.vstack([[z, x, y], filler])
    r = np.zeros(2)
    assert np.allclose(tolerance(u), t, rtol=1e-6)
    front = np.sort(pareto_front(u))
    assert list(front) == [0, 2]
    over_front = int(front[points.plain("nash", u[front], r)])
    assert over_front == 0
    assert points.plain("nash", u, r) == 2
    assert nash(u, r) == 2


def test_bound_does_not_apply_falls_back_to_the_plain_rule() -> None:
    """Every product zero, a non-finite utility, products that would underflow: the plain rule."""
    base = np.linspace(0.0, 1.0, 100)
    cases = [
        (np.c_[base, 1.0 - base], np.array([0.0, 1.0])),  # no row gains for the second party
        (np.c_[base, np.where(base > 0.5, np.inf, 1.0 - base)], np.zeros(2)),
        (np.c_[base, 1.0 - base] * 1e-200, np.zeros(2)),
        (np.c_[base, 1.0 - base] * 1e200, np.zeros(2)),
    ]
    for u, r in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # inf - inf in the plain rule
            assert_same(u, r)


BIG = {"y2010/Travel", "y2011/Energy", "y2012/SupermarketA"}
"""The only domains over 100,000 outcomes taken (the others repeat them), to keep this fast."""


def _two_party_domains() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    for folder in shared_domains():
        name = f"{folder.parent.name}/{folder.name}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                s = genius.load(folder)
            except Exception:  # a domain the reader refuses is not this test's concern
                continue
        if len(s.parties) != 2 or not s.space.enumerable or s.space.size > 400_000:
            continue
        if s.space.size > 100_000 and name not in BIG:
            continue
        t = api.table(s)
        yield name, t.u[t.candidates], t.reservations


@pytest.mark.skipif(not shared_domains(), reason="the shared GENIUS collection is absent")
def test_fast_points_equal_the_plain_rule_on_every_two_party_genius_domain() -> None:
    """Each domain with its own reservation values, none, and each frontier row's utilities
    (for a few rows: ties at the reservation values)."""
    rng = np.random.default_rng(0)
    seen = 0
    for name, u, r in _two_party_domains():
        seen += 1
        cases = [r, np.zeros(2)]
        if len(u) <= 20_000:
            front = pareto_front(u)
            cases += [u[i] for i in rng.choice(front, min(2, len(front)), replace=False)]
        for res in cases:
            for rule, fn in RULES.items():
                with fast_from(0):
                    assert fn(u, res) == points.plain(rule, u, res), (name, rule, res)
    assert seen >= 50
