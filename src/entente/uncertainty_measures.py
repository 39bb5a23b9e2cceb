"""What `entente.sensitivity` measures beside the draws themselves: ratification of each
draw's outcome, the tipping margins of each number, Sobol indices, and outcomes in words."""

from __future__ import annotations

from typing import Any

import numpy as np

from entente.analysis import baselines as bl
from entente.analysis.tipping import margin
from entente.errors import EntenteError
from entente.montecarlo import CHUNK, Compiled
from entente.scenario import Scenario

Labels = list[tuple[str, list[str]]]


def ratification(
    c: Compiled, seed: int, theta: np.ndarray, outcome: np.ndarray, point_id: int
) -> tuple[dict[str, float] | None, np.ndarray | None]:
    """The share of draws whose outcome every party ratifies (constituencies' numbers drawn),
    the point result's ratification at the points, and each number's first-order index on
    ratification (the parties' numbers, then the constituencies')."""
    if c.rules is None:
        return None, None
    from entente.montecarlo_ratify import draws, ratified

    sizes = [min(CHUNK, len(theta) - s) for s in range(0, len(theta), CHUNK)]
    tc = np.concatenate([draws(c.rules, seed, i, n) for i, n in enumerate(sizes)])
    w, v, _ = c.arrays(theta)
    ok = ratified(c.rules, c.model, w, v, tc, outcome)
    p = np.array([[u.point for u in c.numbers]])
    pw, pv, _ = c.arrays(p)
    pc = np.array([[u.point for u in c.rules.numbers]]).reshape(1, -1)
    at_point = bool(ratified(c.rules, c.model, pw, pv, pc, np.array([point_id]))[0])
    agreed = outcome >= 0
    out = {
        "ratified": float(ok.mean()),
        "ratified_when_agreed": float(ok[agreed].mean()) if agreed.any() else 0.0,
        "point_ratified_at_points": at_point,
    }
    both = np.concatenate([theta, tc], axis=1)
    return out, bl.first_order(both, ok.astype(np.float64))


def tipping(
    c: Compiled, point_id: int, labels: list[tuple[str, list[str]]]
) -> list[dict[str, Any]]:
    base = np.array([u.point for u in c.numbers])
    out: list[dict[str, Any]] = []
    for d, u in enumerate(c.numbers):
        if u.target.kind not in ("weight", "value", "reservation"):
            out.append({})
            continue

        def predict(xs: np.ndarray, d: int = d) -> np.ndarray:
            theta = np.repeat(base[None, :], len(xs), axis=0)
            theta[:, d] = xs
            return c.solve(theta).points["nash"]

        lo, hi = _interval(u, c)
        precision = 1e-6 * max(hi - lo, 1e-12)
        row: dict[str, Any] = {}
        for side, end in (("down", lo), ("up", hi)):
            tip = margin(predict, u.point, end, point_id, precision)
            if tip.after is None:
                row[side] = {"changes": False, "searched_to": end}
                continue
            row[side] = {
                "changes": True,
                "margin": abs(tip.after - u.point),
                "holds_to": tip.before,
                "tips_at": tip.after,
                "within_range": bool(u.dist.low <= tip.after <= u.dist.high),
                "to": _changes(point_id, tip.outcome, c.model.shape, labels),
            }
        out.append(row)
    return out


def _interval(u: Any, c: Compiled) -> tuple[float, float]:
    """Where a number's tipping point is looked for (as written in the file)."""
    p = u.point
    if u.target.kind == "reservation":
        # the party's utility at the points, from its worst outcome (or 0) to its best
        m, j = c.model, u.target.party
        cj = c.weights[j][m.issue_of] * c.values[j]
        lo = float(np.minimum.reduceat(cj, m.starts).sum() + m.offset[j])
        hi = float(np.maximum.reduceat(cj, m.starts).sum() + m.offset[j])
        return min(lo, 0.0), hi
    width = u.dist.width if np.isfinite(u.dist.width) else 4 * u.dist.sd
    span = max(abs(p), width, 1e-9) or 1.0
    lo = p - span
    if p >= 0 and u.target.kind == "weight":
        lo = max(lo, 0.0)
    return float(lo), float(p + span)


def sobol(c: Compiled, n: int, seed: int, point_id: int) -> tuple[list[float], list[float]]:
    try:
        from SALib.analyze import sobol as analyze  # type: ignore[import-untyped]
        from SALib.sample import sobol as sample  # type: ignore[import-untyped]
    except ImportError:
        raise EntenteError("Sobol indices need SALib: pip install 'entente[sensitivity]'") from None
    problem = {"num_vars": len(c.numbers), "names": [u.path for u in c.numbers],
               "bounds": [[0.0, 1.0]] * len(c.numbers)}  # fmt: skip
    q = sample.sample(problem, n, calc_second_order=False, seed=seed)
    q = np.clip(q, 1e-12, 1 - 1e-12)
    theta = c.draws(q)
    ids = c.solve(theta).points["nash"]
    shape = c.model.shape
    y = (bl.options(ids, shape) != bl.options(np.array([point_id]), shape)).sum(axis=1)
    if y.var() == 0:
        zeros = [0.0] * len(c.numbers)
        return zeros, zeros
    res = analyze.analyze(problem, y.astype(np.float64), calc_second_order=False, seed=seed)
    # an index SALib cannot estimate (no variance in a resample) counts as 0
    s1, st = (np.nan_to_num(np.asarray(res[k], dtype=np.float64)) for k in ("S1", "ST"))
    return [round(float(x), 4) for x in s1], [round(float(x), 4) for x in st]


def labels(scenario: Scenario) -> list[tuple[str, list[str]]]:
    return [(iss.id, list(iss.options)) for iss in scenario.space.issues]


def treaty(
    flat: int, shape: tuple[int, ...], labels: list[tuple[str, list[str]]]
) -> dict[str, str] | None:
    if flat < 0:
        return None
    o = np.unravel_index(flat, shape)
    return {iss: opts[int(o[i])] for i, (iss, opts) in enumerate(labels)}


def _changes(
    a: int, b: int, shape: tuple[int, ...], labels: list[tuple[str, list[str]]]
) -> dict[str, str] | None:
    """The issues on which outcome `b` differs from `a`, with `b`'s option (None: no deal)."""
    if b < 0:
        return None
    ta, tb = treaty(a, shape, labels) or {}, treaty(b, shape, labels) or {}
    return {k: v for k, v in tb.items() if ta.get(k) != v}


def per_issue(
    ids: np.ndarray, shape: tuple[int, ...], labels: list[tuple[str, list[str]]]
) -> dict[str, dict[str, float]]:
    """Per issue, the share of agreements taking each option."""
    o = bl.options(ids[ids >= 0], shape)
    out = {}
    for i, (iss, opts) in enumerate(labels):
        counts = np.bincount(o[:, i], minlength=len(opts)) if len(o) else np.zeros(len(opts))
        total = max(int(counts.sum()), 1)
        out[iss] = {opt: float(counts[j] / total) for j, opt in enumerate(opts)}
    return out


def number(u: Any) -> dict[str, Any]:
    return {"number": u.path, "distribution": u.dist.describe(), "point": u.point,
            "source": u.source, "rationale": u.rationale}  # fmt: skip
