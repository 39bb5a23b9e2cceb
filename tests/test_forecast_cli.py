"""`entente forecast` and `entente backtest`, and the backtest's statistics checked against
brute force: errors by hand, the sign-flip p-value by enumerating every sign pattern with
itertools, the bootstrap interval from the same draws, determinism for a seed."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from cli_run import assert_refused, cli
from entente.forecast import MODELS, Actors, forecast
from entente.forecast import backtest as bt
from entente.forecast.backtest import backtest, sign_flip
from entente.formats.actors_toml import dumps
from entente.formats.spatial import load_actors

DATA = Path(__file__).parent / "data" / "spatial"
EC = DATA / "ec-emissions.toml"


def _case(seed: int, issues: int = 8, actors: int = 6) -> Actors:
    """A synthetic case: random actors on issues of different scales, random outcomes."""
    rng = np.random.default_rng(seed)
    low = rng.uniform(-5, 5, size=issues)
    high = low + rng.uniform(1, 20, size=issues)
    return Actors(
        names=tuple(f"a{k}" for k in range(actors)),
        issues=tuple(f"i{k}" for k in range(issues)),
        capability=rng.uniform(0.1, 1, size=actors),
        position=low + rng.uniform(size=(actors, issues)) * (high - low),
        salience=rng.uniform(0.1, 1, size=(actors, issues)),
        low=low,
        high=high,
        outcome=low + rng.uniform(size=issues) * (high - low),
    )


def test_errors_and_mae_by_hand() -> None:
    a = _case(1)
    b = backtest([a], ["mean", "median"], seed=3)
    assert [r.model for r in b.results] == ["mean", "median"]
    assert a.outcome is not None
    for r in b.results:
        f = forecast(a, r.model).positions
        assert np.allclose(r.errors, np.abs(f - a.outcome))
        assert r.mae == pytest.approx(np.mean(np.abs(f - a.outcome) / (a.high - a.low)))
    # the weighted mean, written out
    w = a.capability[:, None] * a.salience
    mean = (w * a.position).sum(axis=0) / w.sum(axis=0)
    assert np.allclose(b.results[0].forecasts, mean)


def test_sign_flip_p_value_is_the_full_enumeration() -> None:
    a = _case(2)
    b = backtest([a], ["mean", "median"], ensemble=["mean", "median"], seed=0)
    base = b.results[0].normalised
    for r in b.results[1:]:
        d = r.normalised - base
        observed = abs(d.mean())
        hits = sum(
            abs(np.mean(np.array(s) * d)) >= observed - 1e-12
            for s in itertools.product((-1.0, 1.0), repeat=len(d))
        )
        assert r.p_value == pytest.approx(hits / 2 ** len(d))
    assert "exact (256 patterns)" in b.test


def test_random_sign_patterns_approach_the_exact_p_value(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    d = rng.normal(0.1, 0.3, size=(3, 12))
    exact, _ = sign_flip(d, np.random.default_rng(0), 1)
    monkeypatch.setattr(bt, "EXACT", 0)
    approx, method = sign_flip(d, np.random.default_rng(0), 40000)
    assert "40000 random" in method
    assert np.allclose(approx, exact, atol=0.01)


def test_bootstrap_interval_from_the_same_draws() -> None:
    a = _case(3)
    b = backtest([a], ["mean", "median"], seed=11, resamples=500)
    e = np.array([r.normalised for r in b.results])
    idx = np.random.default_rng(11).integers(0, e.shape[1], size=(500, e.shape[1]))
    for k, r in enumerate(b.results):
        means = e[k, idx].mean(axis=1)
        assert r.ci == pytest.approx(tuple(np.percentile(means, [2.5, 97.5])))
        assert r.ci[0] <= r.mae <= r.ci[1]


def test_a_backtest_is_the_same_for_the_same_seed() -> None:
    cases = [_case(4), _case(5, issues=5)]
    one = backtest(cases, ["mean", "median", "eu"], seed=7).to_json()
    two = backtest(cases, ["mean", "median", "eu"], seed=7).to_json()
    other = backtest(cases, ["mean", "median", "eu"], seed=8).to_json()
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
    assert one["models"]["mean"]["ci"] != other["models"]["mean"]["ci"]
    assert len(one["issues"]) == 13


# --- the commands ---------------------------------------------------------------------------


def test_forecast_json() -> None:
    r = cli("forecast", EC, "-m", "mean", "-m", "median", "-m", "eu", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["issues"] == ["emissions"] and data["outcome"] == [8.83]
    assert len(data["actors"]) == 10 and data["low"] == [4.0] and data["high"] == [10.0]
    assert set(data["models"]) == {"mean", "median", "eu"}
    a = load_actors(EC)
    w = a.capability * a.salience[:, 0]
    mean = float((w * a.position[:, 0]).sum() / w.sum())
    assert data["models"]["mean"]["positions"] == [pytest.approx(mean)]
    assert data["models"]["mean"]["trajectory"] is None
    eu = data["models"]["eu"]
    assert eu["rounds"] == len(eu["trajectory"]) - 1 >= 1
    assert eu["trajectory"][-1] == eu["positions"]


def test_every_model_runs_on_every_shared_file() -> None:
    for f in ("ExampleActors.csv", "Sultan.csv", "copenhagen.csv", "SOE-Policy.csv"):
        r = cli("forecast", DATA / f, "--json")
        assert r.code == 0, r.err
        data = json.loads(r.out)
        assert set(data["models"]) == set(MODELS)
        for m in data["models"].values():
            assert len(m["positions"]) == len(data["issues"])


def test_forecast_text_shows_models_outcome_and_rounds() -> None:
    r = cli("forecast", EC, "-m", "mean", "-m", "eu", columns=120)
    assert r.code == 0, r.err
    assert "10 actors, 1 issue" in r.out and "outcome" in r.out and "8.83" in r.out
    assert "eu:" in r.out and "round 0" in r.out


def test_forecast_a_scenario_issue() -> None:
    r = cli("forecast", "portsmouth", "--issue", "indemnity", "-m", "mean", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["issues"] == ["indemnity"] and data["outcome"] == [2.0]
    assert "japan" in data["actors"] and "russia/tsar" in data["actors"]


def test_backtest_json(tmp_path: Path) -> None:
    f = tmp_path / "synthetic.toml"
    f.write_text(dumps(_case(6)))
    r = cli("backtest", EC, f, "-m", "median", "--ensemble", "mean,median", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["baseline"] == "mean" and len(data["issues"]) == 9
    assert set(data["models"]) == {"mean", "median", "ensemble(mean+median)"}
    m = data["models"]["median"]
    assert len(m["errors"]) == 9 and m["ci"][0] <= m["mae"] <= m["ci"][1]
    assert 0 < m["p_value"] <= 1 and data["models"]["mean"]["p_value"] is None
    ens = data["models"]["ensemble(mean+median)"]["forecasts"]
    both = np.array([data["models"][k]["forecasts"] for k in ("mean", "median")])
    assert np.allclose(ens, both.mean(axis=0))
    again = cli("backtest", EC, f, "-m", "median", "--ensemble", "mean,median", "--json")
    assert again.out == r.out


def test_backtest_text() -> None:
    r = cli("backtest", EC, "portsmouth", "-m", "median", columns=140)
    assert r.code == 0, r.err
    assert "6 issues with recorded outcomes in 2 cases" in r.out
    assert "(scales differ)" in r.out and "emissions" in r.out and "sakhalin" in r.out


def test_refusals(tmp_path: Path) -> None:
    assert_refused(cli("forecast", EC, "-m", "oracle"), "--model", "'oracle'")
    assert_refused(cli("backtest", EC, "--ensemble", "mean"), "--ensemble")
    assert_refused(cli("backtest", EC, "--ensemble", "mean,oracle"), "'oracle'")
    assert_refused(cli("backtest", DATA / "Sultan.csv"), "Sultan.csv", "no recorded outcome")
    assert_refused(cli("forecast", "portsmouth", "--issue", "evacuation"), "evacuation")
    bad = tmp_path / "bad.csv"
    bad.write_text("Actor,Capability,Position,Salience\na,1,2,0.5\nb,1,x,0.5\n")
    assert_refused(cli("forecast", bad), "bad.csv:3", "column Position")
