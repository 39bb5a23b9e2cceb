"""GENIUS XML: faithful reading, safe parsing, refusals in one line, and every shared domain."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from entente.errors import ScenarioError
from entente.formats import genius, safe
from entente.hyperrect import HyperRectangles
from genius_paths import DATA, shared_domains


def test_laptop_divides_each_evaluation_by_the_issue_maximum() -> None:
    s = genius.load(DATA / "y2011/Laptop")
    assert [p.id for p in s.parties] == ["laptop_buyer_utility", "laptop_seller_utility"]
    buyer = s.parties[0].prefs
    o = s.space.parse({"Laptop": "Dell", "Harddisk": "60 Gb", "External Monitor": "19'' LCD"})
    w = (0.4452125771655631, 0.37808251708013424, 0.1767567099260568)
    assert buyer(o) == pytest.approx(w[0] * 12 / 30 + w[1] * 30 / 30 + w[2] * 30 / 30, abs=1e-15)
    assert buyer.discount == pytest.approx(0.42441038)
    assert buyer.reservation == 0.0


def test_root_objective_numbered_one_with_issues_from_two() -> None:
    s = genius.load(DATA / "other/laptopdomain")
    assert len(s.parties) == 3
    test = s.parties[s.party_index("laptop_test")].prefs
    lin = test.linear
    assert lin is not None
    assert lin.weights[0] == pytest.approx(0.020087510733586576)
    o = s.space.parse({"Laptop": "HP", "Harddisk": "120 Gb", "External Monitor": "19'' LCD"})
    assert test(o) == pytest.approx(lin.weights.sum(), abs=1e-12)


def test_integer_evaluator_is_offset_plus_slope_from_the_lower_bound_clamped() -> None:
    s = genius.load(DATA / "other/IntegerDomain")
    p1 = s.parties[0].prefs
    for price in range(-5, 6):
        for other in range(-5, 6):
            o = s.space.parse({"price": str(price), "otherprice": str(other)})
            e1 = min(1.0, 0.3 + 0.08 * (price + 5))
            e2 = min(1.0, 0.0 + 0.1 * (other + 5))
            assert p1(o) == pytest.approx(0.75 * e1 + 0.25 * e2, abs=1e-15)
    assert p1.discount == 1.0  # a discount factor of 0 means none


def _naive_hyperrect(profile: Path, outcome: tuple[int, ...]) -> float:
    """The GENIUS definition, one rectangle at a time (issues numbered from 1, bounds from 0)."""
    root = ET.parse(profile).getroot()
    util = root.find("objective/utility")
    assert util is not None
    total = 0.0
    for hr in util.iter("hyperRectangle"):
        exc, inc = hr.findall("EXCLUDES"), hr.findall("INCLUDES")
        bounds = [
            (int(b.get("index", 0)), int(b.get("min", 0)), int(b.get("max", 0))) for b in exc or inc
        ]
        inside = all(lo <= outcome[i - 1] <= hi for i, lo, hi in bounds)
        if (not exc and inside) or (exc and not inside):
            total += float(hr.get("utility", 0))
    return min(1.0, total / float(util.get("maxutility", 1)))


@pytest.mark.parametrize("folder", ["y2014/10issues", "other/S-1NAGUNL-128"])
def test_hyperrectangles_match_the_definition(folder: str) -> None:
    s = genius.load(DATA / folder)
    rng = np.random.default_rng(3)
    o = s.space.sample(rng, 60)
    for party in s.parties:
        term = party.prefs.terms[0]
        assert isinstance(term, HyperRectangles)
        got = party.prefs.utility(o)
        want = [_naive_hyperrect(DATA / folder / f"{party.id}.xml", tuple(r)) for r in o]
        np.testing.assert_allclose(got, want, atol=1e-12)


def test_y2014_reservation_and_discount() -> None:
    s = genius.load(DATA / "y2014/10issues")
    assert s.space.size == 10**10 and not s.space.enumerable


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<utility_space>&lol2;</utility_space>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>
<utility_space>&ext;</utility_space>"""


@pytest.mark.parametrize(("text", "what"), [(BOMB, "entit"), (EXTERNAL, "")])
def test_entities_are_refused_with_file_and_reason(tmp_path: Path, text: str, what: str) -> None:
    f = tmp_path / "evil.xml"
    f.write_text(text)
    with pytest.raises(ScenarioError) as e:
        safe.parse_xml(f)
    msg = str(e.value)
    assert str(f) in msg and "refused" in msg and what in msg and "\n" not in msg


def test_malformed_xml_and_large_files_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "bad.xml"
    f.write_text("<utility_space><objective></utility_space>")
    with pytest.raises(ScenarioError, match="not well-formed"):
        safe.parse_xml(f)
    monkeypatch.setattr(safe, "MAX_BYTES", 10)
    with pytest.raises(ScenarioError, match="larger than"):
        safe.read_bytes(f, limit=10)


def test_folder_without_domain_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text("<utility_space/>")
    with pytest.raises(ScenarioError, match="expected one GENIUS domain"):
        genius.load(tmp_path)


def test_unknown_evaluator_is_refused(tmp_path: Path) -> None:
    src = DATA / "other/IntegerDomain"
    for f in src.iterdir():
        text = f.read_text().replace('ftype="linear"', 'ftype="faratin"')
        (tmp_path / f.name).write_text(text)
    with pytest.raises(ScenarioError, match="faratin"):
        genius.load(tmp_path)


@pytest.mark.skipif(not shared_domains(), reason="shared GENIUS collection not present")
def test_every_shared_domain_loads_or_is_refused_in_one_line() -> None:
    loaded = 0
    for folder in shared_domains():
        try:
            s = genius.load(folder)
        except ScenarioError as e:
            assert "\n" not in str(e) and str(folder) in str(e)
            continue
        loaded += 1
        assert len(s.parties) >= 2
        o = s.space.sample(np.random.default_rng(0), 50)
        for p in s.parties:
            assert np.isfinite(p.prefs.utility(o)).all()
    assert loaded >= 100
