"""Frontier and bargaining points against brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from entente.analysis import (
    egalitarian,
    frontier_distance,
    kalai_smorodinsky,
    max_welfare,
    nash,
    opposition,
    pareto_front,
    pareto_mask,
)


def brute_mask(u: np.ndarray) -> np.ndarray:
    m = len(u)
    keep = np.ones(m, dtype=bool)
    for i in range(m):
        for j in range(m):
            if np.all(u[j] >= u[i]) and np.any(u[j] > u[i]):
                keep[i] = False
                break
    return keep


# small grids of values make ties (the hard case) common
values = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])


def matrices(k: int) -> st.SearchStrategy[np.ndarray]:
    return st.integers(1, 60).flatmap(lambda m: arrays(np.float64, (m, k), elements=values))


@settings(max_examples=150, deadline=None)
@given(matrices(2))
def test_two_party_frontier_equals_brute_force(u: np.ndarray) -> None:
    assert np.array_equal(pareto_mask(u), brute_mask(u))


@settings(max_examples=80, deadline=None)
@given(st.integers(3, 4).flatmap(matrices))
def test_k_party_frontier_equals_brute_force(u: np.ndarray) -> None:
    assert np.array_equal(pareto_mask(u), brute_mask(u))


def test_skyline_blocks_agree_with_brute_force_on_a_large_random_set() -> None:
    rng = np.random.default_rng(7)
    u = rng.random((3000, 3)).round(2)
    assert np.array_equal(pareto_mask(u), brute_mask(u[:3000]))


def test_front_is_ordered_by_first_party() -> None:
    u = np.array([[0.2, 0.9], [0.9, 0.2], [0.5, 0.5], [0.4, 0.4]])
    assert pareto_front(u).tolist() == [1, 2, 0]


def brute_nash(u: np.ndarray, r: np.ndarray) -> int:
    best, arg = -1.0, -1
    for i, row in enumerate(u):
        if np.all(row >= r):
            p = float(np.prod(row - r))
            if p > best:
                best, arg = p, i
    return arg


@settings(max_examples=150, deadline=None)
@given(matrices(2), st.tuples(values, values))
def test_nash_point_equals_brute_force(u: np.ndarray, r: tuple[float, float]) -> None:
    res = np.array(r)
    k = nash(u, res)
    b = brute_nash(u, res)
    if b == -1:
        assert k == -1
    else:
        # same product (ties may pick another row only if products are equal)
        assert np.isclose(np.prod(u[k] - res), np.prod(u[b] - res))
        assert k == b or np.prod(u[b] - res) == 0


@settings(max_examples=100, deadline=None)
@given(matrices(2), st.tuples(values, values))
def test_points_are_rational_and_extreme(u: np.ndarray, r: tuple[float, float]) -> None:
    res = np.array(r)
    rational = np.all(u >= res, axis=1)
    for fn in (kalai_smorodinsky, egalitarian, max_welfare):
        k = fn(u, res)
        if not rational.any():
            assert k == -1
            continue
        assert rational[k]
    w = max_welfare(u, res)
    if w >= 0:
        assert u[w].sum() == u[rational].sum(axis=1).max()
    e = egalitarian(u, res)
    if e >= 0:
        assert (u[e] - res).min() == (u[rational] - res).min(axis=1).max()
    ks = kalai_smorodinsky(u, res)
    if ks >= 0:
        # Kalai-Smorodinsky picks a Pareto-optimal row among the rational ones
        assert brute_mask(u[rational])[np.flatnonzero(rational).tolist().index(ks)]


def test_distance_to_frontier() -> None:
    front = np.array([[1.0, 0.0], [0.0, 1.0]])
    d = frontier_distance(np.array([[1.0, 0.0], [0.0, 0.0]]), front)
    assert d.tolist() == [0.0, 1.0]


def test_opposition_is_zero_when_one_outcome_is_ideal_for_all() -> None:
    assert opposition(np.array([[1.0, 1.0], [0.0, 0.2]])) == 0.0
    assert opposition(np.array([[1.0, 0.0], [0.0, 1.0]])) > 0.5
