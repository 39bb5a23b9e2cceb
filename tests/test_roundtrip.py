"""Round trips: GENIUS -> entente -> GENIUS / GeniusWeb / TOML -> entente keep every utility."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entente.formats import (
    carry,
    genius,
    genius_write,
    geniusweb,
    load,
    scenario_toml,
    scenario_write,
)
from entente.prefs import LinearAdditive, Preferences
from entente.scenario import Party, Scenario
from entente.space import Issue, OutcomeSpace, integer
from genius_paths import DATA

TOL = 1e-12


def _same(a: Scenario, b: Scenario, *, reservation: bool = True) -> None:
    o = a.space.sample(np.random.default_rng(0), 500)
    assert [i.size for i in a.space.issues] == [i.size for i in b.space.issues]
    for p in a.parties:
        q = b.parties[b.party_index(p.id)]
        np.testing.assert_allclose(p.prefs.utility(o), q.prefs.utility(o), rtol=0, atol=TOL)
        if reservation:
            assert p.prefs.reservation == q.prefs.reservation
            assert p.prefs.discount == q.prefs.discount


def _via_genius(s: Scenario) -> Scenario:
    with tempfile.TemporaryDirectory() as tmp:
        genius_write.save(s, tmp)
        return genius.load(tmp)


def _via_geniusweb(s: Scenario) -> Scenario:
    with tempfile.TemporaryDirectory() as tmp:
        geniusweb.save(s, tmp)
        return geniusweb.load(tmp)


def _via_toml(s: Scenario) -> Scenario:
    return scenario_toml.loads(scenario_write.dumps(s))


@pytest.mark.parametrize(
    "folder", ["y2011/Laptop", "other/laptopdomain", "other/IntegerDomain", "y2014/10issues"]
)
def test_genius_round_trip(folder: str) -> None:
    s = genius.load(DATA / folder)
    _same(s, _via_genius(s))


@pytest.mark.parametrize("folder", ["y2011/Laptop", "other/laptopdomain", "other/IntegerDomain"])
def test_geniusweb_and_toml_round_trips(folder: str) -> None:
    s = genius.load(DATA / folder)
    _same(s, _via_geniusweb(s), reservation=False)
    _same(s, _via_toml(s))


def test_portsmouth_round_trips_through_toml_and_genius() -> None:
    s = load("portsmouth")
    back = _via_toml(s)
    _same(s, back)
    assert back.history == s.history and back.dates == s.dates
    # GENIUS holds no red lines: without them, every utility survives
    plain = carry.prepare(s, "genius", drop_red_lines=True)
    assert carry.red_lines(s) > 0 and carry.red_lines(plain) == 0
    _same(plain, _via_genius(plain))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    n = draw(st.integers(1, 4))
    issues = []
    for i in range(n):
        if draw(st.booleans()):
            lo = draw(st.integers(-5, 5))
            issues.append(integer(f"n{i}", lo, lo + draw(st.integers(0, 5))))
        else:
            k = draw(st.integers(1, 5))
            issues.append(Issue(f"issue {i}", tuple(f"o{j}" for j in range(k))))
    space = OutcomeSpace(tuple(issues))
    unit = st.floats(0.0, 1.0, allow_nan=False)
    parties = []
    for p in range(draw(st.integers(2, 3))):
        w = np.array([draw(st.floats(0.05, 1.0)) for _ in issues])
        vals = tuple(np.array([draw(unit) for _ in range(iss.size)]) for iss in issues)
        if draw(st.booleans()):  # an affine table on a numeric issue keeps its evaluator
            j = int(np.argmax([iss.kind == "integer" for iss in issues]))
            vals = (*vals[:j], np.linspace(draw(unit), draw(unit), issues[j].size), *vals[j + 1 :])
        term = LinearAdditive(w, vals)
        offset = draw(st.floats(0.0, 0.5))
        best = offset + term.bounds(space)[1]  # a reservation above the best is refused
        prefs = Preferences(
            terms=(term,),
            offset=offset,
            reservation=draw(unit) * best,
            discount=draw(st.floats(0.01, 1.0)),
        )
        parties.append(Party(f"p{p}", f"P{p}", prefs))
    return Scenario("random", "random", space, tuple(parties))


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_random_linear_scenarios_round_trip_everywhere(s: Scenario) -> None:
    _same(s, _via_genius(s))
    _same(s, _via_toml(s))
    top = max(p.prefs.bounds(s.space)[1] for p in s.parties)
    if top <= 1.0:
        _same(s, _via_geniusweb(s), reservation=False)


def test_dispatcher_picks_the_reader(tmp_path: Path) -> None:
    s = load(DATA / "y2011/Laptop")
    geniusweb.save(s, tmp_path / "gw")
    assert len(load(tmp_path / "gw").parties) == 2
    scenario_write.save(s, tmp_path / "laptop.toml")
    _same(s, load(tmp_path / "laptop.toml"))
    with pytest.raises(Exception, match="no such file"):
        load(tmp_path / "nothing-here")
