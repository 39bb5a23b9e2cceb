"""The ordered issues of a negotiation scenario as a spatial bargaining case.

An issue whose options are ordered (ordinal, integer or real) is a line, so the spatial models
of `entente.forecast` apply to it. `actors_from_scenario` makes the actors:

- each party is an actor with capability 1; its position on an issue is its best option there
  (the first best, when several tie), and its salience is the issue's share of its utility:
  the spread of its weighted values on the issue (best minus worst) over the sum of those
  spreads on every issue of the scenario;
- each constituency (when `constituencies` is true) is an actor too, named "party/id", with
  capability its weight over the total weight of its party's constituencies (so a party's
  constituencies together weigh as much as one party), and position and salience taken from
  its own preferences, or its party's when it has none.

Positions are on the issue's own scale: option numbers 0, 1, ... for an ordinal issue, the
option's value for integer and real issues. The recorded outcome is the scenario's history,
when it has one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from entente.errors import EntenteError, one_of, quoted
from entente.forecast.actors import Actors, Floats
from entente.prefs import Preferences
from entente.scenario import Scenario
from entente.space import Issue

__all__ = ["actors_from_scenario", "load_case", "ordered_issues"]

_ORDERED = ("ordinal", "integer", "real")


def ordered_issues(scenario: Scenario) -> tuple[str, ...]:
    """The ids of the scenario's issues that lie on a line (and have two options or more)."""
    return tuple(i.id for i in scenario.space.issues if i.kind in _ORDERED and i.size > 1)


def actors_from_scenario(
    scenario: Scenario,
    issue_id: str | Sequence[str] | None = None,
    *,
    constituencies: bool = True,
) -> Actors:
    """The actors of the scenario on its ordered issue `issue_id` (or issues; default all)."""
    ordered = ordered_issues(scenario)
    wanted = ordered if issue_id is None else (issue_id,) if isinstance(issue_id, str) else issue_id
    if not wanted:
        raise EntenteError(
            f"scenario {quoted(scenario.id)} has no ordered issue (ordinal, integer or real) "
            "to forecast"
        )
    space = scenario.space
    cols: list[int] = []
    for iid in wanted:
        ids = [i.id for i in space.issues]
        if iid not in ids:
            raise EntenteError(
                f"--issue {quoted(iid)}: scenario {quoted(scenario.id)} has no such issue; "
                f"its ordered issues: {one_of(ordered) or 'none'}"
            )
        if iid not in ordered:
            kind = space.issues[ids.index(iid)].kind
            raise EntenteError(
                f"--issue {quoted(iid)} is {kind}: its options have no order to forecast on; "
                f"expected an ordered issue: {one_of(ordered) or 'none'}"
            )
        if iid in [space.issues[c].id for c in cols]:
            raise EntenteError(f"--issue {quoted(iid)} is named twice")
        cols.append(ids.index(iid))
    coords = [_coordinates(space.issues[c]) for c in cols]
    holders: list[tuple[str, float, Preferences]] = []
    for party in scenario.parties:
        holders.append((party.id, 1.0, party.prefs))
        if not constituencies:
            continue
        for rat in scenario.ratification:
            if rat.party != party.id:
                continue
            for body in rat.constituencies:
                share = body.weight / rat.total
                holders.append((f"{party.id}/{body.id}", share, body.prefs or party.prefs))
    pos = np.zeros((len(holders), len(cols)))
    sal = np.zeros((len(holders), len(cols)))
    for r, (name, _, prefs) in enumerate(holders):
        lin = prefs.linear
        if lin is None:
            raise EntenteError(
                f"{quoted(name)}: its utility is not linear additive, so it has no best option "
                "per issue (positions need one)"
            )
        spread = np.array([np.ptp(lin.issue_values(i)) for i in range(space.n_issues)])
        total = spread.sum()
        for k, c in enumerate(cols):
            values = lin.issue_values(c)
            pos[r, k] = coords[k][int(np.argmax(values))]
            sal[r, k] = spread[c] / total if total > 0 else 0.0
    outcome = None
    if scenario.history is not None and scenario.history.outcome is not None:
        outcome = np.array([coords[k][scenario.history.outcome[c]] for k, c in enumerate(cols)])
    return Actors(
        names=tuple(h[0] for h in holders),
        issues=tuple(space.issues[c].id for c in cols),
        capability=np.array([h[1] for h in holders]),
        position=pos,
        salience=np.clip(sal, 0.0, 1.0),
        low=np.array([c[0] for c in coords]),
        high=np.array([c[-1] for c in coords]),
        outcome=outcome,
    )


def _coordinates(issue: Issue) -> np.ndarray:
    if issue.values is not None:
        return np.asarray(issue.values, dtype=np.float64)
    return np.arange(issue.size, dtype=np.float64)


_ACTORS_TABLE = re.compile(r"^\s*\[\[\s*actors\s*\]\]", re.MULTILINE)


def load_case(source: str | Path, issues: Sequence[str] = ()) -> tuple[Actors, str]:
    """Actors and a title from an actor table, or from a scenario's ordered issues.

    A scenario (a built-in name, a scenario TOML, GENIUS or GeniusWeb file or folder) is read
    when `issues` are named or the source is no actor table; its issues default to every
    ordered one.
    """
    from entente.api import load
    from entente.formats.spatial import load_actors

    p = Path(source)
    if _is_actor_table(p):
        actors = load_actors(p)
        return (select_issues(actors, issues, p.name) if issues else actors), p.name
    scenario = load(source)
    return actors_from_scenario(scenario, issues or None), scenario.title


def select_issues(actors: Actors, issues: Sequence[str], name: str = "actors") -> Actors:
    """The actors on the named issues only, in the order given."""
    cols: list[int] = []
    for iid in issues:
        if iid not in actors.issues:
            raise EntenteError(
                f"--issue {quoted(iid)}: {name} has no such issue; its issues: "
                f"{one_of(actors.issues)}"
            )
        if actors.issues.index(iid) in cols:
            raise EntenteError(f"--issue {quoted(iid)} is named twice")
        cols.append(actors.issues.index(iid))

    def pick(v: Floats | None) -> Floats | None:
        return None if v is None else v[..., cols]

    return Actors(
        names=actors.names,
        issues=tuple(actors.issues[c] for c in cols),
        capability=actors.capability,
        position=actors.position[:, cols],
        salience=actors.salience[:, cols],
        low=actors.low[cols],
        high=actors.high[cols],
        status_quo=pick(actors.status_quo),
        outcome=pick(actors.outcome),
    )


def _is_actor_table(p: Path) -> bool:
    try:
        if not p.is_file():
            return False
    except (OSError, ValueError):
        return False
    suffix = p.suffix.lower()
    if suffix in (".xml", ".json"):
        return False
    if suffix != ".toml":
        return True
    try:
        with p.open("rb") as f:
            head = f.read(1 << 20).decode("utf-8", errors="replace")
    except OSError:
        return True  # load_actors reports it
    return bool(_ACTORS_TABLE.search(head))
