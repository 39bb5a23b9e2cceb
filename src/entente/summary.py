"""What a negotiation came to: the agreement against history, its efficiency, and the order in
which the issues settled. The CLI prints it; `--json` serialises it.

Where parties discount time, every measure is given on two bases, never mixed: undiscounted
(utilities as the profiles define them) and discounted to the moment the talks ended (each
utility, reservation value and frontier point times `discount ** t`, as GENIUS does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from entente.api import Plan, frontier
from entente.negotiation.actions import Offer, Outcome, Reject, Walk
from entente.negotiation.boa.models import party_accuracy
from entente.negotiation.session import Result
from entente.scenario import Divergence, Scenario


@dataclass(frozen=True)
class Settled:
    """When an issue stopped moving: from `round` on (counted from 0), its option stayed on the
    table."""

    issue: int
    option: int
    round: int


@dataclass(frozen=True)
class Basis:
    """The result measured on one basis: each party's utility, reservation value and Nash-point
    utility, and the distance of the result to the Pareto frontier (all on that same basis)."""

    utilities: tuple[float, ...]
    reservations: tuple[float, ...]
    nash_utilities: tuple[float, ...] | None
    pareto_distance: float | None


@dataclass(frozen=True)
class Refusal:
    """An outcome a party refused because its constituencies would not ratify it."""

    party: int
    round: int
    """Counted from 0."""
    outcome: Outcome
    opposed: tuple[str, ...]
    """Names of the constituencies that would vote against it (a veto marked as such)."""


@dataclass(frozen=True)
class WinSets:
    """Why talks confined to the parties' win-sets ended without agreement."""

    parties: tuple[int, ...]
    """Parties with constituencies, in scenario order."""
    sizes: tuple[int, ...]
    """Outcomes in each party's win-set (among those counted)."""
    common: int
    """Outcomes in every one of these win-sets (among those counted)."""
    counted: int
    sampled: bool
    """Whether the space was too large to count and a random sample of `counted` was used."""
    refusals: tuple[Refusal, ...]
    """For each party, the last outcome it refused that its constituencies would not ratify."""


@dataclass(frozen=True)
class Summary:
    scenario: Scenario
    result: Result
    protocol: str
    seed: int
    approximate: bool
    """Whether the frontier behind the distances was approximated (spaces too large to list)."""
    nash: Outcome | None
    settlements: tuple[Settled, ...]
    undiscounted: Basis
    discounted: Basis
    """The same measures discounted to `result.time`; equal to `undiscounted` when no party
    discounts."""
    plan: Plan | None = None
    win_sets: WinSets | None = None

    @property
    def is_discounted(self) -> bool:
        """Whether any party discounts time (then the two bases differ)."""
        return any(p.discount != 1.0 for p in self.scenario.prefs)

    @property
    def pareto_distance(self) -> float | None:
        return self.undiscounted.pareto_distance

    @property
    def nash_utilities(self) -> tuple[float, ...] | None:
        return self.undiscounted.nash_utilities

    @property
    def history_match(self) -> tuple[int, int] | None:
        """(issues matching the historical outcome, issues), when there is a history."""
        h = self.scenario.history
        if h is None or h.outcome is None:
            return None
        got = self.result.agreement
        n = len(h.outcome)
        return (sum(a == b for a, b in zip(h.outcome, got, strict=True)) if got else 0), n

    @property
    def chronology(self) -> tuple[Divergence, ...]:
        """The scenario's real chronology beside the days this run settled each issue (see
        `settled_rounds`); empty when the scenario records none."""
        return self.scenario.divergence(settled_rounds(self.result, self.settlements))

    def to_json(self) -> dict[str, Any]:
        """Outcomes as {issue id: option id}; rounds counted from 1, as the text prints them."""
        sc, r = self.scenario, self.result
        space = sc.space
        ids = [p.id for p in sc.parties]

        def per_party(xs: tuple[float, ...] | None) -> dict[str, float] | None:
            return None if xs is None else dict(zip(ids, (float(x) for x in xs), strict=True))

        u, d = self.undiscounted, self.discounted
        out: dict[str, Any] = {
            "scenario": sc.id,
            "protocol": self.protocol,
            "seed": self.seed,
            "agreement": space.labels(r.agreement) if r.agreement else None,
            "bound": None if r.bound is None else [ids[i] for i in r.bound],
            "rounds": r.rounds,
            "time": round(float(r.time), 9),
            "discount": {p.id: float(p.prefs.discount) for p in sc.parties},
            "utilities": per_party(u.utilities),
            "utilities_discounted": per_party(d.utilities),
            "reservations": per_party(u.reservations),
            "reservations_discounted": per_party(d.reservations),
            "pareto_distance": u.pareto_distance,
            "pareto_distance_discounted": d.pareto_distance,
            "pareto_approximate": self.approximate,
            "nash": None
            if self.nash is None
            else {
                "outcome": space.labels(self.nash),
                "utilities": per_party(u.nash_utilities),
                "utilities_discounted": per_party(d.nash_utilities),
            },
            "settled": [
                {
                    "issue": space.issues[s.issue].id,
                    "option": space.issues[s.issue].options[s.option],
                    "round": s.round + 1,
                }
                for s in self.settlements
            ],
        }
        if self.plan is not None:
            p = self.plan
            out["protocol"] = p.protocol
            out["deadline"] = p.deadline
            out["win_sets"] = p.win_sets
            out["strategies"] = dict(zip(ids, p.strategies, strict=True))
            out["model_accuracy"] = model_accuracy(p.strategies, r, sc)
            out["mediator"] = (
                None
                if p.mediator is None
                else {"id": p.mediator_id, "strategy": p.mediator, "informed": p.informed}
            )
        if any(x is not None for x in r.usage):  # strategies that report what they used
            out["usage"] = {i: dict(x) for i, x in zip(ids, r.usage, strict=True) if x is not None}
        match = self.history_match
        if match is not None:
            out["history_match"] = {"matched": match[0], "total": match[1]}
        if self.chronology:
            out["chronology"] = [
                {
                    "issue": space.issues[x.issue].id,
                    "real": x.real.iso(),
                    "simulated": None if x.simulated is None else x.simulated.iso(),
                    "round": None if x.round is None else x.round + 1,
                    "days": x.days,
                    "source": x.source,
                }
                for x in self.chronology
            ]
        if self.win_sets is not None:
            w = self.win_sets
            out["win_sets_report"] = {
                "sizes": {ids[i]: n for i, n in zip(w.parties, w.sizes, strict=True)},
                "common": w.common,
                "counted": w.counted,
                "sampled": w.sampled,
                "refused": [
                    {
                        "party": ids[x.party],
                        "round": x.round + 1,
                        "outcome": space.labels(x.outcome),
                        "opposed_by": list(x.opposed),
                    }
                    for x in w.refusals
                ],
            }
        return out


def summarize(
    scenario: Scenario, result: Result, protocol: str, seed: int, plan: Plan | None = None
) -> Summary:
    """Measure a finished negotiation against the frontier, the Nash point and history, on the
    undiscounted basis and discounted to the time the talks ended. With a `plan` that confined
    the parties to their win-sets and no agreement, say what the win-sets blocked."""
    prefs = scenario.prefs
    t = float(result.time)
    factor = np.array([p.discount**t for p in prefs], dtype=float)
    res = np.array([p.reservation for p in prefs], dtype=float)
    got = res.copy()
    if result.agreement is not None:
        for i in result.bound if result.bound is not None else range(len(prefs)):
            got[i] = prefs[i](result.agreement)
    nash_o: Outcome | None = None
    nash_u: np.ndarray | None = None
    front: np.ndarray | None = None
    approximate = not scenario.space.enumerable
    if approximate and result.agreement is not None:
        from entente.analysis.approx import approx_frontier

        front = approx_frontier(prefs, scenario.space, np.random.default_rng(seed)).u
    if not approximate:
        f = frontier(scenario)
        approximate = f.approximate  # past the frontier's time budget
        front = f.utilities
        if f.nash >= 0:
            nash_o = tuple(int(x) for x in scenario.space.unflat(np.array([f.nash]))[0])
            nash_u = np.array([p(nash_o) for p in prefs], dtype=float)

    def basis(scale: np.ndarray) -> Basis:
        dist = None
        if front is not None and result.agreement is not None:
            from entente.analysis import frontier_distance

            dist = round(float(frontier_distance((got * scale)[None, :], front * scale)[0]), 12)
        return Basis(
            _floats(got * scale),
            _floats(res * scale),
            None if nash_u is None else _floats(nash_u * scale),
            dist,
        )

    undiscounted = basis(np.ones(len(prefs)))
    discounted = basis(factor)
    blocked = None
    if plan is not None and plan.win_sets and result.agreement is None:
        blocked = win_set_report(scenario, result, seed)
    return Summary(
        scenario,
        result,
        protocol,
        seed,
        approximate,
        nash_o,
        settlements(result),
        undiscounted,
        discounted,
        plan,
        blocked,
    )


def model_accuracy(specs: tuple[str, ...], result: Result, sc: Scenario) -> dict[str, Any]:
    """Per party whose strategy keeps opponent models (`opponent_model_`): how well they knew
    the others, at the end and every few rounds (`boa.models.party_accuracy`)."""
    got = party_accuracy(specs, result.moves, sc.space, tuple(sc.prefs))
    return {p.id: a.to_json() for p, a in zip(sc.parties, got, strict=True) if a is not None}


def _floats(x: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in x)


WIN_SET_COUNT = 2_000_000
"""Spaces with more outcomes than this have their win-sets counted on a random sample."""
WIN_SET_SAMPLE = 200_000
_CHUNK = 100_000


def win_set_report(scenario: Scenario, result: Result, seed: int = 0) -> WinSets:
    """How large each party's win-set is, how many outcomes they share, and the last outcome
    each party refused because its constituencies would not ratify it."""
    from entente.ratification import approvals
    from entente.settlement import ratifier_of, win_set

    space = scenario.space
    parties = tuple(i for i, p in enumerate(scenario.parties) if ratifier_of(scenario, p.id))
    sampled = space.size > WIN_SET_COUNT
    counted = WIN_SET_SAMPLE if sampled else space.size
    rng = np.random.default_rng(seed)
    sizes = np.zeros(len(parties), dtype=np.int64)
    common = 0
    for start in range(0, counted, _CHUNK):
        m = min(_CHUNK, counted - start)
        if sampled:
            outcomes = space.sample(rng, m)
        else:
            outcomes = space.unflat(np.arange(start, start + m, dtype=np.int64))
        inside = np.ones(m, dtype=bool)
        for j, i in enumerate(parties):
            w = win_set(scenario, scenario.parties[i].id, outcomes)
            sizes[j] += int(w.sum())
            inside &= w
        common += int(inside.sum()) if parties else 0
    refusals = []
    refused = _refused(result, len(scenario.parties))
    for i in parties:
        party = scenario.parties[i]
        mine = [(rnd, o) for who, rnd, o in refused if who == i]
        if not mine:
            continue
        rows = np.array([o for _, o in mine], dtype=np.int64)
        outside = ~win_set(scenario, party.id, rows)
        if not outside.any():
            continue
        k = int(np.flatnonzero(outside)[-1])
        rnd, o = mine[k]
        ratifier = ratifier_of(scenario, party.id)
        assert ratifier is not None
        yes = approvals(ratifier, party.prefs, rows[k : k + 1])[0]
        opposed = tuple(
            c.name + (" (veto)" if c.veto else "")
            for c, ok in zip(ratifier.constituencies, yes, strict=True)
            if not ok
        )
        refusals.append(Refusal(i, rnd, o, opposed))
    return WinSets(parties, tuple(int(x) for x in sizes), common, counted, sampled, tuple(refusals))


def _refused(result: Result, n_parties: int) -> list[tuple[int, int, Outcome]]:
    """(party, round, outcome) for every outcome a party turned down: a mediator's text it
    rejected, an offer it answered with an offer of its own, or the table it walked away from."""
    out: list[tuple[int, int, Outcome]] = []
    table: Outcome | None = None
    by = -1
    for m in result.moves:
        turned_down = isinstance(m.action, (Reject, Walk)) or (
            isinstance(m.action, Offer) and m.actor < n_parties
        )
        if turned_down and m.actor < n_parties and table is not None and by != m.actor:
            out.append((m.actor, m.round, table))
        if isinstance(m.action, Offer):
            table, by = m.action.outcome, m.actor
    return out


def settled_rounds(result: Result, settled: tuple[Settled, ...]) -> dict[int, int]:
    """{issue: the round (from 0) in which the run settled it}, for an agreement. Under a
    protocol that records settlements as it goes (the conference's sittings), those rounds,
    and the agreement's round for the issues the final text settled; otherwise the round
    from which the issue's option stayed on the table (`settlements`)."""
    if result.agreement is None:
        return {}
    during = getattr(result.state, "settled", None)
    if isinstance(during, tuple):
        rounds = {i: rnd for i, _, rnd in during}
        last = result.rounds - 1
        return {i: rounds.get(i, last) for i in range(len(result.agreement))}
    return {x.issue: x.round for x in settled}


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
