"""Tournaments: batch equals the driver loop, executors agree, a killed run resumes exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")

from entente import registry  # noqa: E402
from entente.negotiation.session import run  # noqa: E402
from entente.tournament import InProcess, Processes, Store, leaderboard, run_tournament  # noqa: E402
from entente.tournament.batch import batchable  # noqa: E402
from entente.tournament.grid import cells  # noqa: E402
from entente.tournament.play import Task, play  # noqa: E402
from entente.tournament.prepared import prepare  # noqa: E402
from genius_paths import DATA, SHARED  # noqa: E402

LAPTOP = str(DATA / "y2011" / "Laptop")
BATCHED = [  # every built-in strategy the batched engine plays (those that declare targets)
    n
    for n in registry.strategy_names(mediator=False)
    if n in registry._BUILTIN and batchable(registry.strategy(n))
]
DOMAINS = [
    LAPTOP,
    str(DATA / "other" / "IntegerDomain"),
    "portsmouth",
    *[
        str(SHARED / d)
        for d in ("y2010/EnglandZimbabwe", "y2010/ItexvsCypress", "y2011/Grocery")
        if (SHARED / d).is_dir()
    ],
]


def _strip(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return sorted(({k: v for k, v in r.items() if k != "seconds"} for r in rows), key=str)


@pytest.mark.parametrize("source", DOMAINS)
@pytest.mark.parametrize("deadline", [100, 17])
def test_batch_equals_driver_loop(source: str, deadline: int) -> None:
    prep = prepare(source)
    sc = prep.scenario
    k = len(sc.parties)
    assert len(BATCHED) >= 7
    grid = cells([(sc.id, k)], BATCHED if k == 2 else BATCHED[:4], 1, seed=5)
    rows = play(Task(source, tuple(grid), deadline))
    for cell, row in zip(grid, rows, strict=True):
        res = run(
            registry.protocol("alternating"),
            [registry.strategy(s) for s in cell.specs],
            sc.space,
            sc.prefs,
            deadline=deadline,
            seed=cell.seed,
            table=prep.table,
        )
        want = None if res.agreement is None else list(res.agreement)
        assert row["agreement"] == want, cell.specs
        assert row["rounds"] == res.rounds, cell.specs
        assert row["utilities"] == [float(x) for x in res.utilities], cell.specs


def test_cell_seeds_do_not_depend_on_grid_order() -> None:
    a = {c.key: c.seed for c in cells([("x", 2)], ["p", "q", "r"], 2, seed=3)}
    b = {c.key: c.seed for c in cells([("x", 2)], ["r", "p"], 2, seed=3)}
    assert all(a[key] == seed for key, seed in b.items())
    assert len(set(a.values())) == len(a)
    assert {c.seed for c in cells([("x", 2)], ["p"], 1, seed=4)} != {a["x|p|p|0"]}


def test_executors_give_the_same_rows(tmp_path: Path) -> None:
    specs = ["boulware", "tit_for_tat", "random(p_accept=0.3)"]
    kw = {"rounds": 30, "repetitions": 2, "seed": 11}
    run_tournament([LAPTOP, "portsmouth"], specs, tmp_path / "a", executor=InProcess(), **kw)
    run_tournament(
        [LAPTOP, "portsmouth"], specs, tmp_path / "b", executor=Processes(2), chunk=5, **kw
    )
    a = Store(tmp_path / "a").read().to_pylist()
    b = Store(tmp_path / "b").read().to_pylist()
    assert len(a) == 2 * 9 * 2  # two scenarios of two parties, 3 x 3 assignments
    assert _strip(a) == _strip(b)
    # the batch and the loop agree inside a tournament too
    loop = [r for t in _tasks(a, batch=False) for r in play(t)]
    assert _strip([r for r in a if r["scenario"] == "Laptop"]) == _strip(loop)


def _tasks(rows: list[dict[str, object]], batch: bool) -> list[Task]:
    grid = cells(
        [("Laptop", 2)],
        ["boulware(e=0.2)", "tit_for_tat(factor=1.0, kindness=0.02)", "random(p_accept=0.3)"],
        2,
        seed=11,
    )
    return [Task(LAPTOP, tuple(grid), 30, batch=batch)]


def test_ray_gives_the_same_rows(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from entente.tournament import Ray

    kw = {"rounds": 20, "repetitions": 1, "seed": 2}
    specs = ["conceder", "random"]
    run_tournament([LAPTOP], specs, tmp_path / "a", executor=InProcess(), **kw)
    run_tournament([LAPTOP], specs, tmp_path / "r", executor=Ray(None, 1), **kw)
    assert _strip(Store(tmp_path / "a").read().to_pylist()) == _strip(
        Store(tmp_path / "r").read().to_pylist()
    )


_CHILD = """
import sys
from entente.tournament import InProcess, run_tournament
run_tournament([sys.argv[1]], ["random", "learner", "boulware"], sys.argv[2], rounds=60,
               repetitions=12, seed=9, resume=True, executor=InProcess(), chunk=1,
               flush_seconds=0.0)
"""


def test_resume_after_sigkill_stores_each_row_once(tmp_path: Path) -> None:
    out = tmp_path / "res"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, LAPTOP, str(out)])
    store = Store(out)
    deadline = time.monotonic() + 60
    while len(store.parts()) < 3 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    assert child.poll() is None, "the run ended before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    stored = len(store.keys())
    assert 0 < stored < 9 * 12
    subprocess.run([sys.executable, "-c", _CHILD, LAPTOP, str(out)], check=True)
    rows = store.read().to_pylist()
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)) == 9 * 12
    assert not list(out.glob(".*.tmp"))
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-c", _CHILD, LAPTOP, str(fresh)], check=True)
    assert _strip(rows) == _strip(Store(fresh).read().to_pylist())


def test_store_refuses_to_mix_runs(tmp_path: Path) -> None:
    from entente.errors import EntenteError

    run_tournament([LAPTOP], ["linear"], tmp_path, rounds=5)
    with pytest.raises(EntenteError, match="--resume"):
        run_tournament([LAPTOP], ["linear"], tmp_path, rounds=5)
    with pytest.raises(EntenteError, match="another tournament"):
        run_tournament([LAPTOP], ["linear"], tmp_path, rounds=6, resume=True)
    s = run_tournament([LAPTOP], ["linear"], tmp_path, rounds=5, resume=True)
    assert (s.total, s.skipped, s.ran) == (1, 1, 0)


def test_leaderboard_matches_hand_computation() -> None:
    rows = pa.Table.from_pylist(
        [
            {
                "strategies": ["a", "b"],
                "utilities": [0.9, 0.3],
                "agreement": [1, 2],
                "rounds": 10,
                "welfare": 1.2,
            },
            {
                "strategies": ["b", "a"],
                "utilities": [0.5, 0.7],
                "agreement": [0, 0],
                "rounds": 20,
                "welfare": 1.2,
            },
            {
                "strategies": ["a", "a"],
                "utilities": [0.1, 0.2],
                "agreement": None,
                "rounds": 30,
                "welfare": 0.3,
            },
            {
                "strategies": ["c", "c"],
                "utilities": [0.4, 0.4],
                "agreement": [3, 3],
                "rounds": 4,
                "welfare": 0.8,
            },
        ]
    )
    board = {s.strategy: s for s in leaderboard(rows, seed=1)}
    a, b, c = board["a"], board["b"], board["c"]
    assert [s.strategy for s in leaderboard(rows, seed=1)] == [
        "a",
        "b",
        "c",
    ]  # 0.475, then 0.4 twice (by name)
    assert a.n == 4 and b.n == 2 and c.n == 2
    assert a.utility.mean == pytest.approx((0.9 + 0.7 + 0.1 + 0.2) / 4)
    assert a.agreement.mean == pytest.approx(0.5)
    assert a.rounds.mean == pytest.approx((10 + 20 + 30 + 30) / 4)
    assert a.welfare.mean == pytest.approx((1.2 + 1.2 + 0.3 + 0.3) / 4)
    assert b.utility.mean == pytest.approx(0.4) and b.rounds.mean == 15
    for e in (a.utility, a.agreement, a.rounds, a.welfare, b.utility):
        assert e.low <= e.mean <= e.high
    assert (c.utility.low, c.utility.high) == (0.4, 0.4)
    assert a.utility.low >= 0.1 and a.utility.high <= 0.9
    # resamples of two values: the mean is 0.3, 0.4 or 0.5 with probabilities 1/4, 1/2, 1/4
    assert b.utility.low == pytest.approx(0.3) and b.utility.high == pytest.approx(0.5)
    again = {s.strategy: s for s in leaderboard(rows, seed=1)}
    assert again["a"] == a


def test_cli_tournament_and_leaderboard(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from entente.cli.tournament import register
    from entente.errors import EntenteError

    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """entente"""

    register(app)
    runner = CliRunner()
    out = tmp_path / "res"
    args = ["tournament", LAPTOP, "-s", "boulware", "-s", "conceder", "--rounds", "20"]
    r = runner.invoke(app, [*args, "--executor", "inprocess", "-o", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["leaderboard", str(out), "--json"])
    assert r.exit_code == 0, r.output
    board = json.loads(r.stdout)
    assert {s["strategy"] for s in board} == {"boulware(e=0.2)", "conceder(e=5.0)"}
    assert all(s["n"] == 4 for s in board)
    # a user's mistake is an EntenteError, which `entente.cli.main` reports (exit status 2)
    r = runner.invoke(app, [*args, "--executor", "inprocess", "-o", str(out)])
    assert isinstance(r.exception, EntenteError) and "--resume" in str(r.exception)
    r = runner.invoke(app, ["tournament", "nowhere", "-s", "boulware", "-o", str(tmp_path / "x")])
    assert isinstance(r.exception, EntenteError)
    r = runner.invoke(app, ["leaderboard", str(tmp_path / "empty")])
    assert isinstance(r.exception, EntenteError)
    assert np.isfinite(board[0]["utility"]["mean"])
