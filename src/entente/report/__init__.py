"""Figures of a negotiation, its treaty, its audit and a tournament (Vega-Lite specifications,
drawn with Altair and exported with vl-convert: the `report` extra).

The layer only draws: every number comes from the layers below (`api.frontier`, `overview`,
`analysis`, `settlement`, `audit`, the tournament's results).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from entente.report.kinds import FIGURES

if TYPE_CHECKING:  # the same names, eagerly, for type checkers
    from entente.report.figures import (
        audit_chart,
        concession,
        issues_over_time,
        ratification,
        save,
        tournament_charts,
        utility_space,
    )

__all__ = [
    "FIGURES",
    "audit_chart",
    "concession",
    "issues_over_time",
    "ratification",
    "save",
    "tournament_charts",
    "utility_space",
]


def __getattr__(name: str) -> Any:
    """The figure functions, imported with the plotting libraries on first use."""
    if name in __all__:
        return getattr(import_module("entente.report.figures"), name)
    raise AttributeError(f"module 'entente.report' has no attribute {name!r}")
