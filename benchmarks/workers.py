"""Tournament throughput in one process and with 1, 2, ... worker processes.

    .venv/bin/python benchmarks/workers.py                       # this machine's cores
    .venv/bin/python benchmarks/workers.py --repetitions 2000 --workers 1 2 4 8 16
    .venv/bin/python benchmarks/workers.py --baseline /tmp/base/src   # another checkout, too

Each run is a fresh interpreter (so pool start-up, imports and scenario preparation count, as
they do for a user) that runs `run_tournament` into a new folder; the figure is negotiations per
second of the run's wall time. CPU seconds are those of the whole run (the process, its fork server and
its workers): on a machine shared with other work, negotiations per CPU second show whether
workers waste work even when the wall-clock figures cannot show them scaling. With `--baseline SRC`, the same runs are made with the code under
SRC (e.g. an older commit: `git archive COMMIT src | tar -x -C /tmp/base`) in the same session,
one after the other, so the two can be compared on the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAPTOP = str(ROOT / "tests" / "data" / "genius" / "y2011" / "Laptop")
BATCHED = ["boulware", "conceder", "linear", "aspiration", "tit_for_tat", "hardliner"]
LOOPED = ["random", "learner"]

CHILD = """
import json, sys, time
start = time.perf_counter()
from entente.tournament import run_tournament
import entente.tournament as t
name, workers, out, reps, rounds, specs = sys.argv[1:7]
workers = int(workers)
ex = {"inprocess": lambda: t.InProcess(), "processes": lambda: t.Processes(workers),
      "auto": lambda: t.Auto(workers)}[name]()
s = run_tournament([%r], specs.split(","), out, repetitions=int(reps), rounds=int(rounds),
                   executor=ex)
process = time.perf_counter() - start
import multiprocessing.forkserver as fs, resource
if getattr(fs._forkserver, "_forkserver_pid", None):
    fs._forkserver._stop()  # reaped: its CPU time and its workers' count as this process's
cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF,
          resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))
print(json.dumps({"ran": s.ran, "seconds": s.seconds, "process": process, "cpu": cpu}))
"""


def one(
    src: str, name: str, workers: int, reps: int, rounds: int, specs: list[str]
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": src}
        args = [name, str(workers), str(Path(tmp) / "out"), str(reps), str(rounds), ",".join(specs)]
        done = subprocess.run(
            [sys.executable, "-c", CHILD % LAPTOP, *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(done.stderr)
        return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repetitions", type=int, default=1000, help="per cell (36 cells each)")
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--workers", type=int, nargs="+", default=None, help="default: 1..cores")
    ap.add_argument("--looped", action="store_true", help="add strategies that are not batched")
    ap.add_argument("--repeats", type=int, default=1, help="runs of each; the best is kept")
    ap.add_argument("--baseline", help="src folder of another checkout, measured alongside")
    ap.add_argument("--auto", action="store_true", help="also the auto executor")
    a = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    workers = a.workers or list(range(1, cores + 1))
    specs = BATCHED + (LOOPED if a.looped else [])
    n = len(specs) ** 2 * a.repetitions
    print(
        f"Laptop, {len(specs)} strategies, {n:,} negotiations of {a.rounds} rounds, {cores} cores"
    )
    sources = [("now", str(ROOT / "src"))] + ([("baseline", a.baseline)] if a.baseline else [])
    runs = [("inprocess", 1)] + [("processes", w) for w in workers]
    if a.auto:
        runs.append(("auto", max(workers)))
    print(
        "| code | executor | workers | negotiations/s | x one process | run s | process s "
        "| CPU s | negotiations per CPU s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, src in sources:
        base = None
        for name, w in runs:
            if name == "auto" and label == "baseline":
                continue
            best = min(
                (one(src, name, w, a.repetitions, a.rounds, specs) for _ in range(a.repeats)),
                key=lambda r: r["seconds"],
            )
            rate = best["ran"] / best["seconds"]
            base = base or rate
            print(
                f"| {label} | {name} | {w if name != 'inprocess' else '-'} | {rate:,.0f} | "
                f"{rate / base:.2f} | {best['seconds']:.2f} | {best['process']:.2f} | "
                f"{best['cpu']:.2f} | {best['ran'] / best['cpu']:,.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
