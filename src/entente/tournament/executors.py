"""Where negotiations run: in this process, in local worker processes, or on a Ray cluster.

An executor maps `play` over tasks and yields each task's rows as soon as they are done, in
any order; rows do not depend on the executor, since each cell carries its own seed.
"""

from __future__ import annotations

import multiprocessing
import os
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
        if self.workers <= 0:
            self.workers = os.cpu_count() or 1

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, list[Row]]]:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        with ProcessPoolExecutor(self.workers, mp_context=ctx) as pool:
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
