"""Where negotiations run: in this process, in local worker processes, or on a Ray cluster.

An executor plays tasks (chunks of grid cells) and stores their rows in the results folder as
it goes; it yields (task, number of rows stored) as each task finishes, in any order. Rows do
not depend on the executor, since each cell carries its own seed. Worker processes write their
own part files (`play.play_part`) and send back counts, so the tournament's own process does
no per-row work and the throughput grows with the workers.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

from entente import registry
from entente.errors import EntenteError
from entente.tournament.play import Task, play, play_part
from entente.tournament.prepared import prepare
from entente.tournament.store import Store

PARALLEL_SECONDS = 3.0
"""`Auto` starts worker processes only when the work left would take longer than this in one
process: starting a pool (a fork server that imports numpy, entente and pyarrow, then the
workers, which each prepare the scenarios) costs about a second on a 2-core machine, and
workers pay that back only on longer runs (benchmarks/README.md, "Workers")."""

PRELOAD = ["entente.tournament.play", "pyarrow", "pyarrow.parquet", "pandas"]
"""Modules the fork server imports once, so that each worker forked from it starts with them
(pyarrow imports pandas, when installed, the first time it builds an array)."""


class Executor(Protocol):
    """Plays tasks and stores their rows in `folder`; yields (task, rows stored) as each ends."""

    workers: int

    def run(
        self, tasks: Sequence[Task], folder: str, flush_seconds: float = 1.0
    ) -> Iterator[tuple[Task, int]]: ...


def cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass
class InProcess:
    """Every task in this process, one after another."""

    workers: int = 1

    def run(
        self, tasks: Sequence[Task], folder: str, flush_seconds: float = 1.0
    ) -> Iterator[tuple[Task, int]]:
        for task in tasks:
            yield task, play_part(task, folder, flush_seconds)


@dataclass
class _Workers:
    """An executor with `workers` processes: 0 means one per core."""

    workers: int = 0

    def __post_init__(self) -> None:
        if self.workers < 0:
            raise EntenteError(f"workers must be 0 (all cores) or more, not {self.workers}")
        if self.workers == 0:
            self.workers = cores()


@dataclass
class Processes(_Workers):
    """Local worker processes (all cores by default). Each worker prepares every scenario of
    the run once, when it starts, writes the rows of its tasks as its own part files and sends
    back only their number."""

    def run(
        self, tasks: Sequence[Task], folder: str, flush_seconds: float = 1.0
    ) -> Iterator[tuple[Task, int]]:
        if not tasks:
            return
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if isinstance(ctx, multiprocessing.context.ForkServerContext):
            ctx.set_forkserver_preload(PRELOAD)
        scenarios = tuple(dict.fromkeys((t.source, t.fingerprint) for t in tasks))
        with ProcessPoolExecutor(
            min(self.workers, len(tasks)),
            mp_context=ctx,
            initializer=start_worker,
            initargs=(os.getpid(), scenarios, registry.added()),
        ) as pool:
            pending: dict[Future[int], Task] = {}
            queue = list(reversed(tasks))
            try:
                while queue or pending:
                    while queue and len(pending) < 2 * self.workers:
                        task = queue.pop()
                        pending[pool.submit(play_part, task, folder, flush_seconds)] = task
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        task = pending.pop(fut)
                        try:
                            n = fut.result()
                        except BrokenProcessPool:
                            raise EntenteError(
                                "a worker process died; rows stored so far are kept: "
                                "run again with --resume"
                            ) from None
                        yield task, n
            finally:
                for fut in pending:
                    fut.cancel()


@dataclass
class Auto(_Workers):
    """In this process when the grid is too small to repay workers, else worker processes.

    Tasks run here first and are timed, the first one aside (it pays for what is done once per
    process: preparing the scenario, the first part file); when the rest would take longer than
    `PARALLEL_SECONDS` at the rate measured, and there is more than one core, the rest goes to
    `Processes(workers)`. A grid of one task stays here.
    """

    def run(
        self, tasks: Sequence[Task], folder: str, flush_seconds: float = 1.0
    ) -> Iterator[tuple[Task, int]]:
        left = sum(len(t.cells) for t in tasks)
        timed = 0
        seconds = 0.0
        for i, task in enumerate(tasks):
            start = time.perf_counter()
            yield task, play_part(task, folder, flush_seconds)
            left -= len(task.cells)
            rest = tasks[i + 1 :]
            if not rest:
                return
            if i == 0:
                continue  # the warm-up: not a fair measure of the rate
            seconds += time.perf_counter() - start
            timed += len(task.cells)
            if self.workers > 1 and seconds * left / timed > PARALLEL_SECONDS:
                yield from Processes(self.workers).run(rest, folder, flush_seconds)
                return
            if seconds > 0.2:  # measured well enough, and too little left for workers
                yield from InProcess().run(rest, folder, flush_seconds)
                return


PR_SET_PDEATHSIG = 1


def bind_to(pid: int) -> None:
    """Worker initializer: end this worker when the process `pid` (the tournament's) ends.

    A worker blocks on its task queue and would otherwise outlive a killed tournament forever
    (and keep the forkserver alive with it). On Linux the kernel kills the worker when its
    parent dies (PR_SET_PDEATHSIG), and a thread watches the tournament process itself (its
    pidfd; elsewhere, a poll of the parent's and the tournament's pids every half second).
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent or not _alive(pid):
        os._exit(1)  # gone before the watch began
    threading.Thread(target=_watch, args=(pid, parent), name="lifeline", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(pid: int, parent: int) -> None:
    """Block until process `pid` ends (or this worker's parent changes), then end the worker."""
    try:
        fd = os.pidfd_open(pid)  # type: ignore[attr-defined, unused-ignore]
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        fd = -1
    if fd >= 0:
        select.select([fd], [], [])  # readable once the process has exited
        os._exit(1)
    while os.getppid() == parent and _alive(pid):
        time.sleep(0.5)
    os._exit(1)


def start_worker(
    pid: int, scenarios: Sequence[tuple[str, str]], strategies: dict[str, str] | None = None
) -> None:
    """Worker initializer: tie the worker's life to the tournament's process (`bind_to`), add
    the strategies registered there (`registry.added`), then prepare each (source, fingerprint)
    scenario once. A scenario that fails here fails again, with its message, in the first task
    that needs it."""
    bind_to(pid)
    registry.restore(strategies or {})
    for source, fingerprint in scenarios:
        try:
            prepare(source, fingerprint)
        except Exception:  # reported by the first task that needs the scenario
            continue


@dataclass
class Ray:
    """Tasks as Ray remote calls: on the cluster at `address`, or on a local Ray when None.

    Each remote call plays a whole task (a large batch of cells) and sends its rows back; this
    process stores them, one part per task, since the nodes of a cluster need not see the
    results folder.
    """

    address: str | None = None
    workers: int = 0

    def run(
        self, tasks: Sequence[Task], folder: str, flush_seconds: float = 1.0
    ) -> Iterator[tuple[Task, int]]:
        try:
            import ray
        except ImportError:
            raise EntenteError("--ray needs Ray: pip install 'entente[ray]'") from None
        started = not ray.is_initialized()
        if started:
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
        store = Store(folder)
        try:
            remote = ray.remote(play)
            if not self.workers:
                self.workers = int(ray.cluster_resources().get("CPU", 1))
            refs: dict[Any, Task] = {}
            queue = list(reversed(tasks))
            while queue or refs:
                while queue and len(refs) < 2 * self.workers:
                    task = queue.pop()
                    refs[remote.remote(task)] = task
                ready, _ = ray.wait(list(refs), num_returns=1)
                for ref in ready:
                    rows = ray.get(ref)
                    store.append(rows)
                    yield refs.pop(ref), len(rows)
        finally:
            if started:
                ray.shutdown()


def executor(name: str, workers: int = 0, ray_address: str | None = None) -> Executor:
    """The executor called `name`: 'auto', 'inprocess', 'processes' or 'ray'."""
    if name == "auto":
        return Auto(workers)
    if name == "inprocess":
        return InProcess()
    if name == "processes":
        return Processes(workers)
    if name == "ray":
        return Ray(ray_address or None, workers)
    raise EntenteError(f"unknown executor {name!r}: expected auto, inprocess, processes or ray")
