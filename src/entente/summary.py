"""What a negotiation came to: the agreement against history, its efficiency, and the order in
which the issues settled. The CLI prints it; `--json` serialises it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from entente.api import frontier
from entente.negotiation.actions import Offer, Outcome
from entente.negotiation.session import Result
from entente.scenario import Scenario


@dataclass(frozen=True)
class Settled:
    """When an issue stopped moving: from `round` on, its option stayed on the table."""

    issue: int
    option: int
    round: int


@dataclass(frozen=True)
class Summary:
    scenario: Scenario
    result: Result
    protocol: str
    seed: int
    pareto_distance: float | None
    approximate: bool
    """Whether the frontier behind `pareto_distance` was approximated (spaces too large to list)."""
    nash: Outcome | None
    nash_utilities: tuple[float, ...] | None
    settlements: tuple[Settled, ...]

    @property
    def history_match(self) -> tuple[int, int] | None:
        """(issues matching the historical outcome, issues), when there is a history."""
        h = self.scenario.history
        if h is None or h.outcome is None:
            return None
        got = self.result.agreement
        n = len(h.outcome)
        return (sum(a == b for a, b in zip(h.outcome, got, strict=True)) if got else 0), n

    def to_json(self) -> dict[str, Any]:
        sc, r = self.scenario, self.result
        space = sc.space
        out: dict[str, Any] = {
            "scenario": sc.id,
            "protocol": self.protocol,
            "seed": self.seed,
            "agreement": space.ids(r.agreement) if r.agreement else None,
            "utilities": {p.id: float(u) for p, u in zip(sc.parties, r.utilities, strict=True)},
            "rounds": r.rounds,
            "pareto_distance": self.pareto_distance,
            "pareto_approximate": self.approximate,
            "nash": None
            if self.nash is None
            else {
                "outcome": space.ids(self.nash),
                "utilities": dict(
                    zip([p.id for p in sc.parties], self.nash_utilities or (), strict=True)
                ),
            },
            "settled": [
                {
                    "issue": space.issues[s.issue].id,
                    "option": space.issues[s.issue].options[s.option],
                    "round": s.round,
                }
                for s in self.settlements
            ],
        }
        match = self.history_match
        if match is not None:
            out["history_match"] = {"matched": match[0], "total": match[1]}
        return out


def summarize(scenario: Scenario, result: Result, protocol: str, seed: int) -> Summary:
    """Measure a finished negotiation against the frontier, the Nash point and history."""
    dist: float | None = None
    nash_o: Outcome | None = None
    nash_u: tuple[float, ...] | None = None
    approximate = not scenario.space.enumerable
    if approximate and result.agreement is not None:
        from entente.analysis import frontier_distance
        from entente.analysis.approx import approx_frontier

        af = approx_frontier(scenario.prefs, scenario.space, np.random.default_rng(seed))
        u = np.array([p(result.agreement) for p in scenario.prefs])
        dist = round(float(frontier_distance(u[None, :], af.u)[0]), 12)
    if not approximate:
        f = frontier(scenario)
        if result.agreement is not None:
            u = np.array([p(result.agreement) for p in scenario.prefs])
            dist = round(f.distance(u), 12)
        if f.nash >= 0:
            nash_o = tuple(int(x) for x in scenario.space.unflat(np.array([f.nash]))[0])
            nash_u = tuple(float(p(nash_o)) for p in scenario.prefs)
    return Summary(
        scenario, result, protocol, seed, dist, approximate, nash_o, nash_u, settlements(result)
    )


def settlements(result: Result) -> tuple[Settled, ...]:
    """For each issue of an agreement, the round from which it was settled, earliest first.

    An issue is settled from the round after which every outcome put on the table kept its
    agreed option (objections alone do not reopen it: the text is what the parties sign).
    """
    if result.agreement is None:
        return ()
    agreed = result.agreement
    n = len(agreed)
    last_open = [-1] * n  # last round in which the issue stood elsewhere on the table
    for m in result.moves:
        if isinstance(m.action, Offer):
            for i in range(n):
                if m.action.outcome[i] != agreed[i]:
                    last_open[i] = m.round
    settled = [Settled(i, agreed[i], last_open[i] + 1) for i in range(n)]
    return tuple(sorted(settled, key=lambda s: (s.round, s.issue)))
