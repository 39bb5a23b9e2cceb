"""What the benchmarks share: timing, random domains, and the same domain built in NegMAS.

NegMAS is imported only here and only when a benchmark asks for it (the `bench` extra).
"""

from __future__ import annotations

import importlib.util
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from entente.prefs import LinearAdditive, Preferences
from entente.space import OutcomeSpace, categorical

T = TypeVar("T")

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "genius"
"""GENIUS domains read in place (never copied into the repository)."""


@dataclass
class Row:
    """One line of the results table."""

    benchmark: str
    domain: str
    outcomes: int
    negmas_s: float | None
    entente_s: float
    target: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.negmas_s / self.entente_s if self.negmas_s else None


def have_negmas() -> bool:
    return importlib.util.find_spec("negmas") is not None


def best_of(fn: Callable[[], T], repeats: int) -> tuple[float, T]:
    """The shortest of `repeats` wall-clock times of fn() (seconds), and its last result.

    The shortest run is the one least disturbed by other work on the machine.
    """
    best, out = math.inf, None
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out  # type: ignore[return-value]


def random_domain(
    n_outcomes: int, seed: int = 0, per_issue: int = 10
) -> tuple[OutcomeSpace, tuple[Preferences, Preferences]]:
    """Two random linear-additive parties over issues of `per_issue` options (10^k outcomes).

    Weights sum to 1 and each issue's best option is worth 1, so utilities lie in [0, 1]. The
    second party mostly values what the first values least (the tables are mirrored, plus
    noise), so that talks between time-based agents run many rounds instead of closing at once.
    """
    k = round(math.log(n_outcomes, per_issue))
    if per_issue**k != n_outcomes:
        raise ValueError(f"{n_outcomes} is not a power of {per_issue}")
    rng = np.random.default_rng(seed)
    space = OutcomeSpace(
        tuple(categorical(f"i{i}", [f"v{j}" for j in range(per_issue)]) for i in range(k))
    )
    first = rng.random((k, per_issue))
    second = 0.8 * (1 - first) + 0.2 * rng.random((k, per_issue))
    prefs = []
    for tables in (first, second):
        w = rng.random(k)
        values = tuple(v / v.max() for v in tables)
        prefs.append(Preferences((LinearAdditive(w / w.sum(), values),)))
    return space, (prefs[0], prefs[1])


def negmas_domain(space: OutcomeSpace, prefs: tuple[Preferences, ...]) -> tuple[Any, list[Any]]:
    """The same outcome space and utility functions in NegMAS: issues with the same option
    labels, linear additive functions with the same weights and value tables."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from negmas import LinearAdditiveUtilityFunction, make_issue, make_os
        from negmas.preferences.value_fun import TableFun

    issues = [make_issue(list(iss.options), name=iss.id) for iss in space.issues]
    os_ = make_os(issues)
    ufuns = []
    for p in prefs:
        lin = p.linear
        if lin is None:
            raise ValueError("only linear additive preferences have a NegMAS twin here")
        values = [
            TableFun(dict(zip(iss.options, map(float, v), strict=True)))
            for iss, v in zip(space.issues, lin.values, strict=True)
        ]
        ufuns.append(
            LinearAdditiveUtilityFunction(
                values=values,
                weights=[float(w) for w in lin.weights],
                outcome_space=os_,
                reserved_value=float(p.reservation),
            )
        )
    return os_, ufuns


def negmas_negotiate(os_: Any, ufuns: list[Any], rounds: int) -> Any:
    """One NegMAS SAO negotiation, Boulware (first) against Conceder, `rounds` steps."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from negmas import SAOMechanism
        from negmas.gb.negotiators.timebased import BoulwareTBNegotiator, ConcederTBNegotiator

        m = SAOMechanism(outcome_space=os_, n_steps=rounds)
        m.add(BoulwareTBNegotiator(), ufun=ufuns[0])
        m.add(ConcederTBNegotiator(), ufun=ufuns[1])
        return m.run()


def negmas_frontier(os_: Any, ufuns: list[Any]) -> np.ndarray:
    """NegMAS's Pareto frontier as an (f, 2) array of utilities."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from negmas.preferences import pareto_frontier

        front, _ = pareto_frontier(ufuns, issues=os_.issues)
    return np.asarray(front, dtype=float).reshape(-1, len(ufuns))


def same_frontier(ours: np.ndarray, theirs: np.ndarray, decimals: int = 9) -> int:
    """Assert that two frontiers hold the same utility vectors (in any order, repeats merged);
    return how many distinct vectors they share."""
    a = np.unique(np.round(ours, decimals), axis=0)
    b = np.unique(np.round(theirs, decimals), axis=0)
    if a.shape != b.shape or not np.allclose(a, b, atol=10.0**-decimals, rtol=0):
        raise AssertionError(f"frontiers differ: entente {len(a)} points, NegMAS {len(b)} points")
    return len(a)


def warm_up() -> None:
    """One small untimed NegMAS negotiation and frontier: its first call imports and
    initialises modules, which is not the work being measured."""
    space, prefs = random_domain(100, seed=1)
    twin = negmas_domain(space, prefs)
    negmas_negotiate(*twin, 10)
    negmas_frontier(*twin)
