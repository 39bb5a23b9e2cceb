"""Figures: each specification holds what the layers below computed, exports are well-formed,
scenario text stays text, the same inputs give the same bytes."""

from __future__ import annotations

import dataclasses
import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("altair")
pytest.importorskip("vl_convert")

import itertools

from entente import api
from entente.audit import audit
from entente.errors import EntenteError
from entente.negotiation.actions import Offer
from entente.report import documents, export, space, talks, tournaments
from entente.report.kinds import FIGURES
from entente.settlement import ratify
from entente.summary import settlements
from entente.tournament.leaderboard import leaderboard
from entente.tournament.store import schema
from entente.treaty.build import build
from genius_paths import DATA, SHARED

LAPTOP = DATA / "y2011" / "Laptop"
HOSTILE = "<script>alert(1)</script>"


def units(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every unit (a spec with a mark) of a specification, its data resolved to rows."""
    datasets = spec.get("datasets", {})

    def walk(node: Any, inherited: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            data = node.get("data")
            rows = inherited
            if data is not None:
                rows = datasets[data["name"]] if "name" in data else data.get("values")
            if "mark" in node:
                yield {**node, "rows": rows}
            for key in ("layer", "hconcat", "vconcat", "concat"):
                for child in node.get(key, []):
                    yield from walk(child, rows)
            if "spec" in node:
                yield from walk(node["spec"], rows)

    yield from walk(spec, None)


def unit(spec: dict[str, Any], name: str) -> dict[str, Any]:
    found = [u for u in units(spec) if u.get("name") == name]
    assert len(found) == 1, [u.get("name") for u in units(spec)]
    return found[0]


def named(spec: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """The rows of every unit whose name starts with `prefix` (one per panel)."""
    return [row for u in units(spec) if str(u.get("name")).startswith(prefix) for row in u["rows"]]


def offers(result: Any) -> list[tuple[int, ...]]:
    return [m.action.outcome for m in result.moves if isinstance(m.action, Offer)]


@pytest.fixture(scope="module")
def portsmouth() -> Any:
    sc = api.load("portsmouth")
    return sc, api.negotiate(sc)


@pytest.fixture(scope="module")
def laptop() -> Any:
    sc = api.load(str(LAPTOP))
    return sc, api.negotiate(sc, strategies={sc.parties[0].id: "conceder"})


def three_parties(tmp_path: Path) -> Any:
    lines = ['id = "three"\ntitle = "Three parties"\n']
    for issue in "xyz":
        lines.append(
            f'[[issues]]\nid = "{issue}"\noptions = [{{ id = "a" }}, {{ id = "b" }}, {{ id = "c" }}]\n'
        )
    values = [(0, 0.5, 1), (1, 0.5, 0), (0.5, 1, 0)]
    for p, (a, b, c) in zip("pqr", values, strict=True):
        v = f"{{ a = {a}, b = {b}, c = {c} }}"
        lines.append(
            f'[[parties]]\nid = "{p}"\nname = "Party {p.upper()}"\n'
            f"weights = {{ x = 1, y = 2, z = 3 }}\nvalues = {{ x = {v}, y = {v}, z = {v} }}\n"
        )
    f = tmp_path / "three.toml"
    f.write_text("".join(lines))
    return api.load(f)


# ---------------------------------------------------------------- utility space


def test_space_draws_frontier_offers_agreement_and_points(laptop: Any) -> None:
    sc, r = laptop
    chart = space.utility_space(sc, r)
    chart.to_dict()  # the specification is valid Vega-Lite (Altair checks it against the schema)
    spec = export.spec(chart)
    trace = offers(r)
    got = unit(spec, "offers")["rows"]
    assert len(got) == len(trace) > 0
    u = np.array([[p(o) for p in sc.prefs] for o in trace])
    assert [(row["x"], row["y"]) for row in got] == [
        (round(a, 6), round(b, 6)) for a, b in u[:, :2]
    ]
    assert [row["step"] for row in got] == sorted(row["step"] for row in got)
    front = api.frontier(sc).utilities
    drawn = sorted((row["x"], row["y"]) for row in unit(spec, "frontier")["rows"])
    assert drawn == sorted((round(a, 6), round(b, 6)) for a, b in front)
    points = {row["point"]: (row["x"], row["y"]) for row in unit(spec, "points")["rows"]}
    assert r.agreement is not None
    ring = unit(spec, "agreement")["rows"]
    assert [(row["x"], row["y"]) for row in ring] == [
        tuple(round(p(r.agreement), 6) for p in sc.prefs)
    ]
    assert "agreement" not in points
    nash = api.frontier(sc).nash
    assert points["Nash"] == tuple(round(float(x), 6) for x in api.table(sc).u[nash])
    # every outcome drawn once: 27 outcomes, duplicates of one utility pair counted together
    assert sum(row["outcomes"] for row in unit(spec, "outcomes")["rows"]) == sc.space.size
    res = [unit(spec, f"reservation_{a}")["rows"][0]["value"] for a in "xy"]
    assert res == [round(p.reservation, 6) for p in sc.prefs]
    x = unit(spec, "outcomes")["encoding"]["x"]["title"]
    assert x == f"utility to {sc.parties[0].name}"


def test_space_is_a_density_above_max_points_and_the_same_every_time(portsmouth: Any) -> None:
    sc, r = portsmouth
    assert len(api.table(sc).candidates) > 10_000
    text = export.spec_json(space.utility_space(sc, r, max_points=10_000))
    again = export.spec_json(space.utility_space(sc, r, max_points=10_000))
    assert text == again, "the same inputs, the same bytes"
    assert len(text) < 400_000
    spec = json.loads(text)
    cells = unit(spec, "outcomes")["rows"]
    assert unit(spec, "outcomes")["mark"]["type"] == "rect"
    assert len(cells) <= space.BINS**2 < sc.space.size
    assert sum(c["outcomes"] for c in cells) == len(api.table(sc).candidates)
    points = {row["point"] for row in unit(spec, "points")["rows"]}
    assert points == {"Nash", "Kalai-Smorodinsky", "egalitarian", "max welfare", "history"}
    assert [row["point"] for row in unit(spec, "agreement")["rows"]] == ["agreement"]
    actors = {row["actor"] for row in unit(spec, "offers")["rows"]}
    offered_by = {m.actor for m in r.moves if isinstance(m.action, Offer)}
    everyone = [*sc.parties, *sc.mediators]
    assert actors == {everyone[a].name for a in offered_by}


def test_agreement_legend_draws_the_ring_as_the_chart_does(laptop: Any) -> None:
    """The legend's entry for the agreement is a hollow ring of the ring's colour and width,
    not the filled disc of the other points; the bargaining points are hollow too, so that
    points at one place (Nash and Kalai-Smorodinsky often are) all stay visible."""
    sc, r = laptop
    spec = export.spec(space.utility_space(sc, r))
    ring = unit(spec, "agreement")
    mark = ring["mark"]
    assert mark["filled"] is False and mark["color"] == space.AGREEMENT and mark["strokeWidth"] == 3
    shape = ring["encoding"]["shape"]
    assert shape["scale"] == {"domain": ["agreement"], "range": ["circle"]}
    legend = shape["legend"]
    assert legend["symbolFillColor"] == "transparent"
    assert legend["symbolStrokeColor"] == mark["color"]
    assert legend["symbolStrokeWidth"] == mark["strokeWidth"]
    # no offer takes the ring's colour: the second party's offers are vermilion
    offer_colours = unit(spec, "offers")["encoding"]["color"]["scale"]["range"]
    assert space.AGREEMENT not in offer_colours
    points = unit(spec, "points")
    assert points["mark"]["filled"] is False
    assert "agreement" not in points["encoding"]["shape"]["scale"]["domain"]


def test_a_frontier_too_large_to_draw_is_thinned_to_one_point_a_cell(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    big = rng.random((max(space.FRONTIER_POINTS + 1, 4 * space.BINS**2), 2))
    drawn = space._thin(big)
    assert len(drawn) <= space.BINS**2 < len(big)
    # each drawn point is one of the frontier's, in a cell of its own, every cell represented
    assert {tuple(p) for p in drawn} <= {tuple(p) for p in big}
    lo, span = big.min(axis=0), np.ptp(big, axis=0)

    def cells(xy: np.ndarray) -> list[tuple[int, int]]:
        c = np.minimum(((xy - lo) / span * space.BINS).astype(int), space.BINS - 1)
        return [(int(a), int(b)) for a, b in c]

    assert len(set(cells(drawn))) == len(drawn) and set(cells(drawn)) == set(cells(big))
    small = big[: space.FRONTIER_POINTS]
    assert space._thin(small) is small
    # in a figure: the subtitle says how many are drawn (a 3-party frontier seen in 2 of them
    # held 924,385 points for y2016/AgentHp2, 60 MB of JSON that crashed the SVG export)
    sc = three_parties(tmp_path)
    full = len(api.frontier(sc).utilities)
    old = space.FRONTIER_POINTS
    try:
        space.FRONTIER_POINTS = 2
        spec = export.spec(space.utility_space(sc))
    finally:
        space.FRONTIER_POINTS = old
    shown = unit(spec, "frontier")["rows"]
    assert full > 2 and len(shown) <= full
    subtitle = spec["title"]["subtitle"][0]
    assert f"{full:,} on the Pareto frontier" in subtitle
    assert (f"({len(shown):,} drawn, one a cell)" in subtitle) == (len(shown) < full)


@pytest.mark.skipif(not (SHARED / "y2011" / "Energy").is_dir(), reason="shared domains absent")
def test_energy_space_is_small() -> None:
    sc = api.load(str(SHARED / "y2011" / "Energy"))
    spec = export.spec_json(space.utility_space(sc))
    assert sc.space.size == 390_625
    assert len(spec) < 400_000


def test_three_parties_a_pair_or_a_panel(tmp_path: Path) -> None:
    sc = three_parties(tmp_path)
    spec = export.spec(space.utility_space(sc, pair=(2, 0)))
    assert unit(spec, "outcomes")["encoding"]["x"]["title"] == "utility to Party R"
    front = api.frontier(sc).utilities
    drawn = sorted((row["x"], row["y"]) for row in unit(spec, "frontier")["rows"])
    assert drawn == sorted((round(a, 6), round(b, 6)) for a, b in front[:, [2, 0]])
    panel = export.spec(space.utility_space(sc, pair=None))
    assert len(panel["concat"]) == 3
    with pytest.raises(EntenteError, match=r"pair \(1, 1\): expected two different party"):
        space.utility_space(sc, pair=(1, 1))
    with pytest.raises(EntenteError, match=r"from 0 to 2"):
        space.utility_space(sc, pair=(0, 3))


# ---------------------------------------------------------------- the other figures


def test_concession_has_every_offer_for_every_party(portsmouth: Any) -> None:
    sc, r = portsmouth
    spec = export.spec(talks.concession(sc, r))
    rows = named(spec, "offers")
    assert len(rows) == len(offers(r)) * len(sc.parties)
    assert {row["party"] for row in rows} == {p.name for p in sc.parties}
    first = sc.round_date(0)
    assert first is not None and min(row["date"] for row in rows) == first.iso()
    deadline = sc.round_date(r.state.deadline)
    assert deadline is not None
    panels = {u["name"] for u in units(spec) if str(u.get("name")).startswith("offers")}
    ends = named(spec, "deadline")
    assert ends == [{"what": "deadline", "date": deadline.iso()}] * len(panels)
    assert any(row["who"].endswith(" accepts") for row in named(spec, "acceptances"))


def test_dates_say_the_month_and_the_year(portsmouth: Any) -> None:
    """A conference in one year: day and month on the ticks, the year in the axis title; dates
    over several years carry the year on every tick."""
    sc, r = portsmouth
    for chart in (talks.concession(sc, r), talks.issues_over_time(sc, r)):
        spec = export.spec(chart)
        names = [str(u.get("name")) for u in units(spec)]
        name = next((n for n in names if n.startswith("offers")), "table")
        x = unit(spec, name)["encoding"]["x"]
        assert x["title"] == "date (1905)"
        assert x["axis"]["format"] == "%-d %b"
    late = dataclasses.replace(sc, start=dataclasses.replace(sc.start, jdn=sc.start.jdn + 130))
    x = unit(export.spec(talks.concession(late, r)), "offers_0")["encoding"]["x"]
    assert x["title"] == "date" and x["axis"]["format"] == "%-d %b %Y"  # into 1906


def test_concession_says_what_its_lines_are(portsmouth: Any, laptop: Any) -> None:
    sc, r = portsmouth
    spec = export.spec(talks.concession(sc, r))
    key = spec["title"]["subtitle"][1]
    assert "reservation" in key and "deadline" in key and "acceptance" in key
    lsc, lr = laptop
    spec = export.spec(talks.concession(lsc, lr))
    assert spec["columns"] == 2  # panels wrap: four parties' panels stay readable
    assert len(spec["concat"]) == 2


def test_audit_legend_reads_in_force() -> None:
    sc = api.load("portsmouth")
    colour = unit(export.spec(documents.audit_chart(sc)), "obligations")["encoding"]["color"]
    assert "in_force" in colour["scale"]["domain"]
    assert colour["legend"]["labelExpr"] == "replace(datum.label, '_', ' ')"


def test_issues_tile_the_rounds_and_mark_settlement(portsmouth: Any) -> None:
    sc, r = portsmouth
    undated = dataclasses.replace(sc, start=None)
    spec = export.spec(talks.issues_over_time(undated, r))
    bars = unit(spec, "table")["rows"]
    hist = sc.history.outcome
    for n, iss in enumerate(sc.space.issues):
        mine = [b for b in bars if b["issue"] == iss.name]
        assert mine[0]["round"] == 1 and mine[-1]["round2"] == r.rounds + 1  # its end
        assert all(a["round2"] == b["round"] for a, b in itertools.pairwise(mine))
        assert r.agreement is not None
        assert mine[-1]["option"] == iss.options[r.agreement[n]]
        assert all(
            (b["status"] == "history's option") == (b["option"] == iss.options[hist[n]])
            for b in mine
        )
    settled = unit(spec, "settled")["rows"]
    assert sorted((s["issue"], s["round"]) for s in settled) == sorted(
        (sc.space.issues[s.issue].name, s.round + 1) for s in settlements(r)
    )


def test_ratification_shows_each_vote(portsmouth: Any) -> None:
    sc, _ = portsmouth
    outcome = sc.history.outcome
    spec = export.spec(documents.ratification(sc, outcome))
    rows = unit(spec, "votes")["rows"]
    want = [v for p in ratify(sc, outcome).parties for v in p.votes]
    assert [row["margin"] for row in rows] == [round(v.utility - v.threshold, 6) for v in want]
    assert [row["vote"] == "approves" for row in rows] == [v.approves for v in want]
    sizes = unit(spec, "win_sets")["rows"]
    assert [s["party"] for s in sizes] == [p.name for p in sc.parties] + ["all of them"]
    assert all(0 <= s["share"] <= 1 for s in sizes)


def test_audit_draws_each_obligation_and_the_events(portsmouth: Any) -> None:
    sc, _ = portsmouth
    spec = export.spec(documents.audit_chart(sc))
    report = audit(build(sc, sc.history.outcome), sc.timeline)
    bars = unit(spec, "obligations")["rows"]
    for v in report.verdicts:
        mine = [b for b in bars if b["obligation"].endswith(f"[{v.obligation.id}]")]
        assert mine and mine[-1]["status"] == v.status
    years = {e["year"] for e in unit(spec, "event_years")["rows"]}
    assert {"1905", "1907", "1925", "1931", "1945"} <= years
    with pytest.raises(EntenteError, match="no timeline"):
        documents.audit_chart(dataclasses.replace(sc, timeline=()))


def test_tournament_charts_hold_the_means() -> None:
    rows = [
        {"scenario": "s", "strategies": ["a", "b"], "utilities": [0.9, 0.1], "agreement": [0],
         "frontier_distance": 0.0, "nash_distance": 0.2},
        {"scenario": "s", "strategies": ["b", "a"], "utilities": [0.3, 0.5], "agreement": [1],
         "frontier_distance": 0.1, "nash_distance": None},
        {"scenario": "t", "strategies": ["a", "a"], "utilities": [0.4, 0.6], "agreement": None,
         "frontier_distance": None, "nash_distance": None},
    ]  # fmt: skip
    full = [
        {"key": str(n), "repetition": 0, "seed": n, "roles": ["p", "q"], "rounds": 3,
         "seconds": 0.0, "welfare": 1.0, **r}
        for n, r in enumerate(rows)
    ]  # fmt: skip
    charts = tournaments.tournament_charts(full)
    cells = unit(export.spec(charts["payoffs"]), "cells")["rows"]
    pay = {(c["strategy"], c["opponent"]): c["utility"] for c in cells}
    assert pay == {("a", "b"): 0.7, ("b", "a"): 0.2, ("a", "a"): 0.5}
    cells = unit(export.spec(charts["scenarios"]), "cells")["rows"]
    per = {(c["scenario"], c["strategy"]): c["utility"] for c in cells}
    assert per == {("s", "a"): 0.7, ("s", "b"): 0.2, ("t", "a"): 0.5}
    import pyarrow as pa

    board = leaderboard(pa.Table.from_pylist(full, schema=schema()))
    means = unit(export.spec(charts["leaderboard"]), "means")["rows"]
    assert [(m["strategy"], m["mean"]) for m in means] == [
        (s.strategy, round(s.utility.mean, 6)) for s in board
    ]
    dists = unit(export.spec(charts["distances"]), "distances")
    assert sorted(d["distance"] for d in dists["rows"]) == [0.0, 0.1, 0.2]
    # counts of negotiations: whole ticks, no "0.5 negotiations"; panels in the title's order
    assert dists["encoding"]["y"]["axis"] == {"tickMinStep": 1, "format": "d"}
    assert dists["encoding"]["column"]["sort"] == ["to the Pareto frontier", "to the Nash point"]
    with pytest.raises(EntenteError, match="no results"):
        tournaments.tournament_charts([])


# ---------------------------------------------------------------- exports and text


def test_hostile_names_stay_text_in_svg(laptop: Any, tmp_path: Path) -> None:
    sc, r = laptop
    p0 = dataclasses.replace(sc.parties[0], name=HOSTILE)
    bad = dataclasses.replace(sc, parties=(p0, *sc.parties[1:]), title=HOSTILE)
    chart = space.utility_space(bad, r)
    export.save(chart, tmp_path / "space.svg")
    text = (tmp_path / "space.svg").read_text()
    root = ET.fromstring(text)
    tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    assert "script" not in tags and "<script>" not in text
    shown = [el.text or "" for el in root.iter() if el.tag.endswith("text")]
    assert any(HOSTILE in t for t in shown), "the name is drawn, as text"
    export.save(talks.concession(bad, r), tmp_path / "concession.pdf")
    assert (tmp_path / "concession.pdf").read_bytes().startswith(b"%PDF")


def test_exports_and_refusals(laptop: Any, tmp_path: Path) -> None:
    sc, r = laptop
    chart = talks.concession(sc, r)
    export.save(chart, tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    export.save(chart, tmp_path / "c.json")
    assert (tmp_path / "c.json").read_text().startswith("{")
    with pytest.raises(EntenteError, match=r"c\.gif: cannot tell the figure's format"):
        export.save(chart, tmp_path / "c.gif")
    assert set(FIGURES) >= {"space", "concession", "issues", "ratification", "audit"}


def test_missing_extra_is_one_line(monkeypatch: pytest.MonkeyPatch, laptop: Any) -> None:
    monkeypatch.setitem(sys.modules, "vl_convert", None)
    with pytest.raises(EntenteError) as e:
        space.utility_space(laptop[0])
    assert str(e.value) == "figures need the report extra: pip install 'entente[report]'"


def test_alternating_offers_one_panel_per_party(laptop: Any) -> None:
    sc, r = laptop
    spec = export.spec(talks.concession(sc, r))
    assert len(spec["concat"]) == 2
    rows = named(spec, "offers")
    assert len(rows) == len(offers(r)) * len(sc.parties)
    assert {row["actor"] for row in rows} == {p.name for p in sc.parties}
    assert [u["name"] for u in units(spec) if u["name"].startswith("deadline")] == [
        "deadline_0",
        "deadline_1",
    ]
    export.render(talks.concession(sc, r), ".svg")


def test_html_keeps_scenario_text_inside_its_script(laptop: Any, tmp_path: Path) -> None:
    sc, _ = laptop
    name = "</script><script>alert(1)</script>"
    p0 = dataclasses.replace(sc.parties[0], name=name)
    bad = dataclasses.replace(sc, parties=(p0, *sc.parties[1:]), title="A & <b>B</b>")
    chart = space.utility_space(bad)
    export.save(chart, tmp_path / "space.html")
    page = (tmp_path / "space.html").read_text()
    assert page.count("<script") == page.count("</script>") == 2
    assert "alert(1)" in page and "<script>alert" not in page
    assert "<title>Utility space: </script>" not in page
    assert "http://" not in page.split("<script>")[0] and "<link" not in page
    spec = page.split("const spec = ", 1)[1].split(";\nvegaEmbed", 1)[0]
    assert json.loads(spec) == export.spec(chart)


def test_every_name_of_the_report_package_is_its_module_s() -> None:
    """`entente.report.NAME` is the function its module defines (imported on first use)."""
    import entente.report as report

    homes = {"FIGURES": FIGURES, "save": export.save, "utility_space": space.utility_space}
    homes |= {"concession": talks.concession, "issues_over_time": talks.issues_over_time}
    homes |= {"ratification": documents.ratification, "audit_chart": documents.audit_chart}
    homes |= {"tournament_charts": tournaments.tournament_charts}
    assert sorted(report.__all__) == sorted(homes)
    for name, obj in homes.items():
        assert getattr(report, name) is obj
    with pytest.raises(AttributeError, match="no attribute 'figures'"):
        report.figures  # noqa: B018
