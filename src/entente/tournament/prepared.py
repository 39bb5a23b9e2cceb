"""Per-scenario work shared by every negotiation of a tournament: table, frontier, Nash point.

Computed once per scenario and process (workers load their scenarios by source and keep them,
checking that the content is the one the tournament was started with).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from entente import api, formats
from entente.analysis import frontier_distance
from entente.errors import EntenteError
from entente.prefs import Floats
from entente.scenario import Scenario
from entente.table import Table
from entente.tournament.fingerprint import fingerprint


@dataclass(frozen=True, eq=False)
class Prepared:
    """A scenario with its table (listable spaces only), frontier utilities and Nash point.

    `front` is (f, k); `nash` is (k,), NaN when no outcome gives everyone its reservation value
    or the space is too large to list.
    """

    source: str
    scenario: Scenario
    table: Table | None
    front: Floats
    nash: Floats

    def distances(self, utilities: Floats) -> tuple[Floats, Floats]:
        """Distance of each utility vector (m, k) to the frontier and to the Nash point."""
        u = np.atleast_2d(utilities)
        if self.front.shape[0] == 0:
            nan = np.full(u.shape[0], np.nan)
            return nan, nan.copy()
        to_front = frontier_distance(u, self.front)
        to_nash = np.sqrt(((u - self.nash[None, :]) ** 2).sum(axis=1))
        return to_front, to_nash


def build(source: str, scenario: Scenario) -> Prepared:
    """Prepare a loaded scenario (listable spaces get their table, frontier and Nash point)."""
    k = len(scenario.parties)
    if not scenario.space.enumerable:
        return Prepared(source, scenario, None, np.zeros((0, k)), np.full(k, np.nan))
    f = api.frontier(scenario)
    table = api.table(scenario)
    point = table.u[f.nash] if f.nash >= 0 else np.full(k, np.nan)
    return Prepared(source, scenario, table, f.utilities, point)


def load(source: str) -> Scenario:
    """The scenario at `source` (any source `formats.load` reads), read afresh; `prepare` may
    reuse it in this process (it is remembered under its fingerprint)."""
    scenario = formats.load(source)
    if len(_loaded) >= 16:
        _loaded.clear()
    _loaded[source, fingerprint(scenario)] = scenario
    return scenario


_loaded: dict[tuple[str, str], Scenario] = {}


@lru_cache(maxsize=16)
def prepare(source: str, expected: str = "") -> Prepared:
    """The prepared scenario at `source`, once per process and content.

    With `expected` (a fingerprint), the scenario must still have that content: a file
    edited while a tournament runs is refused rather than mixed into its results.
    """
    scenario = _loaded.get((source, expected)) if expected else None
    if scenario is None:
        scenario = formats.load(source)
        if expected and fingerprint(scenario) != expected:
            raise EntenteError(
                f"{source}: the scenario changed while the tournament ran; the rows stored "
                "so far belong to its former content"
            )
    return build(source, scenario)
