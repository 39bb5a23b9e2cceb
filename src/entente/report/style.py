"""What every figure shares: the chart type, the colours, the sizes, the seed of sampled spaces,
and the few helpers that turn numbers into a specification's inline data.

Each figure is one Altair chart (a Vega-Lite specification) that a notebook shows inline and
`report.export` writes as SVG, PNG, PDF, offline HTML or JSON. The figures draw what the layers
below compute (`api.frontier`, `overview`, `summary`, `settlement`, `audit`, the tournament's
leaderboard); the only arithmetic of their own is the binning of a space too large to draw point
by point (`report.space`). Scenario text travels as data or as titles, never as field names or
expressions: Vega writes it out as text, in SVG and in the browser alike. Charts carry no
generated names, so the same inputs give the same specification, byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from entente.errors import EntenteError

if TYPE_CHECKING:
    from entente.scenario import Scenario

Figure = Any
"""An Altair chart: `Chart`, `LayerChart` or a concatenation of them (what a notebook shows)."""


PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Okabe-Ito colours (readable by colour-blind readers and in grey print), yellow left out."""

SAMPLE_SEED = 0
"""Seed of the sample drawn from a space too large to list (the figure says it is sampled)."""
WIDTH = 420
"""Width in pixels of a plot (the audit and the issues over time take twice as much)."""


def load_altair() -> Any:
    """The altair module, or one clear line when the `report` extra is missing."""
    try:
        import altair
        import vl_convert  # noqa: F401
    except ImportError:
        raise EntenteError("figures need the report extra: pip install 'entente[report]'") from None
    return altair


def rounded(x: Any) -> float:
    """A utility as the specification carries it: 6 decimals keep it small and stable."""
    return round(float(x), 6)


def inline(alt: Any, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Inline data as a plain dict: Altair copies it into the specification unchecked, where
    `alt.Data` would validate every row (seconds for a density)."""
    del alt
    return {"values": [dict(r) for r in rows]}


def party_names(scenario: Scenario) -> list[str]:
    """Each party's name, or its id where it has none, in the scenario's order."""
    return [p.name or p.id for p in scenario.parties]
