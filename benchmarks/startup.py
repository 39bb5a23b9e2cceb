"""Start-up: how long `import entente` and short commands take, as a user waits for them.

    .venv/bin/python benchmarks/startup.py                              # 15 runs each
    .venv/bin/python benchmarks/startup.py --baseline /tmp/base/src     # and an older checkout

Each command runs `--runs` times in a fresh interpreter (after two runs to warm the disk cache);
the table gives the median and the fastest wall time, and the median CPU time (user + system)
of the process, which a machine shared with other work disturbs less than the wall time. With
`--baseline SRC` (e.g. `git archive COMMIT src | tar -x -C /tmp/base`), the same commands run
with the code under SRC, interleaved with this checkout's runs, so that both see the same load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAPTOP = str(ROOT / "tests" / "data" / "genius" / "y2011" / "Laptop")

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "import numpy": ["-c", "import numpy"],
    "import entente": ["-c", "import entente"],
    "entente --help": ["-m", "entente", "--help"],
    "entente run": ["-m", "entente", "run"],
    "entente run Laptop": ["-m", "entente", "run", LAPTOP],
    "entente validate Laptop": ["-m", "entente", "validate", LAPTOP],
}


def once(args: list[str], src: str) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `python ARGS` with `src` first on the path."""
    env = {**os.environ, "PYTHONPATH": src, "COLUMNS": "100"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"python {' '.join(args)} failed (PYTHONPATH={src})")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--baseline", help="src folder of another checkout, measured alongside")
    a = ap.parse_args()
    sources = [("now", str(ROOT / "src"))] + ([("baseline", a.baseline)] if a.baseline else [])
    print(f"{a.runs} runs each, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print("| command | code | median wall | fastest wall | median CPU |")
    print("|---|---|---:|---:|---:|")
    for name, args in COMMANDS.items():
        times: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in sources}
        for _, src in sources:
            once(args, src)
            once(args, src)
        for _ in range(a.runs):
            for label, src in sources:
                times[label].append(once(args, src))
        for label, _ in sources:
            wall = [w for w, _ in times[label]]
            cpu = [c for _, c in times[label]]
            print(
                f"| `{name}` | {label} | {statistics.median(wall) * 1000:,.0f} ms | "
                f"{min(wall) * 1000:,.0f} ms | {statistics.median(cpu) * 1000:,.0f} ms |",
                flush=True,
            )


if __name__ == "__main__":
    main()
