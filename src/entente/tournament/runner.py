"""Run a tournament: build the grid, skip what the store holds, run the rest, append rows."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entente import registry
from entente.api import plan
from entente.errors import EntenteError, quoted
from entente.llm.cache import refresh
from entente.scenario import Scenario
from entente.tournament import grid
from entente.tournament.cells import Part, slices
from entente.tournament.executors import Auto, Executor
from entente.tournament.fingerprint import fingerprint
from entente.tournament.play import Task
from entente.tournament.prepared import load
from entente.tournament.store import FORMAT, Store, require


@dataclass(frozen=True)
class Summary:
    """How a run went: cells in the grid, already stored before it, run now, wall seconds."""

    total: int
    skipped: int
    ran: int
    seconds: float

    @property
    def rate(self) -> float:
        """Negotiations run per second of wall time."""
        return self.ran / self.seconds if self.seconds > 0 else math.inf


def run_tournament(
    scenarios: Sequence[str],
    strategies: Sequence[str],
    out: str | Path,
    *,
    rounds: int = 100,
    repetitions: int = 1,
    seed: int = 0,
    resume: bool = False,
    executor: Executor | None = None,
    protocol: str = "alternating",
    mediator: str | None = None,
    self_play: bool = True,
    chunk: int = 0,
    flush_seconds: float = 1.0,
    on_start: Callable[[int], None] | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> Summary:
    """Negotiate every cell of the grid once and store its row in `out`.

    `executor` defaults to `Auto()`: this process for small grids, worker processes on every
    core for larger ones. Cells go to the executor in tasks of `chunk` cells of one scenario
    (0: sized to give each worker about four tasks, within `MIN_CHUNK` and `MAX_CHUNK`).
    `on_start(n)` is told how many cells remain; `on_rows(m)` each time m more are stored.
    Each worker stores its rows at least every `flush_seconds` (a batch of batchable cells at
    once), so a killed run loses at most that much of each worker's work.
    Every argument, strategy spec and scenario is checked before the first negotiation, and
    the results folder is locked for the whole run (a second run on it is refused).
    """
    start = time.perf_counter()
    store = Store(out)
    require()  # before anything runs: without pyarrow nothing could be stored
    if rounds < 1:
        raise EntenteError(f"rounds must be at least 1, not {rounds}")
    if repetitions < 1:
        raise EntenteError(f"repetitions must be at least 1, not {repetitions}")
    if not scenarios or not strategies:
        raise EntenteError("a tournament needs at least one scenario and one strategy")
    proto = registry.protocol(protocol)
    specs = grid.canonical(strategies)
    mediator = _mediator(proto.mediated, mediator)
    loaded = {src: load(src) for src in dict.fromkeys(str(s) for s in scenarios)}
    names: dict[str, str] = {}
    for src, sc in loaded.items():
        if sc.id in names:
            raise EntenteError(f"scenarios {names[sc.id]!r} and {src!r} share the id {sc.id!r}")
        names[sc.id] = src
    # the grid as a set: the order strategies and scenarios are given in changes nothing
    prints = {sc.id: fingerprint(sc) for sc in loaded.values()}
    # each scenario's mediator as `api.plan` sets it up (--mediator, else the scenario's own)
    mediators: dict[str, str] | None = None
    if proto.mediated:
        mediators = {
            sc.id: _planned_mediator(sc, proto.name, specs, rounds, mediator)
            for sc in loaded.values()
        }
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "scenarios": prints,
        "strategies": sorted(specs),
        "rounds": rounds,
        "repetitions": repetitions,
        "seed": seed,
        "protocol": proto.name,
        "mediator": mediators,
        "self_play": self_play,
    }
    parts = {
        sc.id: Part(sc.id, len(sc.parties), specs, repetitions, seed, self_play)
        for sc in loaded.values()
    }
    total = sum(len(p) for p in parts.values())
    with store.opened(manifest, resume=resume):
        have = store.keys() if resume else set()
        todo = {name: part.todo(have) for name, part in parts.items()}
        left = sum(len(t) for t in todo.values())
        ex = executor or Auto()
        size = chunk or chunk_size(left, ex.workers)
        tasks = [
            Task(
                names[name],
                cells,
                rounds,
                proto.name,
                mediators[name] if mediators else None,
                fingerprint=prints[name],
                fresh=refresh(),  # --no-cache: workers ask language models again too
            )
            for name, part in parts.items()
            for cells in slices(part, todo[name], size)
        ]
        if on_start:
            on_start(left)
        for _, n in ex.run(tasks, str(store.folder), flush_seconds):
            if on_rows:
                on_rows(n)
    return Summary(total, total - left, left, time.perf_counter() - start)


MIN_CHUNK = 200
"""Fewest cells in a task (unless the grid is smaller): each task costs a part file (a Parquet
write and two fsyncs) and a round trip to a worker, which a few hundred batched negotiations
repay."""
MAX_CHUNK = 5000
"""Most cells in a task, which bounds a worker's memory and a part's size."""


def chunk_size(cells: int, workers: int) -> int:
    """Cells per task: about four tasks per worker (so that workers finish together), within
    `MIN_CHUNK` and `MAX_CHUNK`; one process takes the largest tasks."""
    if workers <= 1:
        return max(1, min(MAX_CHUNK, cells))
    return max(1, min(cells, MAX_CHUNK, max(MIN_CHUNK, math.ceil(cells / (4 * workers)))))


def _planned_mediator(
    scenario: Scenario, protocol: str, specs: Sequence[str], rounds: int, mediator: str | None
) -> str:
    """The full spec of the mediator `api.plan` gives the scenario's negotiations: `mediator`
    (--mediator) when given, else the scenario's own, else the default."""
    given = {p.id: specs[0] for p in scenario.parties}
    if mediator:
        given["mediator"] = mediator
    chosen = plan(scenario, protocol, given, rounds).mediator
    assert chosen is not None
    return chosen


def _mediator(mediated: bool, spec: str | None) -> str | None:
    """The full spec of the mediator given (checked), or None when none is (each scenario's own
    then drafts)."""
    if not mediated:
        if spec is not None:
            raise EntenteError(
                f"--mediator {quoted(spec)}: the protocol has no mediator (use --protocol mediated)"
            )
        return None
    if spec is None:
        return None
    m = registry.strategy(spec)
    if not m.mediator:
        raise EntenteError(f"--mediator {m.spec()}: a party's strategy, not a mediator's")
    return m.spec()
