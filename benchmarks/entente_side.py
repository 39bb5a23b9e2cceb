"""The entente side of each benchmark: the same work, setup included."""

from __future__ import annotations

from entente import registry
from entente.analysis import pareto_front
from entente.negotiation.session import Result, run
from entente.negotiation.strategies.concession import Boulware, Conceder
from entente.prefs import Floats, Preferences
from entente.space import OutcomeSpace
from entente.table import Table

# NegMAS's time-based agents concede as t**4 (Boulware) and t**0.25 (Conceder); entente's
# family concedes as t**(1/e), so these exponents give the same curves.
BOULWARE_E = 0.25
CONCEDER_E = 4.0


def frontier(space: OutcomeSpace, prefs: tuple[Preferences, ...]) -> Floats:
    """Utilities of every outcome, then the frontier: its utility vectors (f, k)."""
    t = Table.build(space, prefs)
    return t.u[pareto_front(t.u)]


def negotiate(space: OutcomeSpace, prefs: tuple[Preferences, ...], rounds: int) -> Result:
    """Utilities of every outcome, then one alternating-offers negotiation, Boulware first."""
    t = Table.build(space, prefs)
    return run(
        registry.protocol("alternating"),
        [Boulware(e=BOULWARE_E), Conceder(e=CONCEDER_E)],
        space,
        prefs,
        deadline=rounds,
        table=t,
    )
