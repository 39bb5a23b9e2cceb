"""Placeholder: the nash model (being written)."""

from __future__ import annotations

from entente.forecast.actors import Actors, Forecast


def nash(actors: Actors, *, seed: int = 0) -> Forecast:
    """Not yet implemented."""
    raise NotImplementedError("nash")
