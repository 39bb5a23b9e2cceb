"""Play a chunk of grid cells of one scenario and turn each negotiation into a result row.

Cells whose strategies can be batched run together as arrays (`batch.run_batch`); the rest go
through the one driver loop, `session.run`. Either way a cell's row depends only on the cell.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from entente import registry
from entente.api import DEFAULT_MEDIATOR
from entente.negotiation.session import run
from entente.prefs import Floats
from entente.tournament.batch import batchable, run_batch, supports
from entente.tournament.grid import Cell
from entente.tournament.prepared import Prepared, prepare

Row = dict[str, Any]


@dataclass(frozen=True)
class Task:
    """A chunk of cells of one scenario, with how to negotiate them (sent to workers)."""

    source: str
    cells: tuple[Cell, ...]
    deadline: int
    protocol: str = "alternating"
    mediator: str | None = None
    batch: bool = True
    fingerprint: str = ""
    """The scenario's `fingerprint.fingerprint` (empty: not checked)."""


def play(task: Task) -> list[Row]:
    """Negotiate every cell of the task; one row per cell, in the task's order."""
    prep = prepare(task.source, task.fingerprint)
    rows: dict[str, Row] = {}
    fast: list[Cell] = []
    slow: list[Cell] = []
    can_batch = (
        task.batch
        and task.protocol == "alternating"
        and prep.table is not None
        and supports(prep.table)
    )
    specs = {s for cell in task.cells for s in cell.specs}
    fits = {s: batchable(registry.strategy(s)) for s in specs}
    for cell in task.cells:
        if can_batch and all(fits[s] for s in cell.specs):
            fast.append(cell)
        else:
            slow.append(cell)
    if fast:
        rows.update(_batched(prep, fast, task.deadline))
    for cell in slow:
        rows[cell.key] = _looped(prep, cell, task)
    return [rows[c.key] for c in task.cells]


def _batched(prep: Prepared, cells: Sequence[Cell], deadline: int) -> dict[str, Row]:
    """Batched cells: these strategies use no randomness, so equal assignments are played once."""
    assert prep.table is not None
    start = time.perf_counter()
    unique = list(dict.fromkeys(c.specs for c in cells))
    where = {specs: m for m, specs in enumerate(unique)}
    # run_batch only reads parameters, so one object per spec serves every negotiation
    made = {s: registry.strategy(s) for specs in unique for s in specs}
    players = [[made[s] for s in specs] for specs in unique]
    out = run_batch(prep.table, players, deadline)
    prefs = prep.scenario.prefs
    k = len(prefs)
    u = np.empty((len(unique), k))
    agreed = np.flatnonzero(out.agreement >= 0)
    outcomes = prep.table.outcomes[out.agreement[agreed]]
    times = out.time
    for j, p in enumerate(prefs):
        u[:, j] = p.reservation
        if len(agreed):
            u[agreed, j] = p.utility(outcomes)
        if p.discount != 1.0:
            u[:, j] *= np.array([p.discount ** float(t) for t in times])
    seconds = (time.perf_counter() - start) / len(cells)
    to_front, to_nash = prep.distances(u)
    rows: dict[str, Row] = {}
    for c in cells:
        m = where[c.specs]
        flat = int(out.agreement[m])
        agreement = prep.table.outcomes[flat] if flat >= 0 else None
        rows[c.key] = _row(
            prep, c, agreement, u[m], int(out.rounds[m]), seconds, to_front[m], to_nash[m]
        )
    return rows


def _looped(prep: Prepared, cell: Cell, task: Task) -> Row:
    """One cell through `session.run`."""
    sc = prep.scenario
    start = time.perf_counter()
    proto = registry.protocol(task.protocol)
    mediator = None
    informed = False
    if proto.mediated:
        mediator = registry.strategy(task.mediator or DEFAULT_MEDIATOR)
        informed = bool(sc.mediators and sc.mediators[0].informed)
    result = run(
        proto,
        [registry.strategy(s) for s in cell.specs],
        sc.space,
        sc.prefs,
        deadline=task.deadline,
        seed=cell.seed,
        mediator=mediator,
        informed=informed,
        table=prep.table,
        names=[p.id for p in sc.parties],
    )
    seconds = time.perf_counter() - start
    to_front, to_nash = prep.distances(result.utilities)
    agreement = np.asarray(result.agreement) if result.agreement is not None else None
    return _row(
        prep, cell, agreement, result.utilities, result.rounds, seconds, to_front[0], to_nash[0]
    )


def _row(
    prep: Prepared,
    cell: Cell,
    agreement: np.ndarray | None,
    utilities: Floats,
    rounds: int,
    seconds: float,
    to_front: float,
    to_nash: float,
) -> Row:
    def num(x: float) -> float | None:
        return None if np.isnan(x) else float(x)

    return {
        "key": cell.key,
        "scenario": cell.scenario,
        "strategies": list(cell.specs),
        "roles": [p.id for p in prep.scenario.parties],
        "repetition": cell.repetition,
        "seed": cell.seed,
        "agreement": None if agreement is None else [int(x) for x in agreement],
        "utilities": [float(x) for x in utilities],
        "rounds": rounds,
        "seconds": float(seconds),
        "frontier_distance": num(to_front),
        "nash_distance": num(to_nash),
        "welfare": float(np.sum(utilities)),
    }
