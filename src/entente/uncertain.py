"""Uncertain numbers of a scenario: what a file gives as a range or a distribution.

A scenario file may give a weight, an option value, a reservation value, a discount or a
constituency's threshold as `{ low, high }` (uniform), `{ low, mode, high }` (triangular) or
`{ mean, sd }` (normal, optionally truncated to `[low, high]`). An ordinary run uses the
number's point (the midpoint, the mode, the mean); `entente sensitivity` draws from the
distribution. Draws are made by the quantile function from uniform numbers in (0, 1), so a
Monte Carlo sample and a Sobol design (SALib's, on the unit cube) go through the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np

from entente.prefs import Floats

Kind = Literal["uniform", "triangular", "normal"]
_STD = NormalDist()


@dataclass(frozen=True)
class Distribution:
    """A range or distribution. `low`/`high` bound it (for a normal: where it is truncated,
    infinite when not); `mode` is a triangular's peak; `mean`/`sd` a normal's parameters."""

    kind: Kind
    low: float = -np.inf
    high: float = np.inf
    mode: float = 0.0
    mean: float = 0.0
    sd: float = 0.0

    @property
    def point(self) -> float:
        """The number an ordinary run uses: midpoint, mode or mean."""
        if self.kind == "uniform":
            return 0.5 * (self.low + self.high)
        return self.mode if self.kind == "triangular" else self.mean

    @property
    def width(self) -> float:
        """The length of its support (infinite for an untruncated normal)."""
        return self.high - self.low

    def quantile(self, q: Floats) -> Floats:
        """The numbers at probabilities `q` (an array of values in (0, 1))."""
        q = np.asarray(q, dtype=np.float64)
        a, b = self.low, self.high
        if self.kind == "uniform":
            return a + q * (b - a)
        if self.kind == "triangular":
            if b <= a:
                return np.full(q.shape, a)
            c = (self.mode - a) / (b - a)
            left = a + np.sqrt(q * (b - a) * (self.mode - a))
            right = b - np.sqrt((1.0 - q) * (b - a) * (b - self.mode))
            return np.where(q < c, left, right)
        if self.sd == 0.0:
            return np.full(q.shape, self.mean)
        norm = NormalDist(self.mean, self.sd)
        lo = norm.cdf(a) if np.isfinite(a) else 0.0
        hi = norm.cdf(b) if np.isfinite(b) else 1.0
        p = np.clip(lo + q * (hi - lo), 1e-15, 1.0 - 1e-15)
        inv = np.frompyfunc(_STD.inv_cdf, 1, 1)
        x = self.mean + self.sd * np.asarray(inv(p), dtype=np.float64)
        return np.clip(x, a, b)

    def clipped(self, low: float, high: float) -> Distribution:
        """A normal truncated to the allowed range of its field (other kinds unchanged)."""
        if self.kind != "normal":
            return self
        return Distribution(
            "normal", max(self.low, low), min(self.high, high), 0.0, self.mean, self.sd
        )

    def describe(self) -> str:
        """'uniform 0.3-0.5', 'triangular 0.3-0.4-0.5', 'normal 0.4 sd 0.05'."""
        if self.kind == "uniform":
            return f"uniform {self.low:g} to {self.high:g}"
        if self.kind == "triangular":
            return f"triangular {self.low:g} to {self.high:g}, mode {self.mode:g}"
        cut = f", within {self.low:g} to {self.high:g}" if np.isfinite(self.width) else ""
        return f"normal, mean {self.mean:g}, sd {self.sd:g}{cut}"


TargetKind = Literal["weight", "value", "reservation", "discount", "threshold", "vote"]


@dataclass(frozen=True)
class Target:
    """Which number of the scenario an uncertain number is. `party` indexes `parties`;
    `constituency` (>= 0) a constituency of that party's ratifier, whose `weight`/`value`
    are then its own utility's, `vote` its vote weight and `threshold` its threshold."""

    kind: TargetKind
    party: int
    issue: int = -1
    option: int = -1
    constituency: int = -1


@dataclass(frozen=True)
class Uncertain:
    """One uncertain number: where it is written (`path`, e.g.
    'parties.japan.weights.sakhalin'), its distribution, and why. `scale` turns a number as
    written into the number the loaded scenario holds (a normalised party's weights are
    scaled at load)."""

    path: str
    dist: Distribution
    target: Target
    source: str = ""
    rationale: str = ""
    scale: float = 1.0
    normalized: bool = False
    """The utility the number belongs to was mapped onto [0, 1] at load (`normalize`): a
    change of the number maps it again."""

    @property
    def point(self) -> float:
        return self.dist.point
