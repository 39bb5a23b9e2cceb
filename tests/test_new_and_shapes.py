"""`entente new` writes starting scenarios that validate and run as written; numeric issues take
preferences by shape; numbers name the options of real issues on their grid."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli_run import assert_refused, cli
from entente.cli.new import Template, template_text
from entente.errors import ScenarioError
from entente.formats.scenario_toml import json_schema, loads

TEMPLATES = [t.value for t in Template]

# ---------------------------------------------------------------- entente new


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_validates_and_runs_as_written(tmp_path: Path, name: str) -> None:
    f = tmp_path / "camp_david.toml"
    r = cli("new", f, "--template", name)
    assert r.code == 0 and r.out == "", r.err
    assert f"wrote {f}" in r.err and "entente validate" in r.err
    r = cli("validate", f)
    assert r.code == 0 and r.out.startswith("ok: "), r.err
    r = cli("run", f, "--json")
    assert r.code == 0, r.err
    result = json.loads(r.out)
    assert result["scenario"] == "camp_david"  # the file's name became the scenario's id
    assert result["agreement"] is not None, f"the {name} template ends without agreement"
    if name in ("treaty", "portsmouth"):
        for command in ("treaty", "audit"):
            r = cli(command, f)
            assert r.code == 0 and r.out and r.err == "", (command, r.err)


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_explain_their_fields_and_fit_the_schema(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    text = template_text(name)
    data = tomllib.loads(text)
    jsonschema.validate(data, json_schema())
    assert text.startswith("# ")
    for key in unexplained(text):
        pytest.fail(f"{name}: field {key!r} is explained by no comment where it first appears")


def fields() -> set[str]:
    """Every field name the schema knows."""
    schema = json_schema()
    names = set(schema["properties"])
    for d in schema["$defs"].values():
        names |= set(d.get("properties", {}))
    return names


def unexplained(text: str) -> list[str]:
    """Fields whose first line has no comment, and that no comment before it names."""
    known = fields()
    out, seen, said = [], set(), ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            said += stripped + "\n"
            continue
        m = re.match(r"^([A-Za-z_][A-Za-z_0-9.]*) = ", line)
        if not m:
            continue
        key = m[1].split(".")[-1]
        if key in seen or key not in known:
            continue
        seen.add(key)
        if "#" not in line and not re.search(rf"\b{key}\b", said):
            out.append(key)
    return out


def test_new_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    f = tmp_path / "case.toml"
    f.write_text("mine\n")
    assert_refused(cli("new", f), "case.toml", "already exists", "--force")
    assert f.read_text() == "mine\n"
    r = cli("new", f, "--force", "-t", "mediated")
    assert r.code == 0, r.err
    assert f.read_text() == template_text("mediated", "case")


def test_a_name_that_is_no_id_keeps_the_templates_id(tmp_path: Path) -> None:
    f = tmp_path / "my case (draft).toml"
    assert cli("new", f).code == 0
    assert cli("validate", f).code == 0
    assert 'id = "my_case"' in f.read_text()


# ---------------------------------------------------------------- shapes

CASE = """\
id = "shapes"
title = "Shapes"

[[issues]]
id = "n"
kind = "integer"
low = {low}
high = {high}

[[issues]]
id = "x"
kind = "real"
low = 0
high = 1
resolution = 0.25

[[issues]]
id = "c"
options = ["a", "b"]

[[parties]]
id = "p"
name = "P"
weights = {{ n = 1, x = 1, c = 1 }}
values.n = {shape}
values.x = {{ shape = "increasing" }}
values.c = {{ a = 0, b = 1 }}

[[parties]]
id = "q"
name = "Q"
weights = {{ n = 1 }}
"""


def case(shape: str, low: int = 0, high: int = 10) -> str:
    return CASE.format(shape=shape, low=low, high=high)


def values(shape: str, low: int = 0, high: int = 10) -> np.ndarray:
    term = loads(case(shape, low, high)).parties[0].prefs.linear
    assert term is not None
    return term.values[0]


def test_shapes_of_the_schema() -> None:
    assert values('{ shape = "increasing" }', 0, 4).tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert values('{ shape = "decreasing" }', 0, 4).tolist() == [1, 0.75, 0.5, 0.25, 0]
    assert values('{ shape = "peak", at = 1 }', 0, 4).tolist() == pytest.approx(
        [0, 1, 2 / 3, 1 / 3, 0]
    )
    assert values('{ shape = "peak", at = 4 }', 0, 4).tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert values('{ shape = "peak", at = 2, width = 1.5 }', 0, 4).tolist() == pytest.approx(
        [0, 1 / 3, 1, 1 / 3, 0]
    )
    linear = '{ shape = "linear", points = [[1, 0.5], [3, 1.5]] }'
    assert values(linear, 0, 4).tolist() == [0.5, 0.5, 1.0, 1.5, 1.5]  # flat beyond the ends
    one = values('{ shape = "increasing" }', 3, 3)
    assert one.tolist() == [1.0]


def _by_hand(kind: str, x: float, low: float, high: float, at: float, width: float) -> float:
    """The value of one number, written out as the documentation says it."""
    if kind == "increasing":
        return (x - low) / (high - low)
    if kind == "decreasing":
        return (high - x) / (high - low)
    if width > 0:
        return max(0.0, 1 - abs(x - at) / width)
    if x <= at:
        return 1.0 if at == low else (x - low) / (at - low)
    return 1.0 if at == high else (high - x) / (high - at)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["increasing", "decreasing", "peak"]),
    st.integers(-50, 50),
    st.integers(1, 40),
    st.data(),
)
def test_shapes_match_the_rule_option_by_option(
    kind: str, low: int, span: int, data: st.DataObject
) -> None:
    high = low + span
    at = data.draw(st.integers(low, high))
    width = data.draw(st.sampled_from([0, 1, 3, 100]))
    shape = f'{{ shape = "{kind}" }}'
    if kind == "peak":
        shape = f'{{ shape = "peak", at = {at}' + (f", width = {width} }}" if width else " }")
    got = values(shape, low, high)
    want = [_by_hand(kind, x, low, high, at, width) for x in range(low, high + 1)]
    assert got == pytest.approx(want, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-20, 30), st.floats(-5, 5)), min_size=2, max_size=6))
def test_linear_goes_through_its_points(points: list[tuple[int, float]]) -> None:
    xs = sorted({p for p, _ in points})
    if len(xs) < 2:
        return
    ys = [v for _, v in points[: len(xs)]]
    text = ", ".join(f"[{x}, {y!r}]" for x, y in zip(xs, ys, strict=True))
    got = values(f'{{ shape = "linear", points = [{text}] }}', -20, 30)
    for x, y in zip(xs, ys, strict=True):
        assert got[x + 20] == pytest.approx(y, abs=1e-9)
    for k in range(len(xs) - 1):  # straight between two points: the middle is the mean
        a, b = xs[k], xs[k + 1]
        if (b - a) % 2 == 0:
            assert got[(a + b) // 2 + 20] == pytest.approx((ys[k] + ys[k + 1]) / 2, abs=1e-9)


@pytest.mark.parametrize(
    ("shape", "where", "message"),
    [
        (
            '{ shape = "peek", at = 3 }',
            "values.n.shape",
            "input should be 'increasing', 'decreasing', 'peak' or 'linear' (got 'peek')",
        ),
        (
            '{ shape = "peak", at = 30 }',
            "values.n.at",
            "peak at 30 is outside the range of issue 'n' (expected a number from 0 to 10)",
        ),
        ('{ shape = "peak" }', "values.n", "a peak needs 'at', the number valued most"),
        (
            '{ shape = "peak", at = 3, width = 0 }',
            "values.n.width",
            "input should be greater than 0 (got 0)",
        ),
        ('{ shape = "increasing", at = 3 }', "values.n.at", "shape 'increasing' takes no 'at'"),
        (
            '{ shape = "peak", at = 3, points = [[0, 1], [1, 0]] }',
            "values.n.points",
            "shape 'peak' takes no 'points'",
        ),
        (
            '{ shape = "linear", points = [[0, 1], [5, 0], [5, 1]] }',
            "values.n.points[2]",
            "numbers of the points must increase: 5 follows 5",
        ),
        (
            '{ shape = "linear", points = [[0, 1]] }',
            "values.n.points",
            "'linear' needs at least two points",
        ),
        ('{ shape = "linear" }', "values.n", "'linear' needs at least two points"),
        (
            '{ shape = "linear", points = [[0, 1, 2], [1, 0]] }',
            "values.n.points[0]",
            "tuple should have at most 2 items",
        ),
        ('{ shape = "increasing", top = 1 }', "values.n.top", "is not a known field"),
    ],
)
def test_shape_mistakes_are_located(shape: str, where: str, message: str) -> None:
    text = case(shape)
    with pytest.raises(ScenarioError) as e:
        loads(text, "s.toml")
    line = next(k for k, x in enumerate(text.splitlines(), 1) if x.startswith("values.n ="))
    assert str(e.value).startswith(f"s.toml:{line}: parties[0].{where}: "), str(e.value)
    assert message in str(e.value)


def test_a_shape_needs_a_numeric_issue() -> None:
    text = case('{ shape = "increasing" }').replace(
        "values.c = { a = 0, b = 1 }", 'values.c = { shape = "increasing" }'
    )
    with pytest.raises(
        ScenarioError,
        match=re.escape(
            "parties[0].values.c.shape: issue 'c' is categorical: a shape needs an integer or real issue"
        ),
    ):
        loads(text)


def test_the_schema_describes_shapes() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    base = tomllib.loads(case('{ shape = "peak", at = 3, width = 2 }'))
    jsonschema.validate(base, json_schema())
    base["parties"][0]["values"]["n"] = {"shape": "peek"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(base, json_schema())


def test_shapes_scale_to_large_issues() -> None:
    v = values('{ shape = "peak", at = 250000, width = 1000 }', 0, 999_999)
    assert v.shape == (1_000_000,) and v.max() == 1.0 and np.count_nonzero(v) == 1999


# ---------------------------------------------------------------- numbers on a real grid


def test_numbers_name_the_nearest_option_of_a_real_issue() -> None:
    text = case('{ shape = "increasing" }') + '\n[history]\noutcome = { n = 3, x = 0.3, c = "a" }\n'
    s = loads(text)
    assert s.history is not None and s.history.outcome == (3, 1, 0)
    assert loads(text.replace("x = 0.3", "x = 0.4")).history.outcome == (3, 2, 0)  # type: ignore[union-attr]
    assert loads(text.replace("x = 0.3", "x = 1")).history.outcome == (3, 4, 0)  # type: ignore[union-attr]
    with pytest.raises(
        ScenarioError,
        match=re.escape(
            "history.outcome.x: issue 'x' has no option 1.2: expected a number from 0 to 1, "
            "taken to the nearest step of its grid"
        ),
    ):
        loads(text.replace("x = 0.3", "x = 1.2"))
    red = text.replace(
        "values.c = { a = 0, b = 1 }",
        "values.c = { a = 0, b = 1 }\nred_lines = [{ when = { x = [0.0, 0.26] } }]",
    )
    assert loads(red).parties[0].prefs.red_lines[0].conditions == ((1, frozenset({0, 1})),)
    with pytest.raises(
        ScenarioError, match=re.escape("has no option 3.5: expected a number from 0 to 10 in whole")
    ):
        loads(text.replace("n = 3,", "n = 3.5,"))


# ---------------------------------------------------------------- treaty of a negotiated outcome


def _ratified(protocol: str | None, seed: int, **kw: object) -> tuple[int, ...]:
    from entente import api
    from entente.settlement import settle

    sc = api.load("portsmouth")
    r = settle(sc, lambda s: api.negotiate(s, protocol=protocol, seed=seed, **kw).agreement)  # type: ignore[arg-type]
    assert r.outcome is not None
    return tuple(int(k) for k in r.outcome)


@pytest.mark.parametrize(
    ("args", "kw"),
    [
        (("--protocol", "alternating", "--seed", "3"), {"protocol": "alternating", "seed": 3}),
        (
            ("--protocol", "alternating", "--deadline", "60", "--strategy", "japan=conceder(e=3)"),
            {
                "protocol": "alternating",
                "seed": 0,
                "deadline": 60,
                "strategies": {"japan": "conceder(e=3)"},
            },
        ),
        (("--win-sets", "--seed", "1"), {"protocol": None, "seed": 1, "win_sets": True}),
    ],
)
def test_treaty_and_audit_of_an_outcome_negotiated_with_runs_options(
    args: tuple[str, ...], kw: dict[str, object]
) -> None:
    from entente import api
    from entente.audit.audit import audit
    from entente.treaty.build import build
    from entente.treaty.render_md import render_md

    sc = api.load("portsmouth")
    protocol, seed = kw.pop("protocol"), kw.pop("seed")
    outcome = _ratified(protocol, seed, **kw)  # type: ignore[arg-type]
    r = cli("treaty", "portsmouth", "--outcome", "negotiated", *args)
    assert r.code == 0, r.err
    assert r.out == render_md(build(sc, outcome))
    r = cli("audit", "portsmouth", "--outcome", "negotiated", "--json", *args)
    assert r.code == 0, r.err
    expected = audit(build(sc, outcome), sc.timeline, None).to_dict()
    assert json.loads(r.out) == json.loads(json.dumps(expected))


def test_the_options_decide_the_negotiated_treaty() -> None:
    plain = cli("treaty", "portsmouth", "--outcome", "negotiated", "--protocol", "alternating")
    other = cli(
        "treaty", "portsmouth", "--outcome", "negotiated", "--protocol", "alternating",
        "--strategy", "japan=conceder(e=3)",
    )  # fmt: skip
    assert plain.code == other.code == 0 and plain.out != other.out
    stuck = cli(
        "treaty", "portsmouth", "--outcome", "negotiated", "--protocol", "alternating",
        "--strategy", "japan=hardliner", "--strategy", "russia=hardliner",
    )  # fmt: skip
    assert_refused(stuck, "ended without agreement: no treaty")


@pytest.mark.parametrize("command", ["treaty", "audit"])
@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--protocol", "alternating"), "--protocol: sets up a negotiation"),
        (("--strategy", "japan=linear"), "--strategy: sets up"),
        (("--seed", "0"), "--seed: sets up"),
        (("--deadline", "5", "--win-sets"), "--deadline, --win-sets: set up a negotiation"),
    ],
)
def test_run_options_with_the_history_outcome_are_refused(
    command: str, args: tuple[str, ...], named: str
) -> None:
    assert_refused(cli(command, "portsmouth", *args), named, "--outcome negotiated")


def test_new_writes_only_toml_and_never_replaces_what_is_no_regular_file(tmp_path: Path) -> None:
    import os

    for name in ("case.json", "case", "case.xml"):
        assert_refused(cli("new", tmp_path / name), name, "ending in .toml")
        assert not (tmp_path / name).exists()
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert_refused(cli("new", fifo), "already exists")
    assert_refused(cli("new", fifo, "--force"), "pipe.toml", "not a regular file")
    assert fifo.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.toml"]  # no temporary left
    assert cli("new", tmp_path / "Upper.TOML").code == 0
