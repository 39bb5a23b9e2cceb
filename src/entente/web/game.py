"""Games with human seats, replayed from their moves: no thread, no state but the store's.

A game is its `Settings` and the list of moves its humans made. Its state is recomputed by
running the negotiation again (`api.plan` + `api.play`, the one set-up every negotiation goes
through) with a `HumanSeat` in each human's chair: the seat plays its recorded moves in order
and, when it has none left, raises `Waiting` with the view it was asked to act on. The engine
is deterministic from its seed, so the agents answer the same way on every replay, and a server
restart loses nothing.

API (pure, no web framework):
- `Settings`: what a game is (pydantic; `to_json()` / `Settings.from_json(text)`).
- `Game(settings, scenario, moves=())`: `state(seat) -> dict` (one seat's page as JSON),
  `act(seat, data) -> Action` (checks `data` against the legal actions of the view, raises
  `EntenteError` naming what is wrong, or `Conflict` when it is not that seat's turn or the game
  is over, then appends the move), `utility(seat, outcome_json)`, `result() -> Result | None`,
  `turn() -> seat id | None` (a human seat to move); `web.debrief.debrief(game, seat, agent)`
  measures a finished game.
- `Games(store, scenarios, publish)`: the games of a store, each replayed once and cached:
  `create(settings, tokens_for=[seats]) -> (id, {seat: token})`, `get(id) -> Game`,
  `act(id, seat, data) -> Game` (one move at a time per game; stores it, marks the game
  finished in the store when it ends, and publishes {"type": "move", "n": ..., "turn": ...,
  "finished": ...} on channel `game:{id}`), `listeners`: functions called with (id, game) after
  each move (a room follows its tables this way).
- Actions as JSON: {"type": "offer", "outcome": {issue id: option id}}, {"type": "accept"},
  {"type": "reject", "issues": [issue ids objected to]}, {"type": "walk"}; the state's `legal`
  lists which the protocol allows now.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from entente import api, registry
from entente.errors import EntenteError, one_of, quoted
from entente.negotiation.actions import (
    Accept,
    Action,
    Offer,
    Outcome,
    Reject,
    Walk,
    kind,
    kind_names,
)
from entente.negotiation.protocol import Move, State
from entente.negotiation.session import Result
from entente.negotiation.strategies.base import Strategy
from entente.negotiation.view import View
from entente.scenario import Scenario
from entente.web.scenarios import Scenarios
from entente.web.store import Store

HUMAN = "human"
MAX_DEADLINE = 1000
MAX_MOVES = 20_000


class Conflict(EntenteError):
    """A move out of turn, or after the end (HTTP 409)."""


class Settings(BaseModel):
    """What a game is. `seats` maps a party id to "human" or a strategy spec; a party left out
    plays the scenario's strategy. `show_space`: whether players see the full utility space
    (every party's utility of every outcome) while they play."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str = Field(min_length=1, max_length=200)
    """A built-in scenario's name, or "upload:<id>"."""
    protocol: str | None = Field(default=None, max_length=200)
    deadline: int | None = Field(default=None, ge=1, le=MAX_DEADLINE)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    seats: dict[str, str] = Field(default_factory=dict, max_length=64)
    mediator: str | None = Field(default=None, max_length=200)
    show_space: bool = True

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str) -> Settings:
        return cls.model_validate_json(text)

    @classmethod
    def parse(cls, data: Any) -> Settings:
        """Settings from a request's JSON; a mistake becomes one `EntenteError` line."""
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(x) for x in err["loc"]) or "settings"
            raise EntenteError(f"settings: {where}: {err['msg']}") from None

    @property
    def humans(self) -> list[str]:
        return [p for p, s in self.seats.items() if s == HUMAN]


class Waiting(Exception):
    """Raised by a human seat that has no recorded move left: the view it must act on."""

    def __init__(self, view: View) -> None:
        super().__init__(view.me)
        self.view = view


class HumanSeat(Strategy):
    """A person's chair: plays the recorded moves in order, then waits (raises `Waiting`)."""

    name = "human"

    def __init__(self, moves: tuple[Action, ...] = ()) -> None:
        self.moves = moves

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self.played_ = 0

    def act(self, view: View) -> Action:
        if self.played_ >= len(self.moves):
            raise Waiting(view)
        self.played_ += 1
        return self.moves[self.played_ - 1]

    def spec(self) -> str:
        return "human"


def action_from_json(scenario: Scenario, data: Any) -> Action:
    """An action from its JSON form, every issue and option named by id."""
    if not isinstance(data, dict):
        raise EntenteError('action: expected an object such as {"type": "accept"}')
    t = data.get("type")
    space = scenario.space
    if t == "offer":
        outcome = data.get("outcome")
        if not isinstance(outcome, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in outcome.items()
        ):
            raise EntenteError("offer: expected an outcome {issue id: option id}")
        for iss in space.issues:
            if iss.id in outcome and outcome[iss.id] not in iss.options:
                raise EntenteError(
                    f"offer: issue {quoted(iss.id)} has no option {quoted(outcome[iss.id])}; "
                    f"expected one of {one_of(iss.options)}"
                )
        return Offer(space.parse(outcome))
    if t == "reject":
        issues = data.get("issues", [])
        ids = [iss.id for iss in space.issues]
        if not isinstance(issues, list) or not all(isinstance(i, str) for i in issues):
            raise EntenteError("reject: expected issues as a list of issue ids")
        unknown = [i for i in issues if i not in ids]
        if unknown:
            raise EntenteError(
                f"reject: no issue {quoted(unknown[0])}; expected one of {one_of(ids)}"
            )
        return Reject(tuple(ids.index(i) for i in issues))
    if t == "accept":
        return Accept()
    if t == "walk":
        return Walk()
    raise EntenteError(f"action: type {quoted(t)}: expected one of offer, accept, reject, walk")


def action_to_json(scenario: Scenario, action: Action) -> dict[str, Any]:
    match action:
        case Offer(outcome):
            return {"type": "offer", "outcome": scenario.space.labels(outcome)}
        case Reject(objections):
            return {"type": "reject", "issues": [scenario.space.issues[i].id for i in objections]}
        case _:
            return {"type": kind(action)}


@dataclass
class _Replayed:
    """A replay's end: the result, or the human seat waiting and the view it waits on."""

    result: Result | None
    waiting: View | None
    seat: str | None

    @property
    def state(self) -> State:
        if self.result is not None:
            return self.result.state
        assert self.waiting is not None
        return self.waiting.state


class Game:
    """One game: settings, the scenario they name, and the humans' moves in order."""

    def __init__(
        self,
        settings: Settings,
        scenario: Scenario,
        moves: Sequence[tuple[str, dict[str, Any]]] = (),
    ) -> None:
        self.settings = settings
        self.scenario = scenario
        self.parties = [p.id for p in scenario.parties]
        self.names = [p.name or p.id for p in scenario.parties]
        for p in settings.seats:
            if p not in self.parties:
                raise EntenteError(
                    f"settings: seats: no party {quoted(p)}; expected one of {one_of(self.parties)}"
                )
        self.moves: list[tuple[str, dict[str, Any]]] = list(moves)
        self._actions = [(s, action_from_json(scenario, a)) for s, a in self.moves]
        self._cache: _Replayed | None = None
        self.plan = self._plan()  # refuses bad specs, protocols and deadlines now
        self._replay()

    # ---------------------------------------------------------------- replay

    def _plan(self, seats: dict[str, str] | None = None) -> api.Plan:
        s = self.settings
        given: dict[str, str | api.Player] = {}
        for party, spec in (seats if seats is not None else s.seats).items():
            if spec == HUMAN:
                mine = tuple(a for seat, a in self._actions if seat == party)
                given[party] = HumanSeat(mine)
            else:
                given[party] = spec
        if s.mediator:
            given["mediator"] = s.mediator
        return api.plan(self.scenario, s.protocol, given, s.deadline)

    def _replay(self) -> _Replayed:
        if self._cache is None:
            plan = self._plan()
            try:
                r = api.play(plan, self.settings.seed)
                self._cache = _Replayed(r, None, None)
            except Waiting as w:
                self._cache = _Replayed(None, w.view, self.parties[w.view.me])
        return self._cache

    def result(self) -> Result | None:
        return self._replay().result

    def turn(self) -> str | None:
        """The human seat whose move the game waits for (None when it is over)."""
        return self._replay().seat

    def _seat(self, seat: str) -> int:
        if seat not in self.parties:
            raise EntenteError(
                f"seat {quoted(seat)}: no such party; expected one of {one_of(self.parties)}"
            )
        return self.parties.index(seat)

    # ---------------------------------------------------------------- moves

    def act(self, seat: str, data: Any) -> Action:
        """Check `data` against the legal actions of `seat`'s view and make the move."""
        r = self._replay()
        me = self._seat(seat)
        if r.result is not None:
            raise Conflict("the negotiation is over; no move can be made")
        if r.seat != seat:
            raise Conflict(
                f"not your turn: the game waits for {self.names[self.parties.index(str(r.seat))]}"
            )
        if len(self.moves) >= MAX_MOVES:
            raise Conflict(f"this game has reached {MAX_MOVES} moves")
        view = r.waiting
        assert view is not None and view.me == me
        action = action_from_json(self.scenario, data)
        if type(action) not in view.legal:
            allowed = ", ".join(kind_names(view.legal))
            raise EntenteError(
                f"action {quoted(kind(action))} is not allowed now; expected one of {allowed}"
            )
        problem = registry.protocol(self.plan.protocol).check(view.state, action)
        if problem:
            raise EntenteError(f"{kind(action)}: {problem}")
        self.moves.append((seat, action_to_json(self.scenario, action)))
        self._actions.append((seat, action))
        self._cache = None
        self._replay()
        return action

    def utility(self, seat: str, outcome: Any) -> dict[str, Any]:
        """The utility to `seat` of an outcome {issue id: option id}, and whether it crosses a
        red line of `seat`'s."""
        me = self._seat(seat)
        o = action_from_json(self.scenario, {"type": "offer", "outcome": outcome})
        assert isinstance(o, Offer)
        p = self.scenario.prefs[me]
        x = np.asarray([o.outcome], dtype=np.int64)
        return {
            "utility": round(float(p.utility(x)[0]), 6),
            "acceptable": bool(p.feasible(x)[0]),
            "reservation": round(float(p.reservation), 6),
        }

    # ---------------------------------------------------------------- state

    def actor_name(self, actor: int) -> str:
        if actor < len(self.names):
            return self.names[actor]
        m = self.scenario.mediators
        return (m[0].name or m[0].id) if m else "mediator"

    def actor_id(self, actor: int) -> str:
        if actor < len(self.parties):
            return self.parties[actor]
        return self.plan.mediator_id or "mediator"

    def history(self, seat: str) -> list[dict[str, Any]]:
        """Every move so far; offers and texts with their utility to `seat`."""
        me = self._seat(seat)
        state = self._replay().state
        p = self.scenario.prefs[me]
        space = self.scenario.space
        out: list[dict[str, Any]] = []
        table: Outcome | None = None
        for n, m in enumerate(state.history):
            row: dict[str, Any] = {
                "n": n,
                "round": m.round + 1,
                "time": round(m.time, 6),
                "actor": self.actor_id(m.actor),
                "actor_name": self.actor_name(m.actor),
                "type": kind(m.action),
                "mine": m.actor == me,
            }
            if isinstance(m.action, Offer):
                table = m.action.outcome
                row["outcome"] = space.labels(table)
                row["utility"] = round(float(p(table)), 6)
            elif isinstance(m.action, Reject):
                row["issues"] = [space.issues[i].id for i in m.action.objections]
            out.append(row)
        return out

    def scenario_json(self) -> dict[str, Any]:
        sc = self.scenario
        return scenario_json(sc)

    def state(self, seat: str) -> dict[str, Any]:
        """What `seat`'s page shows: whose turn, the legal actions, the text on the table, the
        offers so far with their utility to `seat`; the end and the agreement when it is over."""
        me = self._seat(seat)
        r = self._replay()
        st = r.state
        p = self.scenario.prefs[me]
        space = self.scenario.space
        waiting = r.waiting
        mine = r.seat == seat
        table = st.table
        out: dict[str, Any] = {
            "seat": seat,
            "seat_name": self.names[me],
            "protocol": self.plan.protocol,
            "mediated": bool(registry.protocol(self.plan.protocol).mediated),
            "strategies": {
                pid: ("human" if spec == "human" else spec)
                for pid, spec in zip(self.parties, self.plan.strategies, strict=True)
            },
            "mediator": self.plan.mediator,
            "deadline": st.deadline,
            "round": min(st.round + 1, st.deadline),
            "moves": len(self.moves),
            "turn": r.seat,
            "turn_name": None if r.seat is None else self.names[self.parties.index(r.seat)],
            "your_turn": mine,
            "legal": kind_names(waiting.legal) if mine and waiting else [],
            "table": None if table is None else space.labels(table),
            "table_utility": None if table is None else round(float(p(table)), 6),
            "table_by": None if table is None or st.proposer < 0 else self.actor_name(st.proposer),
            "table_by_mediator": table is not None and st.proposer >= len(self.parties),
            "reservation": round(float(p.reservation), 6),
            "best": round(float(api.table(self.scenario).u[:, me].max()), 6)
            if space.enumerable
            else None,
            "history": self.history(seat),
            "show_space": self.settings.show_space,
            "finished": r.result is not None,
            "agreement": None,
            "utility": None,
        }
        if r.result is not None:
            res = r.result
            out["agreement"] = None if res.agreement is None else space.labels(res.agreement)
            out["utility"] = round(float(res.utilities[me]), 6)
            out["rounds"] = res.rounds
        return out

    def summary(self) -> dict[str, Any] | None:
        """The end of a finished game, for the store: agreement and each party's utility."""
        res = self.result()
        if res is None:
            return None
        return {
            "agreement": None
            if res.agreement is None
            else self.scenario.space.labels(res.agreement),
            "utilities": {
                p: round(float(u), 9) for p, u in zip(self.parties, res.utilities, strict=True)
            },
            "rounds": res.rounds,
            "moves": len(self.moves),
        }

    def provisional(self) -> Result:
        """The game so far as a `Result` (what the figures draw), finished or not."""
        r = self._replay()
        if r.result is not None:
            return r.result
        st = r.state
        k = len(self.parties)
        t = st.history[-1].time if st.history else 0.0
        return Result(
            None,
            np.array([p.reservation for p in self.scenario.prefs]),
            st,
            t,
            tuple(self.parties[:k]),
        )


class Games:
    """The games of a store, replayed from it on first use and kept in memory after."""

    CACHE = 512

    def __init__(
        self,
        store: Store,
        scenarios: Scenarios,
        publish: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.store = store
        self.scenarios = scenarios
        self.publish = publish
        self.listeners: list[Callable[[str, Game], None]] = []
        self._games: OrderedDict[str, Game] = OrderedDict()
        self._locks: dict[str, threading.RLock] = {}
        self._lock = threading.Lock()

    def create(
        self, settings: Settings, tokens_for: Sequence[str] = ()
    ) -> tuple[str, dict[str, str]]:
        """Store a new game (checked by building it first) and a token for each seat named."""
        game = Game(settings, self.scenarios.get(settings.scenario))
        for seat in tokens_for:
            game._seat(seat)
        gid = self.store.add_game(settings.to_json())
        tokens = {seat: self.store.add_seat(gid, seat) for seat in tokens_for}
        if game.result() is not None:
            self.store.set_finished(gid, game.summary() or {})
        self._keep(gid, game)
        return gid, tokens

    def _keep(self, gid: str, game: Game) -> None:
        with self._lock:
            self._games[gid] = game
            self._games.move_to_end(gid)
            while len(self._games) > self.CACHE:
                old, _ = self._games.popitem(last=False)
                self._locks.pop(old, None)

    def lock(self, gid: str) -> threading.RLock:
        with self._lock:
            return self._locks.setdefault(gid, threading.RLock())

    def get(self, gid: str) -> Game:
        with self._lock:
            found = self._games.get(gid)
        if found is not None:
            return found
        with self.lock(gid):  # one copy per game: a move made on one is seen by every reader
            with self._lock:
                found = self._games.get(gid)
            if found is not None:
                return found
            settings, _ = self.store.game(gid)
            s = Settings.from_json(settings)
            game = Game(s, self.scenarios.get(s.scenario), self.store.moves(gid))
            self._keep(gid, game)
            return game

    def act(self, gid: str, seat: str, data: Any) -> Game:
        with self.lock(gid):
            game = self.get(gid)
            n = len(game.moves)
            game.act(seat, data)
            try:
                self.store.add_move(gid, n, seat, game.moves[-1][1])
            except Exception:
                with self._lock:  # the store refused it: forget the copy in memory
                    self._games.pop(gid, None)
                raise
            if game.result() is not None:
                self.store.set_finished(gid, game.summary() or {})
        event = {
            "type": "move",
            "n": n + 1,
            "turn": game.turn(),
            "finished": game.result() is not None,
        }
        if self.publish is not None:
            self.publish(f"game:{gid}", event)
        for listen in self.listeners:
            listen(gid, game)
        return game


def scenario_json(sc: Scenario) -> dict[str, Any]:
    """A scenario as the setup and play pages show it (text only: pages render it as text)."""
    return {
        "id": sc.id,
        "title": sc.title or sc.id,
        "description": sc.description,
        "protocol": sc.protocol,
        "deadline": sc.deadline,
        "parties": [
            {"id": p.id, "name": p.name or p.id, "strategy": p.strategy or api.DEFAULT_STRATEGY}
            for p in sc.parties
        ],
        "mediators": [
            {"id": m.id, "name": m.name or m.id, "strategy": m.strategy or api.DEFAULT_MEDIATOR}
            for m in sc.mediators
        ],
        "issues": [
            {
                "id": iss.id,
                "name": iss.name or iss.id,
                "description": sc.issue_descriptions.get(iss.id, ""),
                "options": [
                    {"id": o, "label": iss.labels[k] if iss.labels else o}
                    for k, o in enumerate(iss.options)
                ],
            }
            for iss in sc.space.issues
        ],
        "history": sc.history is not None and sc.history.outcome is not None,
    }


def moves_of(result: Result) -> tuple[Move, ...]:
    return result.state.history


def dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True)
