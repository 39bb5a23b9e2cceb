"""A scenario's agreement put to its parties' constituencies, and renegotiated after a failure.

The two-level game over a whole `Scenario`: `ratify` asks every party, `win_set` gives one
party's win-set over an array of outcomes, `narrowed` confines a party to its win-set, and
`settle` alternates negotiation and ratification until a treaty, a refusal or the last round.
The arithmetic of votes lives in `entente.ratification`, which knows nothing of scenarios.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from entente.errors import EntenteError
from entente.ratification import (
    Ratification,
    Ratifier,
    delegation,
    ratifiable,
    vote,
    within_win_set,
)
from entente.scenario import Scenario
from entente.space import Outcomes


def ratifier_of(scenario: Scenario, party_id: str) -> Ratifier | None:
    """The party's ratification rule, if the scenario gives one."""
    for r in scenario.ratification:
        if r.party == party_id:
            return r
    return None


def win_set(scenario: Scenario, party_id: str, outcomes: Outcomes) -> NDArray[np.bool_]:
    """(m,) booleans: the outcomes `party_id`'s constituencies would ratify.

    A party without constituencies ratifies whatever its delegates would accept: every outcome
    at or above its reservation value and inside its red lines.
    """
    party = scenario.parties[scenario.party_index(party_id)]
    o = np.asarray(outcomes, dtype=np.int64).reshape(-1, scenario.space.n_issues)
    return ratifiable(party.prefs, ratifier_of(scenario, party_id), o)


def ratify(scenario: Scenario, outcome: tuple[int, ...]) -> Ratification:
    """Put an agreement to every party's constituencies."""
    if len(outcome) != scenario.space.n_issues or not scenario.space.contains(outcome):
        raise EntenteError(f"outcome {outcome} is not in the scenario's outcome space")
    row = np.asarray(outcome, dtype=np.int64)
    return Ratification(
        tuple(int(k) for k in outcome),
        tuple(
            vote(ratifier_of(scenario, p.id) or delegation(p.id, p.name, p.prefs), p.prefs, row)
            for p in scenario.parties
        ),
    )


def narrowed(scenario: Scenario, party_id: str) -> Scenario:
    """The scenario with `party_id` refusing every outcome outside its win-set (for renegotiating)."""
    r = ratifier_of(scenario, party_id)
    if r is None:
        return scenario
    i = scenario.party_index(party_id)
    party = scenario.parties[i]
    prefs = within_win_set(party.prefs, r)
    if prefs is party.prefs:
        return scenario
    parties = (*scenario.parties[:i], replace(party, prefs=prefs), *scenario.parties[i + 1 :])
    return replace(scenario, parties=parties)


@dataclass(frozen=True)
class Settlement:
    """The end of the two-level game: the rounds of ratification and the treaty outcome, if any."""

    rounds: tuple[Ratification, ...]
    outcome: tuple[int, ...] | None


def settle(
    scenario: Scenario,
    negotiate: Callable[[Scenario], tuple[int, ...] | None],
    *,
    max_rounds: int = 3,
) -> Settlement:
    """Negotiate, put the agreement to ratification, and renegotiate with narrowed win-sets.

    `negotiate` returns the agreed outcome of a scenario (or None when talks fail); each failed
    ratification whose parties ask for renegotiation narrows their win-sets and talks resume.
    """
    rounds: list[Ratification] = []
    current = scenario
    for _ in range(max_rounds):
        outcome = negotiate(current)
        if outcome is None:
            break
        result = ratify(current, outcome)
        rounds.append(result)
        if result.next == "treaty":
            return Settlement(tuple(rounds), outcome)
        if result.next == "no_treaty":
            break
        for p in result.parties:
            if not p.ratified:
                current = narrowed(current, p.party)
    return Settlement(tuple(rounds), None)
