"""Ratification of each draw's outcome, with the constituencies' uncertain numbers drawn.

A constituency with a utility of its own judges by it (weights x values, mapped onto [0, 1]
again in every draw when the file asked for `normalize`); one without judges by its party's
utility in that draw. It approves an outcome worth at least its threshold; each party's rule,
vote weights and vetoes are those of `ratification.Ratifier`. Chunk `c` of a run seeded `s`
draws the constituencies' numbers from `numpy.random.default_rng([s, c, 1])`, apart from the
parties' numbers, so adding a constituency's range changes no other draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from entente.analysis.baselines import options
from entente.analysis.sensitivity import Linear, coefficients
from entente.prefs import Floats
from entente.ratification import Ratifier
from entente.scenario import Scenario
from entente.uncertain import Uncertain


@dataclass(frozen=True)
class Rules:
    """Every party's ratifier; per constituency (in order, party by party) its own utility's
    weights (n,) and values (O,) as loaded (zeros and `own` False when it has none), and the
    numbers of constituencies that vary."""

    ratifiers: tuple[Ratifier, ...]
    party: NDArray[np.int64]
    own: NDArray[np.bool_]
    weights: Floats
    values: Floats
    offset: Floats
    threshold: Floats
    vote: Floats
    numbers: tuple[Uncertain, ...]

    def index(self, r: int, c: int) -> int:
        """The row of constituency `c` of ratifier `r`."""
        return sum(len(x.constituencies) for x in self.ratifiers[:r]) + c


def rules(scenario: Scenario) -> Rules | None:
    """The scenario's ratification as arrays (None without any)."""
    if not scenario.ratification:
        return None
    n, o = scenario.space.n_issues, int(sum(scenario.space.shape))
    rows = [(r, c) for r in scenario.ratification for c in r.constituencies]
    w, v, off = np.zeros((len(rows), n)), np.zeros((len(rows), o)), np.zeros(len(rows))
    own = np.zeros(len(rows), dtype=bool)
    for k, (_, c) in enumerate(rows):
        lin = c.prefs.linear if c.prefs is not None else None
        if lin is not None and c.prefs is not None:
            own[k], w[k], v[k], off[k] = (
                True,
                lin.weights,
                np.concatenate(lin.values),
                c.prefs.offset,
            )
    numbers = tuple(u for u in scenario.uncertain if u.target.constituency >= 0)
    return Rules(
        scenario.ratification,
        np.array([scenario.party_index(r.party) for r, _ in rows], dtype=np.int64),
        own, w, v, off,
        np.array([c.threshold for _, c in rows]),
        np.array([c.weight for _, c in rows]),
        numbers,
    )  # fmt: skip


def draws(r: Rules, seed: int, index: int, size: int) -> Floats:
    """The constituencies' numbers (size, D) of chunk `index`."""
    q = np.random.default_rng([seed, index, 1]).random((size, len(r.numbers)))
    out = np.empty_like(q)
    for d, u in enumerate(r.numbers):
        out[:, d] = u.dist.quantile(q[:, d])
    return out


def ratified(
    r: Rules, model: Linear, party_w: Floats, party_v: Floats, theta: Floats, ids: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """Whether every party ratifies each draw's outcome (B,), flat ids `ids` (-1: none, which
    is never ratified), the parties' weights (B, k, n) and values (B, k, O) of the draws and
    the constituencies' numbers `theta` (B, D)."""
    b = len(ids)
    outcomes = np.maximum(options(ids, model.shape), 0)
    cols = model.starts[None, :] + outcomes  # (B, n)
    pc, poff = coefficients(model, party_w, party_v)
    party_u = np.take_along_axis(pc, cols[:, None, :], axis=2).sum(axis=2) + poff  # (B, k)
    w = np.broadcast_to(r.weights, (b, *r.weights.shape)).copy()
    v = np.broadcast_to(r.values, (b, *r.values.shape)).copy()
    threshold = np.broadcast_to(r.threshold, (b, len(r.threshold))).copy()
    vote = np.broadcast_to(r.vote, (b, len(r.vote))).copy()
    norm = np.zeros(len(r.own), dtype=bool)
    first = {int(r.party[r.index(i, 0)]): i for i in range(len(r.ratifiers))}
    for d, u in enumerate(r.numbers):
        t, x = u.target, theta[:, d] * u.scale
        k = r.index(first[t.party], t.constituency)
        if t.kind == "weight":
            w[:, k, t.issue] = x
        elif t.kind == "value":
            v[:, k, model.starts[t.issue] + t.option] = x
        elif t.kind == "threshold":
            threshold[:, k] = x
        elif t.kind == "vote":
            vote[:, k] = x
        norm[k] |= u.normalized
    body = Linear(model.shape, r.weights, r.values, r.offset, norm, np.zeros(len(r.own)), ())
    cc, coff = coefficients(body, w, v)
    own_u = np.take_along_axis(cc, cols[:, None, :], axis=2).sum(axis=2) + coff  # (B, C)
    u = np.where(r.own[None, :], own_u, party_u[:, r.party])
    yes = u >= threshold - 1e-12
    ok = ids >= 0
    for i, rat in enumerate(r.ratifiers):
        rows = r.index(i, 0) + np.arange(len(rat.constituencies))
        share = (yes[:, rows] * vote[:, rows]).sum(axis=1) / np.maximum(
            vote[:, rows].sum(axis=1), 1e-300
        )
        passed = rat.passes(share)
        vetoes = np.array([c.veto for c in rat.constituencies])
        if vetoes.any():
            passed &= yes[:, rows[vetoes]].all(axis=1)
        ok &= passed
    return ok
