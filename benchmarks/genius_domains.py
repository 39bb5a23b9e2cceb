"""ANAC domains from GENIUS files: one Boulware-Conceder negotiation on Travel and Energy,
and the Pareto frontier of Energy, entente and NegMAS on the same utilities.

The domains are read from ../shared/data/genius when it is there; otherwise the benchmark
says so and is skipped. Reading the XML is timed apart; computing utilities and sorting are
setup and are counted.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks import entente_side
from benchmarks._common import (
    DATA,
    Row,
    best_of,
    have_negmas,
    negmas_domain,
    negmas_frontier,
    negmas_negotiate,
    same_frontier,
    warm_up,
)
from entente.formats import genius

NEGOTIATION = ("y2010/Travel", "y2011/Energy")
FRONTIER = ("y2011/Energy",)


def available() -> bool:
    return all((DATA / d).is_dir() for d in {*NEGOTIATION, *FRONTIER})


def run(
    repeats: int = 5,
    negmas_repeats: int = 1,
    rounds: int = 100,
    which: Sequence[str] = ("frontier", "negotiation"),
) -> list[Row]:
    use_negmas = have_negmas()
    if use_negmas:
        warm_up()
    wanted = [
        *(NEGOTIATION if "negotiation" in which else ()),
        *(FRONTIER if "frontier" in which else ()),
    ]
    rows: list[Row] = []
    for folder in dict.fromkeys(wanted):
        rows += _one_domain(folder, repeats, negmas_repeats if use_negmas else 0, rounds, which)
    return rows


def _one_domain(
    folder: str, repeats: int, negmas_repeats: int, rounds: int, which: Sequence[str]
) -> list[Row]:
    load_s, scenario = best_of(lambda: genius.load(DATA / folder), repeats)
    space, prefs = scenario.space, scenario.prefs
    name = folder.split("/")[-1]
    twin = negmas_domain(space, prefs) if negmas_repeats else None
    loaded = f"XML read in {load_s * 1e3:.1f} ms (not counted)"
    rows: list[Row] = []
    if "negotiation" in which and folder in NEGOTIATION:
        ours_s, res = best_of(lambda: entente_side.negotiate(space, prefs, rounds), repeats)
        note = f"entente: {res.rounds} rounds, {'agreed' if res.agreement else 'no deal'}"
        theirs_s = None
        if twin is not None:
            theirs_s, st = best_of(lambda: negmas_negotiate(*twin, rounds), negmas_repeats)
            note += f"; NegMAS: {st.step} steps, {'agreed' if st.agreement else 'no deal'}"
        rows.append(
            Row("negotiation", name, space.size, theirs_s, ours_s, "<= 20 ms", f"{note}; {loaded}")
        )
    if "frontier" in which and folder in FRONTIER:
        ours_s, ours = best_of(lambda: entente_side.frontier(space, prefs), repeats)
        theirs_s, note = None, loaded
        if twin is not None:
            theirs_s, theirs = best_of(lambda: negmas_frontier(*twin), negmas_repeats)
            note = f"same frontier ({same_frontier(ours, theirs)} points); {loaded}"
        rows.append(Row("frontier", name, space.size, theirs_s, ours_s, "<= 100 ms", note))
    return rows
