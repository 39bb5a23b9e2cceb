"""Reading a tournament: standings per scenario or per opponent, the payoff matrix, and
bootstrap tests of whether two strategies differ.

Everything starts from `plays`: one entry per (negotiation, party), as arrays. Against an
opponent counts every other party of the negotiation (with three or more parties, a play counts
once against each of them), as the payoff heat map of `report.tournaments` does.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from entente.errors import EntenteError, quoted
from entente.prefs import Floats
from entente.tournament.leaderboard import (
    RESAMPLES,
    Ints,
    Plays,
    Standing,
    estimates,
    plays,
    resampled_means,
)


def _seeded(seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(zlib.crc32(n.encode()) for n in names)])


def _groups(keys: Ints, values: Floats) -> list[tuple[int, Floats]]:
    """(key, values of the plays with that key) for each distinct key, in key order."""
    order = np.argsort(keys, kind="stable")
    distinct, starts = np.unique(keys[order], return_index=True)
    return list(zip(distinct.tolist(), np.split(values[order], starts[1:]), strict=True))


@dataclass(frozen=True)
class Breakdown:
    """One strategy's standing within one group (a scenario or an opponent)."""

    group: str
    standing: Standing

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, **self.standing.to_json()}


def breakdown(rows: Any, by: str, seed: int = 0) -> list[Breakdown]:
    """Standings of each strategy in each scenario (`by="scenario"`) or against each opponent
    (`by="opponent"`), grouped by scenario or opponent (sorted), best mean utility first."""
    if seed < 0:
        raise EntenteError(f"the bootstrap seed must be 0 or more, not {seed}")
    p = plays(rows)
    if by == "scenario":
        names, group, strategy, values = p.scenarios, p.scenario, p.strategy, p.values
    elif by == "opponent":
        names = p.strategies
        me, other = _opponent_pairs(p)
        group, strategy, values = p.strategy[other], p.strategy[me], p.values[me]
    else:
        raise EntenteError(f"--by {quoted(by)}: expected 'scenario' or 'opponent'")
    k = len(p.strategies)
    out: list[Breakdown] = []
    for key, x in _groups(group * k + strategy, values):
        g, s = names[key // k], p.strategies[key % k]
        mean, low, high = estimates(x, _seeded(seed, s, g))
        out.append(Breakdown(g, Standing.of(s, x.shape[0], mean, low, high)))
    out.sort(key=lambda b: (b.group, -b.standing.utility.mean, b.standing.strategy))
    return out


def _opponent_pairs(p: Plays) -> tuple[Ints, Ints]:
    """(play, opponent's play) for every ordered pair of parties of one negotiation."""
    counts = np.bincount(p.row, minlength=p.lineup.shape[0])
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])  # rows' plays are contiguous
    me_all: list[Ints] = []
    other_all: list[Ints] = []
    for k in np.unique(counts[counts > 1]).tolist():
        starts = first[counts == k]
        a, b = np.nonzero(~np.eye(k, dtype=bool))
        me_all.append((starts[:, None] + a[None, :]).ravel())
        other_all.append((starts[:, None] + b[None, :]).ravel())
    if not me_all:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(me_all), np.concatenate(other_all)


@dataclass(frozen=True)
class Matrix:
    """Mean utility of the row strategy against the column strategy (NaN where they never
    met) and the number of plays behind each mean."""

    strategies: list[str]
    mean: Floats
    count: Ints

    def to_json(self) -> dict[str, Any]:
        return {
            "strategies": self.strategies,
            "mean": [[None if np.isnan(v) else float(v) for v in r] for r in self.mean],
            "count": self.count.tolist(),
        }


def matrix(rows: Any) -> Matrix:
    """The strategy-by-strategy payoff matrix of the rows."""
    p = plays(rows)
    k = len(p.strategies)
    me, other = _opponent_pairs(p)
    cell = p.strategy[me] * k + p.strategy[other]
    count = np.bincount(cell, minlength=k * k).reshape(k, k).astype(np.int64)
    total = np.bincount(cell, weights=p.values[me, 0], minlength=k * k).reshape(k, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return Matrix(p.strategies, mean, count)


@dataclass(frozen=True)
class Comparison:
    """Mean utility of `a` minus that of `b`, its 95% bootstrap interval and the two-sided
    bootstrap p-value of no difference; `paired` when every play of each had its twin."""

    a: str
    b: str
    paired: bool
    n_a: int
    n_b: int
    difference: float
    low: float
    high: float
    p_value: float

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def pair_keys(p: Plays, mine: NDArray[np.bool_]) -> Ints:
    """Per play of `mine`, an id of what it met: its scenario, seat, repetition and the
    strategies in every other seat (its own seat blanked)."""
    idx = np.flatnonzero(mine)
    seats = p.lineup[p.row[idx]].copy()
    seats[np.arange(idx.size), p.party[idx]] = -2
    return np.column_stack([p.scenario[idx], p.party[idx], p.repetition[idx], seats])


def _find(p: Plays, name: str) -> int:
    if name in p.strategies:
        return p.strategies.index(name)
    try:
        from entente import registry

        spec = registry.strategy(name).spec()
    except Exception:
        spec = None
    if spec in p.strategies:
        return p.strategies.index(spec)
    raise EntenteError(
        f"--compare {quoted(name)}: no such strategy in the results; "
        f"expected one of {', '.join(p.strategies)}"
    )


def compare(rows: Any, a: str, b: str, seed: int = 0) -> Comparison:
    """Bootstrap test of the difference of mean utility between strategies `a` and `b`.

    Paired when the plays of `a` and `b` match one to one (same scenario, seat, repetition and
    opponents): then the differences of each pair are resampled. Otherwise the two samples are
    resampled apart. The p-value resamples the data shifted to no difference (pairs: each
    difference less their mean; apart: each sample less its own mean) and counts the resampled
    differences at least as far from 0 as the observed one, (count + 1) / (RESAMPLES + 1).
    """
    if seed < 0:
        raise EntenteError(f"the bootstrap seed must be 0 or more, not {seed}")
    p = plays(rows)
    ia, ib = _find(p, a), _find(p, b)
    if ia == ib:
        raise EntenteError("--compare needs two different strategies")
    sa, sb = p.strategy == ia, p.strategy == ib
    ua, ub = p.values[sa, 0], p.values[sb, 0]
    ka, kb = pair_keys(p, sa), pair_keys(p, sb)
    rng = _seeded(seed, p.strategies[ia], p.strategies[ib])
    paired = False
    if ka.shape == kb.shape and ka.size:
        oa, ob = np.lexsort(ka.T[::-1]), np.lexsort(kb.T[::-1])
        uniq = len(np.unique(ka, axis=0)) == len(ka)
        paired = uniq and bool(np.array_equal(ka[oa], kb[ob]))
    if paired:
        d = ua[oa] - ub[ob]
        obs = float(d.mean())
        boots = resampled_means(d[:, None], rng)[:, 0]
        null = resampled_means((d - obs)[:, None], rng)[:, 0]
    else:
        obs = float(ua.mean() - ub.mean())
        boots = resampled_means(ua[:, None], rng)[:, 0] - resampled_means(ub[:, None], rng)[:, 0]
        null = (
            resampled_means((ua - ua.mean())[:, None], rng)[:, 0]
            - resampled_means((ub - ub.mean())[:, None], rng)[:, 0]
        )
    low, high = np.quantile(boots, [0.025, 0.975])
    extreme = int(np.count_nonzero(np.abs(null) >= abs(obs) - 1e-12))
    return Comparison(
        p.strategies[ia],
        p.strategies[ib],
        paired,
        int(ua.size),
        int(ub.size),
        obs,
        float(low),
        float(high),
        (extreme + 1) / (RESAMPLES + 1),
    )
