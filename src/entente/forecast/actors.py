"""Actors of a spatial bargaining case, and what a model forecasts for them.

An actor has a capability (its power), and on each issue a position on the issue's scale and
a salience (how much the issue matters to it, in [0, 1]). An issue's scale runs from `low` to
`high`; models that need a common scale work on `unit(actors)`, the positions mapped to [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from entente.errors import EntenteError, quoted

Floats = npt.NDArray[np.float64]

MAX_SPAN = float(np.finfo(np.float64).max)
"""An issue's scale, `high - low`, must be a finite number: at most this."""

MAX_CUBE_ACTORS = 322
"""The most actors for the models that weigh every pair of positions as every actor sees them
(eu, condorcet): their memory and time grow with actors**3 (322**3 is about 2**25 numbers)."""

CHUNK_CELLS = 2**23
"""The actors**3 models work on as many issues at once as keep issues x actors**3 below this."""

MAX_PAIRS = 2**24
"""The most (actor pairs) x issues for the exchange model, which weighs every pair of actors
on every issue: 4,096 actors on 2 issues, 1,024 on 32."""


def _array(name: str, value: object, shape: tuple[int, ...], *, nan: bool = False) -> Floats:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise EntenteError(f"actors: {name} must be numbers, got {quoted(value)}") from exc
    if arr.shape != shape:
        raise EntenteError(f"actors: {name} must have shape {shape}, got {arr.shape}")
    bad = np.isinf(arr) if nan else ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(k) for k in np.argwhere(bad)[0])
        raise EntenteError(f"actors: {name}{list(where)} must be a finite number, got {arr[where]}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Actors:
    """Actors of a spatial bargaining case: one row per actor, one column per issue."""

    names: tuple[str, ...]  # (a,)
    issues: tuple[str, ...]  # (i,)
    capability: Floats  # (a,)  >= 0
    position: Floats  # (a, i)
    salience: Floats  # (a, i) in [0, 1]
    low: Floats  # (i,) lowest position of the issue's scale
    high: Floats  # (i,) highest position (high > low)
    status_quo: Floats | None = None  # (i,) where the issue stands without agreement
    outcome: Floats | None = None  # (i,) the recorded outcome, for backtests (NaN where unknown)

    def __post_init__(self) -> None:
        names = tuple(str(n) for n in self.names)
        issues = tuple(str(n) for n in self.issues)
        a, i = len(names), len(issues)
        if a == 0:
            raise EntenteError("actors: at least one actor is needed")
        if i == 0:
            raise EntenteError("actors: at least one issue is needed")
        for label, seq in (("actor", names), ("issue", issues)):
            seen: set[str] = set()
            for n in seq:
                if n in seen:
                    raise EntenteError(f"actors: {label} name {quoted(n)} appears twice")
                seen.add(n)
        set_ = object.__setattr__
        set_(self, "names", names)
        set_(self, "issues", issues)
        cap = _array("capability", self.capability, (a,))
        if (cap < 0).any():
            k = int(np.argmax(cap < 0))
            raise EntenteError(
                f"actors: capability of {quoted(names[k])} must be >= 0, got {cap[k]}"
            )
        set_(self, "capability", cap)
        set_(self, "position", _array("position", self.position, (a, i)))
        sal = _array("salience", self.salience, (a, i))
        if ((sal < 0) | (sal > 1)).any():
            k, j = (int(v) for v in np.argwhere((sal < 0) | (sal > 1))[0])
            raise EntenteError(
                f"actors: salience of {quoted(names[k])} on {quoted(issues[j])} must be in "
                f"[0, 1], got {sal[k, j]}"
            )
        set_(self, "salience", sal)
        low = _array("low", self.low, (i,))
        high = _array("high", self.high, (i,))
        if (high <= low).any():
            j = int(np.argmax(high <= low))
            raise EntenteError(
                f"actors: issue {quoted(issues[j])} needs high > low, got low {low[j]}, "
                f"high {high[j]}"
            )
        with np.errstate(over="ignore"):
            wide = ~np.isfinite(high - low)
        if wide.any():
            j = int(np.argmax(wide))
            raise EntenteError(
                f"actors: issue {quoted(issues[j])} has a scale too long to measure, low "
                f"{low[j]:g} to high {high[j]:g}; expected high - low below {MAX_SPAN:.3g}"
            )
        set_(self, "low", low)
        set_(self, "high", high)
        if self.status_quo is not None:
            set_(self, "status_quo", _array("status_quo", self.status_quo, (i,)))
        if self.outcome is not None:
            set_(self, "outcome", _array("outcome", self.outcome, (i,), nan=True))

    @property
    def span(self) -> Floats:
        """(i,) the length of each issue's scale, `high - low`."""
        return self.high - self.low

    def unit(self, values: Floats) -> Floats:
        """`values` on the issues' scales (last axis = issue) mapped to [0, 1]."""
        return (np.asarray(values, dtype=np.float64) - self.low) / self.span

    def scale(self, values: Floats) -> Floats:
        """The inverse of `unit`: values in [0, 1] mapped back to the issues' scales."""
        return self.low + np.asarray(values, dtype=np.float64) * self.span


@dataclass(frozen=True)
class Forecast:
    """What a model forecasts: one position per issue, and for dynamic models the rounds."""

    model: str
    positions: Floats  # (i,) the forecast outcome per issue
    trajectory: Floats | None = None  # (r+1, i) forecast per round, dynamic models only
    details: dict[str, Any] = field(default_factory=dict)  # JSON-ready extras


def relative_capability(actors: Actors) -> Floats:
    """(a,) each capability over the largest (all zero: unchanged). Every model depends on
    capabilities only through their ratios, and these keep sums and squares finite."""
    top = float(actors.capability.max())
    return actors.capability / top if top > 0 else actors.capability.copy()


def size_problem(actors: Actors, model: str) -> str | None:
    """Why `model` cannot run on `actors` within memory and time, or None when it can."""
    a, n = len(actors.names), len(actors.issues)
    if model in ("eu", "condorcet") and a > MAX_CUBE_ACTORS:
        most = MAX_CUBE_ACTORS
        return (
            f"{model}: {a:,} actors is too many for this model, which weighs every pair of "
            f"positions as every actor sees them (actors^3 numbers per issue); at most {most} "
            "actors (mean, median and nash have no such limit)"
        )
    if model == "exchange" and n > 1 and a * (a - 1) // 2 * n > MAX_PAIRS:
        return (
            f"exchange: {a:,} actors on {n:,} issues is too many for this model, which weighs "
            f"every pair of actors on every issue; at most {MAX_PAIRS:,} (actor pairs x "
            "issues) (mean, median and nash have no such limit)"
        )
    return None


Model = Callable[..., Forecast]  # model(actors, *, seed: int = 0, **params) -> Forecast
