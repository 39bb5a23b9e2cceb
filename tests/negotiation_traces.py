"""Recorded traces of every built-in strategy under every protocol: a change that should not
alter play (how strategies read the view, how a protocol derives its end) is checked against
them. `python tests/negotiation_traces.py` records them again (only for a change meant to
alter play); tests/data/traces/README.md says when they were recorded."""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from entente import registry
from entente.conformance import domain
from entente.negotiation.session import run, trace_jsonl

RECORDED = Path(__file__).parent / "data" / "traces" / "strategies.json"

BUILT_IN = [
    "timedep",
    "linear",
    "boulware",
    "conceder",
    "aspiration",
    "hardliner",
    "tit_for_tat",
    "random",
    "learner",
    "micro",
    "hardheaded",
    "agentk",
    "cuhk",
    "atlas3",
    "nice_tft",
    "rvfit",
    "boa",
]
"""The party strategies built in when the traces were recorded."""

PARTIES = [
    *BUILT_IN,
    "boa(model='bayes', accept='ac_combi')",
    "boa(bid='conceder', model='perfect', accept='ac_time')",
    "timedep(e=0.5)",
    "tit_for_tat(factor=0.5)",
]
"""Every built-in party strategy, and a few parameters that take other paths."""

SEEDS = (0, 1)


def cases() -> Iterator[tuple[str, str, int, str, str, int, float, float, float | None]]:
    """(protocol, mediator, parties, strategy, label, seed, reservation, discount, time limit)."""
    for s, seed in itertools.product(PARTIES, SEEDS):
        yield "alternating", "", 2, s, "alt2", seed, 0.3, 1.0, None
        yield "alternating", "", 3, s, "alt3", seed, 0.3, 1.0, None
        yield "alternating", "", 2, s, "alt2-discount", seed, 0.5, 0.8, None
        yield "alternating", "", 2, s, "alt2-timed", seed, 0.3, 1.0, 1.0
        yield "mediated", "hillclimb", 2, s, "med-hillclimb", seed, 0.3, 1.0, None
        yield "mediated", "informed", 3, s, "med-informed", seed, 0.3, 1.0, None
        yield "mopac", "", 3, s, "mopac3", seed, 0.3, 1.0, None
    for m, seed in itertools.product(("hillclimb", "informed"), SEEDS):
        yield "mediated", m, 3, "linear", f"mediator-{m}", seed, 0.3, 1.0, None


def play(
    proto: str,
    med: str,
    k: int,
    strategy: str,
    seed: int,
    reservation: float,
    discount: float,
    limit: float | None,
) -> str:
    """A hash of the trace, the agreement, who it binds and the utilities."""
    space, prefs = domain(k, seed=seed + 7, reservation=reservation, discount=discount)
    ticks = itertools.count()
    r = run(
        registry.protocol(proto),
        [registry.strategy(strategy) for _ in range(k)],
        space,
        prefs,
        deadline=20,
        seed=seed,
        mediator=registry.strategy(med) if med else None,
        informed=True,
        time_limit=limit,
        clock=(lambda: next(ticks) * 0.013) if limit else None,
    )
    text = trace_jsonl(r, space, prefs)
    text += json.dumps([r.agreement, r.bound, [repr(float(u)) for u in r.utilities]])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def record() -> dict[str, str]:
    out = {}
    for proto, med, k, s, label, seed, rv, d, limit in cases():
        out[f"{label}|{s}|{seed}"] = play(proto, med, k, s, seed, rv, d, limit)
    return out


if __name__ == "__main__":
    RECORDED.write_text(json.dumps(record(), indent=1, sort_keys=True) + "\n")
    sys.exit(0)
