"""Placeholder: the condorcet model (being written)."""

from __future__ import annotations

from entente.forecast.actors import Actors, Forecast


def condorcet(actors: Actors, *, seed: int = 0) -> Forecast:
    """Not yet implemented."""
    raise NotImplementedError("condorcet")
