"""Play a chunk of grid cells of one scenario and turn each negotiation into a result row.

Each cell is set up by `api.plan`, as `negotiate` and the command line set up theirs: the
protocol, each party's spec, the mediator (the tournament's, else the scenario's own) and
whether the scenario informs it. Cells whose plans can be batched run together as arrays
(`batch.run_batch`); the rest run as `api.play` runs a plan, through the one driver loop.
Either way a cell's row depends only on the cell, and equals what `negotiate` gives for the
same setup and seed.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from entente import api, registry
from entente.errors import EntenteError
from entente.llm.cache import refreshing
from entente.negotiation.boa.models import party_accuracy
from entente.negotiation.strategies.base import Strategy
from entente.prefs import Floats
from entente.tournament.batch import batchable, random, run_batch, supports
from entente.tournament.grid import Cell
from entente.tournament.prepared import Prepared, prepare
from entente.tournament.store import Store

Row = dict[str, Any]


@dataclass(frozen=True)
class Task:
    """A chunk of cells of one scenario, with how to negotiate them (sent to workers)."""

    source: str
    cells: Sequence[Cell]
    """A tuple of cells, or a `cells.Slice` of the grid (built where it is read)."""
    deadline: int
    protocol: str = "alternating"
    mediator: str | None = None
    """The mediator's spec under a mediated protocol (None: the scenario's own, as `api.plan`
    chooses it; the runner passes the one it chose for the scenario)."""
    batch: bool = True
    fingerprint: str = ""
    """The scenario's `fingerprint.fingerprint` (empty: not checked)."""
    fresh: bool = False
    """Ask language models again instead of replaying their cached replies (`--no-cache`)."""


def play(task: Task) -> list[Row]:
    """Negotiate every cell of the task; one row per cell, in the task's order."""
    cells = list(task.cells)
    with refreshing(task.fresh):
        rows = {r["key"]: r for part in _rows(task, cells) for r in part}
    return [rows[c.key] for c in cells]


def play_part(task: Task, folder: str, flush_seconds: float = 1.0) -> int:
    """Negotiate every cell of the task and store the rows in the results folder `folder`; the
    number of rows stored (this is what a worker sends back: a count, not the rows).

    Rows become a part file (durable and atomic, `Store.append`) whenever `flush_seconds` of
    work have gone by since the last one, and at the end, so a killed run loses at most that
    much of each worker's work. The caller holds the folder's lock for the whole run.
    """
    store = Store(folder)
    done = 0
    buffer: list[Row] = []
    last = time.monotonic()
    with refreshing(task.fresh):
        for rows in _rows(task, list(task.cells)):
            buffer.extend(rows)
            if time.monotonic() - last >= flush_seconds:
                store.append(buffer)
                done, buffer, last = done + len(buffer), [], time.monotonic()
    store.append(buffer)
    return done + len(buffer)


def _rows(task: Task, cells: Sequence[Cell]) -> Iterator[list[Row]]:
    """The rows of the task's `cells` in pieces: every batched cell at once, then each looped
    cell."""
    prep = prepare(task.source, task.fingerprint)
    plans, made = _plans(prep, task, cells)
    fast: list[Cell] = []
    slow: list[Cell] = []
    some = next(iter(plans.values()), None)
    can_batch = (
        task.batch
        and some is not None
        and some.protocol == "alternating"
        and some.mediator is None
        and prep.table is not None
        and supports(prep.table)
    )
    fits = {s: batchable(made[s]) for s in made} if can_batch else {}
    for cell in cells:
        if can_batch and all(fits[s] for s in cell.specs):
            fast.append(cell)
        else:
            slow.append(cell)
    if fast:
        assert some is not None
        yield _batched(prep, fast, made, some.deadline)
    # a looped assignment whose strategies draw nothing here gives every seed the same
    # negotiation: it is played once, and its row given to each of its cells
    same: dict[tuple[str, ...], list[Cell]] = {}
    for cell in slow:
        listed = prep.table is not None and plans[cell.specs].mediator is None
        if listed and all(_steady(made[s]) for s in cell.specs):
            same.setdefault(cell.specs, []).append(cell)
            continue
        yield [_looped(prep, cell, plans[cell.specs])]
    for specs, group in same.items():
        row = _looped(prep, group[0], plans[specs])
        row["seconds"] /= len(group)
        yield [row, *(_again(row, c) for c in group[1:])]


def _steady(strategy: Strategy) -> bool:
    """The strategy draws no random numbers in a listed space: its class says so (`draws`), or
    the batched engine plays it without any."""
    cls = type(strategy)
    if "draws" in vars(cls) and not cls.draws:
        return True
    return batchable(strategy) and not random(strategy)


def _again(row: Row, cell: Cell) -> Row:
    """`row` as the row of `cell`, a repetition of the same negotiation under another seed."""
    got = {k: list(v) if isinstance(v, list) else v for k, v in row.items()}
    got.update(key=cell.key, repetition=cell.repetition, seed=cell.seed)
    return got


def _plans(
    prep: Prepared, task: Task, cells: Sequence[Cell]
) -> tuple[dict[tuple[str, ...], api.Plan], dict[str, Strategy]]:
    """The plan of each assignment of the cells, as `api.plan` makes it from the scenario, the
    task's protocol, deadline and mediator, and the assignment's specs; and a strategy made
    from each spec.

    Only the parties' specs differ between a task's assignments, and what `plan` makes of the
    rest (protocol, mediator, informed, deadline) does not depend on them: one `plan` call
    resolves it, and each assignment's plan is that plan with its own specs, each spec read
    once (a grid of many assignments would otherwise read every spec of every one again).
    """
    unique = list(dict.fromkeys(c.specs for c in cells))
    made = {s: registry.strategy(s) for specs in unique for s in specs}
    if not unique:
        return {}, made
    for s in made.values():
        if s.mediator:  # as `plan` refuses it
            raise EntenteError(f"{s.spec()} is a mediator strategy, not a party's")
    sc = prep.scenario
    given: dict[str, str] = dict(zip([p.id for p in sc.parties], unique[0], strict=True))
    if task.mediator:
        given["mediator"] = task.mediator
    first = api.plan(sc, task.protocol, given, task.deadline)
    full = {s: made[s].spec() for s in made}
    plans = {
        specs: dataclasses.replace(first, strategies=tuple(full[s] for s in specs))
        for specs in unique
    }
    return plans, made


def _batched(
    prep: Prepared, cells: Sequence[Cell], made: dict[str, Strategy], deadline: int
) -> list[Row]:
    """Batched cells: equal assignments of strategies that use no randomness are played once
    (and their row, all but the cell's own coordinates, is built once); an assignment with a
    strategy that draws (`batch.random`) is played once per seed."""
    assert prep.table is not None
    start = time.perf_counter()
    drawing = {s: random(made[s]) for s in made}

    def play_as(c: Cell) -> tuple[tuple[str, ...], int]:
        return c.specs, c.seed if any(drawing[s] for s in c.specs) else 0

    unique = list(dict.fromkeys(play_as(c) for c in cells))
    where = {u: m for m, u in enumerate(unique)}
    # run_batch only reads parameters, so one object per spec serves every negotiation
    players = [[made[s] for s in specs] for specs, _ in unique]
    out = run_batch(prep.table, players, deadline, [seed for _, seed in unique])
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
    shared: list[Row] = []
    for m in range(len(unique)):
        flat = int(out.agreement[m])
        agreement = prep.table.outcomes[flat] if flat >= 0 else None
        shared.append(
            _row(prep, None, agreement, u[m], int(out.rounds[m]), seconds, to_front[m], to_nash[m])
        )
    rows: list[Row] = []
    for c in cells:
        row = shared[where[play_as(c)]]
        rows.append(
            {
                "key": c.key,
                "scenario": c.scenario,
                "strategies": list(c.specs),
                "roles": list(row["roles"]),
                "repetition": c.repetition,
                "seed": c.seed,
                "agreement": None if row["agreement"] is None else list(row["agreement"]),
                "utilities": list(row["utilities"]),
                **{name: row[name] for name in _MEASURES},
                "model_tau": [None] * len(c.specs),  # batched strategies keep no models
                "model_pearson": [None] * len(c.specs),
                **{name: [None] * len(c.specs) for name in USAGE},  # nor ask any server
            }
        )
    return rows


_MEASURES = ("rounds", "seconds", "frontier_distance", "nash_distance", "welfare")
"""The columns of a row after its cell, roles, agreement and utilities."""

USAGE = {
    "tokens_in": "tokens_in",
    "tokens_out": "tokens_out",
    "latency": "latency",
    "invalid_replies": "invalid",
    "fallbacks": "fallbacks",
}
"""Columns of what each party's strategy used (`Result.usage`: a language model's tokens,
seconds waited, invalid replies, moves its fallback made), by the key it reports them under;
null for a strategy that reports none."""


def _looped(prep: Prepared, cell: Cell, plan: api.Plan) -> Row:
    """One cell as `api.play` plays its plan (through the driver loop, `session.run`)."""
    start = time.perf_counter()
    players = tuple(api._fresh(plan, i, s) for i, s in enumerate(plan.strategies))
    result = api.play(plan, cell.seed, table=prep.table, players=players)
    seconds = time.perf_counter() - start
    to_front, to_nash = prep.distances(result.utilities)
    agreement = np.asarray(result.agreement) if result.agreement is not None else None
    row = _row(
        prep, cell, agreement, result.utilities, result.rounds, seconds, to_front[0], to_nash[0]
    )
    sc = prep.scenario
    models = party_accuracy(
        plan.strategies, result.moves, sc.space, tuple(sc.prefs), points=0, played=players
    )
    row["model_tau"] = [None if a is None else _num(a.kendall_tau) for a in models]
    row["model_pearson"] = [None if a is None else _num(a.pearson) for a in models]
    used = result.usage or (None,) * len(plan.strategies)
    for name, key in USAGE.items():
        row[name] = [None if u is None else u.get(key) for u in used]
    return row


def _num(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def _row(
    prep: Prepared,
    cell: Cell | None,
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
        "key": cell.key if cell else "",
        "scenario": cell.scenario if cell else "",
        "strategies": list(cell.specs) if cell else [],
        "roles": [p.id for p in prep.scenario.parties],
        "repetition": cell.repetition if cell else 0,
        "seed": cell.seed if cell else 0,
        "agreement": None if agreement is None else [int(x) for x in agreement],
        "utilities": [float(x) for x in utilities],
        "rounds": rounds,
        "seconds": float(seconds),
        "frontier_distance": num(to_front),
        "nash_distance": num(to_nash),
        "welfare": float(np.sum(utilities)),
        "model_tau": [None] * len(utilities),
        "model_pearson": [None] * len(utilities),
        **{name: [None] * len(utilities) for name in USAGE},
    }
