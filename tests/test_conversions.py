"""Conversions tell the truth: TOML keeps everything a scenario holds; GENIUS and GeniusWeb
say in one line what they leave behind, and drop red lines only when asked."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cli_run import assert_refused, cli
from entente import api
from entente.cli.new import Template, template_text
from entente.formats import carry, load
from entente.formats.scenario_toml import loads
from entente.formats.scenario_write import dumps
from entente.prefs import Preferences
from entente.scenario import Scenario
from entente.space import OutcomeSpace
from genius_paths import DATA

ROOT = Path(__file__).resolve().parents[1]
PORTSMOUTH = ROOT / "src" / "entente" / "scenarios" / "portsmouth.toml"
LAKE_SEREN = ROOT / "docs" / "examples" / "lake-seren.toml"


def assert_same(a: Any, b: Any, space: OutcomeSpace, where: str = "scenario") -> None:
    """Field by field: dataclasses recursively, utilities outcome by outcome."""
    if isinstance(a, Preferences):
        assert isinstance(b, Preferences), where
        for name in ("reservation", "discount", "red_lines"):
            assert getattr(a, name) == getattr(b, name), f"{where}.{name}"
        o = space.all()
        np.testing.assert_allclose(
            a.utility(o), b.utility(o), rtol=1e-12, atol=1e-12, err_msg=where
        )
        return
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            if f.name == "path" or f.name.startswith("_"):
                continue
            assert_same(getattr(a, f.name), getattr(b, f.name), space, f"{where}.{f.name}")
        return
    if isinstance(a, tuple | list):
        assert isinstance(b, tuple | list) and len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, space, f"{where}[{k}]")
        return
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], space, f"{where}.{k}")
        return
    assert a == b, f"{where}: {a!r} != {b!r}"


def round_trip(sc: Scenario) -> Scenario:
    return loads(dumps(sc), "again.toml")


def test_portsmouth_survives_a_toml_round_trip_in_every_field() -> None:
    sc = load(PORTSMOUTH)
    assert sc.treaty is not None and sc.ratification and sc.timeline and sc.dates
    again = round_trip(sc)
    assert sc.uncertain  # ranges too
    assert_same(sc, again, sc.space)
    assert dumps(again) == dumps(sc)  # a second trip writes the same text


@pytest.mark.parametrize("name", [t.value for t in Template])
def test_templates_survive_a_toml_round_trip(name: str) -> None:
    sc = loads(template_text(name), "t.toml")
    assert_same(sc, round_trip(sc), sc.space)


def test_the_tutorial_case_survives_a_toml_round_trip() -> None:
    sc = load(LAKE_SEREN)
    assert all(p.rationale for p in sc.parties)
    assert_same(sc, round_trip(sc), sc.space)


def test_rationales_and_issue_descriptions_are_read_and_written_back() -> None:
    sc = load(PORTSMOUTH)
    raw = tomllib.loads(PORTSMOUTH.read_text(encoding="utf-8"))
    assert [p.rationale for p in sc.parties] == [p.get("rationale", "") for p in raw["parties"]]
    described = {i["id"]: i["description"] for i in raw["issues"] if i.get("description")}
    assert described and sc.issue_descriptions == described
    again = tomllib.loads(dumps(sc))
    assert [p.get("rationale", "") for p in again["parties"]] == [p.rationale for p in sc.parties]
    assert {i["id"]: i.get("description", "") for i in again["issues"]} == {
        iss.id: described.get(iss.id, "") for iss in sc.space.issues
    }


def test_every_field_the_reader_accepts_is_written_back() -> None:
    """Each field the schema allows (here the ones with no default effect on utilities) set
    to a value that is not its default, then loaded, written and loaded again: unchanged."""
    text = template_text("minimal").replace("[protocol]\n", "[protocol]\ndays_per_round = 2.5\n")
    sc = loads(text, "t.toml")
    assert sc.start is None and sc.days_per_round == 2.5
    assert_same(sc, round_trip(sc), sc.space)


def test_the_round_trip_would_see_a_lost_field() -> None:
    sc = load(PORTSMOUTH)
    with pytest.raises(AssertionError, match=r"scenario\.timeline"):
        assert_same(sc, dataclasses.replace(sc, timeline=sc.timeline[1:]), sc.space)
    with pytest.raises(AssertionError, match=r"scenario\.issue_descriptions"):
        assert_same(sc, dataclasses.replace(sc, issue_descriptions={}), sc.space)
    bare = (dataclasses.replace(sc.parties[0], rationale=""), *sc.parties[1:])
    with pytest.raises(AssertionError, match=r"scenario\.parties\[0\]\.rationale"):
        assert_same(sc, dataclasses.replace(sc, parties=bare), sc.space)
    assert sc.treaty is not None
    articles = sc.treaty.articles
    shorter = dataclasses.replace(
        sc.treaty, articles=(*articles[:-1], dataclasses.replace(articles[-1], kind="final"))
    )
    with pytest.raises(AssertionError, match=r"scenario.treaty.articles\[\d+\].kind"):
        assert_same(sc, dataclasses.replace(sc, treaty=shorter), sc.space)


def test_import_to_toml_says_nothing_when_nothing_is_lost(tmp_path: Path) -> None:
    out = tmp_path / "p.toml"
    r = cli("import", "portsmouth", "-o", out)
    assert r.code == 0 and r.err == f"wrote {out}\n", r.err
    sc = api.load("portsmouth")
    assert_same(sc, load(out), sc.space)
    r = cli("import", "portsmouth")
    assert r.code == 0 and r.err == "" and r.out == dumps(sc)


def test_genius_export_refuses_red_lines_unless_dropped(tmp_path: Path) -> None:
    case = tmp_path / "m.toml"
    case.write_text(template_text("minimal"))
    assert_refused(
        cli("export", case, tmp_path / "g"),
        "genius cannot express red lines (1 red line, of north)",
        "--drop-red-lines",
    )
    assert not (tmp_path / "g").exists()
    r = cli("export", case, tmp_path / "g", "--drop-red-lines")
    assert r.code == 0, r.err
    lines = r.err.splitlines()
    assert lines[-1] == (
        "entente: warning: genius: dropped: title, description, venue, party names, delegates, "
        "strategies, issue names, option labels, issue descriptions, rationales, the numbers "
        "of issue(s) troops (written as options), protocol (alternating, 30 rounds), 1 source, "
        "1 red line"
    )
    assert lines[:-1] == [
        f"wrote {tmp_path / 'g' / f}" for f in ("my_case-domain.xml", "north.xml", "south.xml")
    ]
    back = load(tmp_path / "g")
    sc = loads(template_text("minimal"))
    assert back.parties[0].prefs.red_lines == ()
    o = sc.space.all()
    for p, q in zip(sc.parties, back.parties, strict=True):  # the utilities themselves are kept
        np.testing.assert_allclose(p.prefs.utility(o), q.prefs.utility(o), atol=1e-12)


def test_geniusweb_says_it_drops_reservation_values(tmp_path: Path) -> None:
    r = cli("export", "portsmouth", tmp_path / "w", "--to", "geniusweb", "--drop-red-lines")
    assert r.code == 0, r.err
    note = r.err.splitlines()[-1]
    assert note.startswith("entente: warning: geniusweb: dropped: ")
    for item in (
        "issue descriptions",
        "rationales",
        "reservation values",
        "1 mediator",
        "3 observers",
        "history",
        "ratification",
        "treaty",
        "timeline",
        "4 red lines",  # Japan's first tier, dropped as asked
    ):
        assert item in note
    assert "discount" not in note


def test_what_is_dropped_follows_what_the_scenario_holds() -> None:
    laptop = load(DATA / "y2011" / "Laptop")
    assert carry.dropped(laptop, "genius") == []  # a GENIUS domain goes back whole
    assert carry.note(laptop, "toml") is None
    sc = carry.prepare(api.load("portsmouth"), "genius", drop_red_lines=True)
    bare = dataclasses.replace(
        sc, mediators=(), observers=(), treaty=None, timeline=(), ratification=()
    )
    lost = carry.dropped(bare, "genius")
    assert "treaty" not in lost and "timeline" not in lost and "1 mediator" not in lost
    assert "history" in lost and "dates" in lost
    assert "rationales" in lost and "issue descriptions" in lost
    plain = dataclasses.replace(
        bare,
        issue_descriptions={},
        parties=tuple(dataclasses.replace(p, rationale="") for p in bare.parties),
    )
    lost = carry.dropped(plain, "genius")
    assert "rationales" not in lost and "issue descriptions" not in lost
    assert "3 red lines" in carry.dropped(sc, "genius", red_lines_dropped=3)


def test_shapes_are_written_as_the_values_they_give() -> None:
    sc = loads(template_text("minimal"))
    text = dumps(sc)
    assert "shape" not in text
    assert_same(sc, loads(text), sc.space)


@pytest.mark.parametrize("fmt", ["genius", "geniusweb"])
def test_the_order_of_ordinal_issues_is_named_when_a_format_loses_it(
    tmp_path: Path, fmt: str
) -> None:
    sc = carry.prepare(api.load("portsmouth"), fmt, drop_red_lines=True)
    sc = dataclasses.replace(sc, uncertain=())  # its ranges are another matter
    ordinals = [iss.id for iss in sc.space.issues if iss.kind == "ordinal"]
    assert len(ordinals) >= 3
    r = cli("export", "portsmouth", tmp_path / "out", "--to", fmt, "--drop-red-lines")
    assert r.code == 0, r.err
    note = r.err.splitlines()[-1]
    assert f"the order of issue(s) {', '.join(ordinals)} (written as unordered options)" in note
    back = load(tmp_path / "out")
    kinds = [iss.kind for iss in back.space.issues if iss.id in ordinals]
    assert kinds == ["categorical"] * len(ordinals)
    steady = dataclasses.replace(sc, dates={}, start=None)
    assert "days per round" not in carry.dropped(steady, fmt)
    slow = dataclasses.replace(steady, days_per_round=7.0)
    assert "days per round" in carry.dropped(slow, fmt)
    assert carry.dropped(slow, "toml") == []
