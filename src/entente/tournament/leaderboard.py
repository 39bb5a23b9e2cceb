"""Standings from tournament rows: per strategy, mean utility, agreement rate, rounds, welfare.

Each negotiation counts once for every party a strategy played in it. Intervals are 95%
percentile bootstrap intervals of the mean (resampling the strategy's negotiations, 2,000
resamples, seeded per strategy from `seed` and its spec, so they are reproducible).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from entente.errors import EntenteError
from entente.prefs import Floats

RESAMPLES = 2000
LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean with the bounds of its confidence interval."""

    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class Standing:
    """One strategy's line of the leaderboard; `n` is the number of (negotiation, party) plays."""

    strategy: str
    n: int
    utility: Estimate
    agreement: Estimate
    rounds: Estimate
    welfare: Estimate

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"strategy": self.strategy, "n": self.n}
        for name in ("utility", "agreement", "rounds", "welfare"):
            e: Estimate = getattr(self, name)
            out[name] = {"mean": e.mean, "low": e.low, "high": e.high}
        return out


def bootstrap(samples: Floats, rng: np.random.Generator) -> Floats:
    """(2, c) bounds of the interval of the mean of each column of `samples` (n, c)."""
    n = samples.shape[0]
    means = np.empty((RESAMPLES, samples.shape[1]))
    step = max(1, 2_000_000 // max(n, 1))
    for s in range(0, RESAMPLES, step):
        b = min(step, RESAMPLES - s)
        idx = rng.integers(0, n, size=(b, n))
        means[s : s + b] = samples[idx].mean(axis=1)
    tail = (1.0 - LEVEL) / 2
    return np.quantile(means, [tail, 1.0 - tail], axis=0)


def leaderboard(rows: Any, seed: int = 0) -> list[Standing]:
    """Standings from a pyarrow Table of result rows, best mean utility first."""
    if seed < 0:
        raise EntenteError(f"the bootstrap seed must be 0 or more, not {seed}")
    data = rows.select(["strategies", "utilities", "agreement", "rounds", "welfare"]).to_pydict()
    plays: dict[str, list[tuple[float, float, float, float]]] = {}
    for specs, utils, agreement, rounds, welfare in zip(
        data["strategies"],
        data["utilities"],
        data["agreement"],
        data["rounds"],
        data["welfare"],
        strict=True,
    ):
        agreed = 0.0 if agreement is None else 1.0
        for spec, u in zip(specs, utils, strict=True):
            plays.setdefault(spec, []).append((u, agreed, float(rounds), welfare))
    out: list[Standing] = []
    for spec, values in plays.items():
        x = np.asarray(values, dtype=np.float64)
        rng = np.random.default_rng([seed, zlib.crc32(spec.encode())])
        mean = x.mean(axis=0)
        bounds = bootstrap(x, rng)
        est = [Estimate(float(mean[c]), float(bounds[0, c]), float(bounds[1, c])) for c in range(4)]
        out.append(Standing(spec, len(values), *est))
    out.sort(key=lambda s: (-s.utility.mean, s.strategy))
    return out
