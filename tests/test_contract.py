"""The command-line contract, on every command.

Success exits 0. A user's mistake exits 2 with one line `entente: error: ...` on stderr and
nothing on stdout; never a traceback; no file left behind, whole or half-written.

`BAD` is a table of mistakes for every command; a test fails when a command has no row, so a
new command joins the table when it is added. The hypothesis tests mutate real scenario files
(lines deleted, values of the wrong type, NaN and huge numbers, truncation, bad UTF-8, deep
nesting) and hold every outcome to the same contract.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_run import Ran, assert_refused, cli
from entente.cli import app
from genius_paths import DATA

PORTSMOUTH = (
    Path(__file__).resolve().parents[1] / "src" / "entente" / "scenarios" / "portsmouth.toml"
)
LAPTOP = DATA / "y2011" / "Laptop"
SPATIAL = Path(__file__).resolve().parent / "data" / "spatial"


def files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def deep_toml(depth: int = 1000) -> str:
    deep = "korea = " + "[" * depth + "]" * depth
    return re.sub(r"(?m)^korea = .*$", deep, PORTSMOUTH.read_text(), count=1)


def _prepare(tmp: Path) -> None:
    """The files the table refers to, under {tmp}."""
    (tmp / "deep.toml").write_text(deep_toml())
    nan = re.sub(r"(?m)^korea = .*$", "korea = nan", PORTSMOUTH.read_text(), count=1)
    (tmp / "nan.toml").write_text(nan)
    (tmp / "inf.toml").write_text(
        re.sub(r"(?m)^reservation = .*$", "reservation = inf", PORTSMOUTH.read_text(), count=1)
    )
    (tmp / "utf8.toml").write_bytes(PORTSMOUTH.read_bytes()[:4000] + b"\xff\xfe" + b"\n")
    (tmp / "empty.toml").write_text("")
    (tmp / "notes.txt").write_text("not a scenario\n")
    (tmp / "a-file").write_text("x\n")
    (tmp / "existing-dir").mkdir()
    os.mkfifo(tmp / "fifo.xml")
    (tmp / "empty-folder").mkdir()
    (tmp / "timeline.toml").write_text(
        '[[timeline]]\ndate = "1906-01-01"\nkind = "act"\ntitle = "x"\nparty = "prussia"\n'
    )


# (args, texts the one line must contain); {tmp} is a scratch folder holding the files above.
BAD: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    # run
    (("run", "--deadline", "-3"), ("--deadline",)),
    (("run", "--deadline", "0"), ("--deadline",)),
    (("run", "--seed", "-1"), ("--seed",)),
    (("run", "--seed", "x"), ("--seed",)),
    (("run", "--strategy", "japan=boulware", "--strategy", "japan=conceder"), ("japan",)),
    (("run", "--protocol", "alternating", "--strategy", "mediator=informed"), ("mediator",)),
    (("run", "--protocol", "alternating", "--strategy", "usa=informed"), ("usa",)),
    (("run", "--strategy", "prussia=linear"), ("prussia",)),
    (("run", "--strategy", "japan=bolware"), ("bolware",)),
    (("run", "--strategy", "japan=boulware(x=1)"), ("'x'",)),
    (("run", "--strategy", "japan"), ("PARTY=SPEC",)),
    (("run", "--strategy", "japan=informed"), ("informed",)),
    (("run", "--protocol", "telepathy"), ("telepathy",)),
    (("run", "--protocol", "alternating(x=1)"), ("'x'",)),
    (("run", "no-such-scenario"), ("no-such-scenario",)),
    (("run", "{tmp}/deep.toml"), ("deep.toml",)),
    (("run", "{tmp}/nan.toml"), ("nan.toml", "korea")),
    (("run", "{tmp}/inf.toml"), ("inf.toml", "reservation")),
    (("run", "{tmp}/utf8.toml"), ("utf8.toml",)),
    (("run", "--trace", "{tmp}/existing-dir"), ("existing-dir",)),
    (("run", "--trace", "{tmp}/a-file/trace.jsonl"), ("a-file",)),
    (("run", "--frobnicate"), ("--frobnicate",)),
    # analyze
    (("analyze", "no-such-scenario"), ("no-such-scenario",)),
    (("analyze", "{tmp}/deep.toml"), ("deep.toml",)),
    (("analyze", "--json", "--frobnicate"), ("--frobnicate",)),
    # validate
    (("validate",), ("file",)),
    (("validate", "{tmp}/deep.toml"), ("deep.toml",)),
    (("validate", "{tmp}/empty.toml"), ("empty.toml",)),
    (("validate", "{tmp}/notes.txt"), ("notes.txt",)),
    (("validate", "{tmp}/fifo.xml"), ("fifo.xml",)),
    (("validate", "/dev/null"), ("/dev/null",)),
    (("validate", "{tmp}/empty-folder"), ("empty-folder",)),
    # schema, list
    (("schema", "extra"), ("extra",)),
    (("list", "--frobnicate"), ("--frobnicate",)),
    # import, export
    (("import", "no-such-scenario"), ("no-such-scenario",)),
    (("import", "portsmouth", "--to", "pdf"), ("--to",)),
    (("import", "portsmouth", "-o", "{tmp}/existing-dir"), ("existing-dir",)),
    (("export", "no-such-scenario", "{tmp}/out"), ("no-such-scenario",)),
    (("export", "portsmouth", "{tmp}/a-file", "--drop-red-lines"), ("a-file",)),
    (("export", "portsmouth", "{tmp}/out", "--to", "pdf"), ("--to",)),
    # treaty
    (("treaty", "--outcome", "negotiated", "--seed", "-1"), ("--seed",)),
    (("treaty", "--format", "pdf"), ("--format",)),
    (("treaty", "--outcome", "imagined"), ("--outcome",)),
    (("treaty", "-o", "{tmp}/existing-dir"), ("existing-dir",)),
    (("treaty", str(LAPTOP)), ("Laptop",)),
    (("treaty", "{tmp}/deep.toml"), ("deep.toml",)),
    # audit
    (("audit", "--outcome", "negotiated", "--seed", "-1"), ("--seed",)),
    (("audit", "--timeline", "{tmp}/no-such.toml"), ("no-such.toml",)),
    (("audit", "--timeline", "{tmp}/timeline.toml"), ("timeline.toml", "prussia")),
    (("audit", "--at", "1905-13-45"), ("--at", "1905-13-45")),
    (("audit", str(LAPTOP)), ("timeline",)),
    # tournament
    (("tournament", "portsmouth", "-s", "bolware", "-o", "{tmp}/t"), ("bolware",)),
    (("tournament", "portsmouth", "-s", "linear", "--rounds", "0", "-o", "{tmp}/t"), ("--rounds",)),
    (
        ("tournament", "portsmouth", "-s", "linear", "--rounds", "-5", "-o", "{tmp}/t"),
        ("--rounds",),
    ),
    (
        ("tournament", "portsmouth", "-s", "linear", "--repetitions", "0", "-o", "{tmp}/t"),
        ("--repetitions",),
    ),
    (
        ("tournament", "portsmouth", "-s", "linear", "--workers", "-2", "-o", "{tmp}/t"),
        ("--workers",),
    ),
    (("tournament", "portsmouth", "-s", "linear", "--seed", "-1", "-o", "{tmp}/t"), ("--seed",)),
    (("tournament", "portsmouth", "-s", "linear", "-o", "{tmp}/a-file"), ("a-file",)),
    (("tournament", "portsmouth", "-o", "{tmp}/t"), ("--strategy",)),
    (("tournament", "no-such-scenario", "-s", "linear", "-o", "{tmp}/t"), ("no-such-scenario",)),
    # report, plot
    (("report", "-o", "{tmp}/report.pdf"), ("--output", "report.pdf")),
    (("report", "no-such-scenario", "-o", "{tmp}/r.html"), ("no-such-scenario",)),
    (("report", "{tmp}/deep.toml", "-o", "{tmp}/r.html"), ("deep.toml",)),
    (("report", "--seed", "-1", "-o", "{tmp}/r.html"), ("--seed",)),
    (("report", "--strategy", "japan=bolware", "-o", "{tmp}/r.html"), ("bolware",)),
    (("report", "--deadline", "0", "-o", "{tmp}/r.html"), ("--deadline",)),
    (("report", "{tmp}/empty-folder", "-o", "{tmp}/r.html"), ("empty-folder",)),
    (("report", "-o", "{tmp}/a-file/r.html"), ("a-file",)),
    (("plot",), ("kind",)),
    (("plot", "pie", "-o", "{tmp}/f.svg"), ("'pie'", "space")),
    (("plot", "space", "-o", "{tmp}/f.gif"), ("--output", "f.gif")),
    (("plot", "space", "--pair", "japan", "-o", "{tmp}/f.svg"), ("--pair", "PARTY,PARTY")),
    (("plot", "audit", str(LAPTOP), "-o", "{tmp}/f.svg"), ("'audit'", "timeline")),
    (("plot", "issues", "--pair", "all", "-o", "{tmp}/f.svg"), ("--pair", "'issues'")),
    (("plot", "leaderboard", "portsmouth", "-o", "{tmp}/f.svg"), ("leaderboard", "results")),
    (("plot", "space", "no-such-scenario", "-o", "{tmp}/f.svg"), ("no-such-scenario",)),
    (("plot", "space", "--deadline", "0", "-o", "{tmp}/f.svg"), ("--deadline",)),
    (("plot", "space", "--strategy", "japan", "-o", "{tmp}/f.svg"), ("PARTY=SPEC",)),
    (("plot", "audit", str(LAPTOP), "-o", "{tmp}/f.svg"), ("timeline",)),
    # forecast, backtest
    (("forecast", "{tmp}/no-such.csv"), ("no-such.csv",)),
    (("forecast", "{tmp}/empty.toml"), ("empty.toml",)),
    (("forecast", "{tmp}/notes.txt"), ("notes.txt", "unknown format")),
    (("forecast", "portsmouth", "--model", "oracle"), ("--model", "oracle")),
    (("forecast", "portsmouth", "--issue", "evacuation"), ("evacuation",)),
    (("forecast", "portsmouth", "--seed", "-1"), ("--seed",)),
    (("backtest", "{tmp}/no-such.csv"), ("no-such.csv",)),
    (("backtest", str(SPATIAL / "Sultan.csv")), ("Sultan.csv", "no recorded outcome")),
    (("backtest", "portsmouth", "--ensemble", "mean"), ("--ensemble",)),
    (("backtest", "portsmouth", "--model", "oracle"), ("--model", "oracle")),
    (("backtest", "portsmouth", "--resamples", "0"), ("--resamples",)),
    (("analyze", "--frontier-budget", "0"), ("--frontier-budget",)),
    (("run", "--frontier-budget", "abc"), ("--frontier-budget",)),
    # new
    (("new", "{tmp}/a-file"), ("a-file", "already exists", "--force")),
    (("new", "{tmp}/existing-dir"), ("existing-dir", "folder")),
    (("new", "{tmp}/n.toml", "--template", "huge"), ("--template", "huge")),
    (("new",), ("file",)),
    # treaty, audit: run's options set up a negotiation, which the history outcome has not
    (("treaty", "--protocol", "alternating"), ("--protocol", "--outcome negotiated")),
    (("audit", "--seed", "2"), ("--seed", "--outcome negotiated")),
    (("treaty", "--outcome", "negotiated", "--strategy", "japan"), ("PARTY=SPEC",)),
    (("audit", "--outcome", "negotiated", "--deadline", "0"), ("--deadline",)),
    (("forecast", str(SPATIAL / "ec-emissions.toml"), "--issue", "sea"), ("--issue", "'sea'")),
    (("forecast", str(SPATIAL / "cop21.csv"), "--issue", "mrv", "--issue", "mrv"), ("twice",)),
    (
        ("backtest", str(SPATIAL / "ec-emissions.toml"), str(SPATIAL / "ec-emissions.toml")),
        ("ec-emissions.toml", "given twice"),
    ),
    (("backtest", "portsmouth", "--resamples", "2000000"), ("--resamples",)),
    (("backtest", "portsmouth", "--ensemble", "mean,oracle"), ("--ensemble", "oracle")),
    (("new", "{tmp}/case.json"), ("case.json", ".toml")),
    (("new", "{tmp}/notes.txt", "--force"), ("notes.txt", ".toml")),
    (
        ("plot", "ratification", str(LAPTOP), "--deadline", "1", "-o", "{tmp}/f.svg"),
        ("ratification", "no agreement"),
    ),
    (("plot", "space", "-o", "{tmp}/existing-dir"), ("--output", "existing-dir")),
    (("plot", "concession", "--protocol", "nosuch", "-o", "{tmp}/f.svg"), ("'nosuch'",)),
    (("report", "--protocol", "alternating(x=1)", "-o", "{tmp}/r.html"), ("'x'",)),
    (("sensitivity", str(LAPTOP)), ("no number as a range", "--noise")),
    (("sensitivity", "portsmouth", "--draws", "0"), ("--draws", "at least 1")),
    (("sensitivity", "portsmouth", "--noise", "2"), ("--noise", "from 0 to 1")),
    (("sensitivity", "portsmouth", "--noise", "0.1", "--seed", "-1"), ("--seed",)),
    (("sensitivity", "portsmouth", "--workers", "0"), ("--workers",)),
    (("sensitivity", "portsmouth", "--sobol", "-1"), ("--sobol",)),
    (("sensitivity", "portsmouth", "--protocol", "nosuch"), ("'nosuch'",)),
    (("sensitivity", "{tmp}/none.toml"), ("none.toml",)),
    # the llm strategy's options (run, tournament)
    (("run", "--strategy", "japan=llm(on_error='maybe')"), ("on_error", "'maybe'", "fallback")),
    (("run", "--strategy", "japan=llm(fallback='informed')"), ("fallback", "'informed'")),
    (("run", "--strategy", "japan=llm(fallback='llm')"), ("fallback", "needs no server")),
    (("run", "--strategy", "japan=llm(template='{tmp}/no-such.txt')"), ("no-such.txt",)),
    (("run", "--strategy", "japan=llm(base_url='localhost:8080')"), ("base_url", "http://")),
    (("run", "--no-cache", "--strategy", "japan=llm(temperature=9.0)"), ("temperature",)),
    (("run", "--strategy", "japan=llm(retries=-2)"), ("retries", "at least 0")),
    (
        ("run", "--strategy", "japan=llm(key_env='ENTENTE_UNSET_KEY', cache='off')"),
        ("ENTENTE_UNSET_KEY", "is not set"),
    ),
    (
        ("run", "--strategy", "japan=llm(base_url='http://127.0.0.1:9/v1', cache='off')"),
        ("http://127.0.0.1:9/v1/chat/completions", "cannot reach"),
    ),
    (("run", "--no-cache=yes"), ("--no-cache",)),
    (
        ("tournament", "portsmouth", "-s", "llm(mode='poetry')", "-s", "micro", "-o", "{tmp}/t"),
        ("mode", "'poetry'"),
    ),
    (
        ("tournament", "portsmouth", "-s", "llm(model='')", "-o", "{tmp}/t", "--no-cache"),
        ("model",),
    ),
    (("serve", "--port", "70000"), ("--port", "70000")),
    (("serve", "--port", "0", "--db", "{tmp}/existing-dir"), ("--db", "existing-dir", "folder")),
    (("serve", "--port", "0", "--db", "{tmp}/notes.txt"), ("--db", "notes.txt", "SQLite")),
    (("serve", "--port", "0", "--db", "{tmp}/a-file/web.sqlite3"), ("--db", "a-file")),
    (("serve", "--port", "0", "--host", "::zz"), ("--host", "::zz")),
    # leaderboard
    (("leaderboard", "{tmp}/no-such-folder"), ("no-such-folder",)),
    (("leaderboard", "{tmp}/empty-folder"), ("empty-folder",)),
    (("leaderboard", "{tmp}/a-file"), ("a-file",)),
    (("leaderboard", "{tmp}/existing-dir", "--seed", "-1"), ("--seed",)),
    (("leaderboard", "{tmp}/existing-dir", "--by", "role"), ("--by", "role")),
    (("leaderboard", "{tmp}/existing-dir", "--compare", "a"), ("--compare",)),
    (("leaderboard", "{tmp}/existing-dir", "--matrix", "--by", "scenario"), ("--matrix", "--by")),
]


@pytest.mark.parametrize(("args", "expected"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_a_mistake_is_one_line_and_status_2(
    tmp_path: Path, args: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    _prepare(tmp_path)
    before = files(tmp_path)
    r = cli(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert_refused(r, *expected)
    assert files(tmp_path) == before, "nothing is written when a command fails"


def test_every_command_has_rows_in_the_table() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    covered = {args[0] for args, _ in BAD}
    assert set(group.commands) <= covered, f"add rows for {set(group.commands) - covered}"


def test_a_traceback_never_reaches_the_user_through_a_real_process(tmp_path: Path) -> None:
    """The same contract seen from outside: a real process, a real exit status."""
    import subprocess

    (tmp_path / "deep.toml").write_text(deep_toml())
    p = subprocess.run(
        [sys.executable, "-m", "entente", "validate", str(tmp_path / "deep.toml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 2 and p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1 and p.stderr.startswith("entente: error: ")


# --- mutants of real files ---------------------------------------------------------------

_LINES = PORTSMOUTH.read_text().splitlines(keepends=True)
_NUMBER = re.compile(r"(?<![\w.])-?\d+(\.\d+)?(?![\w.-])")
_STRING = re.compile(r'"[^"\n]*"')
_WEIRD_NUMBERS = ("nan", "inf", "-inf", "1e999", "-1e308", "1e308", "0", "-7", "'x'", "[]", "{}")


@st.composite
def mutants(draw: st.DrawFn) -> bytes:
    """Portsmouth with one to three mutations a careless or hostile hand could make."""
    lines = list(_LINES)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "number", "string", "duplicate", "deep", "swap"]))
        line = lines[i]
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "number" and _NUMBER.search(line):
            lines[i] = _NUMBER.sub(draw(st.sampled_from(_WEIRD_NUMBERS)), line, count=1)
        elif kind == "string" and _STRING.search(line):
            new = draw(
                st.sampled_from(["3", '""', '"[/x] <b>&"', '"' + "k" * 5000 + '"', "true", "[1]"])
            )
            lines[i] = _STRING.sub(new, line, count=1)
        elif kind == "deep" and "=" in line and not line.lstrip().startswith("#"):
            key = line.split("=", 1)[0]
            depth = draw(st.sampled_from([3, 200, 2000]))
            lines[i] = f"{key}= {'[' * depth}{']' * depth}\n"
        elif kind == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    data = "".join(lines).encode()
    match draw(st.sampled_from(["none", "none", "truncate", "utf8", "bom"])):
        case "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        case "utf8":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + b"\xc3\x28\xff" + data[at:]
        case "bom":
            data = b"\xef\xbb\xbf" + data
    return data


def _hold_to_contract(r: Ran, out_dir: Path, before: set[str]) -> None:
    if r.code == 0:
        assert "Traceback" not in r.err
        return
    assert_refused(r)
    assert files(out_dir) == before


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=mutants())
def test_mutated_scenarios_validate_or_are_refused_in_one_line(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    tmp = tmp_path_factory.mktemp("mutant")
    f = tmp / "scenario.toml"
    f.write_bytes(data)
    before = files(tmp)
    r = cli("validate", str(f))
    _hold_to_contract(r, tmp, before)
    if r.code == 0:
        # what validate accepts, run accepts too, and its JSON is strict JSON
        ran = cli("run", str(f), "--json")
        assert ran.code == 0, ran.err
        json.loads(ran.out, parse_constant=_refuse_constant)
        # the treaty may be refused (say, no history left to sign), but in one line
        t = cli("treaty", str(f), "-f", "akn", "-o", str(tmp / "t.xml"))
        if t.code == 0:
            ET.parse(tmp / "t.xml")  # well-formed XML
        else:
            assert_refused(t)
            assert not (tmp / "t.xml").exists()


def _refuse_constant(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")
