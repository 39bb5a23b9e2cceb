"""A Bayesian opponent model (Hindriks and Tykhonov 2008).

K. Hindriks and D. Tykhonov, "Opponent modelling in automated multi-issue negotiation using
Bayesian learning", AAMAS 2008. The opponent's utility is taken to be linear additive. The model
holds hypotheses about it and a probability for each:

- about the issue weights: an ordering of the issues, the issue ranked r of n weighing
  2r / (n (n + 1)) (the paper's rank weights);
- about each issue's evaluation function: a shape over the issue's options in their order,
  a triangle peaked at one option (peaked at the first it is the paper's "downhill" shape, at
  the last its "uphill" shape), scaled so the peak is worth 1.

Each offer b the opponent makes at time t updates every hypothesis h by Bayes' rule,
P(h | b) ∝ P(h) P(b | h), with the paper's likelihood: the opponent is assumed to concede
linearly, so its offer at time t is worth about u'(t) = 1 - concession * t to it, and
P(b | h) = exp(-(u_h(b) - u'(t))^2 / (2 sigma^2)) (the Gaussian's constant cancels on
normalising). The estimated utility of an outcome is its expected utility under the posterior.

Departures, and why:
- The paper's scalable variant is used: the weight hypotheses and each issue's evaluation
  hypotheses are kept as separate distributions, and each is updated with the others replaced
  by their expectations (the joint space, n! orderings times the product of shapes, is too large
  to list). The update is one array operation per issue.
- With more than `max_orderings` orderings (n! for n issues) a fixed, seeded sample of them is
  kept instead of all.
- Time is the negotiation's relative time in [0, 1], not a count of offers, so the assumed
  concession does not depend on the deadline.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import NDArray

from entente.prefs import Floats


def rank_weights(n: int, max_orderings: int, seed: int) -> Floats:
    """Weight hypotheses (H, n): one row per ordering of the issues, rank r weighing 2r/(n(n+1))."""
    if math.factorial(n) <= max_orderings:
        ranks = np.array(list(itertools.permutations(range(1, n + 1))), dtype=np.float64)
    else:
        rng = np.random.default_rng(seed)
        ranks = np.argsort(rng.random((max_orderings, n)), axis=1).astype(np.float64) + 1.0
    return ranks * 2.0 / (n * (n + 1))


def triangles(k: int) -> Floats:
    """Evaluation hypotheses (k, k) for an issue of k options: row j peaks (at 1) on option j."""
    if k == 1:
        return np.ones((1, 1))
    peak = np.arange(k, dtype=np.float64)[:, None]
    x = np.arange(k, dtype=np.float64)[None, :]
    reach = np.maximum(peak, k - 1 - peak)
    return 1.0 - np.abs(x - peak) / reach


class BayesModel:
    """Estimated utility of one opponent, in [0, 1], learned from its offers by Bayes' rule."""

    def __init__(
        self,
        shape: tuple[int, ...],
        sigma: float = 0.25,
        concession: float = 0.2,
        max_orderings: int = 720,
        seed: int = 0,
    ) -> None:
        if sigma <= 0:
            raise ValueError("sigma must be positive")
        self.shape = shape
        self.sigma = sigma
        self.concession = concession
        self.max_orderings = max_orderings
        self.seed = seed
        n = len(shape)
        self.weights = rank_weights(n, max_orderings, seed)
        self.shapes = [triangles(k) for k in shape]
        self.weight_post_ = np.full(len(self.weights), 1.0 / len(self.weights))
        self.eval_post_ = [np.full(k, 1.0 / k) for k in shape]
        self.n_ = 0
        self._means: tuple[Floats, list[Floats]] | None = None  # until the next update
        # each issue's hypotheses' evaluations of its options, option by option (rows), and
        # where each issue's hypotheses start in one array of all of them (after the weights')
        self._columns = [np.ascontiguousarray(s.T) for s in self.shapes]
        self._starts = np.cumsum([len(self.weights), *shape]).tolist()

    def _expectations(self) -> tuple[Floats, list[Floats]]:
        """The posterior means of the weights and of each issue's evaluations, computed once
        per update (every reader between two updates shares them)."""
        if self._means is None:
            ew = np.asarray(self.weight_post_ @ self.weights)
            ev = [np.asarray(p @ s) for p, s in zip(self.eval_post_, self.shapes, strict=True)]
            self._means = (ew, ev)
        return self._means

    def expected_weights(self) -> Floats:
        """The posterior mean of each issue's weight (sums to 1)."""
        return self._expectations()[0].copy()

    def expected_values(self, i: int) -> Floats:
        """The posterior mean evaluation of each option of issue i."""
        return self._expectations()[1][i].copy()

    def expected_offer(self, time: float) -> float:
        """u'(t): what the opponent's offer at time t is assumed to be worth to it."""
        return max(0.0, 1.0 - self.concession * time)

    def likelihood(self, u: Floats, time: float) -> Floats:
        """P(b | h) up to a constant, for hypotheses under which the offer is worth `u`."""
        return np.exp(-((u - self.expected_offer(time)) ** 2) / (2.0 * self.sigma**2))

    def update(self, outcome: tuple[int, ...], time: float) -> None:
        """Bayes' rule on every hypothesis, after the opponent offered `outcome` at `time`."""
        ew, ev = self._expectations()
        c = np.array([ev[i][x] for i, x in enumerate(outcome)])
        total = float(ew @ c)
        # the weight hypotheses (each ordering, evaluations at their expectation) and each
        # issue's shapes (that shape varies, the rest at their expectation): every
        # hypothesis's utility of the offer, then all likelihoods in one array operation
        us = [self.weights @ c]
        for i, x in enumerate(outcome):
            us.append(total - ew[i] * c[i] + ew[i] * self._columns[i][x])
        likely = self.likelihood(np.concatenate(us), time)
        starts = self._starts
        self.weight_post_ = _normalised(self.weight_post_ * likely[: starts[0]], self.weight_post_)
        for i, post in enumerate(self.eval_post_):
            self.eval_post_[i] = _normalised(post * likely[starts[i] : starts[i + 1]], post)
        self.n_ += 1
        self._means = None

    def utility(self, outcomes: NDArray[np.int64]) -> Floats:
        """Expected utility to the opponent of each row of `outcomes` (m, n)."""
        o = np.asarray(outcomes).reshape(-1, len(self.shape))
        ew, ev = self._expectations()
        total = np.zeros(o.shape[0])
        for i in range(len(self.shape)):
            total += ew[i] * ev[i][o[:, i]]
        return total


def _normalised(p: Floats, previous: Floats) -> Floats:
    """`p` scaled to sum to 1; the previous distribution if every hypothesis underflowed."""
    s = float(p.sum())
    return p / s if s > 0 and math.isfinite(s) else previous
