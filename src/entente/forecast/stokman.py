"""Stokman's exchange model, in the equal-gain formulation of decide-exchange-model.

On every issue the outcome is the capability x salience weighted mean of the positions (the
model's "NBS"). Two actors on opposite sides of that outcome on two issues p and q can trade:
the one to whom p matters relatively less moves on p towards the other, who moves on q in
return, so that both gain the same salience-weighted shift of the outcome towards them. A round
realises the most profitable exchanges first, each actor-issue in at most one exchange; the
round's forecast is the outcome over the positions the exchanges promise, and each actor then
keeps part of the move for the next round. Rounds go on until no exchange gains anything.
Equations and the choices made are in docs/forecast.md ("exchange").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from entente.errors import EntenteError
from entente.forecast.actors import Actors, Floats, Forecast
from entente.forecast.compromise import weights

#: an exchange that gains no more than this (on the unit scale) is not made
MIN_GAIN = 1e-12
#: decide's rule for the next round's position: this share of the move, times 1 - salience
SALIENCE_WEIGHT = 0.4
#: ... plus this share of the move, whatever the salience
FIXED_WEIGHT = 0.1
#: candidate exchanges computed at once (bounds the memory of a round)
CHUNK = 1 << 20

Ints = np.ndarray


def candidates(side: np.ndarray) -> tuple[Ints, Ints, Ints, Ints]:
    """Every (i, j, p, q), i < j, p < q, with i and j on opposite sides of the outcome on both
    p and q (decide's groups A-D and B-C). `side` (a, n) is True left of the outcome."""
    a, n = side.shape
    ii, jj = np.triu_indices(a, 1)
    pp, qq = np.triu_indices(n, 1)
    opposite = side[ii] != side[jj]  # (actor pairs, n)
    pair, combo = np.nonzero(opposite[:, pp] & opposite[:, qq])
    return ii[pair], jj[pair], pp[combo], qq[combo]


def gains(
    x: Floats, s: Floats, c: Floats, nbs: Floats, total: Floats, i: Ints, j: Ints, p: Ints, q: Ints
) -> tuple[Floats, Ints, Ints, Ints, Ints, Floats, Floats]:
    """The equal-gain exchange of each candidate.

    Returns (gain, u, v, p, q, move of u on q, move of v on p): v is the actor to whom p
    matters relatively less (s_vp s_uq < s_up s_vq); v supplies p, u supplies q.
    """
    n = x.shape[1]
    xf, sf = x.ravel(), s.ravel()
    ip, iq, jp, jq = i * n + p, i * n + q, j * n + p, j * n + q  # flat (actor, issue) indices
    swap = sf[ip] * sf[jq] >= sf[jp] * sf[iq]  # i's ratio s_p/s_q is not the lower
    u = np.where(swap, i, j)
    v = np.where(swap, j, i)
    up, vp = np.where(swap, ip, jp), np.where(swap, jp, ip)
    uq, vq = np.where(swap, iq, jq), np.where(swap, jq, iq)
    xup, xvp, xuq, xvq = xf[up], xf[vp], xf[uq], xf[vq]
    sup, svp, suq, svq = sf[up], sf[vp], sf[uq], sf[vq]
    wvp = c[v] * svp
    wuq = c[u] * suq
    rate = (sup + svp) / np.where(suq + svq > 0, suq + svq, 1.0)  # dq / dp for equal gain
    # v moves all the way to u on p; u pays on q in proportion
    dp = np.abs(xup - xvp) * wvp / total[p]
    dq = dp * rate
    full_q = np.abs(xvq - xuq) * wuq / total[q]
    over = dq > full_q  # u would have to move past v: u moves all the way instead
    dq = np.where(over, full_q, dq)
    dp = np.where(over, dq / np.where(rate > 0, rate, 1.0), dp)
    # the outcome must not pass the demander's position (decide's check_nbs)
    cap_p = np.abs(xup - nbs[p])
    dp = np.minimum(dp, cap_p)
    dq = np.minimum(dp * rate, np.abs(xvq - nbs[q]))
    dp = np.where(rate > 0, np.minimum(dp, dq / np.where(rate > 0, rate, 1.0)), dp)
    gain = dp * sup - dq * suq
    with np.errstate(divide="ignore", invalid="ignore"):
        move_v = np.where(wvp > 0, dp * total[p] / wvp, 0.0) * np.sign(xup - xvp)
        move_u = np.where(wuq > 0, dq * total[q] / wuq, 0.0) * np.sign(xvq - xuq)
    return gain, u, v, p, q, move_u, move_v


def matching(gain: Floats, slots: Ints, n_slots: int, order: Ints, batch: int = 4096) -> Ints:
    """Greedy on `gain` (ties: `order`, lower first): the candidates taken, each slot at most
    once. The sorted candidates are taken a batch at a time; within a batch, by rounds of
    locally dominant choices (best among the live candidates on every one of its slots),
    which give the same result as one at a time."""
    rank = np.lexsort((order, -gain))  # best first
    used = np.zeros(n_slots, dtype=bool)
    taken: list[Ints] = []
    for start in range(0, len(rank), batch):
        alive = rank[start : start + batch]
        alive = alive[~used[slots[alive]].any(axis=1)]
        while len(alive):
            sl = slots[alive]  # (m, k), in rank order
            first = np.full(n_slots, len(alive), dtype=np.intp)
            pos = np.broadcast_to(np.arange(len(alive))[:, None], sl.shape)
            np.minimum.at(first, sl.ravel(), pos.ravel())
            best = (first[sl] == np.arange(len(alive))[:, None]).all(axis=1)
            chosen = alive[best]
            taken.append(chosen)
            used[slots[chosen].ravel()] = True
            alive = alive[~used[slots[alive]].any(axis=1)]
        if used.all():
            break
    return np.concatenate(taken) if taken else np.zeros(0, dtype=np.intp)


def exchange(actors: Actors, *, seed: int = 0, rounds: int = 10, trace: bool = False) -> Forecast:
    """Stokman's exchange model: `rounds` rounds at most, fewer when no exchange is left.

    `seed` orders exchanges of exactly equal gain (decide draws between them at random).
    `trace=True` lists every exchange made in `details["exchanges"]`.
    """
    if rounds < 0:
        raise EntenteError(f"exchange: rounds must be >= 0, got {rounds}")
    rng = np.random.default_rng(seed)
    w = weights(actors)  # (a, n)
    x = actors.unit(actors.position)  # (a, n)
    s = actors.salience
    c = actors.capability
    a, n = x.shape
    cs = (c[:, None] * s).sum(axis=0)
    total = np.where(cs > 0, cs, 1.0)  # an issue no one weighs: no exchange gains on it
    path = [(w * x).sum(axis=0) / w.sum(axis=0)]
    made: list[int] = []
    log: list[list[dict[str, Any]]] = []
    done = 0
    for _ in range(rounds):
        nbs = (w * x).sum(axis=0) / w.sum(axis=0)
        i, j, p, q = candidates(x <= nbs)
        parts = []
        for lo in range(0, len(i), CHUNK):
            sl = slice(lo, lo + CHUNK)
            g = gains(x, s, c, nbs, total, i[sl], j[sl], p[sl], q[sl])
            keep = g[0] > MIN_GAIN
            parts.append([col[keep] for col in g])
        if parts:
            gain, u, v, pp, qq, mu, mv = (np.concatenate(col) for col in zip(*parts, strict=True))
        else:
            gain = np.zeros(0)
        if len(gain) == 0:
            break
        slots = np.stack([u * n + pp, u * n + qq, v * n + pp, v * n + qq], axis=1)
        chosen = matching(gain, slots, a * n, rng.permutation(len(gain)))
        y = x.copy()
        y[u[chosen], qq[chosen]] += mu[chosen]
        y[v[chosen], pp[chosen]] += mv[chosen]
        y = np.clip(y, 0.0, 1.0)
        path.append((w * y).sum(axis=0) / w.sum(axis=0))
        made.append(len(chosen))
        if trace:
            log.append(
                [
                    {
                        "gain": float(gain[k]),
                        "supplier": actors.names[int(v[k])],
                        "supplies": actors.issues[int(pp[k])],
                        "demander": actors.names[int(u[k])],
                        "supplies_back": actors.issues[int(qq[k])],
                    }
                    for k in chosen
                ]
            )
        # decide: an actor keeps part of its move for the next round
        share = (1 - s) * SALIENCE_WEIGHT + FIXED_WEIGHT
        x = x + share * (y - x)
        done += 1
    trajectory = actors.scale(np.array(path))
    details: dict[str, Any] = {"rounds": done, "exchanges_per_round": made}
    if trace:
        details["exchanges"] = log
    return Forecast("exchange", trajectory[-1].copy(), trajectory, details)
