"""Forecasts of the outcome of a spatial bargaining case (actors' positions, saliences,
capabilities) by the literature's models; see docs/forecast.md for the equations."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from entente.errors import EntenteError, one_of, quoted
from entente.forecast.actors import Actors, Floats, Forecast, Model, size_problem
from entente.forecast.bargain import nash
from entente.forecast.compromise import weighted_mean, weighted_median
from entente.forecast.eu import expected_utility
from entente.forecast.smp import condorcet
from entente.forecast.stokman import exchange

MODELS: dict[str, Model] = {
    "mean": weighted_mean,
    "median": weighted_median,
    "nash": nash,
    "eu": expected_utility,
    "exchange": exchange,
    "condorcet": condorcet,
}


def forecast(actors: Actors, model: str = "mean", *, seed: int = 0, **params: Any) -> Forecast:
    """The forecast of the model registered as `model`, with its keyword parameters checked."""
    fn = MODELS.get(model)
    if fn is None:
        raise EntenteError(
            f"forecast: unknown model {quoted(model)}; expected one of {one_of(MODELS)}"
        )
    accepted = {
        n
        for n, p in inspect.signature(fn).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and n != "seed"
    }
    for name in params:
        if name not in accepted:
            known = one_of(sorted(accepted)) if accepted else "none"
            raise EntenteError(
                f"forecast: model {model!r} has no parameter {quoted(name)}; its parameters: {known}"
            )
    result = fn(actors, seed=seed, **params)
    bad = ~np.isfinite(result.positions)
    if bad.any():
        j = int(np.argmax(bad))
        raise EntenteError(
            f"forecast: model {model!r} gives no finite forecast on issue "
            f"{quoted(actors.issues[j])}; expected finite positions, saliences and capabilities"
        )
    return result


__all__ = ["MODELS", "Actors", "Floats", "Forecast", "Model", "forecast", "size_problem"]
