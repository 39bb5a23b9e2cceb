"""A probabilistic Condorcet model of the kind KTAB's spatial model of politics (SMP) runs.

The options on an issue are the actors' positions. Actor k's utility for an outcome z (unit
scale) is 1 - |z - x_k|; its vote between options i and j is w_k (u_k(x_i) - u_k(x_j)),
w = capability x salience. The coalition for i against j is the sum of the positive votes,
C(i, j); i beats j with probability P(i > j) = C(i, j)^2 / (C(i, j)^2 + C(j, i)^2) (KTAB's
default "quadratic" contest; 1/2 when no one cares). A Markov chain that moves from the option
it holds to a challenger i with probability P(i > j) / a gives each option's probability of
winning: its stationary distribution. The round's forecast is the expected winner. Then each
actor moves towards that forecast by (1 - salience) times `step` of the way: those who care
little follow the expected outcome. Rounds go on until no issue's forecast moves more than
`tol` (on the unit scale, so relative to the issue's range), or `rounds` have passed;
`details["converged"]` says which, and `details["last_change"]` gives the last round's largest
move. Actors with salience 1 never move and pull the others towards them round after round,
so on such data the forecast drifts slowly for thousands of rounds (docs/forecast.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from entente.errors import EntenteError
from entente.forecast.actors import CHUNK_CELLS, Actors, Floats, Forecast, size_problem
from entente.forecast.compromise import weights


def win_probabilities(x: Floats, w: Floats) -> Floats:
    """(i, a) each option's probability of winning; `x`, `w` laid out (i, a)."""
    i, a = x.shape
    step = max(1, CHUNK_CELLS // a**3)
    if i > step:  # a block of issues at a time, so memory stays bounded
        blocks = [win_probabilities(x[k : k + step], w[k : k + step]) for k in range(0, i, step)]
        return np.concatenate(blocks)
    d = np.abs(x[:, :, None] - x[:, None, :])  # (i, k, m): k's distance to option m
    gap = d[:, :, None, :] - d[:, :, :, None]  # (i, k, m, n): u_k(x_m) - u_k(x_n)
    np.maximum(gap, 0.0, out=gap)
    coal = np.matmul(w[:, None, :], gap.reshape(i, a, a * a)).reshape(i, a, a)  # m against n
    c2 = coal**2
    both = c2 + np.swapaxes(c2, 1, 2)
    p = np.where(both > 0, c2 / np.where(both > 0, both, 1.0), 0.5)  # P(m beats n)
    t = p / a  # from n to m
    eye = np.arange(a)
    t[:, eye, eye] = 0.0
    t[:, eye, eye] = 1.0 - t.sum(axis=1)  # columns sum to 1: T[m, n] = Pr(n -> m)
    # stationary distribution: (T - I) pi = 0, sum pi = 1
    m = t - np.eye(a)
    m[:, -1, :] = 1.0
    rhs = np.zeros((x.shape[0], a))
    rhs[:, -1] = 1.0
    pi = np.linalg.solve(m, rhs[:, :, None])[:, :, 0]
    return np.clip(pi, 0.0, None) / np.clip(pi, 0.0, None).sum(axis=1, keepdims=True)


def condorcet(
    actors: Actors, *, seed: int = 0, rounds: int = 50, step: float = 1.0, tol: float = 1e-6
) -> Forecast:
    """The probabilistic Condorcet model with actors following the expected outcome."""
    del seed  # deterministic: the chain's distribution is computed, not sampled
    if rounds < 0:
        raise EntenteError(f"condorcet: rounds must be >= 0, got {rounds}")
    if not 0 <= step <= 1:
        raise EntenteError(f"condorcet: step must be in [0, 1], got {step}")
    problem = size_problem(actors, "condorcet")
    if problem:
        raise EntenteError(problem)
    x = np.ascontiguousarray(actors.unit(actors.position).T)  # (i, a)
    w = np.ascontiguousarray(weights(actors).T)
    s = actors.salience.T
    pi = win_probabilities(x, w)
    path = [(pi * x).sum(axis=1)]
    done = 0
    change = float("nan")
    for _ in range(rounds):
        target = path[-1][:, None]
        new = x + (1 - s) * step * (target - x)
        x = new
        pi = win_probabilities(x, w)
        path.append((pi * x).sum(axis=1))
        done += 1
        change = float(np.abs(path[-1] - path[-2]).max(initial=0.0))
        if change <= tol:
            break
    trajectory = actors.scale(np.array(path))
    details: dict[str, Any] = {
        "rounds": done,
        "converged": bool(change <= tol),
        "last_change": change if done else None,
        "win_probabilities": pi.tolist() if pi.size <= 10_000 else None,
    }
    return Forecast("condorcet", trajectory[-1].copy(), trajectory, details)
