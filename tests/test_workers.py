"""Workers: tasks as slices of the grid, rows stored where they are played, the executor that
picks in-process for small grids, chunk sizes. Throughput is measured by
benchmarks/workers.py, not here."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")

from entente.errors import EntenteError  # noqa: E402
from entente.tournament import Auto, InProcess, Processes, Store, executors, run_tournament  # noqa: E402
from entente.tournament.cells import Part, Slice, slices  # noqa: E402
from entente.tournament.fingerprint import fingerprint  # noqa: E402
from entente.tournament.grid import cells  # noqa: E402
from entente.tournament.play import Task, play, play_part  # noqa: E402
from entente.tournament.prepared import load  # noqa: E402
from entente.tournament.runner import MAX_CHUNK, MIN_CHUNK, chunk_size  # noqa: E402
from genius_paths import DATA  # noqa: E402

LAPTOP = str(DATA / "y2011" / "Laptop")
SPECS = ("boulware(e=0.2)", "random(p_accept=0.3)", "hardliner()")


def _strip(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return sorted(({k: v for k, v in r.items() if k != "seconds"} for r in rows), key=str)


@pytest.mark.parametrize("parties", [2, 3])
@pytest.mark.parametrize("self_play", [True, False])
def test_a_part_lists_the_cells_the_grid_lists(parties: int, self_play: bool) -> None:
    want = cells([("x", parties)], SPECS, 3, seed=7, self_play=self_play)
    part = Part("x", parties, SPECS, 3, 7, self_play)
    assert len(part) == len(want)
    assert [part.cell(i) for i in range(len(part))] == want
    assert [part.key(i) for i in range(len(part))] == [c.key for c in want]
    have = {want[1].key, want[-1].key}
    assert part.todo(have) == [i for i in range(len(want)) if i not in (1, len(want) - 1)]
    assert part.todo(set()) == list(range(len(want)))


def test_slices_keep_runs_as_ranges_and_pickle_small() -> None:
    part = Part("x", 2, SPECS, 2000, 1)
    cut = slices(part, [0, 1, 2, 3, 5, 6, 9], 4)
    assert [s.positions for s in cut] == [range(0, 4), (5, 6, 9)]
    assert [c.key for s in cut for c in s] == [part.key(i) for i in (0, 1, 2, 3, 5, 6, 9)]
    big = slices(part, range(len(part)), len(part))[0]
    sent = pickle.dumps(big)
    assert len(sent) < 1000 and len(big) == 18_000  # a few numbers, not 18,000 cells
    back = pickle.loads(sent)
    assert back == big and back[17_999] == big[17_999] == part.cell(17_999)
    assert list(back[3:6]) == [part.cell(i) for i in range(3, 6)]
    assert isinstance(back[3:6], Slice)


def test_play_part_stores_what_play_returns_and_counts_it(tmp_path: Path) -> None:
    task = Task(LAPTOP, Slice(Part("Laptop", 2, SPECS, 2, 3), range(18)), 20)
    n = play_part(task, str(tmp_path), flush_seconds=0.0)
    assert n == 18
    stored = Store(tmp_path).read().to_pylist()
    assert _strip(stored) == _strip(play(task))
    # with no time between flushes: the batched cells in one part, each looped cell in its own
    looped = sum(1 for c in task.cells if "random(p_accept=0.3)" in c.specs)
    assert len(Store(tmp_path).parts()) == 1 + looped


def test_a_long_flush_interval_writes_one_part(tmp_path: Path) -> None:
    task = Task(LAPTOP, tuple(cells([("Laptop", 2)], SPECS, 2, seed=3)), 20)
    assert play_part(task, str(tmp_path), flush_seconds=1e9) == 18
    assert len(Store(tmp_path).parts()) == 1


def test_auto_stays_in_process_for_a_small_grid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kw: object) -> None:
        raise AssertionError("a small grid started worker processes")

    monkeypatch.setattr(Processes, "run", refuse)
    kw: dict[str, Any] = {"rounds": 20, "repetitions": 30, "seed": 4, "chunk": 10}
    s = run_tournament([LAPTOP], list(SPECS), tmp_path / "a", executor=Auto(2), **kw)
    assert s.ran == 9 * 30


def test_auto_hands_a_long_grid_to_workers_with_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    went: list[int] = []
    real = Processes.run

    def spy(self: Processes, tasks: list[Task], *args: object) -> object:
        went.append(len(tasks))
        return real(self, tasks, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Processes, "run", spy)
    monkeypatch.setattr(executors, "PARALLEL_SECONDS", 0.0)
    kw: dict[str, Any] = {"rounds": 20, "repetitions": 4, "seed": 4, "chunk": 6}
    run_tournament([LAPTOP, "portsmouth"], list(SPECS), tmp_path / "a", executor=Auto(2), **kw)
    run_tournament([LAPTOP, "portsmouth"], list(SPECS), tmp_path / "b", executor=InProcess(), **kw)
    assert went == [2 * 36 // 6 - 2]  # the first two tasks ran here, the rest in workers
    a, b = (Store(tmp_path / x).read().to_pylist() for x in "ab")
    assert len(a) == 2 * 9 * 4 and _strip(a) == _strip(b)


def test_one_worker_and_one_task_stay_here_under_auto(tmp_path: Path) -> None:
    assert Auto(1).workers == 1
    with pytest.raises(EntenteError, match="workers must be 0"):
        Auto(-1)
    s = run_tournament([LAPTOP], ["linear"], tmp_path, rounds=5, executor=Auto(1))
    assert (s.total, s.ran) == (1, 1)


def test_chunks_give_workers_several_tasks_within_bounds() -> None:
    assert chunk_size(10, 1) == 10 and chunk_size(10**6, 1) == MAX_CHUNK
    assert chunk_size(10, 4) == 10  # never more than the grid: min(MIN_CHUNK, cells)
    assert chunk_size(1000, 2) == MIN_CHUNK
    assert chunk_size(200_000, 16) == 3125  # four tasks per worker
    assert chunk_size(10**7, 16) == MAX_CHUNK
    assert chunk_size(0, 2) == 1


def test_a_worker_refuses_a_scenario_that_changed_before_it_started(tmp_path: Path) -> None:
    folder = tmp_path / "Laptop"
    shutil.copytree(LAPTOP, folder)
    source = str(folder)
    was = fingerprint(load(source))
    profile = folder / "laptop_buyer_utility.xml"
    profile.write_text(profile.read_text().replace("0.4452125771655631", "0.9"))
    task = Task(source, tuple(cells([("Laptop", 2)], SPECS[:1], 1, seed=0)), 10, fingerprint=was)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(EntenteError, match="changed while the tournament ran"):
        list(Processes(1).run([task], str(out)))
    assert not Store(out).parts()
