"""Stokman's exchange model, in the equal-gain formulation of decide-exchange-model.

On every issue the outcome is the capability x salience weighted mean of the positions (the
model's "NBS"). Two actors on opposite sides of that outcome on two issues p and q can trade:
the one to whom p matters relatively less moves on p towards the other, who moves on q in
return, so that both gain the same salience-weighted shift of the outcome towards them. A round
realises the most profitable exchanges first, each actor-issue in at most one exchange; the
round's forecast is the outcome over the positions the exchanges promise, and each actor then
keeps part of the move for the next round. Rounds go on until no exchange gains anything.
Equations and the choices made are in docs/forecast.md ("exchange").

A round's selection (`select`) equals the plain greedy pass over every candidate sorted by
gain, without weighing them all: the gain factors, per pair of actors, into numbers per issue
(`pair_terms`), which bound it from above; it works in phases, each taking every live
candidate above a threshold, best first, then lowering the threshold (docs/forecast.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from entente.errors import EntenteError
from entente.forecast.actors import Actors, Floats, Forecast, relative_capability, size_problem
from entente.forecast.compromise import weights

#: an exchange that gains no more than this (on the unit scale) is not made
MIN_GAIN = 1e-12
#: decide's rule for the next round's position: this share of the move, times 1 - salience
SALIENCE_WEIGHT = 0.4
#: ... plus this share of the move, whatever the salience
FIXED_WEIGHT = 0.1
#: how far the factored bound may lie from `gains`'s value: both are a few products and
#: differences of numbers of at most 2 on the unit scale, so rounding stays below 1e-14
EPS = 1e-12
#: `select` weighs every live candidate at once when no more than this many are left
BUDGET = 1 << 16
#: `select` divides its threshold by this from one phase to the next
STEP = 2.0

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


def tie_keys(i: Ints, j: Ints, p: Ints, q: Ints, shape: tuple[int, int], salt: int) -> Ints:
    """A pseudo-random uint64 per exchange (i, j, p, q), from `salt`: the order of exchanges
    of exactly equal gain (SplitMix64's mixing of the exchange's number)."""
    a, n = shape
    z = (((i.astype(np.int64) * a + j) * n + p) * n + q).astype(np.uint64) ^ np.uint64(salt)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)))


def pair_terms(
    x: Floats, s: Floats, c: Floats, nbs: Floats, total: Floats
) -> tuple[Floats, Floats, Floats]:
    """(r, alpha, beta), each (actor pairs i < j in `np.triu_indices` order, issues).

    With S_k = s_ik + s_jk, r_k = s_ik / S_k, and alpha_k (beta_k) the largest equal-gain
    "currency" S_k dp_k that issue k can give when i (j) demands it: S_k times the smaller of
    the supplier's full move (its distance times its weight share) and the demander's distance
    to the outcome. The exchange of issues k and l with r_k > r_l (i demands k, j demands l)
    gains min(alpha_k, beta_l) (r_k - r_l): `gains`'s value, up to rounding (docs/forecast.md).
    """
    a = x.shape[0]
    ii, jj = np.triu_indices(a, 1)
    si, sj = s[ii], s[jj]
    both = si + sj
    r = np.where(both > 0, si / np.where(both > 0, both, 1.0), 0.5)
    dist = np.abs(x[ii] - x[jj])
    alpha = both * np.minimum(dist * (c[jj][:, None] * sj) / total, np.abs(x[ii] - nbs))
    beta = both * np.minimum(dist * (c[ii][:, None] * si) / total, np.abs(x[jj] - nbs))
    return r, alpha, beta


def greedy(slots: Ints, used: np.ndarray, batch: int = 4096) -> Ints:
    """The rows of `slots` (m, 4), in the order given, that a one-at-a-time greedy pass takes:
    a row is taken when none of its slots is `used` (updated in place) or taken before it.

    A batch at a time; within a batch, by rounds of locally first rows (the first live row on
    every one of its slots), which the one-at-a-time pass takes too."""
    taken: list[Ints] = []
    for start in range(0, len(slots), batch):
        alive = np.arange(start, min(start + batch, len(slots)))
        alive = alive[~used[slots[alive]].any(axis=1)]
        while len(alive):
            sl = slots[alive]  # (m, 4), in order
            rank = np.arange(len(alive))
            first = np.full(used.shape, len(alive), dtype=np.intp)
            np.minimum.at(first, sl.ravel(), np.repeat(rank, sl.shape[1]))
            best = (first[sl] == rank[:, None]).all(axis=1)
            taken.append(alive[best])
            used[sl[best].ravel()] = True
            alive = alive[~used[slots[alive]].any(axis=1)]
    return np.sort(np.concatenate(taken)) if taken else np.zeros(0, dtype=np.intp)


def weigh(
    pc: Ints, rc: Floats, ac: Floats, bc: Floats, span: tuple[Ints, Ints], floor: float
) -> tuple[Ints, Ints, Floats]:
    """The candidates (k, l) whose bound min(alpha_k, beta_l) (r_k - r_l) exceeds `floor`
    >= 0: cells k and l of one pair, r_k > r_l. Cells are sorted by pair, then r descending;
    `span` gives each pair's first cell and the one after its last. Returns (k, l, bound)
    as arrays of cell numbers and bounds.

    Only rows with alpha_k (r_k - min r) > floor and columns with beta_l (max r - r_l) > floor
    can have one; for each such row, the columns with r_l < r_k - floor / alpha_k are a run
    of the pair's columns (found with a little room, then the bound is checked).
    """
    first_cell, end_cell = span
    low, high = rc[end_cell[pc] - 1], rc[first_cell[pc]]  # each cell's pair's lowest, highest r
    rows = np.nonzero(ac * (rc - low) > floor)[0]
    cols = np.nonzero(bc * (high - rc) > floor)[0]
    room = 1e-9 * max(1.0, 4.0 * len(first_cell))  # the keys' rounding, with a margin
    key = pc[cols] * 4.0 + (1.0 - rc[cols])  # increasing: by pair, then r descending
    with np.errstate(divide="ignore"):  # a row's alpha is > 0
        reach = np.clip(rc[rows] - floor / ac[rows], -1.0, 2.0)
    first = np.searchsorted(key, pc[rows] * 4.0 + (1.0 - reach) - room)
    last = np.cumsum(np.bincount(pc[cols], minlength=len(first_cell)))[pc[rows]]
    size = np.maximum(last - first, 0)
    k = np.repeat(rows, size)
    at = np.repeat(first - (np.cumsum(size) - size), size) + np.arange(len(k))
    m = cols[at]
    bound = np.minimum(ac[k], bc[m]) * (rc[k] - rc[m])
    ok = bound > floor
    return k[ok], m[ok], bound[ok]


def select(
    x: Floats, s: Floats, c: Floats, nbs: Floats, total: Floats, salt: int, budget: int = BUDGET
) -> tuple[Ints, Ints, Ints, Ints]:
    """The exchanges (i, j, p, q), i < j, p < q, that a round realises, best first.

    The same as sorting every candidate with gain > MIN_GAIN by (-gain, tie key, number) and
    taking, one at a time, each whose four actor-issues are still free (the tests check it
    against that plain pass). In phases, with a threshold t divided by STEP each phase: the live
    candidates (all four actor-issues free) whose gain exceeds t are sorted and passed
    greedily. They are the head of the full order among live candidates, and a candidate
    left out is dead for the full pass once an actor-issue of it is used, so the phases add up
    to the full pass. The last phase, when at most `budget` candidates are live, takes
    t = MIN_GAIN.
    """
    a, n = x.shape
    ii, jj = np.triu_indices(a, 1)
    side = x <= nbs
    r, alpha, beta = pair_terms(x, s, c, nbs, total)
    pc, ic = np.nonzero(side[ii] != side[jj])  # cells (pair, issue) where the pair is opposed
    order = np.lexsort((-r[pc, ic], pc))  # by pair, then r descending
    pc, ic = pc[order], ic[order]
    rc, ac, bc = r[pc, ic], alpha[pc, ic], beta[pc, ic]
    slot_i, slot_j = ii[pc] * n + ic, jj[pc] * n + ic
    used = np.zeros(a * n, dtype=bool)
    out: list[tuple[Ints, Ints, Ints, Ints]] = []
    t = np.inf
    while t > MIN_GAIN:
        if out:
            live = ~(used[slot_i] | used[slot_j])
            pc, ic, rc, ac, bc = pc[live], ic[live], rc[live], ac[live], bc[live]
            slot_i, slot_j = slot_i[live], slot_j[live]
        if len(pc) < 2:
            break
        count = np.bincount(pc, minlength=len(ii))
        end_cell = np.cumsum(count)
        span = (end_cell - count, end_cell)
        if int((count * (count - 1) // 2).sum()) <= budget:
            t = MIN_GAIN
        else:
            if t == np.inf:  # no bound exceeds the largest row bound, nor the column one
                low, high = rc[span[1][pc] - 1], rc[span[0][pc]]
                t = float(min((ac * (rc - low)).max(), (bc * (high - rc)).max()))
            t = max(t / STEP, MIN_GAIN)
        k, m, bound = weigh(pc, rc, ac, bc, span, max(t - EPS, 0.0))
        i, j = ii[pc[k]], jj[pc[k]]
        p, q = np.minimum(ic[k], ic[m]), np.maximum(ic[k], ic[m])
        # the bound orders the candidates as their gains do, except within EPS of each other
        # or of t: there the gains themselves decide, then the tie keys, then the number
        rank = np.argsort(-bound)
        i, j, p, q, g = i[rank], j[rank], p[rank], q[rank], bound[rank]
        step = g[:-1] - g[1:] <= 2 * EPS
        close = g <= t + EPS
        close[:-1] |= step
        close[1:] |= step
        at = np.nonzero(close)[0]
        g[at] = gains(x, s, c, nbs, total, i[at], j[at], p[at], q[at])[0]
        group = np.cumsum(np.concatenate(([True], ~step)))[at]  # runs of close bounds
        number = ((i[at] * a + j[at]) * n + p[at]) * n + q[at]
        key = tie_keys(i[at], j[at], p[at], q[at], (a, n), salt)
        fix = at[np.lexsort((number, key, -g[at], group))]
        i[at], j[at], p[at], q[at], g[at] = i[fix], j[fix], p[fix], q[fix], g[fix]
        keep = g > t
        i, j, p, q = i[keep], j[keep], p[keep], q[keep]
        took = greedy(np.stack([i * n + p, i * n + q, j * n + p, j * n + q], axis=1), used)
        out.append((i[took], j[took], p[took], q[took]))
    if not out:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, empty, empty
    i, j, p, q = (np.concatenate(col) for col in zip(*out, strict=True))
    return i, j, p, q


def exchange(actors: Actors, *, seed: int = 0, rounds: int = 10, trace: bool = False) -> Forecast:
    """Stokman's exchange model: `rounds` rounds at most, fewer when no exchange is left.

    `seed` orders exchanges of exactly equal gain (decide draws between them at random).
    `trace=True` lists every exchange made in `details["exchanges"]`.
    """
    if rounds < 0:
        raise EntenteError(f"exchange: rounds must be >= 0, got {rounds}")
    problem = size_problem(actors, "exchange")
    if problem:
        raise EntenteError(problem)
    if len(actors.issues) < 2:  # an exchange trades one issue for another
        rounds = 0
    rng = np.random.default_rng(seed)
    w = weights(actors)  # (a, n)
    x = actors.unit(actors.position)  # (a, n)
    s = actors.salience
    c = relative_capability(actors)
    cs = (c[:, None] * s).sum(axis=0)
    total = np.where(cs > 0, cs, 1.0)  # an issue no one weighs: no exchange gains on it
    path = [(w * x).sum(axis=0) / w.sum(axis=0)]
    made: list[int] = []
    log: list[list[dict[str, Any]]] = []
    done = 0
    for _ in range(rounds):
        nbs = (w * x).sum(axis=0) / w.sum(axis=0)
        salt = int(rng.integers(0, 2**63 - 1))
        i, j, p, q = select(x, s, c, nbs, total, salt)
        if len(i) == 0:
            break
        gain, u, v, pp, qq, mu, mv = gains(x, s, c, nbs, total, i, j, p, q)
        y = x.copy()
        y[u, qq] += mu
        y[v, pp] += mv
        y = np.clip(y, 0.0, 1.0)
        path.append((w * y).sum(axis=0) / w.sum(axis=0))
        made.append(len(i))
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
                    for k in range(len(i))
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
