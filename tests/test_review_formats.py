"""Defects found in review of the formats, tournament, treaty and settlement code."""

from __future__ import annotations

import os
import threading

import pytest

import entente
from entente.errors import EntenteError, ScenarioError
from entente.formats.spatial import loads_actors
from entente.formats.treaty_toml import load_timeline
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


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_timeline_file_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "timeline.toml"
    os.mkfifo(fifo)
    caught: list[BaseException] = []

    def read() -> None:
        try:
            load_timeline(fifo)
        except BaseException as e:  # handed to the test's thread
            caught.append(e)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    blocked = reader.is_alive()
    if blocked:  # let the reader go: a writer that closes at once gives it an empty file
        with open(fifo, "w"):
            pass
        reader.join(5)
    assert not blocked, "reading a FIFO blocked"
    assert len(caught) == 1 and isinstance(caught[0], ScenarioError)
    assert "FIFO" in str(caught[0])


def test_timeline_file_keeps_its_line_ends(tmp_path):
    f = tmp_path / "timeline.toml"
    f.write_bytes(b'[[timeline]]\r\ndate = "1905-09-05"\r\nkind = "signature"\r\ntitle = "x"\r\n')
    (event,) = load_timeline(f)
    assert event.kind == "signature" and event.date.iso() == "1905-09-05"


def test_ktab_table_after_a_blank_line_is_told_apart():
    """The readers skip blank lines; so does the choice of reader (the KTAB header is the
    second line that holds something, not the file's second line)."""
    text = b"s,d,2,1\nActor,Description,Influence,X Position,X Salience\na,,1,10,50\nb,,1,60,50\n"
    assert loads_actors(b"\n" + text, "k.csv").names == loads_actors(text, "k.csv").names
    assert loads_actors(b"\n\n" + text, "k.csv").issues == ("X",)
