"""The few functions most users need: load a scenario, negotiate it, draw its frontier."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from entente import prefs_ranking, registry
from entente.errors import EntenteError, quoted
from entente.front import _EXACT as _EXACT  # re-exported: these names live in `api` too
from entente.front import Frontier as Frontier
from entente.front import Progress as Progress
from entente.front import frontier as frontier
from entente.front import frontier_settings as frontier_settings
from entente.front import table as table
from entente.negotiation.actions import Action
from entente.negotiation.session import Result, run
from entente.negotiation.strategies.base import Strategy
from entente.negotiation.view import View
from entente.scenario import Scenario
from entente.table import Table

DEFAULT_STRATEGY = "boulware(e=0.2)"
DEFAULT_MEDIATOR = "hillclimb"


def load(source: str | Path) -> Scenario:
    """A scenario from a built-in name ('portsmouth'), a TOML file, or a GENIUS or GeniusWeb
    file or folder."""
    from entente.formats import load as load_any

    return load_any(source)


_table = table  # under a name that `play`'s keyword `table` does not hide


class Player(Protocol):
    """What `negotiate` and `plan` take besides a spec: any object with `act(view) -> Action`
    (a `Strategy`, or a class of one's own). `reset(view, rng)`, called once before the first
    move, is optional, and so is `spec()`, which names the object in a plan."""

    def act(self, view: View) -> Action: ...


@dataclass(frozen=True)
class Plan:
    """A negotiation ready to run, with every choice spelled out: the protocol, each party's
    strategy spec and the mediator's (parameters filled in with their defaults), the deadline.

    Printing a plan is enough to run the same negotiation again: `negotiate` with these specs,
    this deadline and the same seed gives the same result. A strategy given as an object is
    recorded by its `spec()` (or its class name) and kept in `objects`: running the plan again
    needs that object.
    """

    scenario: Scenario
    """The scenario as negotiated (with `win_sets`, each party's red lines include its win-set)."""
    protocol: str
    strategies: tuple[str, ...]
    """Full spec of each party's strategy, in the scenario's order of parties."""
    mediator: str | None
    """Full spec of the mediator's strategy, under a mediated protocol."""
    mediator_id: str | None
    informed: bool
    deadline: int
    win_sets: bool
    objects: tuple[Player | None, ...] = field(default=(), repr=False, hash=False)
    """The strategies given as objects: one entry per party, then the mediator's under a mediated
    protocol; None where a spec makes the strategy (empty: every strategy from its spec). Each is
    a copy taken when the plan was made, and `play` plays a fresh copy of it, so the caller's
    object is never changed and a plan plays the same way every time."""


def _player(key: str, given: str | Player) -> tuple[Any, Player | None]:
    """A strategy named in `plan`: from its spec, or a copy of the object given, with the spec
    that records it (its `spec()`, else its class name)."""
    if isinstance(given, str):
        return registry.strategy(given), None
    if not callable(getattr(given, "act", None)):
        raise EntenteError(
            f"strategy for {quoted(key)}: a {type(given).__name__} has no act(view) method; "
            "expected a spec such as 'boulware(e=0.2)' or a strategy object"
        )
    try:
        kept: Player = copy.deepcopy(given)
    except Exception as e:  # any failure to copy is the object's
        raise EntenteError(
            f"strategy for {quoted(key)}: a {type(given).__name__} cannot be copied "
            f"({type(e).__name__}: {quoted(str(e))}); each negotiation plays a fresh copy"
        ) from None
    return _Given(kept, _spec_of(given)), kept


def _spec_of(obj: object) -> str:
    """How a plan records a strategy object: its `spec()`, prefixed with its class name where
    the spec names nothing (a `Strategy` subclass without a `name`), or its class name."""
    make = getattr(obj, "spec", None)
    spec = make() if callable(make) else None
    if not isinstance(spec, str) or not spec:
        return type(obj).__name__
    return type(obj).__name__ + spec if spec.startswith("(") else spec


class _Given(Strategy):
    """A strategy object as a plan plays it: its own moves, its recorded spec, and `reset` only
    if it has one (the base's otherwise, which keeps the generator)."""

    def __init__(self, inner: Player, spec: str) -> None:
        self.inner_ = inner
        self.spec_ = spec
        self.mediator = bool(getattr(inner, "mediator", False))

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        own = getattr(self.inner_, "reset", None)
        if callable(own):
            own(view, rng)

    def act(self, view: View) -> Action:
        return self.inner_.act(view)

    def note(self) -> Any:
        """The object's note on its last move, if it keeps any (`session.Result.notes`)."""
        own = getattr(self.inner_, "note", None)
        return own() if callable(own) else None

    def usage(self) -> Any:
        """What the object reports it used, if it reports anything (`session.Result.usage`)."""
        own = getattr(self.inner_, "usage", None)
        return own() if callable(own) else None

    def spec(self) -> str:
        return self.spec_


def plan(
    scenario: Scenario,
    protocol: str | None = None,
    strategies: Mapping[str, str | Player] | None = None,
    deadline: int | None = None,
    win_sets: bool = False,
) -> Plan:
    """Resolve what `negotiate` would run: specs default to the scenario's, then to
    `DEFAULT_STRATEGY` and `DEFAULT_MEDIATOR`. Refuses a deadline below one round, an unknown
    party, a mediator's strategy under a protocol without a mediator, and an object without
    `act(view)`.

    This is the one place a negotiation is set up: `negotiate`, the command line and every cell
    of a tournament go through it (a tournament names each party's spec, and the mediator when
    `--mediator` is given, so a scenario's own mediator and its `informed` grant hold there too).
    """
    if deadline is not None and deadline < 1:
        raise EntenteError(f"deadline {deadline}: expected a number of rounds, at least 1")
    narrowed_scenario = scenario
    if win_sets:
        from entente.settlement import narrowed

        for p in scenario.parties:
            narrowed_scenario = narrowed(narrowed_scenario, p.id)
    proto = registry.protocol(protocol or scenario.protocol)
    given = dict(strategies or {})
    known = {p.id for p in scenario.parties} | {m.id for m in scenario.mediators}
    for key in given:
        if key not in known and key != "mediator":
            raise EntenteError(
                f"strategy for {quoted(key)}: no such party or mediator; expected one of "
                + ", ".join(sorted(known))
            )
    mediator_keys = [k for k in given if k == "mediator" or k in {m.id for m in scenario.mediators}]
    if mediator_keys and not proto.mediated:
        raise EntenteError(
            f"strategy for {quoted(mediator_keys[0])}: a mediator's, but protocol "
            f"{quoted(proto.name)} has no mediator; expected a party "
            f"({', '.join(p.id for p in scenario.parties)}) or a mediated protocol"
        )
    made = [
        _player(p.id, _first(given.get(p.id), p.strategy, DEFAULT_STRATEGY))
        for p in scenario.parties
    ]
    parties = [s for s, _ in made]
    kept = [obj for _, obj in made]
    for s in parties:
        if s.mediator:
            raise EntenteError(f"{s.spec()} is a mediator strategy, not a party's")
    mediator = None
    m = scenario.mediators[0] if scenario.mediators else None
    if proto.mediated:
        key = m.id if m else "mediator"
        spec = _first(
            given.get(key), given.get("mediator"), m.strategy if m else None, DEFAULT_MEDIATOR
        )
        mediator, obj = _player(key, spec)
        kept.append(obj)
        if not mediator.mediator:
            raise EntenteError(f"{mediator.spec()} is a party's strategy, not a mediator's")
    return Plan(
        narrowed_scenario,
        _protocol_spec(proto),
        tuple(s.spec() for s in parties),
        mediator.spec() if mediator is not None else None,
        m.id if (m and mediator is not None) else None,
        bool(mediator is not None and m and m.informed),
        deadline if deadline is not None else scenario.deadline,
        win_sets,
        tuple(kept) if any(obj is not None for obj in kept) else (),
    )


def _first(*choices: str | Player | None) -> str | Player:
    """The first choice given (neither None nor an empty spec)."""
    for c in choices:
        if c is not None and not (isinstance(c, str) and not c):
            return c
    raise AssertionError("the last choice is a default")


def _fresh(plan: Plan, i: int, spec: str) -> Any:
    """A new strategy for actor `i` of the plan (parties, then the mediator)."""
    obj = plan.objects[i] if i < len(plan.objects) else None
    if obj is None:
        return registry.strategy(spec)
    return _Given(copy.deepcopy(obj), spec)


def play(
    plan: Plan,
    seed: int = 0,
    *,
    table: Table | None = None,
    time_limit: float | None = None,
    clock: Callable[[], float] | None = None,
    players: Sequence[Any] | None = None,
) -> Result:
    """Run a plan: every random choice comes from `seed` (a whole number, at least 0).

    `players`, when given, are the parties' strategy objects to play (fresh ones, as
    `_fresh(plan, i, spec)` makes them), so that the caller can read what they learned.

    `time_limit` (seconds, read from `clock`) adds a deadline on a clock to the plan's rounds:
    see `session.run`.

    `table` is the plan's scenario's table (`api.table`) when the caller already holds it, as a
    tournament does for each of its scenarios; by default it is looked up here.
    """
    if seed < 0:
        raise EntenteError(f"seed {seed}: expected a whole number, at least 0")
    sc = plan.scenario
    if table is None and sc.space.enumerable:
        table = _table(sc)
    k = len(plan.strategies)
    return run(
        registry.protocol(plan.protocol),
        list(players)
        if players is not None
        else [_fresh(plan, i, s) for i, s in enumerate(plan.strategies)],
        sc.space,
        sc.prefs,
        deadline=plan.deadline,
        seed=seed,
        mediator=_fresh(plan, k, plan.mediator) if plan.mediator else None,
        informed=plan.informed,
        table=table,
        names=[p.id for p in sc.parties],
        time_limit=time_limit,
        clock=clock,
        seen=[
            None if p.uncertainty is None else prefs_ranking.seen(p.prefs, sc.space, p.uncertainty)
            for p in sc.parties
        ]
        if any(p.uncertainty is not None for p in sc.parties)
        else None,
    )


def _protocol_spec(proto: Any) -> str:
    """The spec that makes `proto` again: its name, with the parameters that differ from their
    defaults ('conference(bilateral=9, agenda=(0, 1))'), so a plan keeps them."""
    given = {
        k: getattr(proto, k)
        for k, p in registry.parameters(type(proto)).items()
        if hasattr(proto, k) and getattr(proto, k) != p.default
    }
    if not given:
        return str(proto.name)
    return f"{proto.name}({', '.join(f'{k}={v!r}' for k, v in given.items())})"


def negotiate(
    scenario: Scenario,
    protocol: str | None = None,
    strategies: Mapping[str, str | Player] | None = None,
    seed: int = 0,
    deadline: int | None = None,
    win_sets: bool = False,
) -> Result:
    """Negotiate `scenario`: protocol and per-party strategy specs default to the scenario's.

    `strategies` maps party ids (or a mediator's id, or 'mediator') to specs such as
    'boulware(e=0.2)', or to strategy objects: any object with `act(view)` (see `Player`). An
    object is copied (`copy.deepcopy`) and the negotiation plays the copy, so what it learns
    stays out of the caller's object and the same seed gives the same result every time. With `win_sets`, each party with constituencies refuses, as a red line
    of its own, every outcome they would not ratify: it concedes only inside its win-set (the
    two-level game). `plan` says what this runs, with every default filled in.
    """
    return play(plan(scenario, protocol, strategies, deadline, win_sets), seed)
