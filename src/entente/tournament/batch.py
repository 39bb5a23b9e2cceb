"""Many alternating-offers negotiations of one scenario advanced together as arrays.

For strategies that declare the rule of their aspiration (`Negotiator.targets`, a
`strategies.targets.Targets`: falling or rising with the clock, or reacting to the others'
concessions) and offer and accept as the base `Negotiator` does, one NumPy step moves every
live negotiation at once. The arithmetic is the one the strategies do, in the same order, so
agreements, rounds and utilities equal `session.run`'s exactly (tests hold it). Nothing here
names a concrete strategy: a subclass or a user's strategy that declares its targets is
batched too; one that declares none, or changes how it offers or accepts, is not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from entente.negotiation.strategies.base import Negotiator, Strategy
from entente.negotiation.strategies.targets import Targets
from entente.prefs import Floats
from entente.table import Table

Ints = NDArray[np.int64]

_FALLING, _RISING, _TFT, _RANKED = 0, 1, 2, 3
"""Target kinds: hi - (hi - lo) * s(t); lo + (hi - lo) * s(t); tit-for-tat; down a ranking."""

_KINDS = {"falling": _FALLING, "rising": _RISING, "reactive": _TFT, "ranked": _RANKED}

_HARMLESS = {
    "__init__",
    "__module__",
    "__qualname__",
    "__doc__",
    "__annotations__",
    "__dict__",
    "__weakref__",
    "__firstlineno__",
    "__static_attributes__",
    "__slotnames__",  # set by copy and pickle
    "name",
}
"""What a subclass of a `ranked` strategy may define and still be batched: its name and
parameters."""

CELLS = 1 << 24
"""Most (negotiation, outcome) flags a ranked strategy's batch holds at once (bigger batches
run in slices)."""

_PLAY = ("act", "answer", "choose", "accepts", "floor")
"""What a batched strategy must keep of `Negotiator`: how it offers, accepts and floors."""


def _owner(cls: type, attr: str) -> type | None:
    return next((c for c in cls.__mro__ if attr in vars(c)), None)


def declared(strategy: Strategy) -> Targets | None:
    """The targets `strategy` declares, when `run_batch` can play it: a `Negotiator` that keeps
    the base class's way to offer and accept, and whose `target` is defined by the class that
    declares its `targets` (so a subclass that changes one without the other plays in the loop);
    or one that declares its whole way to play (`ranked`), with no subclass below the declaring
    class changing more than its name and parameters."""
    if not isinstance(strategy, Negotiator):
        return None
    cls = type(strategy)
    owner = _owner(cls, "targets")
    got = strategy.targets()
    if owner is None or not isinstance(got, Targets) or got.shape not in _KINDS:
        return None
    if got.shape == "ranked":
        below = cls.__mro__[: cls.__mro__.index(owner)]
        return got if all(set(vars(c)) <= _HARMLESS for c in below) else None
    if any(getattr(cls, m) is not getattr(Negotiator, m) for m in _PLAY):
        return None
    if _owner(cls, "target") is not owner:
        return None
    return got


def random(strategy: Strategy) -> bool:
    """Whether a batched strategy draws random numbers (a `ranked` one does), so that its
    negotiations depend on their seeds."""
    got = declared(strategy)
    return got is not None and got.shape == "ranked"


def batchable(strategy: Strategy) -> bool:
    """Whether `run_batch` plays this strategy (see `declared`)."""
    return declared(strategy) is not None


def supports(table: Table) -> bool:
    """Every party can accept at least one outcome (otherwise strategies have nothing to offer)."""
    return all(len(table.order(j)) for j in range(table.u.shape[1]))


@dataclass(frozen=True)
class Batch:
    """What each negotiation came to: agreed flat id (-1 for none), rounds, time of last move."""

    agreement: Ints
    rounds: Ints
    time: Floats


def _schedule(s: Strategy) -> Targets:
    got = declared(s)
    if got is None:
        raise TypeError(f"{s.spec()} cannot be batched")
    return got


def run_batch(
    table: Table,
    strategies: Sequence[Sequence[Strategy]],
    deadline: int,
    seeds: Sequence[int] | None = None,
) -> Batch:
    """Play `strategies[m][j]` as party j of negotiation m, all m together, for `deadline` rounds.

    The first party opens; each later party accepts the standing offer or counters, as in
    `AlternatingOffers`. Needs `supports(table)` and `batchable` strategies. Targets that
    depend on the clock alone are computed for every step up front; tit-for-tat's and ranked
    strategies' each step. `seeds[m]` is negotiation m's seed, as `session.run` takes it (0
    when not given): ranked strategies draw from the generator it gives their party.
    """
    n, k = len(strategies), table.u.shape[1]
    seeds = [0] * n if seeds is None else list(seeds)
    kinds = np.zeros((k, n), dtype=np.int8)
    sched = np.zeros((k, n), dtype=np.int64)
    factor = np.zeros((k, n))
    kindness = np.zeros((k, n))
    funcs: list[Callable[[float], float]] = []
    keys: dict[tuple[object, ...], int] = {}
    for m, row in enumerate(strategies):
        for j, s in enumerate(row):
            rule = _schedule(s)
            # an unnamed curve is computed for itself (`funcs` keeps it, and so its id, alive)
            key = (rule.shape, *rule.key) if rule.key else ("curve", id(rule.curve))
            if key not in keys:
                keys[key] = len(funcs)
                funcs.append(rule.curve)
            kinds[j, m], sched[j, m] = _KINDS[rule.shape], keys[key]
            factor[j, m], kindness[j, m] = rule.factor, rule.kindness
    ranked = kinds == _RANKED
    most = max(1, CELLS // (len(table.u) + 1))
    if ranked.any() and n > most:  # a ranked strategy keeps a flag per outcome: in slices
        parts = [
            run_batch(table, strategies[i : i + most], deadline, seeds[i : i + most])
            for i in range(0, n, most)
        ]
        return Batch(
            np.concatenate([b.agreement for b in parts]),
            np.concatenate([b.rounds for b in parts]),
            np.concatenate([b.time for b in parts]),
        )
    rngs: list[list[np.random.Generator | None]] = [[None] * n for _ in range(k)]
    for g in np.flatnonzero(ranked.any(axis=0)).tolist():
        # as `session.run` seeds its parties: one child of the negotiation's seed each
        children = np.random.SeedSequence(seeds[g]).spawn(k)
        for p in np.flatnonzero(ranked[:, g]).tolist():
            rngs[p][g] = np.random.default_rng(children[p])
    parties = [_Party(table, j, deadline, kinds[j], sched[j], funcs) for j in range(k)]
    agreement = np.full(n, -1, dtype=np.int64)
    end = np.full(n, deadline * k - 1, dtype=np.int64)  # step of the last move
    clocked = ~((kinds == _TFT) | ranked).any(axis=0)
    parts_ = [(np.flatnonzero(clocked), _clocked), (np.flatnonzero(~clocked), _stepped)]
    if k != 2:
        parts_ = [(np.arange(n), _stepped)]
    for sub, play in parts_:
        if len(sub):
            draws = [[rngs[j][i] for i in sub] for j in range(k)]
            agreement[sub], end[sub] = play(parties, sub, factor[:, sub], kindness[:, sub], draws)
    times = np.array([min(1.0, s / (deadline * k)) for s in range(deadline * k)])
    return Batch(agreement, end // k + 1, times[end])


Draws = Sequence[Sequence[np.random.Generator | None]]
"""Per party, per negotiation: the generator a ranked strategy draws from (None for others)."""


def _clocked(
    parties: Sequence[_Party], sub: Ints, factor: Floats, kindness: Floats, rngs: Draws
) -> tuple[Ints, Ints]:
    """Two parties whose targets follow the clock: every offer is known in advance, so each
    answer is one comparison, all steps at once; the talks end at the first acceptance."""
    p0, p1 = parties
    pick0, pick1 = p0.pick[:, sub], p1.pick[:, sub]
    rounds, n = pick0.shape
    accept = np.zeros((2 * rounds, n), dtype=bool)
    accept[1::2] = p1.u_ok[pick0] >= p1.threshold[:, sub]  # party 1 answers party 0's offer
    accept[2::2] = p0.u_ok[pick1[:-1]] >= p0.threshold[1:, sub]  # and party 0 answers back
    offered = np.empty((2 * rounds, n), dtype=np.int64)
    offered[0::2], offered[1::2] = pick0, pick1
    hit = accept.any(axis=0)
    step = np.where(hit, accept.argmax(axis=0), 2 * rounds - 1)
    agreed = np.where(hit, offered[np.maximum(step - 1, 0), np.arange(n)], -1)
    return agreed, step


def _stepped(
    parties: Sequence[_Party], sub: Ints, factor: Floats, kindness: Floats, rngs: Draws
) -> tuple[Ints, Ints]:
    """Any parties, any batchable strategies: one vectorised move of every live talk per step."""
    k, n = len(parties), len(sub)
    deadline = parties[0].pick.shape[0]
    kinds = np.stack([p.kinds[sub] for p in parties])
    tft = [bool((kinds[j] == _TFT).any()) for j in range(k)]
    is_tft = kinds == _TFT
    is_ranked = kinds == _RANKED
    ranked = [bool(is_ranked[j].any()) for j in range(k)]
    cols = np.arange(n)
    # ranked: distinct outcomes proposed (its next position), distinct outcomes received, and
    # which outcomes it has received (a flag per negotiation and outcome)
    pos = np.zeros((k, n), dtype=np.int64)
    got = np.zeros((k, n), dtype=np.int64)
    seen = [
        np.zeros((n, len(p.u)), dtype=bool) if ranked[j] else None for j, p in enumerate(parties)
    ]
    live = np.ones(n, dtype=bool)
    standing = np.full(n, -1, dtype=np.int64)  # -1 reads the -inf sentinel: nothing to accept
    accepted = np.zeros(n, dtype=np.int64)
    agreement = np.full(n, -1, dtype=np.int64)
    end = np.full(n, deadline * k - 1, dtype=np.int64)
    first = np.zeros((k, n))
    latest = np.zeros((k, n))
    count = np.zeros((k, n), dtype=np.int64)
    for r in range(deadline):
        for a, me in enumerate(parties):
            if not live.any():
                return agreement, end
            # the proposer of the standing offer is never the party to move: after an offer
            # every other party answers before the turn comes back, and a counter-offer replaces it
            if tft[a]:
                c = count[a]
                conceded = np.where(
                    c > 0, np.maximum(0.0, latest[a] - first[a]) + kindness[a] * c, 0.0
                )
                target = np.maximum(me.lo, me.hi - factor[a] * conceded)
                target = np.where(is_tft[a], target, me.target[r, sub])
                threshold = np.maximum(target, me.reservation)
                pick = me.near(target)
            else:
                threshold, pick = me.threshold[r, sub], me.pick[r, sub]
            if ranked[a]:
                rk, m = is_ranked[a], pos[a]
                # it may concede while it has received as many distinct offers as it has made
                # and its next outcome (-inf past the last) is worth its reservation value
                may = (got[a] >= m) & (me.by_rank[m] >= me.reservation)
                # else it accepts no less than its last proposal (nothing, before any)
                mine = np.where(may, me.by_rank[m], np.where(m > 0, me.by_rank[m - 1], np.inf))
                threshold = np.where(rk, np.maximum(mine, me.reservation), threshold)
            accept = live & (me.u_ok[standing] >= threshold)
            offer = live & ~accept
            if ranked[a]:
                moving = offer & rk
                at = np.where(may, m, 0)
                for g in np.flatnonzero(moving & ~may & (m > 0)).tolist():  # repeat one at random
                    gen = rngs[a][g]
                    assert gen is not None
                    at[g] = int(gen.integers(int(m[g])))
                pick = np.where(rk, me.order[at], pick)
                pos[a] += moving & may
            if k == 2:
                done = accept
            else:
                accepted += accept
                done = accept & (accepted == k - 1)
                accepted[offer] = 0
            if done.any():
                agreement[done] = standing[done]
                end[done] = r * k + a
                live &= ~done
            standing = np.where(offer, pick, standing)
            for i in range(k):
                flags = seen[i]
                if i != a and flags is not None:
                    fresh = offer & ~flags[cols, pick]
                    flags[cols[fresh], pick[fresh]] = True
                    got[i] += fresh
                if i != a and tft[i]:
                    ui = parties[i].u[pick]
                    first[i] = np.where(offer & (count[i] == 0), ui, first[i])
                    latest[i] = np.where(offer, ui, latest[i])
                    count[i] += offer
    return agreement, end


@lru_cache(maxsize=64)
def _columns(table: Table, j: int) -> tuple[Floats, Floats, Ints, Floats]:
    """Party j's utilities, utilities of acceptable outcomes (-inf elsewhere, and one more -inf
    at the end), sorted acceptable ids best first, and their utilities ascending."""
    u = np.ascontiguousarray(table.u[:, j])
    u_ok = np.append(np.where(table.ok[:, j], u, -np.inf), -np.inf)
    order = table.order(j)
    return u, u_ok, order, u[order[::-1]]


class _Party:
    """One party's arrays: utilities, acceptable utilities, sorted offers, and the targets,
    thresholds and offers of its clock-driven strategies at each of its turns (deadline, n)."""

    def __init__(
        self,
        table: Table,
        j: int,
        deadline: int,
        kinds: NDArray[np.int8],
        sched: Ints,
        funcs: Sequence[Callable[[float], float]],
    ) -> None:
        k = table.u.shape[1]
        self.u, self.u_ok, self.order, self.ascending = _columns(table, j)
        self.reservation = table.prefs[j].reservation
        self.hi = float(self.u[self.order[0]])
        self.by_rank = np.append(self.u[self.order], -np.inf)  # a ranking's utilities, then -inf
        self.lo = max(self.reservation, float(self.ascending[0]))
        self.kinds = kinds
        span = self.hi - self.lo
        times = [min(1.0, (r * k + j) / (deadline * k)) for r in range(deadline)]
        s = np.array([[f(t) for f in funcs] for t in times]).reshape(deadline, len(funcs))
        s = s[:, sched]
        self.target = np.where(kinds == _RISING, self.lo + span * s, self.hi - span * s)
        self.threshold = np.maximum(self.target, self.reservation)
        self.pick = self.near(self.target)

    def near(self, target: Floats) -> Ints:
        """What `Own.near` offers for each target: the least outcome reaching it, or the best."""
        at = len(self.order) - np.searchsorted(self.ascending, target, side="left")
        return self.order[np.where(at > 0, at - 1, 0)]
