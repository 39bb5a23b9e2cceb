"""Time every forecasting model on one large random case (350 issues x 27 actors by default).

    .venv/bin/python benchmarks/forecast.py [--issues 350] [--actors 27] [--seed 0]
        [--repeats 1] [--skip M ...]

Positions, saliences and capabilities are drawn from one seeded generator; the dynamic models
run with their default parameters, to convergence or to their round limit (the rounds run are
printed, and for the Condorcet model whether it converged and its last round's largest move,
on the unit scale). Each model runs `--repeats` times and the shortest time is kept; the time
includes everything the model does.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from entente.forecast import MODELS, Actors, forecast


def case(issues: int, actors: int, seed: int) -> Actors:
    rng = np.random.default_rng(seed)
    return Actors(
        names=tuple(f"actor{k}" for k in range(actors)),
        issues=tuple(f"issue{k}" for k in range(issues)),
        capability=rng.uniform(0.05, 1.0, actors),
        position=np.round(rng.uniform(0, 100, (actors, issues))),
        salience=np.round(rng.uniform(0, 1, (actors, issues)), 2),
        low=np.zeros(issues),
        high=np.full(issues, 100.0),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--issues", type=int, default=350)
    ap.add_argument("--actors", type=int, default=27)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--skip", nargs="*", default=[], choices=sorted(MODELS))
    args = ap.parse_args()
    data = case(args.issues, args.actors, args.seed)
    total = 0.0
    print(f"{args.issues} issues x {args.actors} actors, seed {args.seed}")
    for name in MODELS:
        if name in args.skip:
            continue
        dt = np.inf
        for _ in range(max(1, args.repeats)):
            t0 = time.perf_counter()
            f = forecast(data, name, seed=args.seed)
            dt = min(dt, time.perf_counter() - t0)
        total += dt
        note = f"rounds {f.details.get('rounds', '-')}"
        if "converged" in f.details:
            state = "converged" if f.details["converged"] else "not converged"
            note += f" ({state}, last move {f.details['last_change']:.2g})"
        print(f"{name:10s} {dt:8.3f} s  {note}")
    print(f"{'total':10s} {total:8.3f} s")


if __name__ == "__main__":
    main()
