"""The one driver loop every protocol shares, and what a negotiation leaves behind."""

from __future__ import annotations

import json
import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from entente.errors import EntenteError
from entente.negotiation.actions import Accept, Offer, Outcome, Reject, kind
from entente.negotiation.protocol import Legal, Move, Protocol, State, legal_by_check
from entente.negotiation.strategies.base import Strategy
from entente.negotiation.view import Own, View
from entente.prefs import Floats, Preferences
from entente.space import OutcomeSpace
from entente.table import Table

_UNBOUNDED = 2**62
"""The round deadline of a negotiation limited by its clock alone."""


class IllegalAction(EntenteError):
    """A strategy tried a move the protocol forbids."""


@dataclass(frozen=True)
class Result:
    """How a negotiation ended.

    `utilities` are what each party got: its utility of the agreement, discounted to the time
    it was reached, or its (equally discounted) reservation value when there was none.
    """

    agreement: Outcome | None
    utilities: Floats
    state: State
    time: float
    names: tuple[str, ...]
    bound: tuple[int, ...] | None = None
    """The parties the agreement binds (all of them, except under a protocol of partial
    consensus such as mopac); the others got their reservation value. None without one."""
    notes: tuple[tuple[int, Mapping[str, Any]], ...] = ()
    """(move number, note) for each move whose strategy said something about it (a strategy's
    optional `note()`, asked after each of its moves: a language model's message, its refused
    replies, the fallback that moved instead); the trace carries them."""
    usage: tuple[Mapping[str, Any] | None, ...] = ()
    """Per party, what its strategy reports it used (its optional `usage()` at the end: a
    language model's requests, tokens, seconds); None for a strategy without one."""

    @property
    def rounds(self) -> int:
        """Rounds begun (the round of the last move, plus one)."""
        return self.state.history[-1].round + 1 if self.state.history else 0

    @property
    def moves(self) -> tuple[Move, ...]:
        return self.state.history


def run(
    protocol: Protocol,
    strategies: Sequence[Strategy],
    space: OutcomeSpace,
    prefs: Sequence[Preferences],
    *,
    deadline: int | None,
    seed: int = 0,
    mediator: Strategy | None = None,
    informed: bool = False,
    table: Table | None = None,
    names: Sequence[str] | None = None,
    time_limit: float | None = None,
    clock: Callable[[], float] | None = None,
    seen: Sequence[Preferences | None] | None = None,
) -> Result:
    """Negotiate: ask whoever's turn it is for an action, check it, apply it, until the end.

    `strategies[i]` plays party i with `prefs[i]`; `mediator` drafts texts for mediated
    protocols and sees every party's utilities only if `informed`. Every random choice comes
    from `seed`. `table` shares precomputed utilities between many runs on one scenario.

    `time_limit` (seconds) adds a deadline on a clock, as GENIUS and ANAC sessions have: the
    relative time every strategy sees, and each move records, is then the larger of the
    share of rounds used (`protocol.time`) and the share of seconds used, read from `clock`
    (default `time.monotonic`) once at the start and once before each action. The talks end
    unagreed when either runs out. With `deadline=None` only the clock counts (the round
    deadline is then practically unbounded). Results depend on the clock only through these
    relative times, so an injected clock that advances a fixed step per call makes a timed
    negotiation deterministic. Without `time_limit` nothing reads a clock.

    `seen[i]`, when given and not None, is what party i's strategy is told its preferences
    are (an estimate, as `prefs_ranking.seen` makes under preference uncertainty); the
    result, the trace and an informed mediator use the true `prefs`.
    """
    if time_limit is None:
        if deadline is None:
            raise EntenteError("a negotiation needs a deadline in rounds or a time limit")
    elif not time_limit > 0:
        raise EntenteError(f"time limit {time_limit!r}: expected a number of seconds above 0")
    if deadline is None:
        deadline = _UNBOUNDED
    k = len(prefs)
    if len(strategies) != k:
        raise EntenteError(f"{len(strategies)} strategies for {k} parties")
    if protocol.mediated and mediator is None:
        raise EntenteError(f"protocol {protocol.name!r} needs a mediator strategy")
    if table is None and space.enumerable:
        table = Table.build(space, tuple(prefs))
    names = tuple(names) if names else tuple(f"party{i}" for i in range(k))
    actors: list[Strategy] = [*strategies, *([mediator] if mediator else [])]
    owns: list[Own | None] = [Own(i, p, space, table) for i, p in enumerate(prefs)] + [None]
    if seen is not None and len(seen) != k:
        raise EntenteError(f"{len(seen)} seen preferences for {k} parties")
    for i, told in enumerate(seen or ()):
        if told is not None:
            shown = tuple(told if j == i else p for j, p in enumerate(prefs))
            owns[i] = Own(i, told, space, Table.build(space, shown) if space.enumerable else None)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(actors))]

    state = protocol.start(k, deadline)
    listed = getattr(protocol, "legal", None)  # a protocol that lists no legal actions: ask check
    voting = getattr(protocol, "voting", None)  # shows an offer to vote on as a mediator's text

    def legal(state: State) -> Legal:
        return listed(state) if listed is not None else legal_by_check(protocol, state)

    read = clock if clock is not None else _time.monotonic
    t0 = read() if time_limit is not None else 0.0

    def now(state: State) -> float:
        """The relative time: rounds, or rounds and the clock, whichever is further on."""
        t = protocol.time(state)
        if time_limit is None:
            return t
        return max(t, min(1.0, (read() - t0) / time_limit))

    def view_for(actor: int, state: State, t: float) -> View:
        grant = (informed and actor == k) or bool(getattr(actors[actor], "reads_utilities", False))
        return View(
            me=actor,
            state=state,
            time=t,
            space=space,
            own=owns[actor],
            mediated=protocol.mediated or (voting is not None and voting(state)),
            informed=table if grant else None,
            informed_prefs=tuple(prefs) if grant else None,
            legal=legal(state),
        )

    t = protocol.time(state)
    for i, strategy in enumerate(actors):
        strategy.reset(view_for(i, state, t), rngs[i])
    noters = [getattr(a, "note", None) for a in actors]  # optional: what a move meant
    notes: list[tuple[int, Mapping[str, Any]]] = []
    while not state.done:
        actor = state.actor
        if time_limit is not None:
            t = now(state)
            if t >= 1.0:  # out of time before this move: the talks end unagreed
                state = replace(state, done=True)
                break
        else:
            t = protocol.time(state)
        action = actors[actor].act(view_for(actor, state, t))
        problem = protocol.check(state, action)
        if problem is None and isinstance(action, Offer) and not space.contains(action.outcome):
            problem = "the offer is not an outcome of this space"
        if problem:
            who = names[actor] if actor < k else "mediator"
            raise IllegalAction(f"{who} ({actors[actor].spec()}): {kind(action)}: {problem}")
        state = protocol.step(state, action)
        noter = noters[actor]
        note = noter() if noter is not None else None
        if note:
            notes.append((len(state.history) - 1, note))
        if time_limit is not None and state.history[-1].time != t:
            # the move happened at the relative time its actor saw, clock included
            old = state.history[-1]
            last = replace(old, time=t)
            answered = tuple(last if m is old else m for m in state.responses)
            state = replace(state, history=(*state.history[:-1], last), responses=answered)
    time = state.history[-1].time if state.history else 0.0
    bound: tuple[int, ...] | None = None
    got = [p.reservation for p in prefs]
    if state.agreement is not None:
        bound = getattr(state, "bound", None) or tuple(range(k))
        for i in bound:
            got[i] = prefs[i](state.agreement)
        for outcome, parties in getattr(state, "deals", ())[1:]:  # later deals (mopac)
            for i in parties:
                got[i] = prefs[i](outcome)
    u = np.array([p.discounted(g, time) for p, g in zip(prefs, got, strict=True)], dtype=float)
    used = tuple(_usage(s) for s in strategies)
    return Result(
        state.agreement,
        u,
        state,
        time,
        names,
        bound,
        tuple(notes),
        used if any(x is not None for x in used) else (),
    )


def _usage(strategy: Strategy) -> Mapping[str, Any] | None:
    """What a strategy reports it used, if it reports anything (its optional `usage()`)."""
    report = getattr(strategy, "usage", None)
    return report() if callable(report) else None


def trace_rows(
    result: Result, space: OutcomeSpace, prefs: Sequence[Preferences]
) -> list[dict[str, object]]:
    """One dict per move: round, relative time, actor, action, outcome, each party's utility.

    Rounds are numbered from 1, as the `entente run` timeline prints them. The outcome is the
    one offered, or, for an answer, the one answered, as {issue id: option id}; utilities are
    undiscounted. A move its strategy noted (`Result.notes`) carries the note as `note`.
    """
    names = result.names
    rows: list[dict[str, object]] = []
    table: Outcome | None = None
    moves = result.state.history
    outcomes: list[Outcome | None] = []
    for m in moves:
        if isinstance(m.action, Offer):
            table = m.action.outcome
        outcomes.append(m.answers if m.answers is not None else table)
    known = [o for o in outcomes if o is not None]
    utils = (
        np.stack([p.utility(np.asarray(known, dtype=np.int64)) for p in prefs], axis=1)
        if known
        else np.zeros((0, len(prefs)))
    )
    j = 0
    noted = dict(result.notes)
    for n, (m, o) in enumerate(zip(moves, outcomes, strict=True)):
        row: dict[str, object] = {
            "round": m.round + 1,
            "time": round(m.time, 6),
            "actor": names[m.actor] if m.actor < len(names) else "mediator",
            "action": kind(m.action),
            "outcome": space.labels(o) if o is not None else None,
        }
        if isinstance(m.action, Reject):
            row["objections"] = [space.issues[i].id for i in m.action.objections]
        if o is not None:
            row["utilities"] = {n: round(float(u), 9) for n, u in zip(names, utils[j], strict=True)}
            j += 1
        else:
            row["utilities"] = None
        if n in noted:
            row["note"] = dict(noted[n])
        rows.append(row)
    return rows


def trace_jsonl(result: Result, space: OutcomeSpace, prefs: Sequence[Preferences]) -> str:
    """The trace as JSON lines: the same inputs and seed give the same bytes. Strict JSON: a
    utility that is not a finite number is refused, never written as NaN or Infinity."""
    lines = []
    for r in trace_rows(result, space, prefs):
        try:
            lines.append(json.dumps(r, sort_keys=True, separators=(",", ":"), allow_nan=False))
        except ValueError:
            raise EntenteError(
                f"trace: round {r['round']}: a utility is not a finite number; "
                "expected finite utilities and reservation values"
            ) from None
    return "".join(line + "\n" for line in lines)


__all__ = ["Accept", "IllegalAction", "Result", "run", "trace_jsonl", "trace_rows"]
