"""The fast paths give exactly what the plain computations give.

Utilities by broadcasting equal utilities of listed outcomes bit for bit; the packed-key sort
equals a stable argsort; utility bands answer `near` as the full order does; the coarse
Pareto filter keeps exactly the frontier; and fixed negotiations leave the traces they left
before any of this existed.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entente import registry
from entente.analysis.pareto import _mask2, _sweep2, pareto_mask, tolerance
from entente.negotiation.session import run, trace_jsonl
from entente.negotiation.view import Own
from entente.ordering import Ladder, descending
from entente.prefs import LinearAdditive, Preferences, RedLine
from entente.space import OutcomeSpace, categorical
from entente.table import Table


def _space(shape: tuple[int, ...]) -> OutcomeSpace:
    return OutcomeSpace(
        tuple(categorical(f"i{i}", [f"o{j}" for j in range(s)]) for i, s in enumerate(shape))
    )


@st.composite
def _scenario(draw: st.DrawFn) -> tuple[OutcomeSpace, tuple[Preferences, ...]]:
    shape = tuple(draw(st.lists(st.integers(1, 6), min_size=1, max_size=5)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    coarse = draw(st.booleans())  # few distinct values: many ties
    prefs = []
    for _ in range(draw(st.integers(1, 3))):
        tables = tuple(
            (rng.integers(0, 3, s) / 3 if coarse else rng.random(s)) * rng.choice([1, -1])
            for s in shape
        )
        terms: tuple[LinearAdditive, ...] = (LinearAdditive(rng.random(len(shape)), tables),)
        if draw(st.booleans()):  # a second additive term, summed after the first
            terms += (LinearAdditive(rng.random(len(shape)), tuple(rng.random(s) for s in shape)),)
        lines: tuple[RedLine, ...] = ()
        if draw(st.booleans()):
            i = int(rng.integers(len(shape)))
            lines = (RedLine(((i, frozenset({0})),)),)
        offset = float(draw(st.sampled_from([0.0, 0.25, -1.5])))
        prefs.append(Preferences(terms, red_lines=lines, offset=offset, reservation=0.1))
    return _space(shape), tuple(prefs)


@settings(max_examples=150, deadline=None)
@given(_scenario())
def test_table_equals_utilities_of_listed_outcomes(case: tuple) -> None:
    space, prefs = case
    t = Table.build(space, prefs)
    o = space.all()
    assert np.array_equal(t.outcomes, o)
    for j, p in enumerate(prefs):
        assert t.u[:, j].tobytes() == p.utility(o).tobytes()
        assert np.array_equal(t.ok[:, j], p.feasible(o))
    assert np.array_equal(t.feasible, t.ok.all(axis=1))


class _EvenSum(RedLine):
    """A red line with its own test: outcomes whose option indices sum to an even number."""

    def crossed(self, outcomes: np.ndarray) -> np.ndarray:
        return np.atleast_2d(np.asarray(outcomes)).sum(axis=1) % 2 == 0


def test_table_honours_red_lines_that_define_their_own_test() -> None:
    space = _space((3, 4, 2))
    lin = LinearAdditive(np.ones(3), tuple(np.arange(s) / s for s in (3, 4, 2)))
    p = Preferences((lin,), red_lines=(_EvenSum(()), RedLine(((1, frozenset({3})),))))
    t = Table.build(space, (p, p))
    assert np.array_equal(t.ok[:, 0], p.feasible(space.all()))
    assert np.array_equal(t.feasible, p.feasible(space.all()))


_values = st.one_of(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=300),
    st.lists(st.sampled_from([0.0, -0.0, 0.1, 0.3, 0.1 + 0.2, 1 / 3, 1.0]), max_size=300),
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_descending_is_a_stable_argsort(values: list[float]) -> None:
    v = np.asarray(values, dtype=np.float64)
    assert np.array_equal(descending(v), np.argsort(-v, kind="stable"))


def test_descending_on_values_a_few_ulps_apart() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        base = rng.integers(0, 4, 300) / 3
        v = base + rng.integers(-3, 4, 300) * np.spacing(np.maximum(base, 1e-300))
        v[rng.integers(0, 300, 50)] *= -1
        assert np.array_equal(descending(v), np.argsort(-v, kind="stable"))
        big = np.r_[rng.random(20_000), v]  # large enough for the packed-key path
        assert np.array_equal(descending(big), np.argsort(-big, kind="stable"))


def _nearest_by_sort(ids: np.ndarray, values: np.ndarray, target: float) -> int:
    """The last of the stable descending order still worth at least `target`."""
    order = ids[np.argsort(-values, kind="stable")]
    n = int((values >= target).sum())
    return int(order[n - 1]) if n else -1


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 20_000),
    st.integers(0, 2**32 - 1),
    st.booleans(),
    st.lists(st.floats(-0.2, 1.2), min_size=1, max_size=8),
)
def test_ladder_answers_as_the_full_order(
    n: int, seed: int, coarse: bool, targets: list[float]
) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 40, n) / 39 if coarse else rng.random(n)
    for ids in (None, np.sort(rng.choice(3 * n, n, replace=False))):
        lad = Ladder(ids, values)
        every = np.arange(n) if ids is None else ids
        for target in [*targets, float(values.min()), float(values.max())]:
            assert lad.nearest(target) == _nearest_by_sort(every, values, target)
        assert lad.top == values.max() and lad.bottom == values.min()
        assert lad.best_id == int(every[np.argsort(-values, kind="stable")[0]])


@settings(max_examples=60, deadline=None)
@given(_scenario(), st.lists(st.floats(-2.0, 3.0), min_size=1, max_size=6))
def test_own_near_best_worst_equal_the_sorted_order(case: tuple, targets: list[float]) -> None:
    space, prefs = case
    t = Table.build(space, prefs)
    rng = np.random.default_rng(0)
    for j, p in enumerate(prefs):
        own = Own(j, p, space, t)
        order = t.order(j)
        if not len(order):
            continue
        assert own.best == t.u[order[0], j] and own.worst == t.u[order[-1], j]
        assert own.ideal == own.outcome(int(order[0]))
        for target in targets:
            ids = own.at_least(target)  # the plain answer, from the full order
            want = own.outcome(int(ids[-1] if len(ids) else order[0]))
            assert own.near(target, rng) == want


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 400), st.integers(0, 2**32 - 1), st.sampled_from(["random", "grid", "line"]))
def test_coarse_pareto_filter_keeps_exactly_the_frontier(n: int, seed: int, kind: str) -> None:
    rng = np.random.default_rng(seed)
    if kind == "random":
        u = rng.random((n, 2))
    elif kind == "grid":
        u = rng.integers(0, 6, (n, 2)) / 5
    else:
        x = rng.random(n)
        u = np.c_[x, 1 - x + rng.integers(0, 3, n) * 1e-3]
    brute = np.array(
        [not np.any(np.all(u >= r, axis=1) & np.any(u > r, axis=1)) for r in u], dtype=bool
    )
    t = tolerance(u)
    assert np.array_equal(_mask2(u, t, u[:, 0].min(), u[:, 0].max()), brute)
    assert np.array_equal(_sweep2(u[:, 0], u[:, 1], t), brute)
    assert np.array_equal(pareto_mask(u), brute)


def _golden_domain() -> tuple[OutcomeSpace, tuple[Preferences, ...]]:
    """A fixed random domain with ties (values in thirds) and a reservation value."""
    rng = np.random.default_rng(7)
    shape = tuple(int(s) for s in rng.integers(2, 9, size=5))
    prefs = tuple(
        Preferences(
            (LinearAdditive(rng.random(5), tuple(rng.integers(0, 4, s) / 3 for s in shape)),),
            reservation=0.3,
        )
        for _ in range(2)
    )
    return _space(shape), prefs


# sha256 (first 16 hex digits) of trace_jsonl, recorded before the fast paths were written;
# re-recorded when the trace began to number rounds from 1 and name options by id, after
# checking that each new trace is the old one with exactly those two changes
GOLDEN = {
    ("boulware", "boulware"): "1e5adf387fbb6366",
    ("boulware", "conceder"): "99b0e8568eff2861",
    ("boulware", "learner"): "c13b56934af1e834",
    ("conceder", "boulware"): "c85b3722e569a7f5",
    ("conceder", "learner"): "97bee8397bdcd8ef",
    ("learner", "boulware"): "54e877470353e9be",
    ("learner", "learner"): "f0234803a2683a55",
    ("tit_for_tat", "boulware"): "dc344016dd214061",
}


@pytest.mark.parametrize(("a", "b"), sorted(GOLDEN))
def test_traces_are_unchanged(a: str, b: str) -> None:
    space, prefs = _golden_domain()
    t = Table.build(space, prefs)
    proto = registry.protocol("alternating")
    r = run(
        proto, [registry.strategy(a), registry.strategy(b)], space, prefs, deadline=100, table=t
    )
    got = hashlib.sha256(trace_jsonl(r, space, prefs).encode()).hexdigest()[:16]
    assert got == GOLDEN[(a, b)]
