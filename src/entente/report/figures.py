"""One function per figure; each returns an Altair chart (a Vega-Lite specification) that a
notebook shows inline and `save` writes as SVG, PNG, PDF, offline HTML or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from entente.errors import EntenteError

if TYPE_CHECKING:
    import altair as alt

    from entente.negotiation.session import Result
    from entente.scenario import Scenario

FIGURES: dict[str, str] = {
    "space": "utility space: outcomes, Pareto frontier, bargaining points, offers, agreement",
    "concession": "each offer's utility to each party over time, the deadline, acceptances",
    "issues": "each issue's option on the table round by round, when it settled, history's",
    "ratification": "each constituency's vote and margin, the size of each party's win-set",
    "audit": "every obligation over the years, coloured by status, with the events",
    "leaderboard": "tournament: each strategy's mean score with its confidence interval",
}


def _alt() -> Any:
    try:
        import altair
        import vl_convert  # noqa: F401
    except ImportError:
        raise EntenteError(
            "figures need the report extra: pip install 'entente[report]'"
        ) from None
    return altair


def utility_space(
    scenario: Scenario,
    result: Result | None = None,
    *,
    pair: tuple[int, int] = (0, 1),
    max_points: int = 50_000,
) -> alt.Chart:
    """Every outcome (a density above `max_points`), the Pareto frontier, the bargaining points,
    reservation lines, each party's offers in order, the agreement and history's outcome."""
    raise NotImplementedError


def concession(scenario: Scenario, result: Result) -> alt.Chart:
    """Each offer's utility to each party over relative time (dates when rounds are days)."""
    raise NotImplementedError


def issues_over_time(scenario: Scenario, result: Result) -> alt.Chart:
    """For each issue, the option on the table round by round, and history's option."""
    raise NotImplementedError


def ratification(scenario: Scenario, outcome: tuple[int, ...]) -> alt.Chart:
    """Each constituency's vote and margin on `outcome`; each party's win-set size."""
    raise NotImplementedError


def audit_chart(scenario: Scenario, outcome: tuple[int, ...] | None = None) -> alt.Chart:
    """Each obligation of the treaty of `outcome` (history's by default) over time."""
    raise NotImplementedError


def tournament_charts(rows: Any) -> dict[str, alt.Chart]:
    """Figures of a tournament's results table (what `tournament.Store.read()` returns)."""
    raise NotImplementedError


def save(chart: alt.Chart, path: Path) -> None:
    """Write `chart` as .svg, .png, .pdf (vl-convert), .html (offline, scripts inlined) or
    .json (the specification)."""
    raise NotImplementedError
