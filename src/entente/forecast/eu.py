"""Bueno de Mesquita's expected utility model, as reconstructed by Scholz, Calbert and Smith.

Each round: every actor's risk attitude is set from how exposed its position is; every actor
weighs, for every other actor, the expected utility of challenging it and of being challenged
by it; the offers that follow (confrontation, compromise, capitulation) move positions. The
forecast is the capability x salience weighted mean of the positions after the last round.
The equations, and the choices made where the reconstruction is ambiguous, are in
docs/forecast.md. Everything runs on positions mapped to [0, 1] (the issue's scale), for all
issues at once: arrays are laid out (issue, actor) and (issue, actor, actor).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from entente.errors import EntenteError
from entente.forecast.actors import CHUNK_CELLS, Actors, Floats, Forecast, size_problem
from entente.forecast.compromise import mean_of, weights

CONFRONTATION, COMPROMISE, CAPITULATION = 1, 2, 3
KINDS = {CONFRONTATION: "confrontation", COMPROMISE: "compromise", CAPITULATION: "capitulation"}


def _distance(x: Floats, r: Floats) -> Floats:
    """(i, k, m): |x_k - x_m| ** r_k, actor k's risk-shaped distance to actor m's position."""
    return np.abs(x[:, :, None] - x[:, None, :]) ** r[:, :, None]


def probability(x: Floats, w: Floats, r: Floats) -> Floats:
    """(i, m, n): the probability that m's position prevails over n's.

    The votes for m over n, sum_k max(0, w_k (d_kn - d_km)), divided by the sum of the absolute
    votes of every actor over every ordered pair of positions (Scholz et al.'s normaliser).
    """
    i, a = x.shape
    step = max(1, CHUNK_CELLS // a**3)
    if i > step:  # a block of issues at a time, so memory stays bounded
        blocks = [
            probability(x[k : k + step], w[k : k + step], r[k : k + step])
            for k in range(0, i, step)
        ]
        return np.concatenate(blocks)
    d = _distance(x, r)  # (i, k, m)
    gap = d[:, :, None, :] - d[:, :, :, None]  # (i, k, m, n): d_kn - d_km
    np.maximum(gap, 0.0, out=gap)
    favour = np.matmul(w[:, None, :], gap.reshape(i, a, a * a)).reshape(i, a, a)  # (i, m, n)
    total = 2 * favour.sum(axis=(1, 2))  # sum of |votes| = twice the sum of the positive ones
    safe = np.where(total > 0, total, 1.0)
    p = favour / safe[:, None, None]
    p[x[:, :, None] == x[:, None, :]] = 0.0
    return p


def challenge(x: Floats, s: Floats, p: Floats, r: Floats, q: float) -> Floats:
    """(i, m, n): the expected utility of m challenging n, seen with risk r (i, m) or (i, m, n).

    Us = 2 - 4 (1/2 - d/2)^r, Uf = 2 - 4 (1/2 + d/2)^r, Usq = 2 - 4 (1/2)^r with d = |x_m - x_n|:
    E = s_n (P Us + (1 - P) Uf) + (1 - s_n) Us - q Usq.
    """
    d = np.abs(x[:, :, None] - x[:, None, :])
    rr = r if r.ndim == 3 else r[:, :, None]
    us = 2 - 4 * (0.5 - 0.5 * d) ** rr
    uf = 2 - 4 * (0.5 + 0.5 * d) ** rr
    usq = 2 - 4 * 0.5**rr
    sn = s[:, None, :]
    return sn * (p * us + (1 - p) * uf) + (1 - sn) * us - q * usq


def risk(x: Floats, s: Floats, w: Floats, q: float) -> Floats:
    """(i, a) risk exponents r = (1 - R/3) / (1 + R/3) from the danger each actor is in.

    With r = 1 for all, actor n's danger is sum_{m != n} E(m challenges n); its risk acceptance
    R_n = (2 danger_n - max - min) / (max - min) over the issue's actors (R = 0 where all
    dangers are equal, so r = 1).
    """
    ones = np.ones_like(x)
    p = probability(x, w, ones)
    e = challenge(x, s, p, ones, q)
    a = x.shape[1]
    e[:, np.arange(a), np.arange(a)] = 0.0
    danger = e.sum(axis=1)  # (i, n)
    hi = danger.max(axis=1, keepdims=True)
    lo = danger.min(axis=1, keepdims=True)
    spread = hi - lo
    acc = np.where(spread > 0, (2 * danger - hi - lo) / np.where(spread > 0, spread, 1.0), 0.0)
    return (1 - acc / 3) / (1 + acc / 3)


def _take(arr: Floats, idx: Any) -> Floats:
    return np.take_along_axis(arr, idx[:, :, None], axis=2)[:, :, 0]


def offers(x: Floats, s: Floats, w: Floats, q: float, *, capitulation: bool) -> tuple[Floats, Any]:
    """One round's offers: (i, a) new positions, and (kind, partner) (i, a) of what each took."""
    r = risk(x, s, w, q)
    p = probability(x, w, r)
    # seen from the receiving actor a, with its own risk r_a: a challenging b, and b challenging a
    e_ab = challenge(x, s, p, r, q)  # (i, a, b), risk of the challenger a = receiver
    rr = np.broadcast_to(r[:, None, :], e_ab.shape)  # (i, b, a): risk of a, the receiver
    e_ba = np.swapaxes(challenge(x, s, p, rr, q), 1, 2)  # (i, a, b): b challenging a, seen by a
    xa = x[:, :, None]
    xb = x[:, None, :]
    apart = xa != xb
    confront = apart & (e_ba > e_ab) & (e_ab > 0)
    loses = apart & (e_ba > 0) & (e_ab < 0)
    compromise = loses & (e_ba > np.abs(e_ab))
    capitulate = loses & (e_ba < np.abs(e_ab)) if capitulation else np.zeros_like(loses)
    with np.errstate(divide="ignore", invalid="ignore"):
        compromise_to = xa + (xb - xa) * np.abs(e_ab / e_ba)
        compromise_key = (np.abs(e_ab) * xa + np.abs(e_ba) * xb) / (np.abs(e_ab) + np.abs(e_ba))
    dist = np.abs(xa - xb)
    inf = np.inf
    best_c = np.argmin(np.where(confront, dist, inf), axis=2)
    best_m = np.argmin(np.where(compromise, compromise_key, inf), axis=2)
    best_k = np.argmin(np.where(capitulate, dist, inf), axis=2)
    has_c, has_m, has_k = confront.any(axis=2), compromise.any(axis=2), capitulate.any(axis=2)
    kind = np.where(
        has_c, CONFRONTATION, np.where(has_m, COMPROMISE, np.where(has_k, CAPITULATION, 0))
    )
    partner = np.where(has_c, best_c, np.where(has_m, best_m, best_k))
    target = np.broadcast_to(xb, e_ab.shape)
    new = np.where(
        kind == CONFRONTATION,
        _take(target, best_c),
        np.where(
            kind == COMPROMISE,
            _take(compromise_to, best_m),
            np.where(kind == CAPITULATION, _take(target, best_k), x),
        ),
    )
    return new, (kind, partner)


def expected_utility(
    actors: Actors,
    *,
    seed: int = 0,
    rounds: int = 10,
    q: float = 1.0,
    capitulation: bool = False,
    trace: bool = False,
) -> Forecast:
    """The expected utility model, `rounds` rounds or until no position moves.

    `q` is the probability that the status quo persists when no challenge is made (Scholz et
    al. use 1). `capitulation=False` keeps the reconstruction as published, in which the
    capitulation branch never fires; True adds Bueno de Mesquita's capitulation quadrant.
    `trace=True` lists every accepted offer in `details["offers"]`.
    """
    del seed  # deterministic
    if rounds < 0:
        raise EntenteError(f"eu: rounds must be >= 0, got {rounds}")
    problem = size_problem(actors, "eu")
    if problem:
        raise EntenteError(problem)
    w_ai = weights(actors)
    x = np.ascontiguousarray(actors.unit(actors.position).T)  # (i, a)
    s = np.ascontiguousarray(actors.salience.T)
    w = np.ascontiguousarray(w_ai.T)
    path = [mean_of(x.T, w_ai)]
    counts: list[dict[str, int]] = []
    log: list[list[dict[str, Any]]] = []
    done = 0
    for _ in range(rounds):
        new, (kind, partner) = offers(x, s, w, q, capitulation=capitulation)
        counts.append({name: int((kind == k).sum()) for k, name in KINDS.items()})
        if trace:
            log.append(
                [
                    {
                        "issue": actors.issues[j],
                        "actor": actors.names[a],
                        "with": actors.names[int(partner[j, a])],
                        "kind": KINDS[int(kind[j, a])],
                        "position": float(actors.scale(new[j, a])[j]),
                    }
                    for j, a in zip(*np.nonzero(kind), strict=True)
                ]
            )
        moved = bool((new != x).any())
        x = new
        path.append(mean_of(x.T, w_ai))
        done += 1
        if not moved:
            break
    trajectory = actors.scale(np.array(path))
    details: dict[str, Any] = {
        "rounds": done,
        "offers_per_round": counts,
        "final_positions": actors.scale(x.T).tolist(),
    }
    if trace:
        details["offers"] = log
    return Forecast("eu", trajectory[-1].copy(), trajectory, details)
