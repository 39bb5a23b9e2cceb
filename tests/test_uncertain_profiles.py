"""ANAC 2019 preference uncertainty: GENIUS profiles of type UNCERTAIN."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import entente
from entente import api, prefs_ranking, registry
from entente.errors import ScenarioError
from entente.formats import genius, genius_uncertain
from entente.negotiation import session
from entente.negotiation.actions import Accept, Action
from entente.negotiation.strategies.base import Strategy
from entente.negotiation.view import View
from entente.prefs_ranking import Uncertainty, estimate, inversions, ranking

DATA = Path(__file__).parent / "data" / "genius"
JOBS = DATA / "uncertain" / "Jobs"


@pytest.fixture(scope="module")
def jobs() -> entente.Scenario:
    return genius.load(JOBS)


def test_reader_gets_comparisons_and_errors(jobs: entente.Scenario) -> None:
    plain, uncertain = jobs.parties
    assert plain.uncertainty is None
    assert uncertain.uncertainty == Uncertainty(20, 3, 0.01, True, False)
    assert genius_uncertain.read_uncertainty(JOBS / "Jobs_util2.xml") == uncertain.uncertainty
    # the true utility is read as from the plain profile
    same = genius.load(DATA / "other" / "Jobs")
    rows = jobs.space.all()
    assert np.array_equal(uncertain.prefs.utility(rows), same.parties[1].prefs.utility(rows))
    assert same.parties[1].uncertainty is None


def test_missing_elements_take_genius_defaults(tmp_path: Path) -> None:
    f = tmp_path / "u.xml"
    f.write_text('<utility_space type="UNCERTAIN"><objective/></utility_space>')
    assert genius_uncertain.read_uncertainty(f) == Uncertainty(10, 10, 0.0, True, False)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<comparisons>ten</comparisons>", "<comparisons>: expected a whole number"),
        ("<errors>-1</errors>", "<errors>: expected a whole number"),
        ("<comparisons>0</comparisons>", "<comparisons>: expected at least 1"),
        ("<fixed_seed>maybe</fixed_seed>", "<fixed_seed>: expected true or false"),
        ("<elicitation_cost>-2</elicitation_cost>", "<elicitation_cost>: expected a number"),
    ],
)
def test_bad_uncertainty_is_refused(tmp_path: Path, xml: str, message: str) -> None:
    f = tmp_path / "u.xml"
    f.write_text(f'<utility_space type="UNCERTAIN"><objective/>{xml}</utility_space>')
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(")):
        genius_uncertain.read_uncertainty(f)


def test_ranking_has_k_outcomes_and_exactly_e_swaps(jobs: entente.Scenario) -> None:
    p = jobs.parties[1]
    assert p.uncertainty is not None
    ranked = ranking(p.prefs, jobs.space, p.uncertainty)
    assert ranked.shape == (20, jobs.space.n_issues)
    assert len(np.unique(jobs.space.flat(ranked))) == 20
    assert inversions(p.prefs, ranked) == 3
    clean = ranking(p.prefs, jobs.space, replace(p.uncertainty, errors=0))
    assert inversions(p.prefs, clean) == 0
    assert set(jobs.space.flat(clean)) == set(jobs.space.flat(ranked))
    u = p.prefs.utility(clean)
    assert np.all(np.diff(u) >= 0)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(0, 40), st.integers(0, 2**31))
def test_swaps_are_exact_for_any_k_e_seed(k: int, e: int, seed: int) -> None:
    sc = genius.load(JOBS)
    p = sc.parties[1]
    ranked = ranking(p.prefs, sc.space, Uncertainty(k, e, seed=seed))
    assert len(ranked) == k
    u = p.prefs.utility(ranked)
    if len(np.unique(u)) == k:  # distinct utilities: every swap is one inversion
        assert inversions(p.prefs, ranked) == min(e, k // 2)


def test_same_seed_same_ranking_other_seed_other(jobs: entente.Scenario) -> None:
    p = jobs.parties[1]
    assert p.uncertainty is not None
    a = ranking(p.prefs, jobs.space, p.uncertainty)
    again = ranking(genius.load(JOBS).parties[1].prefs, jobs.space, p.uncertainty)
    assert np.array_equal(a, again)
    other = ranking(p.prefs, jobs.space, replace(p.uncertainty, seed=1))
    assert not np.array_equal(a, other)


def test_estimate_is_in_unit_range_and_follows_the_ranking(jobs: entente.Scenario) -> None:
    p = jobs.parties[1]
    assert p.uncertainty is not None
    clean = ranking(p.prefs, jobs.space, replace(p.uncertainty, comparisons=200, errors=0))
    est = estimate(p.prefs, jobs.space, clean)
    u = est.utility(jobs.space.all())
    assert u.min() == pytest.approx(0.0) and u.max() == pytest.approx(1.0)
    # fitted to the positions: rank correlation with the truth is high, but not the truth
    truth = p.prefs.utility(jobs.space.all())
    r = np.corrcoef(np.argsort(np.argsort(u)), np.argsort(np.argsort(truth)))[0, 1]
    assert r > 0.8
    assert not np.allclose(u, truth)
    assert est.reservation == p.prefs.reservation and est.discount == p.prefs.discount


def test_one_outcome_gives_a_flat_estimate(jobs: entente.Scenario) -> None:
    p = jobs.parties[1]
    est = prefs_ranking.seen(p.prefs, jobs.space, Uncertainty(1, 0))
    assert np.all(est.utility(jobs.space.all()) == 0.0)


class _Spy(Strategy):
    """Records the utility its view reports for every outcome, then accepts what it is offered."""

    name = "spy"

    def __init__(self) -> None:
        self.told: list[float] = []

    def act(self, view: View) -> Action:
        if not self.told:
            self.told = [view.own.utility(tuple(int(x) for x in r)) for r in view.space.all()]
        return Accept()


def test_agent_sees_the_estimate_analysis_uses_the_truth(jobs: entente.Scenario) -> None:
    p = jobs.parties[1]
    assert p.uncertainty is not None
    rows = jobs.space.all()
    told = prefs_ranking.seen(p.prefs, jobs.space, p.uncertainty)
    spy = _Spy()
    res = session.run(
        registry.protocol("alternating"),
        [registry.strategy("boulware"), spy],
        jobs.space,
        jobs.prefs,
        deadline=20,
        seen=[None, told],
    )
    assert np.allclose(spy.told, told.utility(rows))
    assert not np.allclose(spy.told, p.prefs.utility(rows))
    # the run reports the true utility of the agreement
    assert res.agreement is not None
    agreed = np.asarray(res.agreement, dtype=np.int64)
    assert res.utilities[1] == pytest.approx(float(p.prefs.utility(agreed)[0]))
    # the frontier is the truth's: the same as the plain profile's
    front = entente.frontier(jobs)
    plain = entente.frontier(genius.load(DATA / "other" / "Jobs"))
    assert np.array_equal(front.outcomes, plain.outcomes)
    assert np.array_equal(front.utilities, plain.utilities)


def test_play_tells_the_uncertain_party_its_estimate(
    jobs: entente.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    real = api.run

    def spy_run(*args: object, **kw: object) -> object:
        calls.append(kw["seen"])
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "run", spy_run)
    api.negotiate(jobs, "alternating", seed=1)
    api.negotiate(genius.load(DATA / "other" / "Jobs"), "alternating", seed=1)
    seen, plain = calls
    assert plain is None
    assert isinstance(seen, list) and seen[0] is None
    p = jobs.parties[1]
    assert p.uncertainty is not None
    rows = jobs.space.all()
    want = prefs_ranking.seen(p.prefs, jobs.space, p.uncertainty).utility(rows)
    assert np.array_equal(seen[1].utility(rows), want)
