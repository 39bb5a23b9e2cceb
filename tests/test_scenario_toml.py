"""Scenario files: what is checked, and where the error says the problem is."""

from __future__ import annotations

import pytest

from entente.errors import ScenarioError
from entente.formats.scenario_toml import loads

GOOD = """
id = "toy"
title = "A toy"
[dates]
signed = "1905-08-23 OS"
[[issues]]
id = "a"
options = ["x", "y"]
[[issues]]
id = "n"
kind = "integer"
low = 1
high = 3
[[parties]]
id = "p"
name = "P"
[parties.weights]
a = 1
n = 1
[parties.values.a]
x = 0
y = 1
[[parties]]
id = "q"
name = "Q"
reservation = 0.2
[parties.weights]
a = 2
[parties.values.a]
x = 1
y = 0
[history.outcome]
a = "y"
n = "2"
"""


def test_a_good_file_loads() -> None:
    s = loads(GOOD, "toy.toml")
    assert s.space.shape == (2, 3)
    assert s.dates["signed"].render() == "23 August (5 September) 1905"
    assert s.history is not None and s.history.outcome == (1, 1)
    assert s.parties[1].prefs.reservation == 0.2
    assert s.parties[0].prefs((1, 2)) == 2.0  # numeric issues rise evenly from 0 to 1


@pytest.mark.parametrize(
    ("old", "new", "where", "what"),
    [
        ('a = "y"\nn = "2"', 'a = "z"\nn = "2"', "history.outcome.a", "no option 'z'"),
        ("reservation = 0.2", "reservation = 'low'", "parties[1].reservation", "valid number"),
        (
            "[parties.weights]\na = 2",
            "[parties.weights]\nb = 2",
            "parties[1].weights.b",
            "names no issue",
        ),
        ('id = "q"\nname = "Q"', 'id = "q"\nnome = "Q"', "parties[1]", "is required"),
        ('signed = "1905-08-23 OS"', 'signed = "1905-02-30"', "dates.signed", "does not exist"),
        ("high = 3", "high = 0", "issues[1]", "is empty"),
        ("y = 1\n[[parties]]", "[[parties]]", "parties[0].values.a", "no value for option(s) y"),
    ],
)
def test_errors_name_the_line_and_the_field(old: str, new: str, where: str, what: str) -> None:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    with pytest.raises(ScenarioError) as e:
        loads(text, "toy.toml")
    msg = str(e.value)
    assert msg.startswith("toy.toml:") and where in msg and what in msg
    assert e.value.line is not None


def test_toml_syntax_errors_have_a_line() -> None:
    with pytest.raises(ScenarioError, match=r"toy.toml:3: invalid TOML"):
        loads('id = "x"\ntitle = "t"\n[[issues]\n', "toy.toml")


def test_rounds_can_stand_for_days() -> None:
    s = loads(GOOD + '[protocol]\nstart = "1905-07-28 OS"\ndays_per_round = 2\n', "toy.toml")
    assert s.round_date(0) is not None and s.round_date(0).iso() == "1905-08-10"
    d = s.round_date(3)
    assert d is not None and d.iso() == "1905-08-16" and d.calendar == "julian"
    assert loads(GOOD, "toy.toml").round_date(3) is None
    with pytest.raises(ScenarioError, match=r"toy.toml:\d+: protocol.start: date 'soon'"):
        loads(GOOD + '[protocol]\nstart = "soon"\n', "toy.toml")
