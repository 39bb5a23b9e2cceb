"""`entente.frontier` against NegMAS's `pareto_frontier` on every linear GENIUS domain of the
shared data, small ones included: min, median and max of the ratio.

python benchmarks/frontier_all.py [--max-outcomes N] [--repeats R]

entente's time is the public call from a loaded scenario with nothing cached: every outcome's
utilities, the frontier and the Nash point (best of `--repeats`). NegMAS's is its best of as
many runs where one takes under 50 ms, else one run. NegMAS gets the same utilities through its own
classes (`_common.negmas_domain`) and runs `pareto_frontier`. Domains with more than two
parties, nonlinear utilities or more outcomes than `--max-outcomes` are skipped (listed).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks._common import DATA, best_of, negmas_domain, negmas_frontier, warm_up
from entente import api
from entente.formats import genius


def _cold_frontier(scenario: object) -> api.Frontier:
    api._EXACT.clear()  # nothing kept from an earlier call: utilities, frontier, Nash point
    api.table.cache_clear()
    return api.frontier(scenario)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max-outcomes", type=int, default=400_000)
    ap.add_argument("--repeats", type=int, default=5, help="entente runs per domain (best kept)")
    args = ap.parse_args(argv)
    warm_up()
    ratios: list[float] = []
    skipped: list[str] = []
    print(f"{'domain':32} {'outcomes':>9} {'NegMAS ms':>10} {'entente ms':>10} {'ratio':>7}")
    for folder in sorted(p for year in sorted(DATA.iterdir()) for p in sorted(year.iterdir())):
        name = f"{folder.parent.name}/{folder.name}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                s = genius.load(folder)
        except Exception as e:  # a domain entente refuses is listed, not timed
            skipped.append(f"{name} (not loaded: {type(e).__name__})")
            continue
        if len(s.parties) != 2 or any(p.linear is None for p in s.prefs):
            skipped.append(f"{name} ({len(s.parties)} parties or nonlinear)")
            continue
        if not s.space.enumerable or s.space.size > args.max_outcomes:
            skipped.append(f"{name} ({s.space.size:,} outcomes)")
            continue
        ours_s, _ = best_of(lambda s=s: _cold_frontier(s), args.repeats)
        twin = negmas_domain(s.space, s.prefs)
        theirs_s, _ = best_of(lambda twin=twin: negmas_frontier(*twin), 1)
        if theirs_s < 0.05:  # quick enough to give NegMAS the same best-of as entente
            again, _ = best_of(lambda twin=twin: negmas_frontier(*twin), args.repeats)
            theirs_s = min(theirs_s, again)
        ratio = theirs_s / ours_s
        ratios.append(ratio)
        print(
            f"{name:32} {s.space.size:>9,} {theirs_s * 1e3:>10.1f} {ours_s * 1e3:>10.2f} "
            f"{ratio:>6.0f}x",
            flush=True,
        )
    r = np.array(ratios)
    print(
        f"\n{len(r)} domains: ratio min {r.min():.0f}x, median {np.median(r):.0f}x, "
        f"max {r.max():.0f}x; below 30x: {int((r < 30).sum())}"
    )
    for line in skipped:
        print("skipped:", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
