"""Where negotiations run: in this process, in local worker processes, or on a Ray cluster.

An executor maps `play` over tasks and yields each task's rows as soon as they are done, in
any order; rows do not depend on the executor, since each cell carries its own seed.
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

from entente.errors import EntenteError
from entente.tournament.play import Row, Task, play


class Executor(Protocol):
    """Runs tasks; yields (task, rows) as each one finishes."""

    workers: int

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, list[Row]]]: ...


@dataclass
class InProcess:
    """Every task in this process, one after another."""

    workers: int = 1

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, list[Row]]]:
        for task in tasks:
            yield task, play(task)


@dataclass
class Processes:
    """Local worker processes (all cores by default); each keeps the scenarios it has loaded."""

    workers: int = 0

    def __post_init__(self) -> None:
        if self.workers < 0:
            raise EntenteError(f"workers must be 0 (all cores) or more, not {self.workers}")
        if self.workers == 0:
            self.workers = os.cpu_count() or 1

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, list[Row]]]:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        with ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=bind_to, initargs=(os.getpid(),)
        ) as pool:
            pending: dict[Future[list[Row]], Task] = {}
            queue = list(reversed(tasks))
            try:
                while queue or pending:
                    while queue and len(pending) < 2 * self.workers:
                        task = queue.pop()
                        pending[pool.submit(play, task)] = task
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        task = pending.pop(fut)
                        try:
                            rows = fut.result()
                        except BrokenProcessPool:
                            raise EntenteError(
                                "a worker process died; rows stored so far are kept: "
                                "run again with --resume"
                            ) from None
                        yield task, rows
            finally:
                for fut in pending:
                    fut.cancel()


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


@dataclass
class Ray:
    """Tasks as Ray remote calls: on the cluster at `address`, or on a local Ray when None."""

    address: str | None = None
    workers: int = 0

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, list[Row]]]:
        try:
            import ray
        except ImportError:
            raise EntenteError("--ray needs Ray: pip install 'entente[ray]'") from None
        started = not ray.is_initialized()
        if started:
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
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
                    yield refs.pop(ref), ray.get(ref)
        finally:
            if started:
                ray.shutdown()


def executor(name: str, workers: int = 0, ray_address: str | None = None) -> Executor:
    """The executor called `name`: 'inprocess', 'processes' or 'ray'."""
    if name == "inprocess":
        return InProcess()
    if name == "processes":
        return Processes(workers)
    if name == "ray":
        return Ray(ray_address or None, workers)
    raise EntenteError(f"unknown executor {name!r}: expected inprocess, processes or ray")
