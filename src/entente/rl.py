"""Reinforcement learning: negotiations as Gymnasium and PettingZoo environments.

`NegotiationEnv` (Gymnasium) puts one learner at the table against the strategies a plan names
for the other parties; `NegotiationAEC` (PettingZoo, agent environment cycle) makes every party
a learner. Both run any scenario under any protocol; under a mediated protocol the mediator is
the plan's mediator strategy, never a learner.

Both drive the negotiation with the protocol's own pure `check` and `step`, and set it up with
`api.plan`, as `negotiate` does: the other actors get the same random generators as in
`negotiate` with the same seed, so an episode and `negotiate` cannot disagree.

Actions are `Discrete(3 + m)`: 0 accept the outcome on the table, 1 walk away, 2 reject the
mediator's text (objecting to the issues that would most raise one's utility, at most three),
then `m` offers. Where the space can be listed and has at most `MAX_OUTCOMES` outcomes, offer
`j` is the outcome with flat id `j`; otherwise (or when `levels` is given) there are `levels`
offers, offer `j` being one's acceptable outcome nearest above the utility
`best - (best - worst) * j / (levels - 1)`, so offer 0 is one's best outcome. The legal actions
come as a mask (`action_mask`), computed by the protocol's `check`. An illegal action ends the
episode as a walk-away would (`info["illegal"]` is True).

The observation is six numbers: the share of time left, one's utility of the outcome on the table (0
when none), 1 if there is one, one's utility of one's own last offer (0 when none), 1 if one has
offered, 1 if it is one's turn. The reward is 0 until the end, then one's utility of the agreement, discounted to the
time it was reached, or one's (equally discounted) reservation value: `Result.utilities`.

Needs the `rl` extra (gymnasium, pettingzoo).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, cast

import gymnasium
import numpy as np
from gymnasium import spaces
from numpy.typing import NDArray
from pettingzoo import AECEnv

from entente import api, registry
from entente.errors import EntenteError, quoted
from entente.negotiation.actions import Accept, Action, Offer, Reject, Walk
from entente.negotiation.protocol import Protocol, State, legal_of
from entente.negotiation.session import IllegalAction, Result
from entente.negotiation.strategies.base import Strategy
from entente.negotiation.view import Own, View
from entente.prefs import Floats
from entente.scenario import Scenario
from entente.table import Table

MAX_OUTCOMES = 4096
"""Largest listed space whose outcomes are offered one by one; above it, utility levels."""
DEFAULT_LEVELS = 16
ACCEPT, WALK, REJECT = 0, 1, 2
OFFERS = 3
"""Action id of the first offer."""
N_OBS = 6


class Talks:
    """One negotiation advanced one action at a time: the driver loop of `session.run`, opened
    up so that some actors (`learners`, party indices) are played from outside."""

    def __init__(self, plan: api.Plan, learners: frozenset[int], seed: int) -> None:
        sc = plan.scenario
        self.plan = plan
        self.protocol: Protocol = registry.protocol(plan.protocol)
        k = len(plan.strategies)
        self.k = k
        table: Table | None = api.table(sc) if sc.space.enumerable else None
        self.table = table
        actors: list[Strategy | None] = [
            None if i in learners else api._fresh(plan, i, s) for i, s in enumerate(plan.strategies)
        ]
        if plan.mediator:
            actors.append(api._fresh(plan, k, plan.mediator))
        self.actors = actors
        self.owns: list[Own | None] = [Own(i, p, sc.space, table) for i, p in enumerate(sc.prefs)]
        self.owns.append(None)
        seeds = np.random.SeedSequence(seed).spawn(len(actors))
        self.rngs = [np.random.default_rng(s) for s in seeds]
        self.state: State = self.protocol.start(k, plan.deadline)
        self.illegal = False
        for i, a in enumerate(actors):
            if a is not None:
                a.reset(self.view(i), self.rngs[i])

    def view(self, actor: int) -> View:
        grant = self.plan.informed and actor == self.k
        sc = self.plan.scenario
        return View(
            me=actor,
            state=self.state,
            time=self.protocol.time(self.state),
            space=sc.space,
            own=self.owns[actor],
            mediated=self.protocol.mediated,
            informed=self.table if grant else None,
            informed_prefs=sc.prefs if grant else None,
            legal=legal_of(self.protocol, self.state),
        )

    def problem(self, action: Action) -> str | None:
        """Why the actor to move may not take `action` now, or None."""
        problem = self.protocol.check(self.state, action)
        if (
            problem is None
            and isinstance(action, Offer)
            and not self.plan.scenario.space.contains(action.outcome)
        ):
            return "the offer is not an outcome of this space"
        return problem

    def apply(self, action: Action) -> None:
        self.state = self.protocol.step(self.state, action)

    def advance(self) -> None:
        """Let the strategies move until a learner is to act or the talks are over."""
        while not self.done and (a := self.actors[self.state.actor]) is not None:
            actor = self.state.actor
            action = a.act(self.view(actor))
            problem = self.problem(action)
            if problem:
                who = self.plan.scenario.parties[actor].id if actor < self.k else "mediator"
                raise IllegalAction(f"{who} ({a.spec()}): {action}: {problem}")
            self.apply(action)

    def end(self) -> None:
        """Stop the talks without agreement (after an illegal action)."""
        self.illegal = True

    @property
    def done(self) -> bool:
        return self.state.done or self.illegal

    def result(self) -> Result:
        """What `session.run` would return for the talks so far."""
        s = self.state
        time = s.history[-1].time if s.history else 0.0
        prefs = self.plan.scenario.prefs
        agreement = None if self.illegal else s.agreement
        if agreement is not None:
            u = np.array([p.discounted(p(agreement), time) for p in prefs], dtype=float)
        else:
            u = np.array([p.discounted(p.reservation, time) for p in prefs], dtype=float)
        names = tuple(p.id for p in self.plan.scenario.parties)
        return Result(agreement, u, s, time, names)

    def utilities(self) -> Floats:
        return self.result().utilities


class Encoding:
    """Action ids to actions for one party, observations and masks."""

    def __init__(self, own: Own, levels: int | None) -> None:
        space = own.space
        if levels is not None and levels < 2:
            raise EntenteError(f"levels {levels}: expected at least 2 offer levels")
        self.own = own
        self.flat = levels is None and space.enumerable and space.size <= MAX_OUTCOMES
        self.m = space.size if self.flat else (levels or DEFAULT_LEVELS)
        self.n = OFFERS + self.m
        self._levels: list[tuple[int, ...]] | None = None

    def offer(self, j: int, rng: np.random.Generator) -> tuple[int, ...]:
        if self.flat:
            return self.own.outcome(j)
        if self._levels is None:  # one outcome per level, found once per episode
            best, worst = self.own.best, self.own.worst
            targets = best - (best - worst) * np.arange(self.m) / (self.m - 1)
            self._levels = [self.own.near(float(t), rng) for t in targets]
        return self._levels[j]

    def action(self, a: int, view: View, rng: np.random.Generator) -> Action:
        if a == ACCEPT:
            return Accept()
        if a == WALK:
            return Walk()
        if a == REJECT:
            text = view.table
            if text is None:
                return Reject()
            return Reject(self.own.objections(text, self.own.best - self.own.utility(text), 3))
        return Offer(self.offer(a - OFFERS, rng))

    def mask(self, talks: Talks) -> NDArray[np.int8]:
        """1 for each legal action of the party to move (by the protocol's `check`)."""
        mask = np.zeros(self.n, dtype=np.int8)
        if talks.done:
            mask[WALK] = 1  # the episode is over: any action ends it, walking names that
            return mask
        mask[ACCEPT] = talks.problem(Accept()) is None
        mask[WALK] = talks.problem(Walk()) is None
        mask[REJECT] = talks.problem(Reject()) is None
        mask[OFFERS:] = talks.problem(Offer(self.own.ideal)) is None
        return mask

    def obs_space(self) -> spaces.Box:
        """Time and flags in [0, 1]; utilities within the party's bounds over the space."""
        lo, hi = self.own.prefs.bounds(self.own.space)
        pad = 1e-6 * max(1.0, abs(lo), abs(hi))  # float32 rounding stays inside
        lo, hi = min(lo, 0.0) - pad, max(hi, 0.0) + pad
        low = np.array([0, lo, 0, lo, 0, 0], dtype=np.float32)
        high = np.array([1, hi, 1, hi, 1, 1], dtype=np.float32)
        return spaces.Box(low, high, dtype=np.float32)

    def observe(self, talks: Talks) -> NDArray[np.float32]:
        s = talks.state
        me = self.own.index
        obs = np.zeros(N_OBS, dtype=np.float32)
        obs[0] = 1.0 - talks.protocol.time(s)  # time left: never an all-zero observation
        if s.table is not None:
            obs[1], obs[2] = self.own.utility(s.table), 1.0
        for move in reversed(s.history):
            if move.actor == me and isinstance(move.action, Offer):
                obs[3], obs[4] = self.own.utility(move.action.outcome), 1.0
                break
        obs[5] = not talks.done and s.actor == me
        return obs


def _plan(
    scenario: Scenario | str,
    protocol: str | None,
    strategies: Mapping[str, str | api.Player] | None,
    deadline: int | None,
    learners: list[str],
) -> api.Plan:
    sc = api.load(scenario) if isinstance(scenario, str) else scenario
    ids = [p.id for p in sc.parties]
    for name in learners:
        if name not in ids:
            raise EntenteError(
                f"learner {quoted(name)}: no such party; expected one of {', '.join(ids)}"
            )
    given = {k: v for k, v in (strategies or {}).items() if k not in learners}
    # a learner's seat is filled by a placeholder the episode never asks to move
    given.update({name: "hardliner" for name in learners})
    return api.plan(sc, protocol, given, deadline)


class NegotiationEnv(gymnasium.Env[NDArray[np.float32], np.int64]):
    """One learner (`learner`, a party id; the first party by default) against the strategies
    of the plan: `strategies` maps the other parties (or the mediator) to specs or objects, as
    in `negotiate`; unnamed ones play the scenario's specs.

    `reset(seed=s)` plays the others exactly as `negotiate(..., seed=s)` would. The legal
    actions are in `info["action_mask"]` and `action_masks()`.
    """

    metadata = {"render_modes": []}  # noqa: RUF012 (Gymnasium declares it so)

    def __init__(
        self,
        scenario: Scenario | str,
        learner: str | None = None,
        protocol: str | None = None,
        strategies: Mapping[str, str | api.Player] | None = None,
        deadline: int | None = None,
        levels: int | None = None,
    ) -> None:
        sc = api.load(scenario) if isinstance(scenario, str) else scenario
        learner = learner or sc.parties[0].id
        self.plan = _plan(sc, protocol, strategies, deadline, [learner])
        self.me = [p.id for p in sc.parties].index(learner)
        sp = self.plan.scenario
        table = api.table(sp) if sp.space.enumerable else None
        self.encoding = Encoding(Own(self.me, sp.prefs[self.me], sp.space, table), levels)
        self.action_space = spaces.Discrete(self.encoding.n)
        self.observation_space = cast(spaces.Space[NDArray[np.float32]], self.encoding.obs_space())
        self.talks: Talks | None = None

    def _info(self) -> dict[str, Any]:
        assert self.talks is not None
        return {"action_mask": self.encoding.mask(self.talks), "illegal": self.talks.illegal}

    def action_masks(self) -> NDArray[np.int8]:
        """The legal actions now (the name sb3-contrib's MaskablePPO asks for)."""
        assert self.talks is not None, "call reset() first"
        return self.encoding.mask(self.talks)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        super().reset(seed=seed)
        session_seed = seed if seed is not None else int(self.np_random.integers(2**31))
        self.talks = Talks(self.plan, frozenset({self.me}), session_seed)
        self.encoding._levels = None
        self.talks.advance()
        return self.encoding.observe(self.talks), self._info()

    def step(
        self, action: np.int64 | int
    ) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        talks = self.talks
        assert talks is not None, "call reset() first"
        if not talks.done:
            act = self.encoding.action(int(action), talks.view(self.me), talks.rngs[self.me])
            if talks.problem(act) is None:
                talks.apply(act)
                talks.advance()
            else:
                talks.end()
        reward = float(talks.utilities()[self.me]) if talks.done else 0.0
        return self.encoding.observe(talks), reward, talks.done, False, self._info()

    def result(self) -> Result:
        """The episode as `negotiate` reports a negotiation."""
        assert self.talks is not None, "call reset() first"
        return self.talks.result()


class NegotiationAEC(AECEnv[str, dict[str, NDArray[Any]], int | None]):  # type: ignore[misc]
    """Every party a learner, in turn (PettingZoo's agent environment cycle). Agents are the
    party ids; each observation is `{"observation": ..., "action_mask": ...}`. Under a mediated
    protocol the plan's mediator strategy drafts the texts (`strategies` may name it)."""

    metadata: ClassVar[dict[str, Any]] = {
        "render_modes": [],
        "name": "entente_v0",
        "is_parallelizable": False,
    }

    def __init__(
        self,
        scenario: Scenario | str,
        protocol: str | None = None,
        strategies: Mapping[str, str | api.Player] | None = None,
        deadline: int | None = None,
        levels: int | None = None,
    ) -> None:
        super().__init__()
        sc = api.load(scenario) if isinstance(scenario, str) else scenario
        ids = [p.id for p in sc.parties]
        self.plan = _plan(sc, protocol, strategies, deadline, ids)
        sp = self.plan.scenario
        table = api.table(sp) if sp.space.enumerable else None
        self.encodings = {
            a: Encoding(Own(i, sp.prefs[i], sp.space, table), levels) for i, a in enumerate(ids)
        }
        self.possible_agents = list(ids)
        self.observation_spaces: dict[str, spaces.Space[Any]] = {
            a: spaces.Dict(
                {
                    "observation": enc.obs_space(),
                    "action_mask": spaces.Box(0, 1, shape=(enc.n,), dtype=np.int8),
                }
            )
            for a, enc in self.encodings.items()
        }
        self.action_spaces: dict[str, spaces.Space[Any]] = {
            a: spaces.Discrete(enc.n) for a, enc in self.encodings.items()
        }
        self.index = {a: i for i, a in enumerate(ids)}
        self.talks: Talks | None = None
        self.render_mode = None
        self._np_random: np.random.Generator = np.random.default_rng()
        self.agent_selection = ids[0]

    def observation_space(self, agent: str) -> spaces.Space[Any]:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space[Any]:
        return self.action_spaces[agent]

    def observe(self, agent: str) -> dict[str, NDArray[Any]]:
        assert self.talks is not None, "call reset() first"
        enc = self.encodings[agent]
        talks = self.talks
        mask = enc.mask(talks)
        if talks.done or talks.state.actor != self.index[agent]:
            mask = np.zeros(enc.n, dtype=np.int8)
            mask[WALK] = 1  # not this agent's turn: nothing it does is played
        return {"observation": enc.observe(talks), "action_mask": mask}

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        if seed is not None:
            self._np_random = np.random.default_rng(seed)
        session_seed = seed if seed is not None else int(self._np_random.integers(2**31))
        self.talks = Talks(self.plan, frozenset(self.index.values()), session_seed)
        for enc in self.encodings.values():
            enc._levels = None
        self.agents = list(self.possible_agents)
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self.infos: dict[str, dict[str, Any]] = {a: {} for a in self.agents}
        self.talks.advance()
        self._settle()

    def _settle(self) -> None:
        """Select the party to move, or end the episode for everyone with its rewards."""
        talks = self.talks
        assert talks is not None
        if talks.done:
            u = talks.utilities()
            for a in self.agents:
                self.rewards[a] = float(u[self.index[a]])
                self.terminations[a] = True
                self.infos[a] = {"illegal": talks.illegal}
            self.agent_selection = self.agents[0]
        else:
            self.agent_selection = self.possible_agents[talks.state.actor]

    def step(self, action: int | None) -> None:
        if self.terminations[self.agent_selection] or self.truncations[self.agent_selection]:
            self._was_dead_step(action)
            return
        talks = self.talks
        assert talks is not None, "call reset() first"
        agent = self.agent_selection
        i = self.index[agent]
        self._cumulative_rewards[agent] = 0.0
        self.rewards = dict.fromkeys(self.agents, 0.0)
        act = self.encodings[agent].action(int(action or 0), talks.view(i), talks.rngs[i])
        if talks.problem(act) is None:
            talks.apply(act)
            talks.advance()
        else:
            talks.end()
        self._settle()
        self._accumulate_rewards()

    def render(self) -> None:
        """Nothing to draw: `result()` and `entente.trace_rows` tell the episode."""
        return None

    def close(self) -> None:
        """Nothing held open."""
        self.talks = None

    def result(self) -> Result:
        """The episode as `negotiate` reports a negotiation."""
        assert self.talks is not None, "call reset() first"
        return self.talks.result()


__all__ = ["MAX_OUTCOMES", "Encoding", "NegotiationAEC", "NegotiationEnv", "Talks"]
