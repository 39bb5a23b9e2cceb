"""Actor tables for the spatial models: every shared file read, the TOML form round-tripped,
hostile files refused in one line naming the file, the line and the column; a scenario's
ordered issues as actors."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from entente.api import load
from entente.errors import EntenteError, ScenarioError
from entente.forecast import Actors
from entente.formats import actors_bdm, actors_decide, actors_ktab, actors_toml
from entente.formats.actors_toml import dumps
from entente.formats.spatial import load_actors, loads_actors
from entente.spatial import actors_from_scenario, load_case

DATA = Path(__file__).parent / "data" / "spatial"


def _at(a: Actors, actor: str, issue: str) -> tuple[float, float, float]:
    r, j = a.names.index(actor), a.issues.index(issue)
    return float(a.capability[r]), float(a.position[r, j]), float(a.salience[r, j])


def test_bdm_tables() -> None:
    a = load_actors(DATA / "ExampleActors.csv")
    assert (len(a.names), a.issues) == (10, ("ExampleActors",))
    assert _at(a, "France", "ExampleActors") == (0.16, 10.0, 0.6)
    assert (a.low[0], a.high[0]) == (4.0, 10.0)  # the scale: lowest to highest position
    s = load_actors(DATA / "Sultan.csv")
    assert len(s.names) == 17 and "RELIGIOUS LEADERS" in s.names
    assert _at(s, "FAHD", "Sultan") == (1.05, 13.0, 0.9)
    assert (s.low[0], s.high[0]) == (12.85, 14.25)
    assert s.outcome is None and s.status_quo is None


def test_decide_inputs() -> None:
    a = load_actors(DATA / "cop21.csv")
    assert (len(a.names), len(a.issues)) == (15, 13)
    assert _at(a, "African_grp", "differentiation") == (0.25, 70.0, 0.75)
    assert _at(a, "USA", "eaa") == (1.0, 100.0, 0.4)
    assert int((a.salience > 0).sum()) == 181  # the '#D' rows; the other pairs weigh nothing
    assert (a.low == 0).all() and (a.high == 100).all()  # from the '#M' rows
    c = load_actors(DATA / "copenhagen.csv")
    assert (len(c.names), len(c.issues)) == (11, 7)
    assert _at(c, "USA", "MRVdecrease") == (0.26, 90.0, 1.0)
    assert int((c.salience > 0).sum()) == 75


def test_an_actor_without_a_position_weighs_nothing_and_stands_at_the_weighted_mean() -> None:
    a = load_actors(DATA / "cop21.csv")
    r, j = a.names.index("ALBA"), a.issues.index("amb2050")
    assert a.salience[r, j] == 0
    w = a.capability * a.salience[:, j]
    assert a.position[r, j] == pytest.approx((w * a.position[:, j]).sum() / w.sum())


def test_ktab_scenario() -> None:
    a = load_actors(DATA / "SOE-Policy.csv")
    assert (len(a.names), a.issues) == (26, ("Policy",))
    assert _at(a, "XJ", "Policy") == (100.0, 30.0, 0.3)  # salience read on 0-100
    assert _at(a, "USA", "Policy") == (8.0, 100.0, 0.5)
    assert (a.low[0], a.high[0]) == (0.0, 100.0)


def test_toml_form_holds_the_case_and_its_outcome() -> None:
    t = load_actors(DATA / "ec-emissions.toml")
    b = load_actors(DATA / "ExampleActors.csv")
    assert t.names == b.names and t.issues == ("emissions",)
    for f in ("capability", "position", "salience", "low", "high"):
        assert np.array_equal(getattr(t, f), getattr(b, f)), f
    assert t.outcome is not None and t.outcome[0] == 8.83


def _none_if_unknown(x: np.ndarray | None) -> np.ndarray | None:
    """An outcome recorded on no issue reads back as no outcome."""
    return None if x is None or np.isnan(x).all() else x


def _same(a: Actors, b: Actors) -> None:
    assert (a.names, a.issues) == (b.names, b.issues)
    for f in ("capability", "position", "salience", "low", "high", "status_quo", "outcome"):
        x, y = (_none_if_unknown(getattr(c, f)) for c in (a, b))
        assert (x is None) == (y is None), f
        if x is not None and y is not None:
            assert np.array_equal(x, y, equal_nan=True), f


@pytest.mark.parametrize("seed", range(5))
def test_toml_round_trip(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a_, i_ = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    low = rng.normal(size=i_) * 10
    high = low + rng.uniform(0.1, 50, size=i_)
    outcome = low + rng.uniform(size=i_) * (high - low)
    outcome[rng.uniform(size=i_) < 0.3] = np.nan
    a = Actors(
        names=tuple(f'actor {k} "q" é' for k in range(a_)),
        issues=tuple(f"issue.{k}" if k % 2 else f"i{k}" for k in range(i_)),
        capability=rng.uniform(0, 3, size=a_),
        position=low + rng.uniform(size=(a_, i_)) * (high - low),
        salience=rng.uniform(size=(a_, i_)),
        low=low,
        high=high,
        status_quo=(low + high) / 2 if seed % 2 else None,
        outcome=outcome if seed != 3 else None,
    )
    _same(loads_actors(dumps(a, title="t").encode(), "x.toml"), a)


def test_every_shared_file_survives_the_toml_form() -> None:
    for f in ("ExampleActors.csv", "Sultan.csv", "cop21.csv", "copenhagen.csv", "SOE-Policy.csv"):
        a = load_actors(DATA / f)
        _same(loads_actors(dumps(a).encode(), "x.toml"), a)


BDM = "Actor,Capability,Position,Salience\n"
DECIDE = "'#A'\t'a'\t'a'\n'#A'\t'b'\t'b'\n'#P'\t'x'\t'x'\n'#M'\t'x'\t0\n'#M'\t'x'\t100\n"
KTAB = "Case; s,Scen,2,1,\nActor,Description,Influence,Policy Position,Policy Salience,\n"
TOML = '[[issues]]\nid = "x"\nlow = 0\nhigh = 10\n\n[[actors]]\nname = "a"\ncapability = 1\n'

HOSTILE: list[tuple[str, str, bytes, tuple[str, ...]]] = [
    ("empty", "t.csv", b"", ("t.csv", "empty")),
    ("blank", "t.csv", b" \n\n", ("t.csv", "empty")),
    ("bad utf-8", "t.csv", (BDM + "a,1,2,0.5\nb\xff,1,2,0.5\n").encode("latin-1"), ("t.csv:3",)),
    ("not a number", "t.csv", (BDM + "a,x,2,0.5\n").encode(), ("t.csv:2", "column Capability")),
    ("nan", "t.csv", (BDM + "a,1,nan,0.5\n").encode(), ("t.csv:2", "column Position", "finite")),
    ("inf", "t.csv", (BDM + "a,1,2,0.5\nb,inf,3,1\n").encode(), ("t.csv:3", "column Capability")),
    ("missing column", "t.csv", b"Actor,Capability,Position\na,1,2\n", ("t.csv:1", "Salience")),
    ("negative", "t.csv", (BDM + "a,-1,2,0.5\n").encode(), ("t.csv:2", "column Capability")),
    ("ragged", "t.csv", (BDM + "a,1,2,0.5\nb,1,2\n").encode(), ("t.csv:3", "3 fields")),
    ("no rows", "t.csv", BDM.encode(), ("t.csv:1", "no actor rows")),
    ("salience", "t.csv", (BDM + "a,1,2,0.5\nb,1,3,150\n").encode(), ("t.csv:3", "Salience")),
    ("twice", "t.csv", (BDM + "a,1,2,0.5\na,1,3,1\n").encode(), ("t.csv:3", "column Actor")),
    ("control", "t.csv", (BDM + "a\x07,1,2,0.5\n").encode(), ("t.csv:2", "U+0007")),
    ("unknown", "t.csv", b"name,weight\na,1\n", ("t.csv:1", "unknown format")),
    # the quote joins the two lines into one row: no header row follows the scenario line
    ("ktab one row", "t.csv", b'"a\nActor,b"\n', ("t.csv", "scenario line", "header")),
    (
        "decide actor",
        "d.csv",
        (DECIDE + "'#D'\t'z'\t'x'\t50\t0.5\t0.5\n").encode(),
        ("d.csv:6", "column actor"),
    ),
    (
        "decide salience",
        "d.csv",
        (DECIDE + "'#D'\t'a'\t'x'\t50\t1.5\t0.5\n").encode(),
        ("d.csv:6", "column salience"),
    ),
    (
        "decide scale",
        "d.csv",
        (DECIDE + "'#D'\t'a'\t'x'\t150\t0.5\t0.5\n").encode(),
        ("d.csv:6", "column position"),
    ),
    (
        "decide power",
        "d.csv",
        (
            DECIDE + "'#P'\t'y'\t'y'\n'#D'\t'a'\t'x'\t5\t0.5\t0.5\n'#D'\t'a'\t'y'\t5\t0.5\t0.7\n"
            "'#D'\t'b'\t'x'\t5\t0.5\t0.5\n"
        ).encode(),
        ("d.csv:8", "column power"),
    ),
    (
        "decide text",
        "d.csv",
        (DECIDE + "'#D'\t'a'\t'x'\tfifty\t0.5\t0.5\n").encode(),
        ("d.csv:6", "column position", "'fifty'"),
    ),
    ("decide short", "d.csv", (DECIDE + "'#D'\t'a'\t'x'\n").encode(), ("d.csv:6", "fields")),
    (
        "decide no position",
        "d.csv",
        (DECIDE + "'#D'\t'a'\t'x'\t5\t0.5\t0.5\n").encode(),
        ("d.csv:2", "'b' has no '#D' row"),
    ),
    ("ktab count", "k.csv", (KTAB + "A,a,10,50,50,\n").encode(), ("k.csv:1", "2 actors")),
    (
        "ktab position",
        "k.csv",
        (KTAB + "A,a,10,50,50,\nB,b,10,120,50,\n").encode(),
        ("k.csv:4", "column Policy Position"),
    ),
    (
        "ktab ragged",
        "k.csv",
        (KTAB + "A,a,10,50,50,\nB,b,10,50\n").encode(),
        ("k.csv:4", "fields"),
    ),
    (
        "toml nan",
        "t.toml",
        (TOML + "position = { x = nan }\nsalience = { x = 1 }\n").encode(),
        ("t.toml:9", "actors[0].position.x"),
    ),
    (
        "toml scale",
        "t.toml",
        (TOML + "position = { x = 11 }\nsalience = { x = 1 }\n").encode(),
        ("t.toml:9", "actors[0].position.x", "from 0 to 10"),
    ),
    (
        "toml issue",
        "t.toml",
        (TOML + "position = { y = 1 }\nsalience = { y = 1 }\n").encode(),
        ("t.toml:9", "actors[0].position.y", "names no issue"),
    ),
    (
        "toml salience",
        "t.toml",
        (TOML + "position = { x = 1 }\nsalience = { x = 2 }\n").encode(),
        ("t.toml:10", "actors[0].salience.x"),
    ),
    (
        "toml half",
        "t.toml",
        (TOML + "position = { x = 1 }\nsalience = {}\n").encode(),
        ("t.toml:9", "has no salience"),
    ),
    (
        "toml capability",
        "t.toml",
        TOML.replace("capability = 1", "capability = -1").encode()
        + b"position = { x = 1 }\nsalience = { x = 1 }\n",
        ("t.toml:8", "actors[0].capability"),
    ),
    ("toml syntax", "t.toml", b"[[issues]\n", ("t.toml:1", "invalid TOML")),
    ("scenario", "s.toml", b'id = "x"\n[[parties]]\nid = "a"\n', ("s.toml", "--issue")),
]


@pytest.mark.parametrize(("name", "file", "data", "expected"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_tables_are_refused_in_one_located_line(
    name: str, file: str, data: bytes, expected: tuple[str, ...]
) -> None:
    with pytest.raises(ScenarioError) as e:
        loads_actors(data, file)
    msg = str(e.value)
    assert "\n" not in msg and len(msg) < 400
    for text in expected:
        assert text in msg, f"{text!r} not in {msg!r}"


def test_a_file_is_read_from_disk_with_its_name(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(BDM + "a,1,2,0.5\nb,1,x,0.5\n")
    with pytest.raises(ScenarioError, match=r"bad\.csv:3: column Position: expected a number"):
        load_actors(f)
    with pytest.raises(ScenarioError, match="no such file"):
        load_actors(tmp_path / "none.csv")


READERS = [
    (actors_bdm, "ExampleActors.csv"),
    (actors_bdm, "Sultan.csv"),
    (actors_decide, "cop21.csv"),
    (actors_decide, "copenhagen.csv"),
    (actors_ktab, "SOE-Policy.csv"),
    (actors_toml, "ec-emissions.toml"),
]


@pytest.mark.parametrize(("reader", "name"), READERS, ids=[r[1] for r in READERS])
def test_each_format_reader_gives_what_the_dispatch_gives(reader: ModuleType, name: str) -> None:
    _same(reader.load(DATA / name), load_actors(DATA / name))


# --- a scenario's ordered issues ----------------------------------------------------------


def test_portsmouth_as_actors() -> None:
    sc = load("portsmouth")
    a = actors_from_scenario(sc, "sakhalin")
    assert a.issues == ("sakhalin",)
    assert a.names[:2] == ("japan", "japan/cabinet_genro") and "russia/tsar" in a.names
    r, j = a.names.index("japan"), a.names.index("russia")
    assert a.position[r, 0] == 2 and a.position[j, 0] == 0  # all to Japan / all Russian
    for who in (r, j):  # each party's weight on Sakhalin, as a share of its utility's range
        lin = sc.parties[0 if who == r else 1].prefs.linear
        assert lin is not None
        spread = [np.ptp(lin.issue_values(i)) for i in range(sc.space.n_issues)]
        share = spread[sc.space.issue_index("sakhalin")] / sum(spread)
        assert a.salience[who, 0] == pytest.approx(share)
    assert (a.low[0], a.high[0]) == (0, 2)
    assert a.outcome is not None and a.outcome[0] == 1  # the southern half went to Japan
    # a party's constituencies together weigh as much as the party
    k = [n.startswith("russia/") for n in a.names]
    assert a.capability[k].sum() == pytest.approx(1.0)
    every = actors_from_scenario(sc)
    assert set(every.issues) == {"korea", "sakhalin", "railway", "indemnity", "fishing"}
    alone = actors_from_scenario(sc, "korea", constituencies=False)
    assert alone.names == ("japan", "russia")


def test_only_ordered_issues_are_forecast() -> None:
    sc = load("portsmouth")
    with pytest.raises(EntenteError, match="'evacuation' is categorical"):
        actors_from_scenario(sc, "evacuation")
    with pytest.raises(EntenteError, match="no such issue"):
        actors_from_scenario(sc, "atlantis")
    a, title = load_case("portsmouth", ["korea", "indemnity"])
    assert a.issues == ("korea", "indemnity") and "Portsmouth" in title
    b, name = load_case(DATA / "ec-emissions.toml")
    assert b.issues == ("emissions",) and name == "ec-emissions.toml"
