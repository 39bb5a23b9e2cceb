"""Replays to watch: a negotiation read back from its trace (the JSON lines `entente run
--trace` writes), or run now between agents, shown round by round.

API: `read_trace(scenario, text) -> Result` (the moves, their rounds and times, the agreement:
the text on the table when the last move accepts it), `run_trace(scenario, protocol,
strategies, deadline, seed) -> trace text`, `upto(result, rounds) -> Result` (the negotiation as
it stood after that many rounds), `steps(result) -> int`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np

from entente import api
from entente.errors import EntenteError, quoted
from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject, Walk
from entente.negotiation.protocol import Move, State
from entente.negotiation.session import Result, trace_jsonl
from entente.scenario import Scenario

MAX_LINES = 50_000


def read_trace(scenario: Scenario, text: str) -> Result:
    """A finished negotiation from its trace; a line that does not fit names its number."""
    space = scenario.space
    ids = [p.id for p in scenario.parties]
    k = len(ids)
    mediators = {"mediator", *(m.id for m in scenario.mediators)}
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise EntenteError("trace: empty; expected JSON lines, one move each (entente run --trace)")
    if len(lines) > MAX_LINES:
        raise EntenteError(f"trace: {len(lines)} lines; expected at most {MAX_LINES}")
    moves: list[Move] = []
    table: Outcome | None = None
    for n, line in enumerate(lines, 1):
        where = f"trace: line {n}"
        try:
            row: Any = json.loads(line)
        except ValueError:
            raise EntenteError(f"{where}: not JSON") from None
        if not isinstance(row, dict):
            raise EntenteError(f"{where}: expected an object")
        who = row.get("actor")
        if who in ids:
            actor = ids.index(who)
        elif who in mediators:
            actor = k
        else:
            raise EntenteError(
                f"{where}: actor {quoted(who)} is no party of {quoted(scenario.id)}; "
                f"expected one of {', '.join(ids)} or mediator"
            )
        rnd, t = row.get("round"), row.get("time", 0.0)
        if not isinstance(rnd, int) or rnd < 1 or not isinstance(t, int | float):
            raise EntenteError(f"{where}: expected a round (from 1) and a time")
        what = row.get("action")
        action: Action
        try:
            if what == "offer":
                outcome = row.get("outcome")
                if not isinstance(outcome, dict):
                    raise EntenteError("expected the outcome offered")
                action = Offer(space.parse({str(a): str(b) for a, b in outcome.items()}))
                table = action.outcome
            elif what == "accept":
                action = Accept()
            elif what == "reject":
                issues = [iss.id for iss in space.issues]
                named = row.get("objections") or []
                if not isinstance(named, list) or any(x not in issues for x in named):
                    raise EntenteError("objections name an unknown issue")
                action = Reject(tuple(issues.index(x) for x in named))
            elif what == "walk":
                action = Walk()
            else:
                raise EntenteError(f"action {quoted(what)}: expected offer, accept, reject or walk")
        except (EntenteError, ValueError) as e:
            raise EntenteError(f"{where}: {e}") from None
        moves.append(Move(actor, action, rnd - 1, float(t)))
    last = moves[-1]
    agreement = table if isinstance(last.action, Accept) else None
    deadline = max(scenario.deadline, last.round + 1)
    state = State(k, deadline, tuple(moves), last.round, 0, table, -1, (), True, agreement)
    return _result(scenario, state, agreement)


def _result(scenario: Scenario, state: State, agreement: Outcome | None) -> Result:
    got = [p.reservation for p in scenario.prefs]
    if agreement is not None:
        got = [p(agreement) for p in scenario.prefs]
    t = state.history[-1].time if state.history else 0.0
    u = np.array([p.discounted(g, t) for p, g in zip(scenario.prefs, got, strict=True)])
    return Result(agreement, u, state, t, tuple(p.id for p in scenario.parties))


def steps(result: Result) -> int:
    """Rounds to step through."""
    return result.rounds


def upto(scenario: Scenario, result: Result, rounds: int) -> Result:
    """The negotiation after its first `rounds` rounds (all of it from `steps(result)` on)."""
    if rounds >= steps(result):
        return result
    moves = tuple(m for m in result.moves if m.round < rounds)
    table: Outcome | None = None
    for m in moves:
        if isinstance(m.action, Offer):
            table = m.action.outcome
    state = replace(
        result.state, history=moves, round=rounds, table=table, done=False, agreement=None
    )
    return _result(scenario, state, None)


def run_trace(
    scenario: Scenario,
    protocol: str | None,
    strategies: dict[str, str],
    deadline: int | None,
    seed: int,
) -> str:
    """Negotiate between agents now; the trace of it."""
    plan = api.plan(scenario, protocol, dict(strategies), deadline)
    r = api.play(plan, seed)
    return trace_jsonl(r, scenario.space, scenario.prefs)
