"""Reservation-value fitting: guess how far the opponent will go, concede along the frontier.

The agents of the Automated Negotiation League (ANL) of ANAC 2024, which runs on NegMAS, know
the opponent's utility function but not its reservation value, and the strong ones estimate that
value from the opponent's offers and then concede along the Pareto frontier towards the best
outcome the opponent would still accept. This agent does the same with what entente lets a
party see: the opponent's utility is estimated with the Bayesian model (`models.bayes`).

The estimator (a documented one, not a copy of the ANL 2024 winner's code, which could not be
checked here): the estimated utilities y_k of the opponent's offers, at times t_k, are fitted
with the time-dependent curve of Faratin et al. (1998), y(t) = y0 - (y0 - r) t^(1/e). For each
exponent e of a fixed grid, the least-squares y0 and r are closed-form (a straight line in
t^(1/e)); the fit with the smallest squared error is kept, and r, the curve's value at the deadline,
is the estimated reservation value.

Bidding: the estimated frontier is the Pareto frontier of the agent's utility and the estimated
opponent utility. Its end point is the frontier outcome best for the agent among those the
opponent values at least at the estimated reservation value; the agent's aspiration falls from
its best utility to that end point's as t^(1/e) (Boulware for e < 1), and it offers the frontier
outcome that reaches the aspiration and gives the opponent the most. It accepts an offer that
reaches its aspiration and its reservation value.

Departures: the opponent's utility is estimated (ANL 2024 gives it); with several opponents the
estimated utilities are averaged; in spaces too large to list the agent concedes on time alone.
"""

from __future__ import annotations

import numpy as np

from entente.analysis import pareto_mask
from entente.negotiation.actions import Outcome
from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.strategies.nicetft import OpponentWatch
from entente.negotiation.view import View
from entente.prefs import Floats

EXPONENTS = np.geomspace(0.05, 20.0, 241)
"""The grid of concession exponents the fit tries (Boulware to Conceder)."""


def fit_reservation(times: Floats, utilities: Floats) -> tuple[float, float]:
    """(r, e): the reservation value and exponent of the curve y0 - (y0 - r) t^(1/e) that fits
    the opponent's offers best (least squares over y0 and r, for each e of a grid)."""
    t = np.clip(np.asarray(times, dtype=np.float64), 0.0, 1.0)
    y = np.asarray(utilities, dtype=np.float64)
    p = t[None, :] ** (1.0 / EXPONENTS[:, None])  # (grid, offers)
    dp = p - p.mean(axis=1, keepdims=True)
    var = (dp * dp).sum(axis=1)
    # y = y0 - a p: the slope a >= 0 (the opponent concedes), the intercept y0 given a
    a = np.where(var > 1e-15, -(dp @ (y - y.mean())) / np.where(var > 1e-15, var, 1.0), 0.0)
    a = np.maximum(a, 0.0)
    y0 = y.mean() + a * p.mean(axis=1)
    error = ((y[None, :] - (y0[:, None] - a[:, None] * p)) ** 2).sum(axis=1)
    best = int(np.argmin(error))
    return float(np.clip(y0[best] - a[best], 0.0, max(y0[best], 0.0))), float(EXPONENTS[best])


class ReservationFitter(Negotiator):
    """Estimates the opponent's reservation value and concedes along the estimated frontier."""

    name = "rvfit"

    def __init__(self, e: float = 0.2, min_offers: int = 3) -> None:
        if e <= 0:
            raise ValueError("e must be positive")
        self.e = e
        self.min_offers = min_offers

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self.watch_ = OpponentWatch(view)
        self.reservation_ = 0.0
        self.exponent_ = 1.0
        self.estimates_: list[tuple[float, float]] = []  # (time, estimated reservation value)
        self.frontier_: np.ndarray = np.zeros(0, dtype=np.int64)

    def _opponent(self, rows: np.ndarray) -> Floats:
        return np.asarray(self.watch_.estimates(rows).mean(axis=1))

    def estimate(self, view: View) -> None:
        """Refit the opponent's reservation value to all its offers, in the current model."""
        offers = [o for j in self.watch_.offers for o in self.watch_.offers[j]]
        if len(offers) < self.min_offers:
            return
        offers.sort(key=lambda x: x[1])
        rows = np.asarray([o for o, _ in offers], dtype=np.int64)
        times = np.asarray([t for _, t in offers])
        self.reservation_, self.exponent_ = fit_reservation(times, self._opponent(rows))
        self.estimates_.append((view.time, self.reservation_))

    def target(self, view: View) -> float:
        own = view.me_own
        self.watch_.learn(view)
        self.estimate(view)
        lo = self.floor(own)
        if own.table is not None and self.estimates_:
            mine = own.table.u[:, own.index]
            ok = np.flatnonzero(own.table.ok[:, own.index] & (mine >= lo))
            theirs = self._opponent(own.table.outcomes[ok])
            front = pareto_mask(np.stack([mine[ok], theirs], axis=1))
            self.frontier_ = ok[front]
            willing = front & (theirs >= self.reservation_)
            if willing.any():
                lo = max(lo, float(mine[ok[willing]].max()))
        hi = own.best
        return hi - (hi - lo) * view.time ** (1.0 / self.e)

    def choose(self, view: View, target: float) -> Outcome:
        own = view.me_own
        if own.table is None or len(self.frontier_) == 0:
            return own.near(target, self.rng_)
        mine = own.table.u[self.frontier_, own.index]
        reach = np.flatnonzero(mine >= target)
        if len(reach) == 0:
            return own.near(target, self.rng_)
        return own.outcome(int(self.frontier_[reach[np.argmin(mine[reach])]]))
