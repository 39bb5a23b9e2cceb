"""Time `entente.sensitivity` on a built-in scenario (Portsmouth by default).

    .venv/bin/python benchmarks/sensitivity.py [--scenario portsmouth] [--draws 10000]
        [--seed 0] [--workers 1 2] [--repeats 1] [--tipping]

Each configuration runs `--repeats` times and the shortest time is kept; the time includes
compiling the scenario, every draw under the Nash point with its four bargaining points and
the random baselines, and the summaries (with `--tipping`, the tipping margins of every
uncertain number too). It also checks that the workers give the same numbers.
"""

from __future__ import annotations

import argparse
import json
import time

import entente
from entente.uncertainty import sensitivity


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--scenario", default="portsmouth")
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--tipping", action="store_true")
    args = ap.parse_args()
    sc = entente.load(args.scenario)
    print(f"{sc.id}: {len(sc.uncertain)} uncertain numbers, {sc.space.size:,} outcomes")
    seen = None
    for workers in args.workers:
        best = float("inf")
        for _ in range(args.repeats):
            start = time.perf_counter()
            found = sensitivity(sc, args.draws, args.seed, workers=workers, tipping=args.tipping)
            best = min(best, time.perf_counter() - start)
        text = json.dumps(found.as_dict(), sort_keys=True)
        same = "" if seen is None else ("; same numbers" if text == seen else "; NUMBERS DIFFER")
        seen = seen or text
        print(
            f"{args.draws:,} draws, workers {workers}, tipping {args.tipping}: {best:.2f} s "
            f"({1e3 * best / args.draws:.2f} ms per draw){same}"
        )


if __name__ == "__main__":
    main()
