"""A constituency's own utility takes the value shapes a party's does (`values.<issue> =
{ shape = ... }`), with the same checks and the same located messages."""

from __future__ import annotations

import tomllib
from typing import Any

import numpy as np
import pytest

from entente.errors import ScenarioError
from entente.formats.scenario_toml import json_schema, loads
from entente.formats.scenario_write import dumps
from entente.settlement import ratify

CASE = """\
id = "home"
title = "Home"

[[issues]]
id = "n"
kind = "integer"
low = 0
high = 10

[[issues]]
id = "c"
options = ["a", "b"]

[[parties]]
id = "p"
name = "P"
weights = {{ n = 1, c = 1 }}
values.c = {{ a = 0, b = 1 }}

[[parties]]
id = "q"
name = "Q"
weights = {{ n = 1 }}

[[ratification.p.constituencies]]
id = "house"
threshold = 0.5
normalize = {normalize}
weights = {{ n = 1 }}
values.n = {shape}
"""


def case(shape: str, normalize: bool = False) -> str:
    return CASE.format(shape=shape, normalize="true" if normalize else "false")


def house(shape: str, normalize: bool = False) -> np.ndarray:
    """The house's utility of every outcome, c = a."""
    sc = loads(case(shape, normalize))
    prefs = sc.ratification[0].constituencies[0].prefs
    assert prefs is not None
    outcomes = np.array([[k, 0] for k in range(11)])
    return prefs.utility(outcomes)


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ('{ shape = "increasing" }', np.arange(11) / 10),
        ('{ shape = "decreasing" }', 1 - np.arange(11) / 10),
        ('{ shape = "peak", at = 4, width = 2 }', [0, 0, 0, 0.5, 1, 0.5, 0, 0, 0, 0, 0]),
        ('{ shape = "peak", at = 5 }', [0, 0.2, 0.4, 0.6, 0.8, 1, 0.8, 0.6, 0.4, 0.2, 0]),
        (
            '{ shape = "linear", points = [[2, 0.0], [6, 0.8]] }',
            [0, 0, 0, 0.2, 0.4, 0.6, 0.8, 0.8, 0.8, 0.8, 0.8],
        ),
    ],
)
def test_a_constituency_values_a_numeric_issue_by_shape(shape: str, expected: Any) -> None:
    np.testing.assert_allclose(house(shape), expected, atol=1e-12)


def test_a_shape_is_the_table_it_stands_for() -> None:
    """The shape and the value table it gives make the same constituency, normalised or not,
    and the same ratification of every outcome."""
    table = "{ " + ", ".join(f'"{k}" = {min(k, 10 - k) / 5}' for k in range(11)) + " }"
    for normalize in (False, True):
        np.testing.assert_allclose(
            house('{ shape = "peak", at = 5 }', normalize), house(table, normalize), atol=1e-12
        )
    by_shape = loads(case('{ shape = "peak", at = 5 }'))
    by_table = loads(case(table))
    approve = [ratify(by_shape, (k, 0)).parties[0].votes[0].approves for k in range(11)]
    assert approve == [ratify(by_table, (k, 0)).parties[0].votes[0].approves for k in range(11)]
    # the house approves the middle of the range only (value >= 0.5): 3..7
    assert approve == [k in range(3, 8) for k in range(11)]


def test_a_shaped_constituency_is_written_as_its_values() -> None:
    sc = loads(case('{ shape = "peak", at = 4, width = 2 }'))
    text = dumps(sc)
    assert "shape" not in text
    again = loads(text)
    a = sc.ratification[0].constituencies[0].prefs
    b = again.ratification[0].constituencies[0].prefs
    assert a is not None and b is not None
    o = sc.space.all()
    np.testing.assert_allclose(a.utility(o), b.utility(o), atol=1e-12)


WHERE = "ratification.p.constituencies[0].values.n"


@pytest.mark.parametrize(
    ("shape", "where", "message"),
    [
        (
            '{ shape = "peek", at = 3 }',
            ".shape",
            "input should be 'increasing', 'decreasing', 'peak' or 'linear' (got 'peek')",
        ),
        (
            '{ shape = "peak", at = 30 }',
            ".at",
            "peak at 30 is outside the range of issue 'n' (expected a number from 0 to 10)",
        ),
        ('{ shape = "peak" }', "", "a peak needs 'at', the number valued most"),
        ('{ shape = "peak", at = 3, width = 0 }', ".width", "input should be greater than 0"),
        ('{ shape = "increasing", at = 3 }', ".at", "shape 'increasing' takes no 'at'"),
        (
            '{ shape = "linear", points = [[0, 1], [5, 0], [5, 1]] }',
            ".points[2]",
            "numbers of the points must increase: 5 follows 5",
        ),
        ('{ shape = "linear" }', "", "'linear' needs at least two points"),
        ('{ shape = "increasing", top = 1 }', ".top", "is not a known field"),
    ],
)
def test_shape_mistakes_are_located_in_the_constituency(
    shape: str, where: str, message: str
) -> None:
    text = case(shape)
    with pytest.raises(ScenarioError) as e:
        loads(text, "s.toml")
    line = next(k for k, x in enumerate(text.splitlines(), 1) if x.startswith("values.n ="))
    assert str(e.value).startswith(f"s.toml:{line}: {WHERE}{where}: "), str(e.value)
    assert message in str(e.value)


def test_a_constituency_shape_needs_a_numeric_issue() -> None:
    text = case('{ shape = "increasing" }').replace(
        "weights = { n = 1 }\nvalues.n", "weights = { c = 1 }\nvalues.c"
    )
    with pytest.raises(ScenarioError) as e:
        loads(text, "s.toml")
    assert (
        "ratification.p.constituencies[0].values.c.shape: issue 'c' is categorical: "
        "a shape needs an integer or real issue"
    ) in str(e.value)


def test_the_schema_allows_constituency_shapes() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = tomllib.loads(case('{ shape = "peak", at = 3, width = 2 }'))
    jsonschema.validate(data, json_schema())
    data["ratification"]["p"]["constituencies"][0]["values"]["n"] = {"shape": "peek"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())
