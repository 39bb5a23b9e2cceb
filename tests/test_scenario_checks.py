"""A scenario file is checked once, completely, when it is loaded.

Whatever `run`, `treaty`, `audit` or `tournament` would refuse later, `loads` (and so
`entente validate`) refuses first, with `file:line: field: expectation`.
"""

from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entente import registry
from entente.cli import main
from entente.errors import ScenarioError, StrategyError
from entente.formats.scenario_toml import loads
from entente.prefs import RedLine, excludes_everything
from entente.space import MAX_OPTIONS, Issue, OutcomeSpace, integer, real

BASE = """\
id = "toy"
title = "A toy"

[[issues]]
id = "a"
options = ["x", "y", "z"]

[[issues]]
id = "n"
kind = "integer"
low = 1
high = 3

[[parties]]
id = "p"
name = "P"
strategy = "boulware(e=0.3)"
reservation = 0.1
[parties.weights]
a = 1
n = 1
[parties.values.a]
x = 0
y = 0.5
z = 1

[[parties]]
id = "q"
name = "Q"
[parties.weights]
a = 2
[parties.values.a]
x = 1
y = 0.5
z = 0

[[mediators]]
id = "m"
name = "M"
strategy = "hillclimb"

[protocol]
name = "mediated"

[[timeline]]
date = "1905-09-05"
kind = "signature"
title = "Signed"
party = "p"
"""

P_RED = "reservation = 0.1\n"  # where party p's red lines go
Q_RED = 'name = "Q"\n'  # and party q's


def edit(old: str, new: str) -> str:
    text = BASE.replace(old, new, 1)
    assert text != BASE, old
    return text


def line_of(text: str, snippet: str) -> int:
    return text[: text.index(snippet)].count("\n") + 1


def test_the_base_scenario_loads_and_runs_its_specs() -> None:
    s = loads(BASE, "toy.toml")
    assert s.protocol == "mediated" and s.space.shape == (3, 3)
    assert s.parties[0].strategy == "boulware(e=0.3)" and s.mediators[0].strategy == "hillclimb"


# (old, new, field, expectation, the text on the line the error names)
CASES = [
    # strategies, mediators and the protocol, as `run` would build them
    (
        'strategy = "boulware(e=0.3)"',
        'strategy = "informed(patiense=3)"',
        "parties[0].strategy",
        "informed has no parameter 'patiense' (expected one of: opening, patience, efficient)",
        "patiense",
    ),
    (
        'strategy = "boulware(e=0.3)"',
        'strategy = "bolware"',
        "parties[0].strategy",
        "unknown strategy 'bolware': expected one of agentk, ",
        "bolware",
    ),
    (
        'strategy = "boulware(e=0.3)"',
        "strategy = \"boulware(e='soft')\"",
        "parties[0].strategy",
        "boulware parameter 'e' must be a number (got 'soft')",
        "soft",
    ),
    (
        'strategy = "boulware(e=0.3)"',
        'strategy = "boulware(e=-1)"',
        "parties[0].strategy",
        "e must be positive",
        "e=-1",
    ),
    (
        'strategy = "boulware(e=0.3)"',
        'strategy = "hillclimb"',
        "parties[0].strategy",
        "'hillclimb' is a mediator's strategy, not a party's (expected one of: timedep,",
        'strategy = "hillclimb"\nreservation',
    ),
    (
        'strategy = "hillclimb"',
        'strategy = "linear"',
        "mediators[0].strategy",
        "'linear' is a party's strategy, not a mediator's (expected one of: hillclimb, informed)",
        'strategy = "linear"',
    ),
    (
        'strategy = "hillclimb"',
        'strategy = "informed(patience=3)"',
        "mediators[0].informed",
        "the informed mediator reads the parties' utilities: set informed = true",
        "[[mediators]]",
    ),
    (
        'name = "mediated"',
        'name = "alternating(x=1)"',
        "protocol.name",
        "alternating has no parameter 'x' (it takes no parameters)",
        "alternating(x=1)",
    ),
    (
        'name = "mediated"',
        'name = "telepathy"',
        "protocol.name",
        "unknown protocol 'telepathy': expected one of alternating, conference, mediated, mopac",
        "telepathy",
    ),
    # the timeline names parties that exist
    (
        'party = "p"',
        'party = "prussia"',
        "timeline[0].party",
        "names no party 'prussia' (expected one of p, q)",
        "prussia",
    ),
    # utilities that make sense
    (
        "reservation = 0.1",
        "reservation = 2.5",
        "parties[0].reservation",
        "2.5 is above the best utility this party gives any outcome (expected a value from 0 to 2)",
        "reservation = 2.5",
    ),
    (
        "reservation = 0.1",
        "reservation = -0.5",
        "parties[0].reservation",
        "-0.5 is below the worst utility this party gives any outcome",
        "reservation = -0.5",
    ),
    (
        "reservation = 0.1",
        "reservation = 0.1\nnormalize = true\n",
        None,
        None,
        None,
    ),
    (
        "[parties.weights]\na = 2",
        "[parties.weights]\na = 0",
        "parties[1].weights",
        "every weight is zero, so every outcome is worth 0 to this party",
        "[parties.weights]\na = 0",
    ),
    (
        "[parties.weights]\na = 2",
        "normalize = true\n[parties.weights]\na = 0",
        "parties[1].weights",
        "cannot normalise a utility that is the same for every outcome",
        "[parties.weights]\na = 0",
    ),
    # numbers that are not numbers, or too large to add up
    (
        "reservation = 0.1",
        "reservation = nan",
        "parties[0].reservation",
        "input should be a finite number (got nan)",
        "reservation = nan",
    ),
    (
        "reservation = 0.1",
        "reservation = -inf",
        "parties[0].reservation",
        "input should be a finite number (got -inf)",
        "reservation = -inf",
    ),
    (
        "y = 0.5\nz = 1",
        "y = nan\nz = 1",
        "parties[0].values.a.y",
        "input should be a finite number (got nan)",
        "y = nan",
    ),
    (
        "a = 1\nn = 1",
        "a = inf\nn = 1",
        "parties[0].weights.a",
        "input should be a finite number (got inf)",
        "a = inf",
    ),
    ("high = 3", "high = nan", "issues[1].high", "finite number (got nan)", "high = nan"),
    ("low = 1", "low = -inf", "issues[1].low", "finite number (got -inf)", "low = -inf"),
    (
        "a = 1\nn = 1",
        "a = 1e308\nn = 1e308",
        "parties[0].weights",
        "weights times values exceed the range of floating-point numbers",
        "[parties.weights]\na = 1e308",
    ),
    (
        'kind = "integer"\nlow = 1\nhigh = 3',
        'kind = "real"\nlow = 0\nhigh = 1\nresolution = nan',
        "issues[1].resolution",
        "finite number (got nan)",
        "resolution = nan",
    ),
    # size: every option of an issue is held in memory, so their number is bounded
    (
        "high = 3",
        "high = 1000000000000",
        "issues[1]",
        "issue 'n' would have 1,000,000,000,000 options, more than the limit of 1,000,000 per "
        "issue (narrow its range from low to high)",
        '[[issues]]\nid = "n"',
    ),
    (
        'kind = "integer"\nlow = 1\nhigh = 3',
        'kind = "real"\nlow = 0\nhigh = 1e300\nresolution = 1e-300',
        "issues[1]",
        "issue 'n' would have more options than the limit of 1,000,000 per issue",
        '[[issues]]\nid = "n"',
    ),
    # messages: grammar, duplicates, echoed values cut short
    (
        'kind = "integer"\nlow = 1\nhigh = 3',
        'kind = "integer"\noptions = ["1", "2"]',
        "issues[1]",
        "an integer issue needs 'low' and 'high'",
        '[[issues]]\nid = "n"',
    ),
    (
        'kind = "integer"\nlow = 1\nhigh = 3',
        'kind = "integer"\nlow = 1\nhigh = 3\noptions = ["1"]',
        "issues[1].options",
        "an integer issue takes low and high, not options",
        'options = ["1"]',
    ),
    (
        'kind = "integer"\nlow = 1\nhigh = 3',
        'kind = "ordinal"',
        "issues[1].options",
        "an ordinal issue needs a list of options",
        '[[issues]]\nid = "n"',
    ),
    (
        'options = ["x", "y", "z"]',
        'options = ["x", "y", "x"]',
        "issues[0].options",
        "issue 'a' has option id 'x' twice (each option needs an id of its own)",
        'options = ["x", "y", "x"]',
    ),
    # control characters, wherever they hide
    (
        'title = "A toy"',
        'title = "A\\u0007toy"',
        "title",
        "contains control character U+0007 (only tab and newline are allowed",
        "title =",
    ),
    (
        'name = "P"',
        'name = "P\\r"',
        "parties[0].name",
        "contains control character U+000D",
        'name = "P\\r"',
    ),
    (
        "x = 0\n",
        '"x\\u0085" = 0\n',
        "parties[0].values.a",
        "key 'x\\x85' contains control character U+0085",
        "[parties.values.a]",
    ),
    # red lines that leave nothing, alone or together
    (
        P_RED,
        P_RED + "red_lines = [{ when = {} }]\n",
        "parties[0].red_lines",
        "no outcome is acceptable to 'p': its red lines exclude every outcome",
        "red_lines",
    ),
    (
        P_RED,
        P_RED + 'red_lines = [{ when = { a = ["x", "y", "z"] } }]\n',
        "parties[0].red_lines",
        "no outcome is acceptable to 'p'",
        "red_lines",
    ),
    (
        Q_RED,
        Q_RED + "red_lines = [{ when = { n = [1, 2] } }, { when = { n = 3, a = 'x' } },"
        " { when = { a = ['y', 'z'] } }]\n",
        "parties[1].red_lines",
        "no outcome is acceptable to 'q': its red lines exclude every outcome",
        "red_lines",
    ),
    (
        Q_RED,
        Q_RED + "red_lines = [{ when = { n = [1, 2] } }, { when = { n = 3, a = 'x' } },"
        " { when = { a = 'y' } }]\n",
        None,
        None,
        None,
    ),
    # numbers name the options of numeric issues, in red lines and in history
    (
        P_RED,
        P_RED + "red_lines = [{ when = { n = 2.5 } }]\n",
        "parties[0].red_lines[0].when.n",
        "issue 'n' has no option 2.5: expected a number from 1 to 3 in whole steps",
        "red_lines",
    ),
    (
        P_RED,
        P_RED + "red_lines = [{ when = { a = 1 } }]\n",
        "parties[0].red_lines[0].when.a",
        "issue 'a' is categorical: name one of its options (x, y, z), not a number",
        "red_lines",
    ),
    (
        P_RED,
        P_RED + "red_lines = [{ when = { a = true } }]\n",
        "parties[0].red_lines[0].when.a",
        "expected a string, a whole number, a number or an array (got True)",
        "red_lines",
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "expected", "where"), CASES)
def test_load_refuses_what_run_would_refuse(
    old: str, new: str, field: str | None, expected: str | None, where: str | None
) -> None:
    text = edit(old, new)
    if field is None:  # a case that must load
        loads(text, "toy.toml")
        return
    assert expected is not None and where is not None
    with pytest.raises(ScenarioError) as e:
        loads(text, "toy.toml")
    msg = str(e.value)
    line = line_of(text, where)
    assert msg.startswith(f"toy.toml:{line}: {field}: "), msg
    assert expected in msg
    assert "\n" not in msg and len(msg) < 400


def test_validate_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for old, new, field, expected, _ in CASES:
        if field is None:
            continue
        f = tmp_path / "toy.toml"
        f.write_text(edit(old, new), encoding="utf-8")
        monkeypatch.setattr(sys, "argv", ["entente", "validate", str(f)])
        with pytest.raises(SystemExit) as e:
            main()
        out, err = capsys.readouterr()
        assert e.value.code == 2 and out == "", (new, out)
        assert err.count("\n") == 1 and err.startswith(f"entente: error: {f}:"), err
        assert f"{field}: " in err and str(expected) in err and "Traceback" not in err


def test_run_refuses_before_negotiating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "toy.toml"
    f.write_text(edit('strategy = "boulware(e=0.3)"', 'strategy = "informed(patiense=3)"'))
    monkeypatch.setattr(sys, "argv", ["entente", "run", str(f)])
    with pytest.raises(SystemExit) as e:
        main()
    out, err = capsys.readouterr()
    assert e.value.code == 2 and out == ""
    assert err == (
        f"entente: error: {f}:17: parties[0].strategy: informed has no parameter 'patiense' "
        "(expected one of: opening, patience, efficient)\n"
    )


def test_deep_nesting_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = "[" * 5000 + "]" * 5000
    for text in (BASE + f"\nextra = {deep}\n", BASE.replace('title = "A toy"', f"title = {deep}")):
        with pytest.raises(ScenarioError, match="nested too deeply") as e:
            loads(text, "deep.toml")
        assert str(e.value).startswith("deep.toml: ")
    f = tmp_path / "deep.toml"
    f.write_text(BASE.replace('title = "A toy"', f"title = {deep}"))
    for command in ("validate", "run"):
        monkeypatch.setattr(sys, "argv", ["entente", command, str(f)])
        with pytest.raises(SystemExit) as e:
            main()
        out, err = capsys.readouterr()
        assert e.value.code == 2 and out == "" and err.count("\n") == 1
        assert err.startswith(f"entente: error: {f}: values are nested too deeply")


def test_a_huge_option_id_makes_a_short_message() -> None:
    key = "k" * 1_000_000
    with pytest.raises(ScenarioError) as e:
        loads(edit("x = 0\n", f'x = 0\n"{key}" = 1\n'), "toy.toml")
    msg = str(e.value)
    assert "has no option 'kkkk" in msg and len(msg) < 300
    with pytest.raises(ScenarioError) as e:
        loads(edit("reservation = 0.1", f"reservation = '{key}'"), "toy.toml")
    assert "(got 'kkkk" in str(e.value) and len(str(e.value)) < 200


def test_numbers_name_options_of_numeric_issues() -> None:
    text = BASE + '\n[history.outcome]\na = "y"\nn = 2\n'
    text = text.replace(P_RED, P_RED + "red_lines = [{ when = { n = [1, 3.0], a = 'x' } }]\n")
    s = loads(text, "toy.toml")
    assert s.history is not None and s.history.outcome == (1, 1)
    assert s.parties[0].prefs.red_lines[0].conditions == (
        (1, frozenset({0, 2})),
        (0, frozenset({0})),
    )
    assert loads(text.replace("n = 2\n", 'n = "2"\n')).history == s.history
    with pytest.raises(
        ScenarioError, match=re.escape("history.outcome.n: issue 'n' has no option 7")
    ):
        loads(text.replace("n = 2\n", "n = 7\n"))


def test_events_may_name_a_successor_state() -> None:
    succession = """
[[timeline]]
date = "1925-01-20"
kind = "succession"
title = "A successor"
[timeline.succession]
predecessor = "q"
successor = "q2"

[[timeline]]
date = "1931-09-18"
kind = "denunciation"
party = "q2"
title = "Denounced"
"""
    s = loads(BASE + succession)
    assert [e.party for e in s.timeline] == ["p", None, "q2"]
    with pytest.raises(ScenarioError, match=r"timeline\[1\]\.succession\.predecessor: names no"):
        loads(BASE + succession.replace('predecessor = "q"', 'predecessor = "r"'))


# ---------------------------------------------------------------- the pieces underneath


def test_registry_checks_parameters_against_the_signature() -> None:
    with pytest.raises(StrategyError, match=r"^informed has no parameter 'patiense' \("):
        registry.strategy("informed(patiense=3)")
    with pytest.raises(StrategyError, match="alternating has no parameter 'mediated'"):
        registry.protocol("alternating(mediated=True)")
    with pytest.raises(
        StrategyError, match=re.escape("linear has no parameter 'e' (it takes no parameters)")
    ):
        registry.strategy("linear(e=1)")
    with pytest.raises(
        StrategyError, match=re.escape("'opening' must be a whole number (got 1.5)")
    ):
        registry.strategy("informed(opening=1.5)")
    with pytest.raises(StrategyError, match=re.escape("'e' must be a finite number (got inf)")):
        registry.strategy("boulware(e=1e999)")
    assert registry.strategy("boulware(e=1)").spec() == "boulware(e=1)"
    assert registry.strategy("informed(patience=3, efficient=2)").patience == 3
    assert set(registry.strategy_names(mediator=True)) == {"hillclimb", "informed"}


def test_issue_sizes_are_bounded_before_anything_is_built() -> None:
    with pytest.raises(Exception, match="more than the limit of 1,000,000 per issue"):
        integer("n", 0, 10**12)
    assert integer("n", 1, MAX_OPTIONS).size == MAX_OPTIONS
    with pytest.raises(Exception, match="finite"):
        real("r", 0.0, float("inf"), 1.0)
    # fine grids keep labels distinct instead of merging them at six digits
    r = real("r", 10, 12, 0.00005)
    assert len(set(r.options)) == r.size == 40_001 and r.at(10.00005) == 1
    assert r.options[:3] == ("10", "10.00005", "10.0001")
    assert real("r", 0, 1, 0.25).options == ("0", "0.25", "0.5", "0.75", "1")


def test_option_lookup_is_by_dictionary() -> None:
    iss = Issue("a", tuple(f"o{k}" for k in range(200_000)))
    assert iss.index("o199999") == 199_999
    with pytest.raises(
        Exception, match=r"no option 'nope': expected one of o0, o1, .*\(200000 in all\)"
    ):
        iss.index("nope")


def _brute(shape: tuple[int, ...], lines: list[RedLine]) -> bool:
    space = OutcomeSpace(
        tuple(Issue(f"i{j}", tuple(map(str, range(s)))) for j, s in enumerate(shape))
    )
    everything = space.all()
    crossed = np.zeros(len(everything), dtype=bool)
    for line in lines:
        crossed |= line.crossed(everything)
    return bool(crossed.all())


@st.composite
def red_lines(draw: st.DrawFn) -> tuple[tuple[int, ...], list[RedLine]]:
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    lines = []
    for _ in range(draw(st.integers(0, 7))):
        issues = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=3))
        conds = tuple(
            (i, frozenset(draw(st.sets(st.integers(0, shape[i] - 1), max_size=shape[i]))))
            for i in issues
        )
        lines.append(RedLine(conds))
    return shape, lines


@settings(max_examples=300, deadline=None)
@given(red_lines())
def test_red_line_coverage_equals_brute_force(case: tuple[tuple[int, ...], list[RedLine]]) -> None:
    shape, lines = case
    assert excludes_everything(shape, lines) == _brute(shape, lines)


def test_red_line_coverage_of_a_huge_space_without_listing_it() -> None:
    # 10 issues of 1,000 options: 10^30 outcomes; a chessboard of red lines over two of them
    shape = (1000,) * 10
    low, high = frozenset(range(500)), frozenset(range(500, 1000))
    board = [RedLine(((0, a), (7, b))) for a, b in itertools.product((low, high), repeat=2)]
    assert excludes_everything(shape, board)
    assert not excludes_everything(shape, board[:3])
    assert not excludes_everything(shape, [*board[:3], RedLine(((0, high), (7, high), (3, low)))])
    assert excludes_everything(shape, [RedLine(())])
    assert not excludes_everything(shape, [RedLine(((2, frozenset()),))])
