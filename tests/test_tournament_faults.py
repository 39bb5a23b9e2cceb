"""Tournaments under faults: one-line errors, a locked folder, fingerprints, full disks, kills."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")

from cli_run import Ran, assert_refused, cli  # noqa: E402
from entente.errors import EntenteError  # noqa: E402
from entente.tournament import Store, leaderboard, run_tournament  # noqa: E402
from entente.tournament import store as store_module  # noqa: E402
from entente.tournament.fingerprint import fingerprint  # noqa: E402
from genius_paths import DATA  # noqa: E402

LAPTOP = str(DATA / "y2011" / "Laptop")
FAST = ["boulware", "conceder"]


def assert_one_line_error(code: int, err: str, *expected: str) -> None:
    assert_refused(Ran(code, "", err), *expected)


def _small(out: Path, **kw: Any) -> Any:
    return run_tournament([LAPTOP], FAST, out, rounds=10, **kw)


BAD = [
    (["-s", "bolware"], "unknown strategy 'bolware'"),
    (["-s", "boulware", "-s", "bolware"], "unknown strategy 'bolware'"),
    (["-s", "boulware(e=0)"], "boulware"),
    (["-s", "hillclimb"], "mediator"),
    (["-s", "boulware", "--rounds", "0"], "--rounds"),
    (["-s", "boulware", "--rounds", "-5"], "--rounds"),
    (["-s", "boulware", "--repetitions", "0"], "--repetitions"),
    (["-s", "boulware", "--workers", "-2"], "--workers"),
    (["-s", "boulware", "--seed", "-1"], "--seed"),
    (["-s", "boulware", "--mediator", "hillclimb"], "--mediator"),
    (["-s", "boulware", "--protocol", "mediated", "--mediator", "linear"], "mediator"),
    (["-s", "boulware", "--protocol", "nope"], "nope"),
]


@pytest.mark.parametrize(("args", "expected"), BAD)
def test_bad_tournament_arguments_are_one_line_errors_and_write_nothing(
    args: list[str],
    expected: str,
    tmp_path: Path,
) -> None:
    out = tmp_path / "res"
    argv = ["tournament", LAPTOP, *args, "--executor", "inprocess", "-o", str(out)]
    code, stdout, err = cli(*argv)
    assert_one_line_error(code, err, expected)
    assert not out.exists() and stdout == ""


def test_every_scenario_and_strategy_is_checked_before_the_first_negotiation(
    tmp_path: Path,
) -> None:
    ran: list[int] = []
    for scenarios, specs in (
        ([LAPTOP, str(tmp_path / "nowhere")], FAST),
        ([LAPTOP], [*FAST, "bolware"]),
        ([LAPTOP, "portsmouth"], [*FAST, "random(p_accept=2, x=1)"]),
    ):
        with pytest.raises(EntenteError):
            run_tournament(scenarios, specs, tmp_path / "res", on_rows=ran.append)
    assert not ran and not (tmp_path / "res").exists()


def test_leaderboard_errors(tmp_path: Path) -> None:
    code, _, err = cli("leaderboard", str(tmp_path / "missing"))
    assert_one_line_error(code, err, str(tmp_path / "missing"), "no tournament results")
    code, _, err = cli("leaderboard", str(tmp_path), "--seed", "-1")
    assert_one_line_error(code, err, "--seed")
    _small(tmp_path / "res")
    (tmp_path / "res" / "part-zz.parquet").write_bytes(b"not parquet")
    code, _, err = cli("leaderboard", str(tmp_path / "res"))
    assert_one_line_error(code, err, "part-zz.parquet")


def test_out_folder_holding_results_is_refused_without_resume(tmp_path: Path) -> None:
    out = tmp_path / "res"
    _small(out)
    before = sorted(p.name for p in out.iterdir())
    args = ["tournament", LAPTOP, "-s", "boulware", "--executor", "inprocess", "-o", str(out)]
    code, _, err = cli(*args)
    assert_one_line_error(code, err, str(out), "--resume")
    assert sorted(p.name for p in out.iterdir()) == before


def test_without_pyarrow_nothing_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    ran: list[int] = []
    with pytest.raises(EntenteError, match="pyarrow"):
        run_tournament([LAPTOP], FAST, tmp_path / "res", on_rows=ran.append)
    assert not ran and not (tmp_path / "res").exists()
    args = ["tournament", LAPTOP, "-s", "boulware", "--executor", "inprocess"]
    code, _, err = cli(*args, "-o", str(tmp_path / "res"))
    assert_one_line_error(code, err, "pip install")
    assert not (tmp_path / "res").exists()


def test_summary_says_one_negotiation(tmp_path: Path) -> None:
    out = str(tmp_path / "res")
    args = ["tournament", LAPTOP, "-s", "boulware", "--rounds", "5", "--executor", "inprocess"]
    code, _, err = cli(*args, "-o", out)
    assert code == 0, err
    assert "1 negotiation in " in err and "negotiations in" not in err
    code, _, err = cli(*args, "-o", out, "--resume")
    assert code == 0 and "nothing left to run: 1 already stored" in err


def _strategy_cells(table: str) -> list[str]:
    """The strategy column of a rendered leaderboard, one entry per row (folded lines joined)."""
    rows: list[str] = []
    for line in table.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[1]:  # a row begins where its plays are printed
            rows.append(cells[0])
        else:
            rows[-1] += (" " if rows[-1].endswith(",") else "") + cells[0]
    return rows


def test_leaderboard_never_cuts_a_strategy_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = ["boulware(e=0.1)", "boulware(e=0.2)", "tit_for_tat(factor=1.0, kindness=0.02)"]
    run_tournament([LAPTOP], specs, tmp_path / "res", rounds=10)
    monkeypatch.setenv("COLUMNS", "80")
    for shown in (specs[:2], specs):
        if shown != specs:
            run_tournament([LAPTOP], shown, tmp_path / "two", rounds=10)
        folder = tmp_path / ("two" if shown != specs else "res")
        code, stdout, err = cli("leaderboard", str(folder))
        assert code == 0, err
        assert all(len(line) <= 80 for line in stdout.splitlines())
        assert "…" not in stdout
        assert sorted(_strategy_cells(stdout)) == sorted(shown)
    for spec in specs[:2]:
        assert spec in stdout  # short specs keep their line


def test_a_locked_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "res"
    _small(out, repetitions=2)
    with open(out / store_module.LOCK, "rb") as held:  # another run holds the folder
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(EntenteError, match="another tournament run"):
            _small(out, repetitions=2, resume=True)
        args = ["tournament", LAPTOP, "-s", "boulware", "-s", "conceder", "--rounds", "10"]
        code, _, err = cli(*args, "--repetitions", "2", "--resume", "-o", str(out))
        assert_one_line_error(code, err, str(out), "another tournament run")
    s = _small(out, repetitions=2, resume=True)  # released: the resume goes on
    assert (s.total, s.skipped, s.ran) == (8, 8, 0)


_HOLDER = """
import sys, time
from entente.tournament import Store
with Store(sys.argv[1]).opened({}, resume=True):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_process_is_refused_while_the_first_holds_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "res"
    with subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(out)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            with pytest.raises(EntenteError, match="another tournament run"):
                _small(out, resume=True)
        finally:
            holder.kill()  # a killed run's lock goes with it
    (out / store_module.MANIFEST).unlink()
    s = _small(out, resume=True)
    assert s.ran == s.total == 4


def test_the_reader_counts_each_cell_once(tmp_path: Path) -> None:
    out = tmp_path / "res"
    _small(out, repetitions=3)
    store = Store(out)
    rows = store.read().to_pylist()
    # the same cells stored again (as two runs without a lock once did), with other timings
    again = [{**r, "seconds": -1.0} for r in rows]
    store.append(again[:5])
    store.append(again)
    assert len(store.parts()) == 3
    read = store.read()
    keys = read.column("key").to_pylist()
    assert keys == sorted(set(keys)) and len(keys) == len(rows)
    assert read.equals(store.read())  # the same choice every time
    board = {s.strategy: s.n for s in leaderboard(read)}
    assert board == {"boulware(e=0.2)": 12, "conceder(e=5.0)": 12}


def test_the_reader_keeps_the_row_of_the_first_part(tmp_path: Path) -> None:
    out = tmp_path / "res"
    _small(out)
    store = Store(out)
    (only,) = store.parts()
    rows = store.read().to_pylist()
    store.append([{**r, "seconds": -1.0} for r in rows])
    (later,) = [p for p in store.parts() if p != only]
    for name, sign in (("part-0.parquet", 1), ("part-~.parquet", -1)):
        later = later.rename(out / name)  # sorts first, then last
        seconds = store.read().column("seconds").to_pylist()
        assert all((x < 0) == (sign > 0) for x in seconds)


def _laptop_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios" / "Laptop"
    shutil.copytree(LAPTOP, folder)
    return folder


def test_resume_refuses_a_scenario_whose_content_changed(tmp_path: Path) -> None:
    folder = _laptop_copy(tmp_path)
    out = tmp_path / "res"
    kw: dict[str, Any] = {"rounds": 10, "repetitions": 2}
    run_tournament([str(folder)], FAST, out, **kw)
    profile = folder / "laptop_buyer_utility.xml"
    text = profile.read_text()
    # the same content written another way: comments, indentation, blank lines
    profile.write_text(text.replace("<weight ", "\n   <!-- same -->\n<weight "))
    s = run_tournament([str(folder)], FAST, out, resume=True, **kw)
    assert (s.skipped, s.ran) == (s.total, 0)
    profile.write_text(text.replace('value="0.4452125771655631"', 'value="0.5452125771655631"'))
    with pytest.raises(EntenteError, match="scenario Laptop changed") as e:
        run_tournament([str(folder)], FAST, out, resume=True, **kw)
    assert "\n" not in str(e.value)
    assert len(Store(out).read()) == 8  # nothing was added


def test_a_worker_refuses_a_scenario_edited_during_the_run(tmp_path: Path) -> None:
    from entente.tournament import prepared
    from entente.tournament.grid import cells
    from entente.tournament.play import Task, play
    from entente.tournament.prepared import load

    folder = _laptop_copy(tmp_path)
    source = str(folder)
    grid = tuple(cells([("Laptop", 2)], ["boulware(e=0.2)"], 1, seed=0))
    print_ = fingerprint(load(source))
    assert len(play(Task(source, grid, 10, fingerprint=print_))) == 1
    profile = folder / "laptop_buyer_utility.xml"
    profile.write_text(profile.read_text().replace("0.4452125771655631", "0.9"))
    prepared.prepare.cache_clear()  # as in a worker process started after the edit
    prepared._loaded.clear()
    with pytest.raises(EntenteError, match="changed while the tournament ran"):
        play(Task(source, grid, 10, fingerprint=print_))
    assert fingerprint(load(source)) != print_


def test_resume_accepts_the_same_grid_in_another_order(tmp_path: Path) -> None:
    out = tmp_path / "res"
    specs = ["boulware", "conceder", "linear"]
    kw: dict[str, Any] = {"rounds": 10, "seed": 3}
    run_tournament([LAPTOP, "portsmouth"], specs, out, **kw)
    s = run_tournament(["portsmouth", LAPTOP], specs[::-1], out, resume=True, **kw)
    assert (s.total, s.skipped, s.ran) == (18, 18, 0)
    with pytest.raises(EntenteError, match="strategies: stored"):
        run_tournament([LAPTOP, "portsmouth"], specs[:2], out, resume=True, **kw)
    with pytest.raises(EntenteError, match="seed: stored 3, given 4"):
        run_tournament([LAPTOP, "portsmouth"], specs, out, resume=True, rounds=10, seed=4)


def test_an_out_path_that_is_a_file_or_unwritable_is_one_line(tmp_path: Path) -> None:
    afile = tmp_path / "results.txt"
    afile.write_text("x")
    args = ["tournament", LAPTOP, "-s", "boulware", "--executor", "inprocess", "-o"]
    code, _, err = cli(*args, str(afile))
    assert_one_line_error(code, err, str(afile), "is a file")
    assert afile.read_text() == "x"
    for where in ("/proc/entente-results", str(afile / "below")):
        code, _, err = cli(*args, where)
        assert_one_line_error(code, err, where, "cannot write results there")


def test_a_full_disk_keeps_complete_parts_and_resume_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "res"
    fill = store_module._fill
    calls = [0]

    def full(f: Any, data: bytes) -> None:
        calls[0] += 1
        if calls[0] >= 4:  # the manifest and two parts fit; the third part does not
            f.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        fill(f, data)

    monkeypatch.setattr(store_module, "_fill", full)
    kw: dict[str, Any] = {"rounds": 10, "repetitions": 3, "chunk": 1, "flush_seconds": 0.0}
    with pytest.raises(EntenteError, match="No space left on device") as e:
        run_tournament([LAPTOP], FAST, out, **kw)
    assert "--resume" in str(e.value) and "\n" not in str(e.value)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [*(p.name for p in Store(out).parts()), "tournament.json", "tournament.lock"]
    )
    assert len(Store(out).parts()) == 2 and len(Store(out).read()) == 2
    monkeypatch.setattr(store_module, "_fill", fill)
    s = run_tournament([LAPTOP], FAST, out, resume=True, **kw)
    assert (s.total, s.skipped, s.ran) == (12, 2, 10)
    fresh = tmp_path / "fresh"
    run_tournament([LAPTOP], FAST, fresh, **kw)
    drop = ["seconds"]
    assert Store(out).read().drop_columns(drop).equals(Store(fresh).read().drop_columns(drop))
    # through the command: one line, exit 2
    calls[0] = 2  # the manifest fits, the one part does not
    monkeypatch.setattr(store_module, "_fill", full)
    args = ["tournament", LAPTOP, "-s", "boulware", "--repetitions", "9", "--executor", "inprocess"]
    code, _, err = cli(*args, "-o", str(tmp_path / "cli"))
    assert_one_line_error(code, err, str(tmp_path / "cli"), "No space left on device")


def test_a_stray_temporary_file_is_removed_on_resume_and_ignored_in_reading(
    tmp_path: Path,
) -> None:
    out = tmp_path / "res"
    out.mkdir()
    stray = out / ".tournament.json.0123.tmp"  # killed during the first write of the manifest
    stray.write_text('{"format": 2, "scen')
    s = _small(out, resume=True)
    assert s.ran == s.total == 4 and not stray.exists()
    half = out / ".part-x.parquet.4567.tmp"  # killed during an append
    half.write_bytes(b"PAR1 half a file")
    assert len(Store(out).read()) == 4 and Store(out).keys()
    assert {s.strategy for s in leaderboard(Store(out).read())} == {
        "boulware(e=0.2)",
        "conceder(e=5.0)",
    }
    _small(out, resume=True)
    assert not half.exists()


def test_files_honour_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        _small(tmp_path / "res")
    finally:
        os.umask(old)
    files = [p for p in (tmp_path / "res").iterdir()]
    assert len(files) == 3
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {oct(0o640)}


_KILLED = """
import sys
from entente.tournament import Processes, run_tournament
run_tournament([sys.argv[1]], ["random", "learner", "boulware"], sys.argv[2], rounds=200,
               repetitions=400, seed=1, executor=Processes(2), chunk=2, flush_seconds=0.0)
"""


def _children() -> dict[int, int]:
    """Parent pid of every live (not zombie) process."""
    out: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":
            out[int(d.name)] = int(fields[1])
    return out


def _descendants(pid: int) -> set[int]:
    parent = _children()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, pp in parent.items() if pp in frontier} - found
        found |= frontier
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_when_the_tournament_is_killed(tmp_path: Path) -> None:
    out = tmp_path / "res"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED, LAPTOP, str(out)], stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while not Store(out).parts() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert child.poll() is None, "the run ended before it could be killed"
    family = _descendants(child.pid)
    assert len(family) >= 2  # the forkserver and at least one worker
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 8
    while family & set(_children()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not family & set(_children()), "worker processes outlived the tournament"
