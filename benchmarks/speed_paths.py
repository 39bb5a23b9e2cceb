"""Fast paths beside the plain computation they replace, in one run.

python benchmarks/speed_paths.py [three-parties] [fifty-issues] [--baseline-timeout S]

- three-parties: y2016/AgentHp2 (5,764,801 outcomes, three parties): the exact frontier by the
  three-party sweep (`pareto_mask`, and the whole `entente.frontier` call from a loaded
  scenario, utilities and Nash point included), against the general k-party skyline that
  three parties used before (run in a child process, stopped after --baseline-timeout).
- fifty-issues: the default negotiation on y2014/50issues, with neighbours evaluated
  incrementally and, as before, each from scratch (`prefs.utility` on every row); the two
  results must be identical.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks._common import DATA
from entente import api
from entente.formats import genius

SKYLINE = """
import sys, time, numpy as np
from entente.analysis.pareto import _skyline, tolerance
u = np.load(sys.argv[1])
t0 = time.perf_counter()
mask = _skyline(u, tolerance(u))
print(time.perf_counter() - t0, int(mask.sum()))
"""


def three_parties(baseline_timeout: float) -> None:
    from entente.analysis import pareto_mask

    t0 = time.perf_counter()
    s = genius.load(DATA / "y2016/AgentHp2")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    f = api.frontier(s)
    whole_s = time.perf_counter() - t0
    u = api.table(s).u
    t0 = time.perf_counter()
    mask = pareto_mask(u)
    mask_s = time.perf_counter() - t0
    print(f"AgentHp2: {s.space.size:,} outcomes, XML read in {load_s:.2f} s (not counted)")
    print(
        f"  entente.frontier (utilities, frontier, Nash): {whole_s:.2f} s, {len(f.utilities):,} points"
    )
    print(
        f"  pareto_mask, three-party sweep:               {mask_s:.2f} s, {int(mask.sum()):,} points"
    )
    path = Path("/tmp/entente_agenthp2_u.npy")
    np.save(path, u)
    try:
        out = subprocess.run(
            [sys.executable, "-c", SKYLINE, str(path)],
            capture_output=True,
            text=True,
            timeout=baseline_timeout,
            check=True,
        ).stdout.split()
        same = "same" if int(out[1]) == int(mask.sum()) else "DIFFERENT"
        print(
            f"  before: k-party skyline:                      {float(out[0]):.2f} s ({same} frontier)"
        )
    except subprocess.TimeoutExpired:
        print(
            f"  before: k-party skyline:                      > {baseline_timeout:.0f} s (stopped)"
        )
    finally:
        path.unlink(missing_ok=True)


def fifty_issues(repeats: int = 3) -> None:
    from entente import search

    s = genius.load(DATA / "y2014/50issues")

    def plain(self: search.LocalMoves, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nb = self.hood.of(x)
        return nb, self.prefs.utility(nb)

    fast = search.LocalMoves.of
    times: dict[str, float] = {}
    results = {}
    for name, of in (("incremental", fast), ("from scratch", plain)):
        search.LocalMoves.of = of  # type: ignore[method-assign]
        best = np.inf
        for _ in range(repeats):
            t0 = time.perf_counter()
            results[name] = api.negotiate(s)
            best = min(best, time.perf_counter() - t0)
        times[name] = best
    search.LocalMoves.of = fast  # type: ignore[method-assign]
    a, b = results["incremental"], results["from scratch"]
    same = (a.agreement, a.rounds, a.moves) == (b.agreement, b.rounds, b.moves)
    print(f"y2014/50issues default negotiation ({a.rounds} rounds), best of {repeats}:")
    print(f"  neighbours from scratch: {times['from scratch']:.2f} s")
    print(f"  incremental:             {times['incremental']:.2f} s")
    print(f"  identical results: {same}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("which", nargs="*", default=["three-parties", "fifty-issues"])
    ap.add_argument("--baseline-timeout", type=float, default=120.0)
    args = ap.parse_args(argv)
    if "three-parties" in args.which:
        three_parties(args.baseline_timeout)
    if "fifty-issues" in args.which:
        fifty_issues()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
