"""AgentK, winner of ANAC 2010: targets set from the statistics of the opponent's offers, and
acceptance by chance.

Kawaguchi, S., Fujita, K., Ito, T. (2012). AgentK: Compromising Strategy Based on Estimated
Maximum Utility for Automated Negotiating Agents. In: Ito, T., Zhang, M., Robu, V., Fatima, S.,
Matsuo, T. (eds) New Trends in Agent-Based Complex Automated Negotiations. Studies in
Computational Intelligence 383, pp. 137-144. Springer.
https://doi.org/10.1007/978-3-642-24696-8_11
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject, Walk
from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.strategies.hardheaded import unit_scale
from entente.negotiation.strategies.micro import Ranking
from entente.negotiation.view import View


@dataclass(frozen=True)
class Targets:
    """What AgentK derives from the offers it has received, on the [0, 1] scale."""

    p: float
    """The probability of accepting the offer just received."""
    target: float
    """It re-offers an opponent's earlier offer worth more than this."""
    bid_target: float
    """Otherwise it searches for an outcome worth at least this."""
    estimate_max: float
    """The most it expects the opponent to give: mean + (1 - mean) * deviation."""


def _pull(goal: float, estimate_max: float, m: float) -> float:
    """A target above the estimated maximum is drawn towards it, the more the closer it is."""
    if goal <= estimate_max:
        return estimate_max
    r = goal - estimate_max
    f = 1.0 / (r * r)
    if f > m or math.isnan(f):
        f = m
    return goal - r * f / m


def targets(
    offered: float, mean: float, variance: float, time: float, tremor: float, draw: float
) -> Targets:
    """AgentK's acceptance rule for an offer worth `offered`, given the mean and variance of the
    offers received so far (this one included); `draw` is uniform in [0, 1) and sets how far
    the bidding exponent strays from the accepting one (the "tremor").

    deviation = sqrt(12 variance) (the width of a uniform spread with that variance);
    alpha = 1 + tremor + 10 mean - 2 tremor mean, beta = alpha + tremor (draw - 1/2);
    each target is 1 - ratio time**exponent (1 - estimate_max) with ratio =
    min(2, (deviation + 0.1) / (time**exponent (1 - estimate_max))), then pulled towards
    estimate_max; p = time**alpha / 5 + (offered - estimate_max) + (offered - target), and 0
    below 0.1.
    """
    deviation = math.sqrt(max(variance, 0.0) * 12.0)
    offered = min(offered, 1.0)
    estimate_max = mean + (1.0 - mean) * deviation
    alpha = 1.0 + tremor + 10.0 * mean - 2.0 * tremor * mean
    beta = alpha + draw * tremor - tremor / 2.0
    m = -300.0 * time**3 + 400.0

    def aim(exponent: float) -> float:
        pre = 1.0 - time**exponent * (1.0 - estimate_max)
        gap = 1.0 - pre
        ratio = (deviation + 0.1) / gap if gap != 0 else math.inf
        ratio = 2.0 if math.isnan(ratio) or ratio > 2.0 else ratio
        return _pull(ratio * pre + 1.0 - ratio, estimate_max, m)

    target, bid_target = aim(alpha), aim(beta)
    p = time**alpha / 5.0 + (offered - estimate_max) + (offered - target)
    return Targets(p if p >= 0.1 else 0.0, target, bid_target, estimate_max)


class AgentK(Negotiator):
    """AgentK (Kawaguchi, Fujita and Ito; ANAC 2010 winner).

    Each offer received updates the mean and variance of the utilities offered to it; from them
    and the time it sets `target`, `bid_target` and the probability p of accepting (see
    `targets`), and accepts when p beats a uniform draw. Otherwise it re-offers one of the
    opponent's earlier offers worth more than `target`, drawn at random, or searches outcomes
    at random for one worth at least `bid_target`, lowering that by `step` after every
    `patience` + 1 misses. Utilities are read on the [0, 1] scale of `unit_scale`; it never
    accepts or offers below its reservation value.
    """

    name = "agentk"

    def __init__(self, tremor: float = 2.0, patience: int = 500, step: float = 0.01) -> None:
        if patience < 0 or step <= 0:
            raise ValueError("patience must be >= 0 and step positive")
        self.tremor = tremor
        self.patience = patience
        self.step = step

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        own = self.own_ = view.me_own
        self.ranking_ = Ranking(own, rng)
        lo, hi = unit_scale(own)
        self.scale_ = (lo, hi)
        self.s_ = (self.ranking_.u - lo) / (hi - lo)
        self.floor_ = (own.prefs.reservation - lo) / (hi - lo)
        self.offered_: dict[Outcome, float] = {}  # the opponents' offers, scaled utility
        self.sum_ = self.sum2_ = 0.0
        self.n_ = 0
        self.target_ = self.bid_target_ = 1.0
        self.p_ = 0.0

    def scaled(self, u: float) -> float:
        lo, hi = self.scale_
        return (u - lo) / (hi - lo)

    def target(self, view: View) -> float:
        lo, hi = self.scale_
        return lo + (hi - lo) * self.bid_target_

    def observe(self, outcome: Outcome, time: float) -> Targets:
        """Take in an offer received at `time`: update the statistics and the targets."""
        u = self.scaled(self.own_.utility(outcome))
        self.offered_[outcome] = u
        self.sum_ += u
        self.sum2_ += u * u
        self.n_ += 1
        mean = self.sum_ / self.n_
        got = targets(
            u, mean, self.sum2_ / self.n_ - mean * mean, time, self.tremor, self.rng_.random()
        )
        self.target_, self.bid_target_, self.p_ = got.target, got.bid_target, got.p
        return got

    def search(self) -> Outcome:
        """An outcome drawn at random until one reaches `bid_target`, the target dropping by
        `step` after each `patience` + 1 misses; drawn in one go from the same distribution."""
        s, n = self.s_, len(self.s_)
        start = self.bid_target_
        steps = max(int((start - self.floor_) / self.step), 0) + 2
        levels = np.maximum(start - self.step * np.arange(steps), self.floor_)
        counts = np.searchsorted(-s, -levels, side="right")
        hit = 1.0 - (1.0 - counts / n) ** (self.patience + 1)
        draws = self.rng_.random(len(levels))
        found = np.flatnonzero((draws < hit) & (counts > 0))
        j = int(found[0]) if len(found) else len(levels) - 1
        self.bid_target_ = float(levels[j])
        k = int(counts[j])
        return self.ranking_.outcome(int(self.rng_.integers(k)) if k else 0)

    def propose(self) -> Outcome:
        above = [o for o, u in self.offered_.items() if u > self.target_ and u >= self.floor_]
        if above:
            return above[int(self.rng_.integers(len(above)))]
        return self.search()

    def act(self, view: View) -> Action:
        own = self.own_ = view.me_own
        text = view.table
        if Accept in view.legal and text is not None and view.state.proposer != view.me:
            got = self.observe(text, view.time)
            fair = own.acceptable(text) and own.utility(text) >= own.prefs.reservation
            if fair and got.p > self.rng_.random():
                return Accept()
            if Offer not in view.legal:  # answering a text: object to it, or walk away
                if Reject not in view.legal:
                    return Walk()
                gap = self.target(view) - own.utility(text)
                return Reject(own.objections(text, gap, self.OBJECTIONS))
        if len(self.ranking_) == 0:
            return Offer(own.ideal)
        return Offer(self.propose())
