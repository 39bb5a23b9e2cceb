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
    from entente.report.documents import audit_chart, ratification
    from entente.report.export import save
    from entente.report.space import utility_space
    from entente.report.talks import concession, issues_over_time
    from entente.report.tournaments import tournament_charts

_HOME = {
    "audit_chart": "documents",
    "concession": "talks",
    "issues_over_time": "talks",
    "ratification": "documents",
    "save": "export",
    "tournament_charts": "tournaments",
    "utility_space": "space",
}
"""The module of `entente.report` that defines each figure function (and `save`)."""

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
    if name in _HOME:
        return getattr(import_module(f"entente.report.{_HOME[name]}"), name)
    raise AttributeError(f"module 'entente.report' has no attribute {name!r}")
