"""`entente report` and `entente plot`: the one-file HTML report of a negotiation or a
tournament, one figure in each format, escaping of hostile scenario text, a missing extra."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("altair")
pytest.importorskip("vl_convert")

from cli_run import assert_refused, cli
from entente.report.html import script_json
from genius_paths import DATA

PORTSMOUTH = (
    Path(__file__).resolve().parents[1] / "src" / "entente" / "scenarios" / "portsmouth.toml"
)
LAPTOP = DATA / "y2011" / "Laptop"
HOSTILE_PARTY = "<script>alert(1)</script>"
HOSTILE_ISSUE = "</script><!-- Korea & <b>"


def hostile(tmp: Path) -> Path:
    """Portsmouth with a party and an issue named to break out of HTML and of a script."""
    text = PORTSMOUTH.read_text()
    text = text.replace('name = "Empire of Japan"', f'name = "{HOSTILE_PARTY}"', 1)
    text = text.replace('name = "Korea"', f'name = "{HOSTILE_ISSUE}"', 1)
    path = tmp / "hostile.toml"
    path.write_text(text)
    return path


def script(page: str, eid: str) -> object:
    """The JSON held by `<script type="application/json" id=eid>`."""
    m = re.search(rf'<script type="application/json" id="{eid}">(.*?)</script>', page, re.S)
    assert m, eid
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def portsmouth(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "portsmouth.html"
    r = cli("report", "portsmouth", "--seed", "3", "-o", out)
    assert r.code == 0, r.err
    assert r.out == "" and r.err == ""
    return out.read_text()


def test_the_report_holds_summary_figures_treaty_and_audit(portsmouth: str) -> None:
    figures = script(portsmouth, "entente-figures")
    assert isinstance(figures, dict)
    kinds = sorted(k.split("-", 2)[2] for k in figures)
    assert kinds == ["audit", "concession", "issues", "ratification", "space"]
    for spec in figures.values():
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    for anchor in ("id='summary'", "id='figures'", "id='treaty'", "id='audit'"):
        assert anchor in portsmouth
    assert "Treaty of Peace between the Empire of Japan and the Russian Empire" in portsmouth
    assert "Replay: <code>entente run portsmouth --protocol " in portsmouth
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in portsmouth


def test_tables_of_facts_have_no_empty_header_row(portsmouth: str) -> None:
    assert "<thead><tr><th></th><th></th></tr></thead>" not in portsmouth
    assert "<table><tbody><tr><td>scenario</td>" in portsmouth
    assert "<td>time (share of the deadline)</td>" in portsmouth


def test_the_report_summary_is_what_run_json_prints(portsmouth: str) -> None:
    r = cli("run", "portsmouth", "--seed", "3", "--json")
    assert r.code == 0
    assert script(portsmouth, "entente-summary") == json.loads(r.out)


def test_the_report_needs_no_network_and_stays_small(portsmouth: str) -> None:
    # every script is inline; no element of the page loads anything
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", portsmouth, flags=re.S)
    assert not re.search(r"<script[^>]*\bsrc=", markup)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", markup)
    assert not re.search(r"\b(src|href)=[\"']?(https?:)?//", markup)
    assert len(portsmouth.encode()) < 5_000_000
    # the page's scripts: Vega's bundle, the figures, the summary, the code that draws
    assert portsmouth.count("<script") == 4


def test_hostile_names_stay_text(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = cli("report", hostile(tmp_path), "-o", out)
    assert r.code == 0, r.err
    page = out.read_text()
    assert page.count("<script") == 4
    assert "alert(1)" not in page.replace("&lt;script&gt;alert(1)&lt;/script&gt;", "").replace(
        "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e", ""
    )
    assert "&lt;/script&gt;&lt;!-- Korea &amp; &lt;b&gt;" in page
    assert "<!--" not in page
    # the names reach the figures whole
    figures = json.dumps(script(page, "entente-figures"))
    assert json.dumps(HOSTILE_PARTY)[1:-1] in figures
    assert script(page, "entente-summary")["scenario"] == "portsmouth"  # type: ignore[index]


@given(st.recursive(st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c), max_leaves=8))
def test_script_json_round_trips_and_never_closes_its_element(value: object) -> None:
    text = script_json(value)
    assert json.loads(text) == value
    assert not set(text) & set("<>&")


def test_a_report_without_treaty_or_timeline(tmp_path: Path) -> None:
    out = tmp_path / "laptop.htm"
    r = cli("report", LAPTOP, "--seed", "1", "-o", out)
    assert r.code == 0, r.err
    page = out.read_text()
    figures = script(page, "entente-figures")
    assert isinstance(figures, dict)
    assert sorted(k.split("-", 2)[2] for k in figures) == ["concession", "issues", "space"]
    assert "<h2 id='treaty'>Treaty</h2><p class='sub'>The treaty of the agreement reached." in page
    assert "id='audit'" not in page


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("pyarrow")
    out = tmp_path_factory.mktemp("tournament") / "res"
    args = ("tournament", LAPTOP, "-s", "boulware", "-s", "conceder", "--rounds", "20")
    r = cli(*args, "--executor", "inprocess", "-o", out)
    assert r.code == 0, r.err
    return out


def test_a_tournament_report(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.html"
    r = cli("report", results, "-o", out)
    assert r.code == 0, r.err
    page = out.read_text()
    assert "boulware(e=0.2)" in page and "conceder(e=5.0)" in page
    assert "id='leaderboard'" in page
    figures = script(page, "entente-figures")
    assert isinstance(figures, dict) and len(figures) >= 2
    assert any(k.endswith("-leaderboard") for k in figures)


def test_run_options_are_refused_with_results(results: Path, tmp_path: Path) -> None:
    r = cli("report", results, "--protocol", "mediated", "-o", tmp_path / "t.html")
    assert_refused(r, "--protocol", "results")
    r = cli("plot", "space", results, "-o", tmp_path / "f.svg")
    assert_refused(r, "'space'", "scenario")
    assert not list(tmp_path.iterdir())


def test_plot_a_tournament_figure(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.svg"
    r = cli("plot", "leaderboard", results, "-o", out)
    assert r.code == 0, r.err
    assert ElementTree.parse(out).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_plot_in_every_format(tmp_path: Path) -> None:
    from entente import api
    from entente.report import export, talks

    for name, magic in (("f.svg", b"<svg"), ("f.pdf", b"%PDF-"), ("f.png", b"\x89PNG")):
        r = cli("plot", "concession", "--seed", "2", "-o", tmp_path / name)
        assert r.code == 0, r.err
        assert (tmp_path / name).read_bytes().startswith(magic)
    ElementTree.parse(tmp_path / "f.svg")
    # the JSON is the specification the Python function returns for the same negotiation
    r = cli("plot", "concession", "--seed", "2", "-o", tmp_path / "f.json")
    assert r.code == 0, r.err
    sc = api.load("portsmouth")
    chart = talks.concession(sc, api.negotiate(sc, seed=2))
    assert json.loads((tmp_path / "f.json").read_text()) == export.spec(chart)


def test_plot_seed_reaches_the_leaderboard_bootstrap(results: Path, tmp_path: Path) -> None:
    from entente.report import export, tournaments
    from entente.tournament import Store

    rows = Store(results).read()
    for seed in (0, 7):
        out = tmp_path / f"l{seed}.json"
        r = cli("plot", "leaderboard", results, "--seed", seed, "-o", out)
        assert r.code == 0, r.err
        want = export.spec(tournaments.tournament_charts(rows, seed=seed)["leaderboard"])
        assert json.loads(out.read_text()) == want


def test_plot_help_lists_every_figure() -> None:
    from entente.report.kinds import FIGURES

    r = cli("plot", "--help", columns=200)
    assert r.code == 0
    for kind in FIGURES:
        assert f"{kind}:" in r.out
    assert "offline HTML or the Vega-Lite" in " ".join(r.out.split("\n")).replace("  ", " ")
    assert "offline     HTML" not in r.out  # the docstring's indent stays out of the help


def test_a_missing_report_extra_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "vl_convert", None)  # import fails as if not installed
    for args in (("report",), ("plot", "space")):
        r = cli(*args, "-o", tmp_path / "x.html")
        assert_refused(r, "entente[report]")
    assert not list(tmp_path.iterdir())


def test_plot_space_draws_the_pair_asked_for(tmp_path: Path) -> None:
    """Three or more parties: `--pair A,B` draws those axes, `--pair all` a panel of pairs."""
    from entente import api
    from entente.report import export, space

    many = DATA / "other" / "QODomain"
    sc = api.load(many)
    ids = [p.id for p in sc.parties]
    assert len(ids) > 2
    r = cli("plot", "space", many, "--pair", f"{ids[2]},{ids[0]}", "-o", tmp_path / "p.json")
    assert r.code == 0, r.err
    chart = space.utility_space(sc, api.negotiate(sc, seed=0), pair=(2, 0))
    assert json.loads((tmp_path / "p.json").read_text()) == export.spec(chart)
    r = cli("plot", "space", many, "--pair", "all", "-o", tmp_path / "all.json")
    assert r.code == 0, r.err
    assert "Utility space" in (tmp_path / "all.json").read_text()
    assert_refused(cli("plot", "space", many, "--pair", f"{ids[0]},{ids[0]}"), "--pair")
