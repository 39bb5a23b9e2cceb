"""The canonical agents in entente and in NegMAS, side by side: same domain, same rounds, and
where their moves differ.

    .venv/bin/python benchmarks/agents_vs_negmas.py [--rounds 60] [--outcomes 1000] [--seed 0]

Each section runs the two libraries' versions of one agent against themselves (and where it
helps, against a fixed opponent) and prints the first move at which the offer sequences part,
the agreements, and the rounds. Not part of the test suite; needs the `bench` extra.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import have_negmas, negmas_domain, random_domain
from entente.negotiation.actions import Accept, Offer
from entente.negotiation.alternating import AlternatingOffers
from entente.negotiation.session import run
from entente.negotiation.strategies.micro import MiCRO
from entente.prefs import Preferences
from entente.space import OutcomeSpace

Trace = list[tuple[int, str, tuple[int, ...] | None]]
"""(party, 'offer' or 'accept', outcome) per move."""


def entente_trace(
    strategies: list[Any], space: OutcomeSpace, prefs: Any, rounds: int, seed: int
) -> tuple[Trace, Any]:
    r = run(AlternatingOffers(), strategies, space, prefs, deadline=rounds, seed=seed)
    moves: Trace = []
    for m in r.moves:
        if isinstance(m.action, Offer):
            moves.append((m.actor, "offer", m.action.outcome))
        elif isinstance(m.action, Accept):
            moves.append((m.actor, "accept", None))
    return moves, r.agreement


def negmas_trace(
    negotiators: list[Any], space: OutcomeSpace, prefs: Any, rounds: int
) -> tuple[Trace, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from negmas import SAOMechanism

        os_, ufuns = negmas_domain(space, prefs)
        m = SAOMechanism(outcome_space=os_, n_steps=rounds)
        for neg, u in zip(negotiators, ufuns, strict=True):
            m.add(neg, ufun=u)
        state = m.run()
    index = [{o: i for i, o in enumerate(iss.options)} for iss in space.issues]
    order = {n.id: i for i, n in enumerate(m.negotiators)}

    def ours(outcome: Any) -> tuple[int, ...] | None:
        if outcome is None:
            return None
        return tuple(index[i][v] for i, v in enumerate(outcome))

    moves: Trace = []
    for step in m.extended_trace:
        _, who, outcome = step
        moves.append((order[who], "offer", ours(outcome)))
    return moves, ours(state.agreement)


def compare(title: str, a: tuple[Trace, Any], b: tuple[Trace, Any], prefs: Any) -> None:
    (ta, agree_a), (tb, agree_b) = a, b
    offers_a = [m for m in ta if m[1] == "offer"]
    offers_b = [m for m in tb if m[1] == "offer"]
    print(f"== {title}")
    print(f"  offers: entente {len(offers_a)}, NegMAS {len(offers_b)}")
    part = next(
        (i for i, (x, y) in enumerate(zip(offers_a, offers_b, strict=False)) if x != y), None
    )
    if part is None:
        n = min(len(offers_a), len(offers_b))
        print(f"  the first {n} offers are the same")
    else:
        x, y = offers_a[part], offers_b[part]
        ux = [round(p(x[2]), 4) for p in prefs]
        uy = [round(p(y[2]), 4) for p in prefs] if y[2] is not None else None
        print(f"  offers part at offer {part}: entente {x} {ux}, NegMAS {y} {uy}")
    for name, agreed in (("entente", agree_a), ("NegMAS", agree_b)):
        u = [round(p(agreed), 4) for p in prefs] if agreed is not None else None
        print(f"  {name}: agreement {agreed} utilities {u}")


def micro(space: OutcomeSpace, prefs: Any, rounds: int, seed: int) -> None:
    from negmas.gb.negotiators.micro import MiCRONegotiator

    compare(
        "MiCRO against itself",
        entente_trace([MiCRO(), MiCRO()], space, prefs, rounds, seed),
        negmas_trace([MiCRONegotiator(), MiCRONegotiator()], space, prefs, rounds),
        prefs,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--outcomes", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reservation", type=float, default=0.3)
    args = ap.parse_args()
    if not have_negmas():
        sys.exit("NegMAS is not installed: .venv/bin/pip install -e '.[bench]'")
    space, base = random_domain(args.outcomes, seed=args.seed)
    prefs: tuple[Preferences, ...] = tuple(replace(p, reservation=args.reservation) for p in base)
    micro(space, prefs, args.rounds, args.seed)


if __name__ == "__main__":
    main()
