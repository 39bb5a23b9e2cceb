"""Run a tournament: build the grid, skip what the store holds, run the rest, append rows."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entente import registry
from entente.api import DEFAULT_MEDIATOR
from entente.errors import EntenteError, quoted
from entente.tournament import grid
from entente.tournament.executors import Executor, InProcess
from entente.tournament.fingerprint import fingerprint
from entente.tournament.play import Row, Task
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

    `on_start(n)` is told how many cells remain; `on_rows(m)` each time m more are done.
    Rows are appended at least every `flush_seconds`, so a killed run loses at most that much.
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
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "scenarios": prints,
        "strategies": sorted(specs),
        "rounds": rounds,
        "repetitions": repetitions,
        "seed": seed,
        "protocol": proto.name,
        "mediator": mediator,
        "self_play": self_play,
    }
    everything = grid.cells(
        [(sc.id, len(sc.parties)) for sc in loaded.values()],
        specs,
        repetitions,
        seed,
        self_play=self_play,
    )
    with store.opened(manifest, resume=resume):
        have = store.keys() if resume else set()
        todo = [c for c in everything if c.key not in have]
        ex = executor or InProcess()
        size = chunk or max(1, min(1000, math.ceil(len(todo) / (4 * max(1, ex.workers)))))
        tasks: list[Task] = []
        for name, src in names.items():
            mine = [c for c in todo if c.scenario == name]
            for i in range(0, len(mine), size):
                part = tuple(mine[i : i + size])
                tasks.append(
                    Task(src, part, rounds, proto.name, mediator, fingerprint=prints[name])
                )
        if on_start:
            on_start(len(todo))
        buffer: list[Row] = []
        flushed = time.monotonic()
        for _, rows in ex.run(tasks):
            buffer.extend(rows)
            if on_rows:
                on_rows(len(rows))
            if time.monotonic() - flushed >= flush_seconds or len(buffer) >= 5000:
                store.append(buffer)
                buffer, flushed = [], time.monotonic()
        store.append(buffer)
    return Summary(
        len(everything), len(everything) - len(todo), len(todo), time.perf_counter() - start
    )


def _mediator(mediated: bool, spec: str | None) -> str | None:
    """The mediator's full spec under a mediated protocol (checked); None otherwise."""
    if not mediated:
        if spec is not None:
            raise EntenteError(
                f"--mediator {quoted(spec)}: the protocol has no mediator (use --protocol mediated)"
            )
        return None
    m = registry.strategy(spec or DEFAULT_MEDIATOR)
    if not m.mediator:
        raise EntenteError(f"--mediator {m.spec()}: a party's strategy, not a mediator's")
    return m.spec()
