"""The forecast models at the edges: capabilities of any magnitude, issues no one weighs,
scales too long to measure, cases too large for the actors**3 models, the issues of an actor
table picked with --issue, and the backtest's refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cli_run import assert_refused, cli
from entente.errors import EntenteError
from entente.forecast import MODELS, Actors, Forecast, forecast, size_problem
from entente.forecast import eu as eu_module
from entente.forecast import smp as smp_module
from entente.forecast.actors import MAX_CUBE_ACTORS
from entente.formats.spatial import loads_actors

DATA = Path(__file__).parent / "data" / "spatial"
EC = DATA / "ec-emissions.toml"


def _actors(capability: list[float], salience: float = 0.5, issues: int = 2) -> Actors:
    rng = np.random.default_rng(3)
    a = len(capability)
    return Actors(
        names=tuple(f"a{k}" for k in range(a)),
        issues=tuple(f"i{j}" for j in range(issues)),
        capability=np.array(capability),
        position=rng.uniform(0, 10, size=(a, issues)).round(1),
        salience=np.full((a, issues), salience)
        if salience == 0
        else rng.uniform(0.1, 1, (a, issues)),
        low=np.zeros(issues),
        high=np.full(issues, 10.0),
    )


def _table(rows: list[tuple[str, float, float, float]]) -> bytes:
    body = "".join(f"{n},{c!r},{p!r},{s!r}\n" for n, c, p, s in rows)
    return ("Actor,Capability,Position,Salience\n" + body).encode()


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("factor", [1e300, 1e-300])
def test_only_the_ratios_of_capabilities_count_even_at_the_ends_of_the_float_range(
    model: str, factor: float
) -> None:
    base = [1.0, 2.0, 0.5, 3.0, 1.5]
    plain = forecast(_actors(base), model).positions
    scaled = forecast(_actors([c * factor for c in base]), model).positions
    assert np.isfinite(scaled).all()
    np.testing.assert_allclose(scaled, plain, rtol=0, atol=1e-9)


def test_nash_of_an_issue_no_one_weighs_is_the_middle_of_its_scale() -> None:
    for capability, salience in (([0.0, 0.0, 0.0], 0.5), ([1.0, 2.0, 1.0], 0.0)):
        f = forecast(_actors(capability, salience), "nash")
        np.testing.assert_array_equal(f.positions, [5.0, 5.0])
        assert f.details["agreement"] == [False, False]


def test_a_scale_too_long_to_measure_is_refused_with_its_file_and_column() -> None:
    with pytest.raises(EntenteError, match=r"wide\.csv: column Position: .*too long"):
        loads_actors(_table([("A", 1, 1e308, 0.5), ("B", 1, -1e308, 0.5)]), "wide.csv")
    toml = (
        'title = "t"\n[[issues]]\nid = "x"\nlow = -1e308\nhigh = 1e308\n'
        '[[actors]]\nname = "A"\ncapability = 1\nposition = { x = 0 }\nsalience = { x = 1 }\n'
    )
    with pytest.raises(EntenteError, match=r"wide\.toml:5: issues\[0\]\.high: expected high - low"):
        loads_actors(toml.encode(), "wide.toml")
    with pytest.raises(EntenteError, match="too long to measure"):
        Actors(
            ("a",),
            ("x",),
            np.ones(1),
            np.zeros((1, 1)),
            np.ones((1, 1)),
            np.array([-1e308]),
            np.array([1e308]),
        )


def test_a_model_that_gives_no_finite_forecast_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(actors: Actors, *, seed: int = 0) -> Forecast:
        return Forecast("broken", np.full(len(actors.issues), np.nan))

    monkeypatch.setitem(MODELS, "broken", broken)
    with pytest.raises(EntenteError, match="'broken' gives no finite forecast on issue 'i0'"):
        forecast(_actors([1.0, 2.0]), "broken")


@pytest.mark.parametrize(("module", "model"), [(eu_module, "eu"), (smp_module, "condorcet")])
def test_the_cubic_models_give_the_same_numbers_an_issue_at_a_time(
    monkeypatch: pytest.MonkeyPatch, module: object, model: str
) -> None:
    case = _actors([1.0, 2.0, 0.5, 3.0, 1.5, 0.7], issues=7)
    whole = forecast(case, model)
    monkeypatch.setattr(module, "CHUNK_CELLS", 1)  # one issue per block
    blocks = forecast(case, model)
    np.testing.assert_array_equal(blocks.positions, whole.positions)
    assert blocks.trajectory is not None and whole.trajectory is not None
    np.testing.assert_array_equal(blocks.trajectory, whole.trajectory)


def test_size_limits_name_the_model_and_the_limit() -> None:
    big = _actors([1.0] * (MAX_CUBE_ACTORS + 1))
    for model in ("eu", "condorcet"):
        msg = size_problem(big, model)
        assert msg is not None and msg.startswith(f"{model}: 323 actors") and "at most 322" in msg
        with pytest.raises(EntenteError, match="at most 322 actors"):
            forecast(big, model)
    assert size_problem(_actors([1.0] * MAX_CUBE_ACTORS), "eu") is None
    assert size_problem(_actors([1.0] * 5000), "exchange") is not None
    one_issue = _actors([1.0] * 5000, issues=1)
    assert size_problem(one_issue, "exchange") is None  # one issue: nothing to exchange
    f = forecast(one_issue, "exchange")
    assert f.details["rounds"] == 0


def test_forecast_leaves_out_by_default_what_is_too_large_and_refuses_it_when_named(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(1)
    rows = [
        (f"a{k}", float(rng.uniform()), float(rng.uniform(0, 100)), float(rng.uniform()))
        for k in range(400)
    ]
    f = tmp_path / "big.csv"
    f.write_bytes(_table(rows))
    r = cli("forecast", f, "--json")
    assert r.code == 0, r.err
    assert sorted(json.loads(r.out)["models"]) == ["exchange", "mean", "median", "nash"]
    warnings = r.err.strip().splitlines()
    assert [w.split(":")[2].strip() for w in warnings] == ["left out eu", "left out condorcet"]
    assert_refused(cli("forecast", f, "--model", "eu"), "eu: 400 actors", "at most 322")
    assert_refused(cli("forecast", f, "-m", "mean", "-m", "condorcet"), "condorcet: 400 actors")


def test_issue_picks_the_issues_of_an_actor_table() -> None:
    r = cli("forecast", DATA / "cop21.csv", "--issue", "eaa", "--issue", "mrv", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["issues"] == ["eaa", "mrv"]
    full = json.loads(cli("forecast", DATA / "cop21.csv", "-m", "mean", "--json").out)
    means = dict(zip(full["issues"], full["models"]["mean"]["positions"], strict=True))
    assert data["models"]["mean"]["positions"] == [means["eaa"], means["mrv"]]
    r = cli("forecast", EC, "--issue", "emissions", "--json")
    assert json.loads(r.out)["outcome"] == [8.83]
    assert_refused(cli("forecast", EC, "--issue", "sea"), "--issue 'sea'", "its issues: emissions")


def test_backtest_counts_each_case_once_and_bounds_its_resamples() -> None:
    assert_refused(cli("backtest", EC, f"{DATA}/../spatial/ec-emissions.toml"), "given twice")
    assert_refused(cli("backtest", "portsmouth", "portsmouth"), "portsmouth: given twice")
    assert_refused(cli("backtest", EC, "--resamples", "1000001"), "--resamples")
    from entente.forecast.backtest import backtest

    with pytest.raises(EntenteError, match="from 1 to 1,000,000"):
        backtest([loads_actors(EC.read_bytes(), "ec.toml")], ["mean"], resamples=10**7)
