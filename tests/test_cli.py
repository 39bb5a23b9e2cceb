"""The `entente` command as a user runs it: JSON outputs, traces, and one-line errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest


def entente(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "entente", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_run_json_has_the_documented_fields(tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    p = entente("run", "--json", "--seed", "3", "--trace", str(trace))
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert {
        "scenario",
        "protocol",
        "seed",
        "agreement",
        "utilities",
        "rounds",
        "pareto_distance",
        "history_match",
    } <= set(data)
    assert data["scenario"] == "portsmouth" and data["seed"] == 3
    assert data["protocol"].startswith("conference(")
    assert data["history_match"]["total"] == 14
    assert set(data["utilities"]) == {"japan", "russia"}
    if data["agreement"] is not None:  # option ids, as in scenario files
        assert data["agreement"]["sakhalin"] in {"russian", "south", "japanese"}
    rows = [json.loads(line) for line in trace.read_text().splitlines()]
    assert rows[0]["actor"] == "japan" and rows[0]["action"] == "offer"  # the sittings open
    assert {"round", "time", "actor", "action", "outcome", "utilities"} <= set(rows[0])
    again = tmp_path / "again.jsonl"
    entente("run", "--json", "--seed", "3", "--trace", str(again))
    assert again.read_bytes() == trace.read_bytes()


def test_run_with_another_protocol_and_strategies() -> None:
    p = entente(
        "run",
        "--json",
        "--protocol",
        "alternating",
        "--strategy",
        "japan=conceder",
        "--strategy",
        "russia=boulware(e=0.3)",
    )
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["protocol"] == "alternating" and data["agreement"] is not None


def test_run_prints_the_timeline_and_the_comparison() -> None:
    p = entente("run")
    assert p.returncode == 0, p.stderr
    for text in (
        "Timeline",
        "Theodore Roosevelt",
        "23 August (5 September) 1905",
        "Matches the historical outcome",
        "Distance to the Pareto frontier",
    ):
        assert text in p.stdout


def test_analyze_json() -> None:
    p = entente("analyze", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["outcomes"] == 248832 and data["approximate"] is False
    assert len(data["frontier"]) > 10 and all(len(v) == 2 for v in data["frontier"])
    assert set(data["nash"]) == {"outcome", "utilities"}
    assert data["history"]["pareto_distance"] <= 0.02


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("run", "--strategy", "japan=nonesuch"), "unknown strategy 'nonesuch'"),
        (("run", "--strategy", "japan"), "expected PARTY=SPEC"),
        (("run", "--strategy", "prussia=linear"), "strategy for 'prussia': no such party"),
        (("run", "no-such-scenario"), "no-such-scenario: no such file"),
        (("run", "--protocol", "telepathy"), "unknown protocol 'telepathy'"),
        (("run", "--seed", "x"), "Invalid value"),
    ],
)
def test_bad_input_is_one_line_and_status_2(args: tuple[str, ...], expected: str) -> None:
    p = entente(*args)
    assert p.returncode == 2
    assert expected in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_validate_names_file_line_and_field(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "entente" / "scenarios" / "portsmouth.toml"
    bad = tmp_path / "bad.toml"
    bad.write_text(re.sub(r"(?m)^korea = .*$", "korea = 'twenty'", src.read_text(), count=1))
    p = entente("validate", str(bad))
    assert p.returncode == 2
    line = next(
        n for n, t in enumerate(bad.read_text().splitlines(), 1) if t.startswith("korea = 'twenty'")
    )
    assert f"bad.toml:{line}: parties[0].weights.korea:" in p.stderr
    assert "valid number" in p.stderr
    ok = entente("validate", str(src))
    assert ok.returncode == 0 and "14 issues, 2 parties" in ok.stdout


def test_trace_write_is_atomic_on_error(tmp_path: Path) -> None:
    out = tmp_path / "t.jsonl"
    p = entente("run", "--strategy", "japan=nonesuch", "--trace", str(out))
    assert p.returncode == 2 and not out.exists()


def test_schema_and_list() -> None:
    schema = json.loads(entente("schema").stdout)
    assert schema["title"] == "entente scenario" and "parties" in schema["properties"]
    listing = entente("list").stdout
    for name in (
        "portsmouth",
        "mediated",
        "alternating",
        "boulware",
        "informed",
        "hillclimb",
        "learner",
    ):
        assert name in listing


def test_run_on_a_space_too_large_to_list_measures_against_an_approximate_frontier() -> None:
    folder = Path(__file__).parent / "data" / "genius" / "y2014" / "10issues"
    p = entente("run", str(folder), "--json", "--deadline", "40")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["pareto_approximate"] is True
    assert data["agreement"] is not None
    assert 0 <= data["pareto_distance"] < 0.5


def test_a_bare_ray_option_means_a_local_ray() -> None:
    from entente.cli import _optional_values

    assert _optional_values(["tournament", "x", "--ray"]) == ["tournament", "x", "--ray", "local"]
    assert _optional_values(["tournament", "--ray", "-s", "linear"]) == [
        "tournament",
        "--ray",
        "local",
        "-s",
        "linear",
    ]
    assert _optional_values(["tournament", "--ray", "10.0.0.1:6379"]) == [
        "tournament",
        "--ray",
        "10.0.0.1:6379",
    ]
