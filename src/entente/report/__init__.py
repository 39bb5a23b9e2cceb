"""Figures of a negotiation, its treaty, its audit and a tournament (Vega-Lite specifications,
drawn with Altair and exported with vl-convert: the `report` extra).

The layer only draws: every number comes from the layers below (`api.frontier`, `overview`,
`analysis`, `settlement`, `audit`, the tournament's results).
"""

from __future__ import annotations

from entente.report.figures import (
    FIGURES,
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
