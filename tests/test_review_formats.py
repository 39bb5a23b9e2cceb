"""Defects found in review of the formats, tournament, treaty and settlement code."""

from __future__ import annotations

import pytest

import entente
from entente.errors import EntenteError
from entente.formats.spatial import loads_actors
from entente.settlement import ratify


def test_decide_actor_of_power_zero_has_its_rows():
    """A '#D' row of power 0 is a position all the same (power is the capability, not a flag)."""
    text = b"#A\tx\n#A\ty\n#P\tp\n#D\tx\tp\t10\t0.5\t0\n#D\ty\tp\t60\t0.25\t1\n"
    a = loads_actors(text, "t.txt")
    assert a.names == ("x", "y")
    assert a.capability.tolist() == [0.0, 1.0]
    assert a.position[:, 0].tolist() == [10.0, 60.0]
    assert a.salience[:, 0].tolist() == [0.5, 0.25]


@pytest.mark.parametrize("extra", [-1, 1])
def test_ratify_refuses_an_outcome_of_the_wrong_length(extra):
    sc = entente.load("portsmouth")
    outcome = (0,) * (sc.space.n_issues + extra)
    with pytest.raises(EntenteError, match="is not in the scenario's outcome space"):
        ratify(sc, outcome)
