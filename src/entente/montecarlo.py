"""A scenario's uncertain numbers as arrays, and draws of them in seeded chunks.

`compile` reads a scenario into the arrays of `analysis.sensitivity.Linear` and the list of
the numbers that vary (the file's ranges, or with `noise` every weight, option value and
reservation value of the parties); `chunk` draws one chunk of variants and solves it. Chunk
`c` of a run seeded `s` draws from `numpy.random.default_rng([s, c])`, so the draws and every
number computed from them are the same in this process and in any number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from entente.analysis.sensitivity import Linear, Solved, grouped, solve, utilities_of
from entente.errors import EntenteError
from entente.montecarlo_ratify import Rules, rules
from entente.prefs import Floats, LinearAdditive, Preferences, RedLine
from entente.scenario import Scenario
from entente.uncertain import Distribution, Target, Uncertain

CHUNK = 500
"""Draws per chunk: the unit of seeding and of work handed to a worker."""


@dataclass(frozen=True)
class Compiled:
    """A scenario as arrays: `model`, its point numbers (`weights` (k, n), `values` (k, O),
    `reservation` (k,)), the numbers that vary, and the outcome to compare with (history)."""

    model: Linear
    weights: Floats
    values: Floats
    reservation: Floats
    numbers: tuple[Uncertain, ...]
    reference: tuple[int, ...] | None
    red_lines: tuple[RedLine, ...]
    rules: Rules | None = None

    def arrays(self, theta: Floats) -> tuple[Floats, Floats, Floats]:
        """Weights (B, k, n), values (B, k, O) and reservation values (B, k) of the draws
        `theta` (B, D), one column per number (`numbers`)."""
        b = theta.shape[0]
        w = np.broadcast_to(self.weights, (b, *self.weights.shape)).copy()
        v = np.broadcast_to(self.values, (b, *self.values.shape)).copy()
        r = np.broadcast_to(self.reservation, (b, len(self.reservation))).copy()
        starts = self.model.starts
        for d, num in enumerate(self.numbers):
            t, x = num.target, theta[:, d] * num.scale
            if t.kind == "weight":
                w[:, t.party, t.issue] = x
            elif t.kind == "value":
                v[:, t.party, starts[t.issue] + t.option] = x
            elif t.kind == "reservation":
                r[:, t.party] = x
        return w, v, r

    def draws(self, q: Floats) -> Floats:
        """The numbers (B, D) at probabilities `q` (B, D) of each number's distribution."""
        out = np.empty_like(q)
        for d, num in enumerate(self.numbers):
            out[:, d] = num.dist.quantile(q[:, d])
        return out

    def solve(self, theta: Floats, **kw: object) -> Solved:
        w, v, r = self.arrays(theta)
        return solve(self.model, w, v, r, **kw)  # type: ignore[arg-type]

    def prefs(self, theta: Floats, base: Scenario) -> tuple[Preferences, ...]:
        """The parties' preferences of one draw `theta` (D,), as a session needs them."""
        w, v, r = self.arrays(theta[None, :])
        starts = [*self.model.starts.tolist(), v.shape[2]]
        out = []
        for j, p in enumerate(base.parties):
            tables = tuple(
                v[0, j, starts[i] : starts[i + 1]].copy() for i in range(len(starts) - 1)
            )
            lin = Preferences((LinearAdditive(w[0, j].copy(), tables),))
            lo, hi = lin.bounds(base.space)
            norm = bool(self.model.normalized[j]) and hi > lo
            k = 1.0 / (hi - lo) if norm else 1.0
            off = -lo * k if norm else float(self.model.offset[j])
            out.append(
                replace(
                    p.prefs,
                    terms=(LinearAdditive(w[0, j] * k, tables),),
                    offset=off,
                    reservation=float(r[0, j]),
                    discount=_discount(self.numbers, theta, j, p.prefs.discount),
                )
            )
        return tuple(out)


def _discount(numbers: tuple[Uncertain, ...], theta: Floats, j: int, point: float) -> float:
    for d, num in enumerate(numbers):
        if num.target.kind == "discount" and num.target.party == j and num.target.constituency < 0:
            return float(theta[d])
    return point


def compile(scenario: Scenario, noise: float = 0.0) -> Compiled:
    """`scenario` as arrays, with its ranges (and, with `noise` > 0, a normal of relative sd
    `noise` around every other weight, option value and reservation value of the parties).
    Refuses parties whose utility is not linear additive."""
    k, space = len(scenario.parties), scenario.space
    shape = space.shape
    w = np.zeros((k, len(shape)))
    v = np.zeros((k, int(sum(shape))))
    off = np.zeros(k)
    lines: list[RedLine] = []
    for j, p in enumerate(scenario.parties):
        lin = p.prefs.linear
        if lin is None or any(len(x) != s for x, s in zip(lin.values, shape, strict=True)):
            raise EntenteError(
                f"party {p.id!r}: sensitivity needs linear additive utilities "
                "(weights and value tables), as scenario files give them"
            )
        w[j] = lin.weights
        v[j] = np.concatenate(lin.values)
        off[j] = p.prefs.offset
        lines.extend(p.prefs.red_lines)
    model = Linear(
        shape, w, v, off,
        np.zeros(k, dtype=bool),
        scenario.reservations.astype(np.float64),
        grouped(shape, lines),
    )  # fmt: skip
    numbers = tuple(u for u in scenario.uncertain if u.target.constituency < 0)
    if noise > 0:
        numbers = numbers + _noise(scenario, model, noise, numbers)
    # a utility the file normalised is mapped onto [0, 1] again in every draw that moves it
    for u in numbers:
        model.normalized[u.target.party] |= u.normalized
    history = scenario.history.outcome if scenario.history else None
    return Compiled(model, w, v, model.reservation, numbers, history, tuple(lines), rules(scenario))


def _noise(
    scenario: Scenario, model: Linear, rel: float, given: tuple[Uncertain, ...]
) -> tuple[Uncertain, ...]:
    """A normal of sd `rel` x |point| around each non-zero weight and option value without a
    range (cut at 0 so that no sign flips), and of sd `rel` x the utility's span around each
    reservation value without one (cut to that span)."""
    taken = {(u.target.kind, u.target.party, u.target.issue, u.target.option) for u in given}
    out: list[Uncertain] = []
    starts = model.starts
    for j, p in enumerate(scenario.parties):
        lo, hi = p.prefs.bounds(scenario.space)
        unit = abs(lo) < 1e-9 and abs(hi - 1.0) < 1e-9  # a utility normalised at load
        for i, iss in enumerate(scenario.space.issues):
            x = float(model.weights[j, i])
            if x != 0 and ("weight", j, i, -1) not in taken:
                path = f"parties.{p.id}.weights.{iss.id}"
                out.append(_normal(path, x, rel, Target("weight", j, i), unit))
            for o, label in enumerate(iss.options):
                y = float(model.values[j, starts[i] + o])
                if y != 0 and ("value", j, i, o) not in taken and model.weights[j, i] != 0:
                    path = f"parties.{p.id}.values.{iss.id}.{label}"
                    out.append(_normal(path, y, rel, Target("value", j, i, o), unit))
        if ("reservation", j, -1, -1) not in taken:
            lo = min(lo, 0.0)
            r = float(model.reservation[j])
            dist = Distribution("normal", lo, hi, 0.0, r, rel * (hi - lo))
            src = "noise"
            out.append(
                Uncertain(f"parties.{p.id}.reservation", dist, Target("reservation", j), src)
            )
    return tuple(out)


def _normal(path: str, x: float, rel: float, target: Target, unit: bool) -> Uncertain:
    lo, hi = (0.0, np.inf) if x > 0 else (-np.inf, 0.0)
    dist = Distribution("normal", lo, hi, 0.0, x, rel * abs(x))
    return Uncertain(path, dist, target, "noise", normalized=unit)


@dataclass(frozen=True)
class Chunk:
    """What one chunk of draws gives: the numbers drawn (B, D), each bargaining point and the
    random baselines (flat ids), whether the reference outcome is Pareto optimal, and the
    random outcome drawn per draw with whether every party accepts it."""

    theta: Floats
    solved: Solved
    random_outcome: NDArray[np.int64]
    random_accepted: NDArray[np.bool_]


def chunk(compiled: Compiled, seed: int, index: int, size: int, which: tuple[str, ...]) -> Chunk:
    """Chunk `index` of a run seeded `seed`: `size` draws, solved."""
    rng = np.random.default_rng([seed, index])
    q = rng.random((size, len(compiled.numbers)))
    theta = compiled.draws(q)
    w, v, r = compiled.arrays(theta)
    ref = compiled.reference
    solved = solve(compiled.model, w, v, r, rng=rng, which=which, reference=ref)
    shape = np.array(compiled.model.shape)
    outcomes = np.floor(rng.random((size, len(shape))) * shape).astype(np.int64)
    u = utilities_of(compiled.model, w, v, outcomes)
    ok: NDArray[np.bool_] = np.asarray((u >= r).all(axis=1))
    for line in compiled.red_lines:
        ok &= ~line.crossed(outcomes)
    strides = np.array([int(np.prod(shape[i + 1 :])) for i in range(len(shape))], dtype=np.int64)
    return Chunk(theta, solved, outcomes @ strides, ok)
