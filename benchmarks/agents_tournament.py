"""A tournament of the agents NegMAS ships natively, in entente and in NegMAS: same domains, same
rounds, every ordered pair (self-play too), one process each; then entente's canonical agents
alone, for scale.

    .venv/bin/python benchmarks/agents_tournament.py [--rounds 100] [--repetitions 1] [--domain DIR ...]

entente runs `run_tournament` in this process (`InProcess`), rows stored as Parquet, fsyncs
included. NegMAS runs one `SAOMechanism(n_steps=rounds)` per cell over the same outcome space
and the same linear additive utility functions (`_common.negmas_domain`). Both sides' mean
utilities per agent are printed next to each other, so that the work done is visibly the same
kind. Not part of the test suite; needs the `bench` extra (NegMAS).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DATA, have_negmas, negmas_domain
from entente.formats import genius
from entente.tournament import InProcess, Store, run_tournament

TESTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "genius"
DOMAINS = [TESTS / "y2011" / "Laptop", TESTS / "other" / "Jobs", DATA / "y2010" / "Travel"]
TWINS = {
    "micro": "MiCRONegotiator",
    "boulware": "BoulwareTBNegotiator",
    "conceder": "ConcederTBNegotiator",
    "linear": "LinearTBNegotiator",
    "nice_tft": "NiceTitForTatNegotiator",
}
"""entente's strategy and the NegMAS class of the same name (in `negmas.sao.negotiators`)."""
CANONICAL = ["micro", "hardheaded", "agentk", "cuhk", "atlas3", "nice_tft", "rvfit"]


def entente_tournament(
    domains: list[Path], specs: list[str], rounds: int, repetitions: int
) -> tuple[float, int, dict[str, float]]:
    """Seconds, negotiations and mean utility per strategy of one in-process tournament.

    The utility is that of the agreement undiscounted (the reservation value without one), as
    NegMAS's twin utility functions, which carry no discount, measure it; entente's own rows
    hold discounted utilities (Laptop's discount factor is 0.42)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "res"
        t0 = time.perf_counter()
        s = run_tournament(
            [str(d) for d in domains],
            specs,
            out,
            rounds=rounds,
            repetitions=repetitions,
            executor=InProcess(),
        )
        seconds = time.perf_counter() - t0
        rows = Store(out).read().to_pylist()
    prefs = {}
    for d in domains:
        sc = genius.load(d)
        prefs[sc.id] = sc.prefs
    got: dict[str, list[float]] = {}
    for row in rows:
        agreement = row["agreement"]
        for spec, p in zip(row["strategies"], prefs[row["scenario"]], strict=True):
            u = p(tuple(agreement)) if agreement is not None else p.reservation
            got.setdefault(spec.split("(")[0], []).append(float(u))
    return seconds, s.ran, {n: sum(v) / len(v) for n, v in got.items()}


def negmas_tournament(
    domains: list[Path], names: list[str], rounds: int, repetitions: int
) -> tuple[float, int, dict[str, float]]:
    """The same grid in NegMAS: seconds, negotiations, mean utility per agent."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import negmas.sao.negotiators as negs
        from negmas import SAOMechanism

    classes = {n: getattr(negs, TWINS[n]) for n in names}
    twins = []
    for d in domains:
        sc = genius.load(d)
        twins.append(negmas_domain(sc.space, sc.prefs))
    utilities: dict[str, list[float]] = {n: [] for n in names}
    ran = 0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for os_, ufuns in twins:
            for a in names:
                for b in names:
                    for _ in range(repetitions):
                        m = SAOMechanism(outcome_space=os_, n_steps=rounds)
                        m.add(classes[a](), ufun=ufuns[0])
                        m.add(classes[b](), ufun=ufuns[1])
                        state = m.run()
                        ran += 1
                        for name, u in ((a, ufuns[0]), (b, ufuns[1])):
                            got = state.agreement
                            value = u(got) if got is not None else u.reserved_value
                            utilities[name].append(float(value))
    seconds = time.perf_counter() - t0
    return seconds, ran, {n: sum(v) / len(v) for n, v in utilities.items()}


def warm(domains: list[Path], names: list[str]) -> None:
    """One small untimed run on each side: first imports and caches are not the work measured."""
    entente_tournament(domains[:1], names[:2], 5, 1)
    if have_negmas():
        negmas_tournament(domains[:1], names[:2], 5, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--repetitions", type=int, default=1)
    ap.add_argument("--domain", type=Path, action="append", help="a GENIUS folder; repeat")
    args = ap.parse_args()
    domains = [d for d in args.domain or DOMAINS if d.exists()]
    names = list(TWINS)
    print(f"domains: {', '.join(d.name for d in domains)}; rounds {args.rounds}")
    warm(domains, names)
    ours_s, ours_n, ours_u = entente_tournament(domains, names, args.rounds, args.repetitions)
    print(f"entente, {', '.join(names)}: {ours_n} negotiations in {ours_s:.3f} s")
    if have_negmas():
        theirs_s, theirs_n, theirs_u = negmas_tournament(
            domains, names, args.rounds, args.repetitions
        )
        print(f"NegMAS, {', '.join(TWINS[n] for n in names)}: {theirs_n} in {theirs_s:.3f} s")
        print(f"ratio (NegMAS / entente): {theirs_s / ours_s:.1f}x (target >= 50x)")
        print("mean utility per agent   entente   NegMAS")
        for n in names:
            print(f"  {n:<22} {ours_u.get(n, float('nan')):8.3f} {theirs_u[n]:8.3f}")
        print("self-play of each agent alone       entente s   NegMAS s   ratio")
        for n in names:
            a, k, _ = entente_tournament(domains, [n], args.rounds, args.repetitions)
            b, _, _ = negmas_tournament(domains, [n], args.rounds, args.repetitions)
            print(f"  {n:<8} {TWINS[n]:<25} {a:9.3f} {b:10.3f} {b / a:6.1f}x  ({k} talks)")
    else:
        print("NegMAS is not installed: entente timed alone (pip install -e '.[bench]')")
    can_s, can_n, _ = entente_tournament(domains, CANONICAL, args.rounds, args.repetitions)
    print(f"entente, canonical agents {', '.join(CANONICAL)}: {can_n} in {can_s:.3f} s")


if __name__ == "__main__":
    main()
