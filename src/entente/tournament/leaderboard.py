"""Standings from tournament rows: per strategy, mean utility, agreement rate, rounds, welfare,
and the distances of the outcomes to the Pareto frontier and to the Nash point.

Each negotiation counts once for every party a strategy played in it. Intervals are 95%
percentile bootstrap intervals of the mean (resampling the strategy's negotiations, 2,000
resamples, seeded per strategy from `seed` and its spec, so they are reproducible). A distance
missing from a row (a scenario too large for its frontier) leaves that play out of the distance's
mean; with none left, the mean and its bounds are NaN (null in JSON).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from entente.errors import EntenteError
from entente.prefs import Floats

RESAMPLES = 2000
LEVEL = 0.95
MEASURES = ("utility", "agreement", "rounds", "welfare", "frontier_distance", "nash_distance")
"""The columns of a play's values, in order."""


@dataclass(frozen=True)
class Estimate:
    """A mean with the bounds of its confidence interval."""

    mean: float
    low: float
    high: float

    def to_json(self) -> dict[str, float | None]:
        return {
            k: None if math.isnan(v) else v
            for k, v in (("mean", self.mean), ("low", self.low), ("high", self.high))
        }


@dataclass(frozen=True)
class Standing:
    """One strategy's line of the leaderboard; `n` is the number of (negotiation, party) plays."""

    strategy: str
    n: int
    utility: Estimate
    agreement: Estimate
    rounds: Estimate
    welfare: Estimate
    frontier_distance: Estimate
    nash_distance: Estimate

    @classmethod
    def of(cls, strategy: str, n: int, mean: Floats, low: Floats, high: Floats) -> Standing:
        """A standing from the arrays of means and bounds of MEASURES."""
        est = [Estimate(_f(m), _f(lo), _f(h)) for m, lo, h in zip(mean, low, high, strict=True)]
        return cls(strategy, n, *est)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"strategy": self.strategy, "n": self.n}
        for name in MEASURES:
            e: Estimate = getattr(self, name)
            out[name] = e.to_json()
        return out


def _f(v: Any) -> float:
    """A float, NaN as the one `math.nan` (so that two equal standings compare equal)."""
    return math.nan if math.isnan(v) else float(v)


def column(rows: Any, name: str, missing: Any) -> Any:
    """A column of a pyarrow Table as a NumPy array (nulls as NaN); `missing` everywhere when
    the table lacks it."""
    if name not in rows.column_names:
        return np.full(rows.num_rows, missing)
    return rows.column(name).to_numpy(zero_copy_only=False)


def resampled_means(samples: Floats, rng: np.random.Generator) -> Floats:
    """(RESAMPLES, c) means of the columns of `samples` (n, c) over bootstrap resamples."""
    n = samples.shape[0]
    means = np.empty((RESAMPLES, samples.shape[1]))
    step = max(1, 2_000_000 // max(n, 1))
    for s in range(0, RESAMPLES, step):
        b = min(step, RESAMPLES - s)
        idx = rng.integers(0, n, size=(b, n))
        means[s : s + b] = samples[idx].mean(axis=1)
    return means


def bootstrap(samples: Floats, rng: np.random.Generator) -> Floats:
    """(2, c) bounds of the interval of the mean of each column of `samples` (n, c)."""
    tail = (1.0 - LEVEL) / 2
    return np.quantile(resampled_means(samples, rng), [tail, 1.0 - tail], axis=0)


def estimates(x: Floats, rng: np.random.Generator) -> tuple[Floats, Floats, Floats]:
    """Means, lower and upper bounds of the columns of `x` (n, c); a column with NaN counts its
    finite values only (bootstrapped apart, after the others)."""
    c = x.shape[1]
    mean, low, high = np.full(c, np.nan), np.full(c, np.nan), np.full(c, np.nan)
    whole = np.isfinite(x).all(axis=0)
    if whole.any():
        mean[whole] = x[:, whole].mean(axis=0)
        low[whole], high[whole] = bootstrap(x[:, whole], rng)
    for j in np.flatnonzero(~whole).tolist():
        v = x[:, j][np.isfinite(x[:, j])]
        if v.size:
            mean[j] = v.mean()
            (low[j],), (high[j],) = bootstrap(v[:, None], rng)
    return mean, low, high


Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Plays:
    """Every (negotiation, party) of the rows: `values[i]` holds MEASURES of play i."""

    strategies: list[str]
    scenarios: list[str]
    row: Ints
    party: Ints
    strategy: Ints
    scenario: Ints
    repetition: Ints
    values: Floats
    lineup: Ints
    """(rows, most parties) strategy index of each party of each row, -1 past its parties."""


def _ids(values: Any) -> tuple[list[str], Ints]:
    """Sorted distinct strings and each value's position among them."""
    names, inverse = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return [str(s) for s in names], inverse.astype(np.int64)


def plays(rows: Any) -> Plays:
    """The plays of a pyarrow Table of result rows (columns a store row has; distances and
    repetition may be missing)."""
    import pyarrow.compute as pc

    specs = rows.column("strategies").combine_chunks()
    flat = pc.list_flatten(specs).to_numpy(zero_copy_only=False)
    row = pc.list_parent_indices(specs).to_numpy().astype(np.int64)
    utils = pc.list_flatten(rows.column("utilities").combine_chunks()).to_numpy(
        zero_copy_only=False
    )
    offsets = specs.offsets.to_numpy().astype(np.int64)
    party = np.arange(row.size, dtype=np.int64) - offsets[row]
    strategies, strategy = _ids(flat)
    scen = column(rows, "scenario", "")
    scenarios, scenario_of_row = _ids(scen)
    agreed = pc.is_valid(rows.column("agreement")).to_numpy(zero_copy_only=False)
    per_row = np.stack(
        [
            agreed.astype(np.float64),
            column(rows, "rounds", np.nan).astype(np.float64),
            column(rows, "welfare", np.nan).astype(np.float64),
            column(rows, "frontier_distance", np.nan).astype(np.float64),
            column(rows, "nash_distance", np.nan).astype(np.float64),
        ],
        axis=1,
    )
    values = np.column_stack([utils.astype(np.float64), per_row[row]])
    width = int(np.diff(offsets).max()) if rows.num_rows else 0
    lineup = np.full((rows.num_rows, width), -1, dtype=np.int64)
    lineup[row, party] = strategy
    return Plays(
        strategies,
        scenarios,
        row,
        party,
        strategy,
        scenario_of_row[row],
        column(rows, "repetition", 0).astype(np.int64)[row],
        values,
        lineup,
    )


def leaderboard(rows: Any, seed: int = 0) -> list[Standing]:
    """Standings from a pyarrow Table of result rows, best mean utility first."""
    if seed < 0:
        raise EntenteError(f"the bootstrap seed must be 0 or more, not {seed}")
    p = plays(rows)
    order = np.argsort(p.strategy, kind="stable")
    cuts = np.flatnonzero(np.diff(p.strategy[order])) + 1
    out: list[Standing] = []
    for idx in np.split(order, cuts) if order.size else []:
        spec = p.strategies[int(p.strategy[idx[0]])]
        rng = np.random.default_rng([seed, zlib.crc32(spec.encode())])
        x = p.values[idx]
        out.append(Standing.of(spec, len(idx), *estimates(x, rng)))
    out.sort(key=lambda s: (-s.utility.mean, s.strategy))
    return out
