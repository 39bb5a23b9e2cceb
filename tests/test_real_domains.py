"""Pareto frontier and Nash point on real domains against brute force; NegMAS cross-check."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from entente.analysis import nash, pareto_mask, tolerance
from entente.formats import genius
from entente.table import Table
from genius_paths import DATA, shared_domains

LIMIT = 50_000  # outcomes: larger domains would make the suite slow


def _dominates(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(len(a), len(b)): a[i] >= b[j] - t everywhere and > b[j] + t somewhere (t: ties)."""
    return (a[:, None, :] >= (b - t)[None, :, :]).all(axis=2) & (
        a[:, None, :] > (b + t)[None, :, :]
    ).any(axis=2)


def _check_frontier(u: np.ndarray, mask: np.ndarray) -> None:
    """By definition: no row dominates a frontier row; a frontier row dominates every other.

    (Dominance with ties, as `pareto_mask` decides it. The second check holds on utilities that
    differ by rounding noise or by real amounts, as in these domains.)
    """
    front, rest, t = u[mask], u[~mask], tolerance(u)
    for s in range(0, len(u), 4096):
        assert not _dominates(u[s : s + 4096], front, t).any()
    for s in range(0, len(rest), 4096):
        assert _dominates(front, rest[s : s + 4096], t).any(axis=0).all()


def _brute_nash_value(u: np.ndarray, r: np.ndarray) -> float:
    ok = (u >= r).all(axis=1)
    return float(np.prod(u[ok] - r, axis=1).max()) if ok.any() else -1.0


def _linear_domains() -> list:
    out = []
    for folder in shared_domains() or [DATA / "y2011/Laptop", DATA / "other/laptopdomain"]:
        s = genius.load(folder)
        if all(p.prefs.linear is not None for p in s.parties) and s.space.size <= LIMIT:
            out.append(pytest.param(s, id=folder.name))
    return out


@pytest.mark.parametrize("s", _linear_domains())
def test_frontier_and_nash_equal_brute_force(s) -> None:
    t = Table.build(s.space, s.prefs)
    _check_frontier(t.u, pareto_mask(t.u))
    r = s.reservations
    j = nash(t.u, r)
    want = _brute_nash_value(t.u, r)
    got = float(np.prod(t.u[j] - r)) if j >= 0 else -1.0
    assert got == pytest.approx(want, rel=1e-12, abs=1e-15)


@pytest.mark.skipif(importlib.util.find_spec("negmas") is None, reason="negmas not installed")
@pytest.mark.parametrize("folder", ["y2011/Laptop", "other/IntegerDomain"])
def test_negmas_agrees_after_normalising_its_raw_evaluations(folder: str) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from negmas.inout import Scenario as NegmasScenario

        theirs = NegmasScenario.from_genius_folder(DATA / folder, ignore_discount=True)
    assert theirs is not None
    s = genius.load(DATA / folder)
    o = s.space.all()
    compared = 0
    for j, p in enumerate(s.parties):
        uf = theirs.ufuns[j]
        if any(iss.kind != "categorical" for iss in s.space.issues):
            # NegMAS reads integer evaluators as offset + slope * x; GENIUS (and entente) as
            # offset + slope * (x - lowerbound), clamped to [0, 1]: a documented disagreement
            assert not np.allclose(_negmas_utility(uf, s, o), p.prefs.utility(o))
            continue
        total = np.zeros(len(o))
        for i, iss in enumerate(s.space.issues):
            table = np.array([float(uf.values[i](k)) for k in iss.options])
            total += uf.weights[i] * (table / table.max())[o[:, i]]  # GENIUS normalisation
        np.testing.assert_allclose(total, p.prefs.utility(o), atol=1e-12)
        compared += 1
    assert compared or folder == "other/IntegerDomain"


def _negmas_utility(uf, s, o: np.ndarray) -> np.ndarray:
    rows = [tuple(int(s.space.issues[i].values[k]) for i, k in enumerate(r)) for r in o]
    return np.array([float(uf(x)) for x in rows])
