"""The debrief of a finished game, for one seat: how the result compares with what was there.

- `value_left(u, got, me)`: over the outcomes no red line forbids (rows of `u`, every party's
  utility), the most `me` could have gained with no other party getting less than it got (and
  the outcome that gives it), and the largest joint gain (sum over parties) of an outcome that
  leaves no party worse off. Both 0 on the Pareto frontier.
- `debrief(game, seat, agent)`: JSON: the summary (`entente.summary`: frontier distance, Nash
  point, history match), the value left on the table, what history did (the historical
  outcome's utilities beside yours), and how `agent` did in your seat against the same
  opponents, protocol, deadline and seed (other human seats play their scenario strategy).
Utilities here are undiscounted (as the profiles define them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from entente import api
from entente.errors import EntenteError, quoted
from entente.negotiation.actions import Offer
from entente.negotiation.session import Result
from entente.summary import summarize

if TYPE_CHECKING:
    from entente.web.game import Game

TOL = 1e-9
"""Slack when asking whether an outcome leaves a party no worse off (rounding noise)."""


def value_left(u: np.ndarray, got: np.ndarray, me: int) -> dict[str, Any]:
    """What `me` could have had at no cost to the others, and the joint gain missed.

    `u` (m, k): utilities of the candidate outcomes; `got` (k,): what each party got.
    Returns {"own": gain, "own_row": row or -1, "joint": gain, "joint_row": row or -1}.
    """
    k = u.shape[1]
    others = [j for j in range(k) if j != me]
    no_cost = np.all(u[:, others] >= got[others] - TOL, axis=1) if others else np.ones(len(u), bool)
    own, own_row = 0.0, -1
    if no_cost.any():
        rows = np.flatnonzero(no_cost)
        best = rows[int(np.argmax(u[rows, me]))]
        if u[best, me] - got[me] > TOL:
            own, own_row = float(u[best, me] - got[me]), int(best)
    better = np.all(u >= got - TOL, axis=1)
    joint, joint_row = 0.0, -1
    if better.any():
        rows = np.flatnonzero(better)
        gains = (u[rows] - got).sum(axis=1)
        best = rows[int(np.argmax(gains))]
        if gains.max() > TOL:
            joint, joint_row = float(gains.max()), int(best)
    return {"own": own, "own_row": own_row, "joint": joint, "joint_row": joint_row}


def got_undiscounted(game: Game, result: Result) -> np.ndarray:
    prefs = game.scenario.prefs
    got = np.array([p.reservation for p in prefs], dtype=float)
    if result.agreement is not None:
        for i in result.bound if result.bound is not None else range(len(prefs)):
            got[i] = prefs[i](result.agreement)
    return got


def _agent_run(game: Game, seat: str, agent: str) -> dict[str, Any]:
    sc = game.scenario
    me = game.parties.index(seat)
    seats = {p: s for p, s in game.settings.seats.items() if s != "human"}
    seats[seat] = agent
    given: dict[str, str | api.Player] = dict(seats)
    if game.settings.mediator:
        given["mediator"] = game.settings.mediator
    plan = api.plan(sc, game.settings.protocol, given, game.settings.deadline)
    r = api.play(plan, game.settings.seed)
    got = got_undiscounted(game, r)
    path = [
        {
            "round": m.round + 1,
            "actor": game.actor_id(m.actor),
            "utility": round(float(sc.prefs[me](m.action.outcome)), 6),
        }
        for m in r.moves
        if isinstance(m.action, Offer)
    ]
    return {
        "agent": plan.strategies[me],
        "opponents": {
            p: s for p, s in zip(game.parties, plan.strategies, strict=True) if p != seat
        },
        "mediator": plan.mediator,
        "seed": game.settings.seed,
        "agreement": None if r.agreement is None else sc.space.labels(r.agreement),
        "utilities": {p: round(float(x), 6) for p, x in zip(game.parties, got, strict=True)},
        "yours": round(float(got[me]), 6),
        "rounds": r.rounds,
        "offers": path,
    }


def debrief(game: Game, seat: str, agent: str | None = None) -> dict[str, Any]:
    """The debrief of `seat` in a finished game (see the module's text)."""
    result = game.result()
    if result is None:
        from entente.web.game import Conflict

        raise Conflict("the negotiation is not over yet; the debrief comes at the end")
    sc = game.scenario
    me = game._seat(seat)
    if agent is not None and len(agent) > 200:
        raise EntenteError(f"agent {quoted(agent)}: expected a strategy spec")
    agent = agent or sc.parties[me].strategy or api.DEFAULT_STRATEGY
    summary = summarize(sc, result, game.plan.protocol, game.settings.seed, game.plan).to_json()
    got = got_undiscounted(game, result)
    out: dict[str, Any] = {
        "seat": seat,
        "seat_name": game.names[me],
        "parties": [{"id": p, "name": n} for p, n in zip(game.parties, game.names, strict=True)],
        "agreement": None if result.agreement is None else sc.space.labels(result.agreement),
        "utilities": {p: round(float(x), 6) for p, x in zip(game.parties, got, strict=True)},
        "yours": round(float(got[me]), 6),
        "rounds": result.rounds,
        "summary": summary,
        "value_left": None,
        "history": None,
    }
    if sc.space.enumerable:
        t = api.table(sc)
        ids = t.candidates
        u = t.u[ids]
        v = value_left(u, got, me)

        out["value_left"] = {}
        for what in ("own", "joint"):
            row = v[f"{what}_row"]
            found = row >= 0
            out["value_left"] |= {
                what: round(v[what], 6),
                f"{what}_outcome": sc.space.labels(sc.space.unflat(np.array([ids[row]]))[0])
                if found
                else None,
                f"{what}_utilities": {
                    p: round(float(x), 6) for p, x in zip(game.parties, u[row], strict=True)
                }
                if found
                else None,
            }
    h = sc.history
    if h is not None and h.outcome is not None:
        hu = [float(p(h.outcome)) for p in sc.prefs]
        matched = (
            0
            if result.agreement is None
            else sum(a == b for a, b in zip(h.outcome, result.agreement, strict=True))
        )
        out["history"] = {
            "outcome": sc.space.labels(h.outcome),
            "date": None if h.date is None else str(h.date),
            "note": h.note,
            "utilities": {p: round(x, 6) for p, x in zip(game.parties, hu, strict=True)},
            "yours": round(hu[me], 6),
            "difference": round(float(got[me]) - hu[me], 6),
            "matched": matched,
            "issues": sc.space.n_issues,
        }
    out["agent"] = _agent_run(game, seat, agent)
    return out
