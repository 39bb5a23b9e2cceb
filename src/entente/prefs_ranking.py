"""Preference uncertainty (ANAC 2019): a party knows only a ranking of a few outcomes.

A GENIUS profile of type UNCERTAIN states the true additive utility and how much of it the
agent may see: `comparisons` (K, the number of outcomes in its ranking) and `errors` (E,
misplaced outcomes). The negotiation is measured with the true utility; the agent's strategy
sees an estimate made from the ranking only.

- `ranking`: K distinct outcomes drawn uniformly with the seed (GENIUS's fixed seed, 314,
  unless one is given; GENIUS draws a fresh seed when `fixed_seed` is false, entente keeps the
  fixed one so that the same file always gives the same ranking), sorted by true utility from
  worst to best (ties by flat id), then E swaps of two neighbours at distinct, non-touching
  places drawn with the same generator, so the ranking has exactly E pairs out of true order
  when the K utilities differ. E is capped at K // 2, the most such swaps K outcomes allow.
- `estimate`: the rank positions mapped linearly to [0, 1] (worst 0, best 1) are fitted by
  least squares with a linear-additive model over one-hot issue options (an option absent
  from the ranking gets 0); the fitted model is rescaled so its worst outcome is 0 and its
  best 1. The reservation value, discount and red lines stay the true ones: ANAC 2019 agents
  are told them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from entente.errors import EntenteError
from entente.prefs import LinearAdditive, Preferences
from entente.space import Outcomes, OutcomeSpace

GENIUS_SEED = 314
"""The seed GENIUS uses for an uncertain profile with a fixed seed (the default)."""


@dataclass(frozen=True)
class Uncertainty:
    """How much of its utility a party sees: a ranking of `comparisons` outcomes with `errors`
    misplaced, as a GENIUS UNCERTAIN profile states it (`elicitation_cost`, `fixed_seed` and
    `experimental` are kept as read; entente does not elicit)."""

    comparisons: int
    errors: int
    elicitation_cost: float = 0.0
    fixed_seed: bool = True
    experimental: bool = False
    seed: int = GENIUS_SEED

    def __post_init__(self) -> None:
        if self.comparisons < 1:
            raise EntenteError(f"comparisons {self.comparisons}: expected at least 1")
        if self.errors < 0:
            raise EntenteError(f"errors {self.errors}: expected at least 0")


def ranking(prefs: Preferences, space: OutcomeSpace, unc: Uncertainty) -> Outcomes:
    """The (K, n) outcomes the party is shown, worst first, with `unc.errors` neighbour swaps."""
    rng = np.random.default_rng(unc.seed)
    k = min(unc.comparisons, space.size)
    if space.enumerable:
        rows = space.unflat(np.sort(rng.choice(space.size, size=k, replace=False)))
    else:  # a space too large to list: k draws, repeats dropped
        rows = np.unique(space.sample(rng, k), axis=0)
    # by utility, ties by flat id (the first issue most significant)
    order = np.lexsort(np.vstack([rows.T[::-1], prefs.utility(rows)[None, :]]))
    ranked = rows[order]
    return _swap(ranked, min(unc.errors, len(ranked) // 2), rng)


def _swap(ranked: Outcomes, e: int, rng: np.random.Generator) -> Outcomes:
    """`ranked` with e swaps of neighbours at places no two of which touch."""
    if e == 0:
        return ranked
    # e places among len-1 gaps, pairwise at least 2 apart: e sorted picks from len-e, shifted
    picks = np.sort(rng.choice(len(ranked) - e, size=e, replace=False))
    at = picks + np.arange(e)
    out = ranked.copy()
    out[at], out[at + 1] = ranked[at + 1], ranked[at]
    return out


def estimate(prefs: Preferences, space: OutcomeSpace, ranked: Outcomes) -> Preferences:
    """A linear-additive utility in [0, 1] fitted to the rank positions of `ranked` (worst
    first); `prefs` gives only the reservation value, discount and red lines."""
    ranked = np.asarray(ranked, dtype=np.int64).reshape(-1, space.n_issues)
    k = len(ranked)
    target = np.arange(k, dtype=np.float64) / max(k - 1, 1)
    starts = np.concatenate(([0], np.cumsum(space.shape)[:-1])).astype(np.int64)
    x = np.zeros((k, int(sum(space.shape))))
    x[np.arange(k)[:, None], ranked + starts] = 1.0
    coef = np.linalg.lstsq(x, target, rcond=None)[0]
    coef[~x.any(axis=0)] = 0.0
    values = [coef[s : s + n] for s, n in zip(starts, space.shape, strict=True)]
    lo = np.array([v.min() for v in values])
    span = float((np.array([v.max() for v in values]) - lo).sum())
    scale = 1.0 / span if span > 0 else 0.0
    term = LinearAdditive(
        np.ones(len(values)), tuple((v - m) * scale for v, m in zip(values, lo, strict=True))
    )
    return replace(prefs, terms=(term,), offset=0.0)


def seen(prefs: Preferences, space: OutcomeSpace, unc: Uncertainty) -> Preferences:
    """What the party's strategy is told its preferences are: `estimate` of its `ranking`."""
    return estimate(prefs, space, ranking(prefs, space, unc))


def inversions(prefs: Preferences, ranked: Outcomes) -> int:
    """Pairs of `ranked` (worst first) whose true utilities are in the wrong order."""
    u = prefs.utility(ranked)
    wrong: NDArray[np.bool_] = np.triu(u[:, None] > u[None, :], k=1)
    return int(wrong.sum())
