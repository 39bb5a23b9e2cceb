"""What `run`, `analyze`, `validate` and `list` print: one basis for discounted utilities, runs
that state how to reproduce them, JSON in one language, displays a person can read, user text
never read as markup, and strict JSON."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import entente
from cli_run import Ran, assert_refused, cli
from entente import api
from entente.cli import _first_sentence, _strict_json, render
from entente.errors import EntenteError
from entente.negotiation.actions import Accept, Offer, Reject
from entente.negotiation.protocol import Move, State
from entente.negotiation.session import Result, trace_rows
from entente.summary import summarize, win_set_report

ROOT = Path(__file__).resolve().parents[1]
PORTSMOUTH = ROOT / "src" / "entente" / "scenarios" / "portsmouth.toml"
LAPTOP = ROOT / "tests" / "data" / "genius" / "y2011" / "Laptop"


def one_line_error(code: int, err: str) -> str:
    return assert_refused(Ran(code, "", err))


# ---------------------------------------------------------------- section 1: run's arguments


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--deadline", "-3"), "'--deadline'"),
        (("--deadline", "0"), "'--deadline'"),
        (("--seed", "-1"), "'--seed'"),
        (
            ("--strategy", "japan=linear", "--strategy", "japan=conceder"),
            "--strategy 'japan=conceder': 'japan' already has a strategy ('linear')",
        ),
        (
            ("--protocol", "alternating", "--strategy", "united_states=hillclimb"),
            "strategy for 'united_states': a mediator's, but protocol 'alternating' has no mediator",
        ),
        (
            ("--protocol", "alternating", "--strategy", "mediator=hillclimb"),
            "strategy for 'mediator': a mediator's, but protocol 'alternating' has no mediator",
        ),
        (
            ("--strategy", "prussia=linear"),
            "strategy for 'prussia': no such party or mediator; expected one of japan, russia, "
            "united_states",
        ),
    ],
)
def test_bad_run_arguments_are_refused_in_one_line(
    tmp_path: Path,
    args: tuple[str, ...],
    expected: str,
) -> None:
    trace = tmp_path / "t.jsonl"
    code, out, err = cli("run", *args, "--trace", str(trace))
    assert expected in one_line_error(code, err)
    assert out == "" and not trace.exists()


def test_the_api_neither_ignores_a_zero_deadline_nor_takes_a_negative_seed() -> None:
    sc = api.load("portsmouth")
    with pytest.raises(EntenteError, match="deadline 0: expected a number of rounds, at least 1"):
        api.negotiate(sc, deadline=0)
    with pytest.raises(EntenteError, match="seed -1: expected a whole number, at least 0"):
        api.negotiate(sc, seed=-1)
    with pytest.raises(EntenteError, match="has no mediator"):
        api.negotiate(sc, protocol="alternating", strategies={"mediator": "hillclimb"})
    one = api.negotiate(sc, deadline=1)
    assert one.rounds == 1 and one.agreement is None


CONFERENCE = "conference(bilateral=9, agenda=(0, 1, 3, 2, 5, 4, 6, 7, 8, 9, 10, 11))"
"""Portsmouth's protocol, with its parameters, as a plan spells it out."""


def test_a_plan_fills_in_every_default() -> None:
    sc = api.load("portsmouth")
    p = api.plan(sc, strategies={"russia": "learner"})
    assert p.protocol == CONFERENCE and p.deadline == 30
    assert p.strategies == ("boulware(e=0.2)", "learner(e=0.2, tolerance=0.05, window=2000)")
    assert p.mediator == "informed(opening=0, patience=2, efficient=1.5)"
    assert p.mediator_id == "united_states" and p.informed
    alt = api.plan(sc, protocol="alternating")
    assert alt.mediator is None and alt.mediator_id is None


# ---------------------------------------------------------------- section 7: reproducible runs


def test_a_run_states_what_it_ran_and_can_be_replayed_from_its_own_output() -> None:
    args = ("run", "--seed", "5", "--deadline", "15", "--strategy", "russia=conceder")
    code, text, err = cli(*args, columns=100)
    assert code == 0 and err == ""
    assert f"Protocol: {CONFERENCE}" in text and re.search(r"Deadline: 15\s+rounds   Seed: 5", text)
    assert "Empire of Japan: boulware(e=0.2)" in text
    assert "Russian Empire: conceder(e=5.0)" in text
    assert "informed(opening=0, patience=2, efficient=1.5)" in text
    replay = next(x for x in text.splitlines() if x.startswith("Replay: "))
    words = shlex.split(replay.removeprefix("Replay: "))
    assert words[:3] == ["entente", "run", "portsmouth"]

    code, original, _ = cli(*args, "--json")
    data = json.loads(original)
    assert data["protocol"] == CONFERENCE and data["deadline"] == 15 and data["seed"] == 5
    assert data["strategies"] == {"japan": "boulware(e=0.2)", "russia": "conceder(e=5.0)"}
    assert data["mediator"] == {
        "id": "united_states",
        "strategy": "informed(opening=0, patience=2, efficient=1.5)",
        "informed": True,
    }
    code, again, _ = cli(*words[1:], "--json")
    assert code == 0 and again == original

    # the JSON alone is enough too
    specs = dict(data["strategies"], **{data["mediator"]["id"]: data["mediator"]["strategy"]})
    r = api.negotiate(
        api.load(data["scenario"]),
        protocol=data["protocol"],
        strategies=specs,
        seed=data["seed"],
        deadline=data["deadline"],
    )
    assert r.rounds == data["rounds"]
    space = api.load("portsmouth").space
    assert (space.labels(r.agreement) if r.agreement else None) == data["agreement"]


def test_json_names_options_by_id_and_counts_rounds_from_one(tmp_path: Path) -> None:
    sc = api.load("portsmouth")
    options = {i.id: set(i.options) for i in sc.space.issues}

    def are_ids(outcome: dict[str, str]) -> bool:
        return set(outcome) == set(options) and all(v in options[k] for k, v in outcome.items())

    trace = tmp_path / "t.jsonl"
    code, out, _ = cli("run", "--json", "--seed", "2", "--trace", str(trace))
    data = json.loads(out)
    assert are_ids(data["agreement"]) and are_ids(data["nash"]["outcome"])
    rows = [json.loads(x) for x in trace.read_text().splitlines()]
    assert rows[0]["round"] == 1 and rows[-1]["round"] == data["rounds"]
    assert all(are_ids(r["outcome"]) for r in rows)
    # settled rounds are the rounds the text prints, and the round where the trace last
    # showed another option
    for s in data["settled"]:
        moved = [r["round"] for r in rows if r["outcome"][s["issue"]] != s["option"]]
        assert s["round"] == (max(moved) + 1 if moved else 1)
    code, text, _ = cli("run", "--seed", "2", columns=200)
    for s in data["settled"]:
        title = sc.space.issues[sc.space.issue_index(s["issue"])].title
        assert re.search(rf"│ {re.escape(title)} +│ [^│]+│ {s['round']} ", text), title

    code, out, _ = cli("analyze", "--json")
    assert code == 0
    points = json.loads(out)
    for key in ("nash", "kalai_smorodinsky", "egalitarian", "max_welfare", "history"):
        assert are_ids(points[key]["outcome"]), key


# ---------------------------------------------------------------- section 5: discounting


def _brute_frontier(u: np.ndarray) -> np.ndarray:
    dominated = ((u[None, :, :] >= u[:, None, :]).all(2) & (u[None] > u[:, None]).any(2)).any(1)
    return np.asarray(u[~dominated])


def test_discounted_results_are_shown_on_both_bases_never_mixed() -> None:
    base = api.load(LAPTOP)
    # a reservation value too, so that its discounting shows
    parties = tuple(
        dataclasses.replace(p, prefs=dataclasses.replace(p.prefs, reservation=0.2 + 0.1 * i))
        for i, p in enumerate(base.parties)
    )
    sc = dataclasses.replace(base, parties=parties)
    r = api.negotiate(sc, seed=0)
    assert r.agreement is not None and 0 < r.time < 1
    s = summarize(sc, r, "alternating", 0)
    assert s.is_discounted
    d = np.array([p.discount for p in sc.prefs]) ** r.time
    u = np.array([p(r.agreement) for p in sc.prefs])
    res = np.array([p.reservation for p in sc.prefs])
    np.testing.assert_allclose(s.undiscounted.utilities, u)
    np.testing.assert_allclose(s.discounted.utilities, u * d)
    np.testing.assert_allclose(s.discounted.utilities, r.utilities)  # what the session paid out
    np.testing.assert_allclose(s.undiscounted.reservations, res)
    np.testing.assert_allclose(s.discounted.reservations, res * d)
    assert s.undiscounted.nash_utilities is not None and s.discounted.nash_utilities is not None
    np.testing.assert_allclose(
        s.discounted.nash_utilities, np.array(s.undiscounted.nash_utilities) * d
    )
    # distances against a brute-force frontier, each on its own basis
    all_u = np.stack([p.utility(sc.space.all()) for p in sc.prefs], axis=1)
    front = _brute_frontier(all_u)
    for basis, scale in ((s.undiscounted, 1.0), (s.discounted, d)):
        expected = np.sqrt((((front - u) * scale) ** 2).sum(1)).min()
        assert basis.pareto_distance == pytest.approx(expected, abs=1e-12)
    j = s.to_json()
    assert j["utilities"] == dict(zip([p.id for p in sc.parties], u.tolist(), strict=True))
    assert j["reservations_discounted"] == pytest.approx(
        dict(zip([p.id for p in sc.parties], (res * d).tolist(), strict=True))
    )
    assert j["discount"] == {p.id: p.prefs.discount for p in sc.parties}


def test_the_text_labels_each_basis() -> None:
    code, text, err = cli("run", str(LAPTOP), columns=160)
    assert code == 0 and err == ""
    _, out, _ = cli("run", str(LAPTOP), "--json")
    data = json.loads(out)
    at = f"at t={data['time']:.2f}"
    header = next(x for x in text.splitlines() if "reservation" in x)
    cells = [c.strip() for c in header.split("┃")[1:-1]]
    assert cells == ["party", "utility", at, "reservation", at, "Nash point", at]
    assert "Utilities below are undiscounted" in text
    assert f"Columns '{at}': discounted to the time the talks ended" in text
    name = api.load(LAPTOP).parties[0].id
    row = next(x for x in text.splitlines() if x.startswith(f"│ {name} "))
    values = [float(c) for c in row.split("│")[2:-1]]
    assert values[0] == pytest.approx(data["utilities"][name], abs=5e-4)
    assert values[1] == pytest.approx(data["utilities_discounted"][name], abs=5e-4)
    assert values[4] == pytest.approx(data["nash"]["utilities"][name], abs=5e-4)
    assert values[5] == pytest.approx(data["nash"]["utilities_discounted"][name], abs=5e-4)
    # an undiscounted scenario keeps its three columns
    code, text, _ = cli("run")
    assert (
        "at t=" not in text and "┃ party           ┃ utility ┃ reservation ┃ Nash point ┃" in text
    )


# ---------------------------------------------------------------- section 8: displays


def test_the_agreement_table_shows_the_signed_option_and_a_match_header() -> None:
    code, text, _ = cli("run", columns=200)
    assert code == 0
    header = next(x for x in text.splitlines() if "settled in round" in x)
    assert [c.strip() for c in header.split("┃")[1:-1]] == [
        "issue",
        "agreed",
        "settled in round",
        "signed",
        "match",
    ]
    sc = api.load("portsmouth")
    assert sc.history is not None and sc.history.outcome is not None
    for iss, k in zip(sc.space.issues, sc.history.outcome, strict=True):
        row = next(x for x in text.splitlines() if x.startswith(f"│ {iss.title} "))
        cells = [c.strip() for c in row.split("│")[1:-1]]
        assert cells[3] == iss.label(k) and cells[4] in ("✓", "✗")


def test_names_are_used_throughout_and_the_mediator_has_its_colon() -> None:
    code, text, _ = cli("run", columns=300)
    assert code == 0
    assert "Mediator: United States of America (Theodore Roosevelt)" in text
    assert "Empire of Japan accepts" in text
    assert not re.search(r"\b(japan|russia) (accepts|rejects|offers)", text)
    assert re.search(
        r"Empire of Japan offers  Empire of Japan 1\.000  Russian Empire 0\.\d{3}", text
    )


def _covered(text: str) -> list[int]:
    """Every round number the timeline accounts for, shown or folded."""
    out: list[int] = []
    for m in re.finditer(r"^Rounds? (\d+)(?:-(\d+))?", text, re.M):
        a = int(m.group(1))
        out += range(a, int(m.group(2) or a) + 1)
    return out


def test_identical_rounds_fold_under_alternating_offers_with_their_own_words() -> None:
    code, text, _ = cli("run", str(LAPTOP), columns=200)
    _, out, _ = cli("run", str(LAPTOP), "--json")
    rounds = json.loads(out)["rounds"]
    assert _covered(text) == list(range(1, rounds + 1))
    assert re.search(r"^Rounds \d+-\d+: the same offers as in round \d+$", text, re.M)
    assert "the same text" not in text
    assert text.count("\nRound ") < rounds / 2  # folded, not printed round by round
    code, text, _ = cli("run", columns=200)
    assert code == 0
    assert re.search(
        r"Rounds \d+-\d+ \(\d+ August 1905 to \d+ August 1905\): the same text, the same answers",
        text,
    )


def test_a_fold_of_one_day_gives_one_date() -> None:
    sc = api.load("portsmouth")
    text_ = tuple(0 for _ in sc.space.issues)
    k = len(sc.parties)

    def rnd(n: int) -> list[Move]:
        return [
            Move(k, Offer(text_), n, n / 10),
            Move(0, Accept(), n, n / 10),
            Move(1, Reject((0,)), n, n / 10),
        ]

    moves = tuple(itertools.chain(rnd(0), rnd(1), [Move(k, Offer(text_), 2, 0.2)]))
    state = State(n_parties=k, deadline=3, history=moves, done=True)
    result = Result(None, np.array(sc.reservations), state, 0.2, tuple(p.id for p in sc.parties))
    s = summarize(sc, result, "mediated", 0)
    console = render.Console(width=120, record=True)
    render.timeline(console, s)
    out = console.export_text()
    day = sc.round_date(1)
    assert day is not None
    assert (
        f"Round 2 ({day.render(both=False)}): the same text, the same answers as in round 1" in out
    )
    assert " to " not in out.split("Round 2 (")[1].splitlines()[0]


def _what_column(text: str) -> list[str]:
    """The 'what' cell of each row of `entente list`, its wrapped lines joined without spaces."""
    rows: list[str] = []
    for x in text.splitlines():
        cells = x.split("│")
        if len(cells) != 5:
            continue
        if cells[1].strip():
            rows.append("")
        rows[-1] += "".join(cells[3].split())
    return rows


def test_list_shows_whole_first_sentences_at_80_columns() -> None:
    code, text, _ = cli("list", columns=80)
    assert code == 0 and "…" not in text
    got = _what_column(text)
    # a scenario's row: its title, then its summary paragraph (the file's description)
    expected = [api.load(n).title + api.load(n).description for n in entente.registry.scenarios()]
    expected += [entente.registry.DESCRIPTIONS[n] for n in entente.registry.PROTOCOLS]
    expected += [
        _first_sentence(entente.registry.strategy_class(n).__doc__)
        for n in entente.registry.STRATEGIES
    ]
    assert got == ["".join(e.split()) for e in expected]
    assert all(e.endswith((".", ")")) or not e[0].isupper() for e in expected)


def test_first_sentence_joins_wrapped_lines() -> None:
    doc = """Baseline: offers a random outcome
    above its reservation value. Then more.

    Details."""
    assert _first_sentence(doc) == "Baseline: offers a random outcome above its reservation value."
    assert _first_sentence("Uses e.g. a rule. Next") == "Uses e.g. a rule."
    assert _first_sentence(None) == ""


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    assert render.count(1, "issue") == "1 issue"
    assert render.count(2, "issue") == "2 issues"
    assert render.count(0, "party", "parties") == "0 parties"
    assert render.count(1, "party", "parties") == "1 party"
    assert render.count(12000, "outcome") == "12,000 outcomes"


def test_validate_says_one_issue(tmp_path: Path) -> None:
    f = tmp_path / "one.toml"
    f.write_text(
        'id = "one"\ntitle = "One issue"\n'
        '[[issues]]\nid = "x"\noptions = [{ id = "a" }, { id = "b" }]\n'
        '[[parties]]\nid = "p"\nname = "P"\nweights = { x = 1 }\nvalues = { x = { a = 1, b = 0 } }\n'
        '[[parties]]\nid = "q"\nname = "Q"\nweights = { x = 1 }\nvalues = { x = { a = 0, b = 1 } }\n'
    )
    code, out, err = cli("validate", str(f))
    assert (code, err) == (0, "")
    assert out == "ok: One issue: 1 issue, 2 parties, 2 outcomes\n"


# ---------------------------------------------------------------- win-sets


def _with_thresholds(japan: float, russia: float) -> entente.Scenario:
    sc = api.load("portsmouth")
    rat = []
    for r in sc.ratification:
        t = japan if r.party == "japan" else russia
        cs = tuple(dataclasses.replace(c, threshold=t) if c.veto else c for c in r.constituencies)
        rat.append(dataclasses.replace(r, constituencies=cs))
    return dataclasses.replace(sc, ratification=tuple(rat))


@pytest.mark.parametrize(("japan", "russia"), [(0.40, 0.65), (0.75, 0.85), (0.40, 1.5)])
def test_win_set_counts_match_brute_force(japan: float, russia: float) -> None:
    from entente.settlement import win_set

    sc = _with_thresholds(japan, russia)
    r = api.negotiate(sc, win_sets=True, deadline=2)
    w = win_set_report(sc, r)
    everything = sc.space.all()
    wj, wr = win_set(sc, "japan", everything), win_set(sc, "russia", everything)
    assert not w.sampled and w.counted == sc.space.size
    assert w.sizes == (int(wj.sum()), int(wr.sum()))
    assert w.common == int((wj & wr).sum())
    for x in w.refusals:  # each refused outcome lies outside that party's win-set
        assert not win_set(sc, sc.parties[x.party].id, np.array([x.outcome]))[0]
        assert x.opposed


def test_failed_win_set_talks_say_why() -> None:
    args = ("run", "--win-sets", "--protocol", "alternating", "--deadline", "5")
    args += ("--strategy", "japan=hardliner", "--strategy", "russia=hardliner")
    code, text, _ = cli(*args, columns=300)
    assert "No agreement after 5 rounds." in text
    assert re.search(
        r"The win-sets of Empire of Japan \([\d,]+ outcomes\) and Russian Empire "
        r"\([\d,]+ outcomes\) share [\d,]+ outcomes, but the talks reached none of them in 5 "
        r"rounds\.",
        text,
    )
    assert (
        "Russian Empire last refused, in round 5, an outcome its constituencies would not "
        "ratify; against it: Nicholas II (veto)" in text
    )
    code, out, _ = cli(*args, "--json")
    assert code == 0
    report = json.loads(out)["win_sets_report"]
    assert {x["party"] for x in report["refused"]} == {"japan", "russia"}
    assert all(x["round"] == 5 for x in report["refused"])

    sc = _with_thresholds(0.40, 1.5)  # the Tsar ratifies nothing
    s = summarize(sc, api.negotiate(sc, win_sets=True), "mediated", 0, api.plan(sc, win_sets=True))
    console = render.Console(width=300, record=True)
    render.agreement(console, s)
    assert (
        "The win-set of Russian Empire is empty: its constituencies would ratify no outcome."
        in console.export_text()
    )
    sc = _with_thresholds(0.75, 0.85)  # each ratifies something, nothing both would
    s = summarize(sc, api.negotiate(sc, win_sets=True), "mediated", 0, api.plan(sc, win_sets=True))
    console = render.Console(width=300, record=True)
    render.agreement(console, s)
    from entente.settlement import win_set

    everything = sc.space.all()
    wj, wr = (int(win_set(sc, who, everything).sum()) for who in ("japan", "russia"))
    assert (
        f"The win-sets of Empire of Japan ({wj:,} outcomes) and Russian Empire ({wr:,} outcomes) "
        "do not intersect: no outcome would be ratified by both." in console.export_text()
    )


# ---------------------------------------------------------------- user text is not markup


HOSTILE = "P [/x] [bold]b[/bold] [red]"


def _hostile_scenario(tmp_path: Path) -> Path:
    text = PORTSMOUTH.read_text()
    for old, new in (
        ('name = "Empire of Japan"', f'name = "{HOSTILE}"'),
        ('name = "Korea"', 'name = "Korea [/]"'),
        ('label = "Japan\'s paramount interests recognised"', 'label = "[/i] paramount"'),
        ('name = "United States of America"', 'name = "[link=x]US"'),
        ('title = "Portsmouth Peace Conference', 'title = "[/b] Portsmouth Peace Conference'),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    f = tmp_path / "hostile.toml"
    f.write_text(text)
    return f


@pytest.mark.parametrize("command", ["run", "analyze", "validate"])
def test_user_text_is_never_read_as_markup(
    tmp_path: Path,
    command: str,
) -> None:
    f = _hostile_scenario(tmp_path)
    code, out, err = cli(command, str(f), columns=300)
    assert (code, err) == (0, "")
    assert "[/b] Portsmouth Peace Conference" in out
    if command == "run":
        for shown in (HOSTILE, "Korea [/]", "[/i] paramount", "Mediator: [link=x]US"):
            assert shown in out, shown
    if command == "analyze":
        assert HOSTILE in out


def test_list_prints_descriptions_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(entente.registry.DESCRIPTIONS, "alternating", "turns [/x] [b]")
    code, out, err = cli("list", columns=200)
    assert (code, err) == (0, "") and "turns [/x] [b]" in out


# ---------------------------------------------------------------- strict JSON


def test_json_output_refuses_numbers_that_are_not_finite() -> None:
    with pytest.raises(EntenteError, match=r"result: utilities\.japan is not a finite number"):
        _strict_json({"scenario": "x", "utilities": {"russia": 0.5, "japan": float("nan")}})
    with pytest.raises(EntenteError, match=r"result: frontier\.1\.0 is not a finite number"):
        _strict_json({"frontier": [[0.0, 1.0], [float("inf"), 0.0]]})
    assert json.loads(_strict_json({"a": [1.0, 2]})) == {"a": [1.0, 2]}


@pytest.mark.parametrize("as_json", [True, False])
def test_a_non_finite_result_is_an_error_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    as_json: bool,
) -> None:
    import entente.summary

    real = entente.summary.Summary.to_json

    def poisoned(self: entente.summary.Summary) -> dict[str, object]:
        out = real(self)
        out["pareto_distance"] = float("inf")
        return out

    monkeypatch.setattr(entente.summary.Summary, "to_json", poisoned)
    trace = tmp_path / "t.jsonl"
    args = ["run", "--trace", str(trace), *(["--json"] if as_json else [])]
    code, out, err = cli(*args)
    assert "result: pareto_distance is not a finite number" in one_line_error(code, err)
    assert out == "" and not trace.exists()


class _NanPrefs:
    """Preferences whose every utility is NaN (as a broken profile might yield)."""

    def utility(self, outcomes: np.ndarray) -> np.ndarray:
        return np.full(len(outcomes), np.nan)


def test_traces_refuse_numbers_that_are_not_finite() -> None:
    sc = api.load("portsmouth")
    r = api.negotiate(sc, deadline=1)
    assert trace_rows(r, sc.space, sc.prefs)[0]["round"] == 1
    prefs = [_NanPrefs(), *sc.prefs[1:]]
    with pytest.raises(EntenteError, match="trace: round 1: a utility is not a finite number"):
        entente.trace_jsonl(r, sc.space, prefs)  # type: ignore[arg-type]


def test_a_run_prints_no_warnings(tmp_path: Path) -> None:
    p = subprocess.run(
        [sys.executable, "-W", "error", "-m", "entente", "run", str(LAPTOP), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0 and p.stderr == ""
    json.loads(p.stdout)


def test_run_says_an_informed_mediator_aims_at_the_nash_point_and_points_to_the_ranges() -> None:

    text = cli("run", "portsmouth", columns=400).out
    assert "The mediator is informed: it sees every party's utilities and aims at the Nash" in text
    n = len(entente.load("portsmouth").uncertain)
    assert f"{n} numbers of this scenario are ranges" in text
    plain = cli("run", "portsmouth", "--protocol", "alternating", columns=400).out
    assert "mediator is informed" not in plain
