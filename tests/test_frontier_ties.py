"""Utilities equal in exact arithmetic but a rounding error apart are ties for the frontier.

Values here are sums of a few fractions added in different orders, so equal sums differ by an
ulp or so, while different sums differ by at least 1/840: the frontier and the bargaining
points must then be those of exact arithmetic, whatever the order of the additions.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from entente.analysis import (
    TIE,
    egalitarian,
    kalai_smorodinsky,
    max_welfare,
    nash,
    pareto_front,
    pareto_mask,
    tolerance,
)
from entente.analysis.pareto import _mask2, _sweep2
from entente.formats import genius
from entente.table import Table
from genius_paths import DATA

PARTS = (Fraction(1, 3), Fraction(1, 7), Fraction(1, 10), Fraction(1, 5), Fraction(3, 10))
PARTS += (Fraction(1, 8), Fraction(7, 10))
UNIT = 840  # every sum of PARTS is a whole number of 1/840


def summed(counts: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Float sums (..., ) of counts[..., i] times PARTS[i], each added in its own random order,
    and the exact sums in units of 1/UNIT (int64)."""
    c = counts.reshape(-1, len(PARTS))
    exact = c @ np.array([int(p * UNIT) for p in PARTS])
    terms = c * np.array([float(p) for p in PARTS])
    order = np.argsort(rng.random(terms.shape), axis=1)
    terms = np.take_along_axis(terms, order, axis=1)
    total = np.zeros(len(c))
    for j in range(terms.shape[1]):
        total += terms[:, j]
    return total.reshape(counts.shape[:-1]), exact.reshape(counts.shape[:-1])


def brute_mask(u: np.ndarray) -> np.ndarray:
    """The definition, row against row: no other row is at least u - t everywhere and above
    u + t somewhere."""
    t = tolerance(u)
    lo, hi = u - t, u + t
    keep = np.ones(len(u), dtype=bool)
    for s in range(0, len(u), 256):
        ge = (u[None, :, :] >= lo[s : s + 256, None, :]).all(axis=2)
        gt = (u[None, :, :] > hi[s : s + 256, None, :]).any(axis=2)
        keep[s : s + 256] = ~(ge & gt).any(axis=1)
    return keep


def exact_mask(x: np.ndarray) -> np.ndarray:
    """Plain Pareto dominance on exact values (integers, or Python ints in an object array)."""
    keep = np.ones(len(x), dtype=bool)
    for s in range(0, len(x), 256):
        xs = x[s : s + 256, None, :]
        ge = (x[None, :, :] >= xs).all(axis=2)
        gt = (x[None, :, :] > xs).any(axis=2)
        keep[s : s + 256] = ~(ge & gt).any(axis=1)
    return keep


@st.composite
def tied(draw: st.DrawFn, parties: tuple[int, int], rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(float utilities, exact utilities) with many exact ties and some duplicate rows."""
    k = draw(st.integers(*parties))
    m = draw(st.integers(1, rows))
    counts = draw(arrays(np.int64, (m, k, len(PARTS)), elements=st.integers(0, 1)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    u, x = summed(counts, rng)
    dup = draw(st.lists(st.integers(0, m - 1), max_size=m))
    return np.vstack([u, u[dup]]), np.vstack([x, x[dup]])


@settings(max_examples=150, deadline=None)
@given(tied((2, 9), 60))
def test_frontier_equals_brute_force_and_exact_arithmetic(data: tuple) -> None:
    u, x = data
    mask = pareto_mask(u)
    assert np.array_equal(mask, brute_mask(u))
    assert np.array_equal(mask, exact_mask(x))


def _grid(u: np.ndarray) -> np.ndarray:
    """The two-party path with the coarse grid prefilter, at any number of rows."""
    return _mask2(u, tolerance(u), float(u[:, 0].min()), float(u[:, 0].max()))


@settings(max_examples=40, deadline=None)
@given(st.integers(16, 1500), st.integers(0, 2**32 - 1))
def test_two_party_prefilter_equals_brute_force_and_exact_arithmetic(m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 3, (m, 2, len(PARTS)))
    u, x = summed(counts, rng)
    u, x = np.vstack([u, u[: m // 10]]), np.vstack([x, x[: m // 10]])
    mask = _grid(u)
    assert np.array_equal(mask, brute_mask(u))
    assert np.array_equal(mask, exact_mask(x))


def test_two_party_frontier_of_many_rows_equals_exact_arithmetic() -> None:
    rng = np.random.default_rng(11)
    u, x = summed(rng.integers(0, 3, (6000, 2, len(PARTS))), rng)
    u, x = np.vstack([u, u[:600]]), np.vstack([x, x[:600]])
    assert np.array_equal(pareto_mask(u), exact_mask(x))


@st.composite
def near_ties(draw: st.DrawFn, parties: tuple[int, int], rows: int) -> np.ndarray:
    """Values on a coarse lattice moved by 0 to 2.5 tolerances: dominance is not transitive."""
    k = draw(st.integers(*parties))
    m = draw(st.integers(1, rows))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    base = rng.integers(0, 5, (m, k)) / 4
    return base + rng.integers(-5, 6, (m, k)) * (0.5 * TIE)


@settings(max_examples=150, deadline=None)
@given(near_ties((2, 6), 80))
def test_frontier_equals_brute_force_where_dominance_is_not_transitive(u: np.ndarray) -> None:
    assert np.array_equal(pareto_mask(u), brute_mask(u))


@settings(max_examples=40, deadline=None)
@given(st.integers(16, 1500), st.integers(2, 400), st.integers(0, 2**32 - 1))
def test_two_party_prefilter_where_dominance_is_not_transitive(m: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    u = rng.integers(0, n, (m, 2)) / (n - 1) + rng.integers(-5, 6, (m, 2)) * (0.5 * TIE)
    brute = brute_mask(u)
    assert np.array_equal(_grid(u), brute)
    assert np.array_equal(_sweep2(u[:, 0], u[:, 1], tolerance(u)), brute)


def test_tolerance_is_tie_times_the_larger_of_span_and_magnitude() -> None:
    u = np.array([[0.0, 100.0, 0.0], [0.5, 100.5, 0.0], [-0.25, 101.0, 0.0]])
    assert np.array_equal(tolerance(u), TIE * np.array([0.75, 101.0, 0.0]))


def test_ties_and_duplicates_are_all_kept() -> None:
    a = 0.1 + 0.2  # 0.30000000000000004
    u = np.array([[0.3, 0.7], [a, 0.7], [0.3, 0.7], [0.3, 0.6], [0.2, 0.8]])
    assert pareto_mask(u).tolist() == [True, True, True, False, True]
    assert pareto_mask(u[:, :1]).tolist() == [True, True, True, True, False]
    assert a > 0.3  # without ties, row 1 would dominate rows 0 and 2


def _exact_utilities(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Utilities of every outcome (flat-id order) in float, as entente computes them, and in
    exact arithmetic from the decimal strings of the files (Python ints over a common
    denominator per party), read as GENIUS reads them: weight times evaluation divided by
    the issue's largest evaluation."""
    s = genius.load(folder)
    space = s.space
    rows = space.all()
    exact, close = [], []
    for p in s.parties:
        root = ET.parse(folder / f"{p.id}.xml").getroot()
        weights = {w.get("index"): Fraction(w.get("value", "")) for w in root.iter("weight")}
        column = [Fraction(0)] * len(rows)
        for el in root.iter("issue"):
            i = next(j for j, iss in enumerate(space.issues) if iss.id == el.get("name"))
            ev = {it.get("value"): Fraction(it.get("evaluation", "")) for it in el.iter("item")}
            top = max(ev.values())
            vals = [weights[el.get("index")] * ev[o] / top for o in space.issues[i].options]
            column = [c + vals[r[i]] for c, r in zip(column, rows, strict=True)]
        denominator = math.lcm(*(c.denominator for c in column))
        exact.append([c.numerator * (denominator // c.denominator) for c in column])
        close.append([float(c) for c in column])
    u = Table.build(space, s.prefs).u
    # the exact model is the loader's: floats within a rounding error of the exact values
    assert np.abs(u - np.array(close).T).max() < 1e-15
    return u, np.array(exact, dtype=object).T


@pytest.mark.parametrize(("folder", "size", "front"), [("Jobs", 540, 21), ("QODomain", 1296, 83)])
def test_real_domain_frontier_holds_no_point_dominated_in_exact_arithmetic(
    folder: str, size: int, front: int
) -> None:
    u, x = _exact_utilities(DATA / "other" / folder)
    assert len(u) == size
    exact = exact_mask(x)
    # the trap is real: plain float comparisons keep points that exact arithmetic drops
    assert not np.array_equal(exact_mask(u), exact)
    assert np.array_equal(pareto_mask(u), exact)
    assert len(pareto_front(u)) == front


POINTS = (nash, kalai_smorodinsky, egalitarian, max_welfare)


@settings(max_examples=120, deadline=None)
@given(tied((2, 9), 40), st.integers(0, 2**32 - 1))
def test_points_do_not_depend_on_the_order_of_additions(data: tuple, seed: int) -> None:
    """The same exact utilities added in another order give the same point, on the frontier."""
    _, x = data
    rng = np.random.default_rng(seed)
    # rebuild floats from the exact values in two orders: counts that sum to x
    k = x.shape[1]
    r_counts = rng.integers(0, 2, (k, len(PARTS)))
    r_exact = r_counts @ np.array([int(p * UNIT) for p in PARTS])
    r = np.array([sum(float(p) * c for p, c in zip(PARTS, row, strict=True)) for row in r_counts])
    answers = []
    for _ in range(2):
        u = _from_units(x, rng)
        answers.append([f(u, r) for f in POINTS])
        mask = pareto_mask(u)
        for j in answers[-1]:
            assert j == -1 or mask[j]
    assert answers[0] == answers[1]
    # and each is the exact answer where the exact one is plain to state
    rational = (x >= r_exact).all(axis=1)
    w = answers[0][3]
    if not rational.any():
        assert answers[0] == [-1, -1, -1, -1]
    else:
        welfare = np.where(rational, x.sum(axis=1), np.iinfo(np.int64).min)
        assert w == int(np.argmax(welfare))
        worst = np.where(rational, (x - r_exact).min(axis=1), np.iinfo(np.int64).min)
        top = worst == worst.max()
        assert answers[0][2] == int(np.argmax(np.where(top, welfare, np.iinfo(np.int64).min)))


def _from_units(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Floats for exact values in units of 1/UNIT: the value split into random parts of
    1/UNIT multiples, added in a random order (equal values come out an ulp or so apart)."""
    out = np.zeros(x.shape)
    for idx in np.ndindex(*x.shape):
        n = int(x[idx])
        cuts = np.sort(rng.integers(0, n + 1, 3)) if n else np.zeros(3, dtype=np.int64)
        parts = np.diff(np.r_[0, cuts, n]) / UNIT
        rng.shuffle(parts)
        s = 0.0
        for p in parts:
            s += float(p)
        out[idx] = s
    return out
