"""Backtests: the models' forecasts against recorded outcomes, with honest uncertainty.

Every issue with a recorded outcome, from every case, is one observation. For each model the
error on an issue is |forecast - outcome|, on the issue's scale and divided by the scale's
length (`high - low`), so that issues on different scales can be pooled. The statistics are
computed on the normalised errors:

- MAE: their mean over the issues;
- a percentile bootstrap confidence interval of the MAE: the issues resampled with
  replacement (the same resamples for every model), from a seeded numpy Generator;
- a paired sign-flip permutation test of each model against the baseline (the capability x
  salience weighted mean, "mean"): d_k = e_model,k - e_mean,k; under the null hypothesis that
  neither model is more accurate, each d_k is as likely to be -d_k, so the p-value is the
  share of sign patterns s whose |mean(s * d)| reaches |mean(d)| (two-sided). Enumerated
  exactly up to `EXACT` issues, drawn at random (`draws` patterns, p = (1 + hits) / (1 + draws))
  beyond.

An ensemble (the average of chosen models' forecasts on each issue) is one more model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from entente.errors import EntenteError, one_of, quoted
from entente.forecast import MODELS, forecast
from entente.forecast.actors import Actors, Floats

BASELINE = "mean"
"""The model every other is tested against: the capability x salience weighted mean."""

EXACT = 16
"""Up to this many issues the sign-flip test enumerates all 2**n sign patterns."""

_TIE = 1e-12


@dataclass(frozen=True)
class ModelResult:
    """One model's record over the backtest's issues."""

    model: str
    forecasts: Floats  # (n,) on each issue's scale
    errors: Floats  # (n,) |forecast - outcome| on each issue's scale
    normalised: Floats  # (n,) errors / (high - low)
    mae: float  # mean of `normalised`
    mae_scale: float  # mean of `errors` (meaningful when the issues share a scale)
    ci: tuple[float, float]  # bootstrap interval of `mae`
    difference: float | None  # mae - the baseline's mae (None for the baseline)
    p_value: float | None  # sign-flip test against the baseline (None for the baseline)


@dataclass(frozen=True)
class Backtest:
    """Every model's record on the same issues, with the settings that produced it."""

    cases: tuple[str, ...]
    case: tuple[str, ...]  # (n,) the case of each issue
    issues: tuple[str, ...]  # (n,)
    outcome: Floats  # (n,)
    low: Floats  # (n,)
    high: Floats  # (n,)
    results: tuple[ModelResult, ...]
    seed: int
    resamples: int
    level: float
    test: str  # how the p-values were computed

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary: per model MAE, interval, test, and the per-issue errors."""
        return {
            "baseline": BASELINE,
            "cases": list(self.cases),
            "issues": [
                {"case": c, "issue": i, "outcome": float(o), "low": float(lo), "high": float(hi)}
                for c, i, o, lo, hi in zip(
                    self.case, self.issues, self.outcome, self.low, self.high, strict=True
                )
            ],
            "level": self.level,
            "models": {
                r.model: {
                    "mae": r.mae,
                    "mae_scale": r.mae_scale,
                    "ci": list(r.ci),
                    "difference": r.difference,
                    "p_value": r.p_value,
                    "forecasts": r.forecasts.tolist(),
                    "errors": r.errors.tolist(),
                    "normalised": r.normalised.tolist(),
                }
                for r in self.results
            },
            "resamples": self.resamples,
            "seed": self.seed,
            "test": self.test,
        }


MAX_RESAMPLES = 1_000_000
"""The most bootstrap resamples or random sign patterns: more only costs memory."""


def ensemble_name(members: Sequence[str]) -> str:
    return "ensemble(" + "+".join(members) + ")"


def backtest(
    cases: Sequence[Actors],
    models: Sequence[str] = tuple(MODELS),
    *,
    names: Sequence[str] | None = None,
    ensemble: Sequence[str] = (),
    seed: int = 0,
    resamples: int = 2000,
    draws: int = 20000,
    level: float = 0.95,
) -> Backtest:
    """Backtest `models` (the baseline always among them) on every recorded outcome of `cases`.

    `names` labels the cases (default "case 1", ...); `ensemble`, when given, adds the average
    of those models' forecasts as one more model. Each model runs with `seed` on every case.
    """
    if not cases:
        raise EntenteError("backtest: no cases given")
    names = tuple(names) if names is not None else tuple(f"case {k + 1}" for k in range(len(cases)))
    wanted = list(dict.fromkeys([BASELINE, *models, *ensemble]))
    for m in wanted:
        if m not in MODELS:
            raise EntenteError(
                f"backtest: unknown model {quoted(m)}; expected one of {one_of(MODELS)}"
            )
    if len(ensemble) == 1:
        raise EntenteError("backtest: an ensemble needs at least two models")
    if not 0 < level < 1:
        raise EntenteError(f"backtest: level {level} is not in (0, 1)")
    if not (1 <= resamples <= MAX_RESAMPLES and 1 <= draws <= MAX_RESAMPLES):
        raise EntenteError(
            f"backtest: resamples and draws must be from 1 to {MAX_RESAMPLES:,}, got "
            f"{resamples} and {draws}"
        )
    per_case: list[dict[str, Floats]] = []
    keep: list[npt.NDArray[np.bool_]] = []
    for name, actors in zip(names, cases, strict=True):
        known = (
            np.zeros(len(actors.issues), bool)
            if actors.outcome is None
            else ~np.isnan(actors.outcome)
        )
        if not known.any():
            raise EntenteError(
                f"backtest: {name}: no recorded outcome (a backtest needs an outcome on at least "
                "one issue)"
            )
        keep.append(known)
        per_case.append({m: forecast(actors, m, seed=seed).positions for m in wanted})
    pick = list(zip(cases, keep, strict=True))
    outcome = np.concatenate([a.outcome[k] for a, k in pick if a.outcome is not None])
    low = np.concatenate([a.low[k] for a, k in pick])
    high = np.concatenate([a.high[k] for a, k in pick])
    issues = tuple(i for a, k in pick for i, ok in zip(a.issues, k, strict=True) if ok)
    case = tuple(n for n, k in zip(names, keep, strict=True) for _ in range(int(k.sum())))
    labels = [m for m in wanted if m in models or m == BASELINE]
    fc = np.array(
        [np.concatenate([f[m][k] for f, k in zip(per_case, keep, strict=True)]) for m in labels]
    )
    if ensemble:
        rows = np.array(
            [
                np.concatenate([f[m][k] for f, k in zip(per_case, keep, strict=True)])
                for m in ensemble
            ]
        )
        fc = np.vstack([fc, rows.mean(axis=0)])
        labels.append(ensemble_name(ensemble))
    err = np.abs(fc - outcome)
    norm = err / (high - low)
    mae = norm.mean(axis=1)
    rng = np.random.default_rng(seed)
    lo_ci, hi_ci = bootstrap_ci(norm, rng, resamples, level)
    base = norm[0]
    p, test = sign_flip(norm - base, rng, draws)
    results = tuple(
        ModelResult(
            model=m,
            forecasts=fc[k],
            errors=err[k],
            normalised=norm[k],
            mae=float(mae[k]),
            mae_scale=float(err[k].mean()),
            ci=(float(lo_ci[k]), float(hi_ci[k])),
            difference=None if k == 0 else float(mae[k] - mae[0]),
            p_value=None if k == 0 else float(p[k]),
        )
        for k, m in enumerate(labels)
    )
    return Backtest(
        cases=names,
        case=case,
        issues=issues,
        outcome=outcome,
        low=low,
        high=high,
        results=results,
        seed=seed,
        resamples=resamples,
        level=level,
        test=test,
    )


def bootstrap_ci(
    errors: Floats, rng: np.random.Generator, resamples: int, level: float
) -> tuple[Floats, Floats]:
    """Percentile interval of each row's mean, the columns resampled (the same for every row)."""
    m, n = errors.shape
    means = np.empty((m, resamples))
    chunk = max(1, 4_000_000 // max(1, m * n))
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        means[:, start:stop] = errors[:, idx].mean(axis=2)
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(means, [tail, 100 - tail], axis=1)
    return lo, hi


def sign_flip(diffs: Floats, rng: np.random.Generator, draws: int) -> tuple[Floats, str]:
    """Two-sided sign-flip p-value of each row's mean difference from 0, and the method used.

    Exact (every sign pattern) up to EXACT columns, else `draws` random patterns.
    """
    n = diffs.shape[1]
    if n <= EXACT:
        bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
        signs = 1.0 - 2.0 * bits  # (2**n, n)
        method = f"sign-flip, exact ({2**n} patterns)"
    else:
        signs = rng.choice(np.array([-1.0, 1.0]), size=(draws, n))
        method = f"sign-flip, {draws} random patterns"
    observed = np.abs(diffs.mean(axis=1))  # (m,)
    flipped = np.abs(signs @ diffs.T) / n  # (patterns, m)
    hits = (flipped >= observed - _TIE * np.maximum(1.0, observed)).sum(axis=0)
    if n <= EXACT:
        return hits / signs.shape[0], method
    return (1 + hits) / (1 + draws), method
