"""Uncertain numbers in scenario files: reading, points, checks, schema, distributions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entente import api
from entente.errors import ScenarioError
from entente.formats.scenario_toml import json_schema, loads
from entente.uncertain import Distribution

DATA = Path(__file__).parent / "data" / "ranges"
BORDER = (DATA / "border.toml").read_text()

# every inline table of the file, as `{ ... }` written on one line, and the point that
# replaces it: the midpoint, the mode, the mean
_TABLE = re.compile(r"\{ (low|mean) = [^{}]*\}")


def _point(table: str) -> str:
    got = dict(re.findall(r"(\w+) = ([-0-9.]+)", table))
    if "mean" in got:
        return got["mean"]
    if "mode" in got:
        return got["mode"]
    return repr((float(got["low"]) + float(got["high"])) / 2)


def _points_written_out(text: str) -> str:
    return _TABLE.sub(lambda m: _point(m[0]), text)


def test_every_uncertain_number_is_recorded_with_its_point_and_source() -> None:
    sc = loads(BORDER, "border.toml")
    by_path = {u.path: u for u in sc.uncertain}
    assert set(by_path) == {
        "parties.north.reservation",
        "parties.north.weights.line",
        "parties.north.weights.water",
        "parties.north.values.line.ridge",
        "parties.south.discount",
        "parties.south.weights.troops",
        "parties.south.values.water.shared",
        "ratification.south.constituencies.assembly.threshold",
        "ratification.south.constituencies.assembly.weight",
        "ratification.south.constituencies.army.weights.trade",
        "ratification.south.constituencies.army.values.troops.few",
    }
    r = by_path["parties.north.reservation"]
    assert (r.dist.kind, r.dist.low, r.dist.mode, r.dist.high, r.point) == (
        "triangular", 0.25, 0.35, 0.5, 0.35,
    )  # fmt: skip
    assert (r.source, r.rationale) == ("notes", "war is costly")
    assert by_path["parties.north.weights.line"].point == 4.0
    w = by_path["parties.north.weights.water"]
    assert (w.dist.kind, w.point, w.dist.sd) == ("normal", 3.0, 0.5)
    v = by_path["parties.south.values.water.shared"]
    assert (v.target.kind, v.target.party, v.target.issue, v.target.option) == ("value", 1, 2, 0)
    assert by_path["ratification.south.constituencies.assembly.threshold"].target.constituency == 0
    assert [u.normalized for u in sc.uncertain if u.path.startswith("parties.north.w")] == [
        True,
        True,
    ]


def test_a_file_with_ranges_runs_as_the_file_with_its_points() -> None:
    ranged = loads(BORDER, "border.toml")
    plain = loads(_points_written_out(BORDER), "plain.toml")
    assert plain.uncertain == ()
    for a, b in zip(ranged.parties, plain.parties, strict=True):
        la, lb = a.prefs.linear, b.prefs.linear
        assert la is not None and lb is not None
        np.testing.assert_allclose(la.weights, lb.weights, rtol=1e-12)
        for x, y in zip(la.values, lb.values, strict=True):
            np.testing.assert_allclose(x, y)
        assert (a.prefs.reservation, a.prefs.discount) == pytest.approx(
            (b.prefs.reservation, b.prefs.discount)
        )
    outcomes = ranged.space.all()
    for ra, rb in zip(ranged.ratification, plain.ratification, strict=True):
        for ca, cb in zip(ra.constituencies, rb.constituencies, strict=True):
            assert (ca.id, ca.veto) == (cb.id, cb.veto)
            assert ca.weight == pytest.approx(cb.weight)
            assert ca.threshold == pytest.approx(cb.threshold)
            if ca.prefs is not None and cb.prefs is not None:
                np.testing.assert_allclose(ca.prefs.utility(outcomes), cb.prefs.utility(outcomes))
            assert (ca.prefs is None) == (cb.prefs is None)
    assert api.frontier(ranged).nash == api.frontier(plain).nash
    one, two = api.negotiate(ranged, seed=3), api.negotiate(plain, seed=3)
    assert one.agreement == two.agreement


def test_a_normalised_party_s_weights_keep_the_file_s_scale() -> None:
    """Loaded weight = written weight x scale: the scale is the normalising factor."""
    sc = loads(BORDER, "border.toml")
    u = next(u for u in sc.uncertain if u.path == "parties.north.weights.line")
    lin = sc.parties[0].prefs.linear
    assert lin is not None
    assert lin.weights[0] == pytest.approx(u.point * u.scale)
    # written weights 4, 2, 3, 1 over value spans 1, 1, 1, 0.8: the utility spans 9.8
    assert u.scale == pytest.approx(1 / 9.8)


BAD = [
    ("reservation = 0.3", "reservation = { low = 0.5, high = 0.2 }",
     "parties[1].reservation.low: low 0.5 is above high 0.2"),
    ("reservation = 0.3", "reservation = { low = 0.2 }",
     "parties[1].reservation: expected { low, high }, { low, mode, high } or { mean, sd } (got the keys low)"),
    ("reservation = 0.3", "reservation = { mean = 0.3, sd = -0.1 }",
     "parties[1].reservation.sd: sd -0.1 is negative (expected sd >= 0)"),
    ("reservation = 0.3", "reservation = { low = 0.2, high = 0.4, hi = 1 }",
     "parties[1].reservation.hi: is not a key of a range (expected low, mode, high, mean, sd, source, rationale)"),
    ("reservation = 0.3", "reservation = { low = 0.2, mode = 0.5, high = 0.4 }",
     "parties[1].reservation.mode: mode 0.5 lies outside low 0.2 to high 0.4"),
    ("reservation = 0.3", "reservation = { mean = 0.3, sd = 0.1, mode = 0.3 }",
     "parties[1].reservation: a normal takes mean and sd (and optionally low and high), no mode"),
    ("reservation = 0.3", "reservation = { low = 0.2, high = 1.2 }",
     "parties[1].reservation.high: high 1.2 is outside the range a reservation value allows (expected [0, 1])"),
    ("reservation = 0.3", "reservation = { low = 0.2, high = 0.4, source = 3 }",
     "parties[1].reservation.source: expected a string (got 3)"),
    ("reservation = 0.3", "reservation = { low = 0.2, high = nan }",
     "parties[1].reservation.high: expected a finite number (got nan)"),
    ("discount = { low = 0.8, high = 1.0 }", "discount = { low = 0.0, high = 1.0 }",
     "parties[1].discount.low: low 0 is outside the range a discount allows (expected (0, 1])"),
    ("weight = { low = 1, high = 3 }", "weight = { low = -1, high = 3 }",
     "constituencies[0].weight.low: low -1 is outside the range a constituency's weight allows"),
    ("trade = 2", "trade = { mean = 2, sd = 1, low = 3 }",
     "parties[1].weights.trade: mean 2 lies outside low 3 to high inf"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_a_wrong_range_is_refused_at_its_field(old: str, new: str, message: str) -> None:
    text = BORDER.replace(old, new, 1)
    assert text != BORDER
    with pytest.raises(ScenarioError) as e:
        loads(text, "b.toml")
    assert message in str(e.value)
    line = text[: text.index(new)].count("\n") + 1
    assert str(e.value).startswith(f"b.toml:{line}: ")


def test_a_range_where_the_file_takes_none_is_refused_by_the_schema() -> None:
    text = BORDER + "\n[protocol]\ndeadline = { low = 1, high = 2 }\n"
    with pytest.raises(
        ScenarioError, match=r"protocol\.deadline: input should be a valid integer \(got a table\)"
    ):
        loads(text, "b.toml")


def test_the_schema_describes_ranges_and_accepts_the_file() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    dist = schema["$defs"]["Distribution"]
    assert set(dist["properties"]) == {"low", "mode", "high", "mean", "sd", "source", "rationale"}
    assert all(p.get("description") for p in dist["properties"].values())
    data = tomllib.loads(BORDER)
    jsonschema.validate(data, schema)
    data["parties"][0]["weights"]["line"] = {"low": 1, "hgh": 2}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_quantiles_of_each_kind() -> None:
    q = np.array([1e-9, 0.25, 0.5, 0.75, 1 - 1e-9])
    np.testing.assert_allclose(Distribution("uniform", 2, 4).quantile(q), 2 + 2 * q)
    tri = Distribution("triangular", 0, 2, mode=1).quantile(q)
    np.testing.assert_allclose(tri[1:4], [np.sqrt(0.5), 1.0, 2 - np.sqrt(0.5)])
    norm = Distribution("normal", mean=1, sd=2).quantile(np.array([0.5, 0.8413447460685429]))
    np.testing.assert_allclose(norm, [1.0, 3.0], atol=1e-9)
    assert Distribution("uniform", 2, 2).quantile(q).tolist() == [2.0] * 5
    assert Distribution("triangular", 3, 3, mode=3).quantile(q).tolist() == [3.0] * 5


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["uniform", "triangular", "normal"]),
    a=st.floats(-10, 10),
    width=st.floats(0, 5),
    at=st.floats(0, 1),
    sd=st.floats(0, 3),
)
def test_draws_stay_in_range_and_rise_with_the_probability(
    kind: str, a: float, width: float, at: float, sd: float
) -> None:
    b = a + width
    d = Distribution(kind, a, b, mode=a + at * width, mean=a + at * width, sd=sd)  # type: ignore[arg-type]
    q = np.linspace(0.001, 0.999, 101)
    x = d.quantile(q)
    assert (x >= a - 1e-9).all() and (x <= b + 1e-9).all()
    assert (np.diff(x) >= -1e-9).all()
    assert a - 1e-9 <= d.point <= b + 1e-9


def test_ranges_survive_a_toml_round_trip_and_genius_formats_say_they_keep_points() -> None:
    from entente.formats import carry
    from entente.formats.scenario_write import dumps

    sc = loads(BORDER, "border.toml")
    text = dumps(sc)
    again = loads(text, "again.toml")
    assert again.uncertain == sc.uncertain
    assert dumps(again) == text
    assert carry.note(sc, "toml") is None
    assert "11 ranges (their points are written)" in (carry.note(sc, "geniusweb") or "")
    assert "ranges" not in (
        carry.note(loads(_points_written_out(BORDER), "p.toml"), "geniusweb") or ""
    )
