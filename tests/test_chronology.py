"""The real chronology a scenario records (`[[history.settled]]`): checked at load, written back,
and set beside the days a run settled each issue (`run` and `run --json`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_run import cli
from entente.calendar import Date
from entente.errors import ScenarioError
from entente.formats.scenario_toml import loads
from entente.formats.scenario_write import dumps
from entente.negotiation.conference import ConferenceState
from entente.scenario import Divergence

CASE = """
id = "river"
title = "River"

[protocol]
name = "conference(bilateral=2, agenda=[1, 0])"
deadline = 12
start = "1905-08-10"

[[issues]]
id = "dam"
options = ["none", "low", "high"]

[[issues]]
id = "fish"
options = ["no", "yes"]

[[issues]]
id = "toll"
options = ["zero", "some"]

[[parties]]
id = "up"
name = "Upstream"
strategy = "boulware(e=0.5)"
normalize = true
reservation = 0.2
weights = { dam = 5, fish = 1, toll = 3 }
values = { dam = { none = 0.0, low = 0.6, high = 1.0 }, fish = { no = 1.0, yes = 0.0 }, toll = { zero = 0.0, some = 1.0 } }

[[parties]]
id = "down"
name = "Downstream"
strategy = "boulware(e=0.5)"
normalize = true
reservation = 0.2
weights = { dam = 4, fish = 3, toll = 2 }
values = { dam = { none = 1.0, low = 0.5, high = 0.0 }, fish = { no = 0.0, yes = 1.0 }, toll = { zero = 1.0, some = 0.0 } }

[[mediators]]
id = "chair"
name = "Chair"
strategy = "hillclimb"

[[sources]]
key = "minutes"
citation = "Minutes of the river conference."

[history.outcome]
dam = "low"
fish = "yes"
toll = "some"

[[history.settled]]
issue = "fish"
date = "1905-08-11"
source = "minutes"
note = "Agreed at the second sitting."

[[history.settled]]
issue = "dam"
date = "1905-08-14 OS"
"""


def test_the_chronology_loads_with_issue_index_date_and_source() -> None:
    sc = loads(CASE)
    assert sc.history is not None
    fish, dam = sc.history.settled
    assert (fish.issue, fish.date, fish.source, fish.note) == (
        1,
        Date.parse("1905-08-11"),
        "minutes",
        "Agreed at the second sitting.",
    )
    assert dam.issue == 0 and dam.date.jdn == Date.parse("1905-08-27").jdn and dam.source == ""
    assert dam.date.calendar == "julian"  # written Old Style, kept so


@pytest.mark.parametrize(
    ("edit", "where", "expected"),
    [
        ('issue = "fish"', 'issue = "salmon"', "history.settled[0].issue: 'salmon' is no issue"),
        (
            'issue = "dam"',
            'issue = "fish"',
            "history.settled[1].issue: issue 'fish' is settled twice",
        ),
        (
            'source = "minutes"',
            'source = "diary"',
            "history.settled[0].source: 'diary' is no source",
        ),
        ('date = "1905-08-11"', 'date = "1905-02-30"', "history.settled[0].date"),
    ],
)
def test_a_wrong_entry_is_refused_at_its_field(edit: str, where: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as e:
        loads(CASE.replace(edit, where, 1), file="river.toml")
    assert expected in str(e.value) and "river.toml" in str(e.value)


def test_the_chronology_is_written_back() -> None:
    sc = loads(CASE)
    again = loads(dumps(sc))
    assert again.history is not None and sc.history is not None
    assert again.history.settled == sc.history.settled


def test_divergence_counts_days_from_the_rounds_dates() -> None:
    sc = loads(CASE)
    got = sc.divergence({1: 0, 0: 5})
    start = Date.parse("1905-08-10")
    assert got == (
        Divergence(1, Date.parse("1905-08-11"), 0, start, "minutes"),
        Divergence(0, Date.parse("1905-08-14 OS"), 5, Date(start.jdn + 5, "gregorian"), ""),
    )
    assert [x.days for x in got] == [-1, -12]
    assert [x.days for x in sc.divergence({})] == [None, None]


def test_run_sets_the_days_of_the_run_beside_the_real_ones(tmp_path: Path) -> None:
    f = tmp_path / "river.toml"
    f.write_text(CASE)
    code, out, err = cli("run", f, "--json", "--seed", "3")
    assert code == 0, err
    data = json.loads(out)
    rows = data["chronology"]
    assert [r["issue"] for r in rows] == ["fish", "dam"]
    assert [r["real"] for r in rows] == ["1905-08-11", "1905-08-27"]
    for r in rows:
        if data["agreement"] is None:
            assert r["round"] is None and r["simulated"] is None and r["days"] is None
            continue
        day = Date(Date.parse("1905-08-10").jdn + r["round"] - 1, "gregorian")
        assert r["simulated"] == day.iso()
        assert r["days"] == day.jdn - Date.parse(r["real"]).jdn
    code, text, _ = cli("run", f, "--seed", "3", columns=120)
    assert code == 0 and "Chronology" in text and "settled in history" in text


def test_conference_rounds_are_those_of_the_sittings_then_the_agreement() -> None:
    from entente import api
    from entente.summary import settled_rounds, settlements

    sc = loads(CASE)
    for seed in range(4):
        r = api.negotiate(sc, seed=seed)
        rounds = settled_rounds(r, settlements(r))
        if r.agreement is None:
            assert rounds == {}
            continue
        state = r.state
        assert isinstance(state, ConferenceState)
        in_session = {i: rnd for i, _, rnd in state.settled}
        assert all(rnd < 2 for rnd in in_session.values())  # two bilateral days
        for i in range(3):
            assert rounds[i] == in_session.get(i, r.rounds - 1)
