"""Random two-party linear-additive domains of 10^3 to 10^6 outcomes: frontier and one
100-round negotiation, entente and NegMAS on the same weights and value tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from benchmarks import entente_side
from benchmarks._common import (
    Row,
    best_of,
    have_negmas,
    negmas_domain,
    negmas_frontier,
    negmas_negotiate,
    random_domain,
    same_frontier,
    warm_up,
)

SIZES = (10**3, 10**4, 10**5, 10**6)
TARGETS = {"frontier": 30.0, "negotiation": 50.0}
"""Speed-ups asked for at 10^5 outcomes."""


def run(
    sizes: Sequence[int] = SIZES,
    repeats: int = 3,
    negmas_repeats: int = 1,
    rounds: int = 100,
    which: Sequence[str] = ("frontier", "negotiation"),
) -> list[Row]:
    use_negmas = have_negmas()
    if use_negmas:
        warm_up()
    rows: list[Row] = []
    for n in sizes:
        rows += _one_size(n, repeats, negmas_repeats if use_negmas else 0, rounds, which)
    return rows


def _one_size(
    n: int, repeats: int, negmas_repeats: int, rounds: int, which: Sequence[str]
) -> list[Row]:
    space, prefs = random_domain(n, seed=n)
    name = f"random 10^{round(np.log10(n))}"
    twin = negmas_domain(space, prefs) if negmas_repeats else None
    rows: list[Row] = []
    if "frontier" in which:
        ours_s, ours = best_of(lambda: entente_side.frontier(space, prefs), repeats)
        theirs_s, note = None, ""
        if twin is not None:
            theirs_s, theirs = best_of(lambda: negmas_frontier(*twin), negmas_repeats)
            note = f"same frontier ({same_frontier(ours, theirs)} points)"
        goal = f">= {TARGETS['frontier']:g}x" if n == 10**5 else ""
        rows.append(Row("frontier", name, n, theirs_s, ours_s, goal, note))
    if "negotiation" in which:
        ours_s, res = best_of(lambda: entente_side.negotiate(space, prefs, rounds), repeats)
        note = f"entente: {res.rounds} rounds, {'agreed' if res.agreement else 'no deal'}"
        theirs_s = None
        if twin is not None:
            theirs_s, st = best_of(lambda: negmas_negotiate(*twin, rounds), negmas_repeats)
            note += f"; NegMAS: {st.step} steps, {'agreed' if st.agreement else 'no deal'}"
        goal = f">= {TARGETS['negotiation']:g}x" if n == 10**5 else ""
        rows.append(Row("negotiation", name, n, theirs_s, ours_s, goal, note))
    return rows
