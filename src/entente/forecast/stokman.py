"""Placeholder: the exchange model (being written)."""

from __future__ import annotations

from entente.forecast.actors import Actors, Forecast


def exchange(actors: Actors, *, seed: int = 0) -> Forecast:
    """Not yet implemented."""
    raise NotImplementedError("exchange")
