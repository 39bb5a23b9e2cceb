"""`entente.sensitivity`: how much a scenario's predicted treaty depends on its uncertain numbers.

Monte Carlo over the scenario's ranges (or a relative `noise` around its numbers): each draw
sets every uncertain number, and the protocol's outcome is computed. Under the Nash point (the
default) every draw is solved on arrays (`analysis.sensitivity`), in seeded chunks that run
here or in worker processes with the same results. An agent-based protocol plays one
negotiation per draw (`api.plan` / `api.play`) on at most `AGENT_DRAWS` draws. Beside the
protocol's outcome stand the null baselines: a random outcome, a random Pareto optimal outcome
that every party prefers to no deal, and the Nash, Kalai-Smorodinsky, egalitarian and
max-welfare points of each draw. Each uncertain number gets its tipping margins (moved alone,
from its point) and a first-order sensitivity index; with `sobol`, SALib's Sobol indices.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from entente.analysis import baselines as bl
from entente.analysis.sensitivity import POINTS
from entente.analysis.tipping import margin
from entente.errors import EntenteError
from entente.montecarlo import CHUNK, Chunk, Compiled, chunk, compile
from entente.scenario import Scenario

AGENT_DRAWS = 200
"""The most draws an agent-based protocol plays (one negotiation each)."""
BASELINES = ("random_outcome", "random_pareto", *POINTS)

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Sensitivity:
    """What `sensitivity` measured; `as_dict()` is what `entente sensitivity --json` prints."""

    scenario: str
    protocol: str
    draws: int
    seed: int
    noise: float
    numbers: list[dict[str, Any]]
    point: dict[str, str] | None
    agreement: float
    issues: dict[str, dict[str, float]]
    most_probable: dict[str, Any] | None
    history: dict[str, Any] | None
    ratification: dict[str, float] | None
    baselines: dict[str, dict[str, Any]]
    ranking: list[dict[str, Any]]
    left_out: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def sensitivity(
    scenario: Scenario,
    draws: int = 10_000,
    seed: int = 0,
    noise: float = 0.0,
    protocol: str = "nash",
    workers: int = 1,
    tipping: bool = True,
    sobol: int = 0,
    progress: Progress | None = None,
) -> Sensitivity:
    """Draw the scenario's uncertain numbers `draws` times (seeded by `seed`) and report what
    the protocol's outcome does. `noise` > 0 adds a normal of that relative sd around every
    party number without a range; a scenario without ranges needs it. `workers` > 1 solves
    the chunks of draws in that many processes (same numbers). `sobol` > 0: Sobol indices from
    SALib with that many base samples (the `sensitivity` extra)."""
    if draws < 1:
        raise EntenteError(f"draws {draws}: expected a whole number, at least 1")
    if seed < 0:
        raise EntenteError(f"seed {seed}: expected a whole number, at least 0")
    if not 0.0 <= noise <= 1.0:
        raise EntenteError(f"noise {noise:g}: expected a relative sd from 0 to 1")
    if workers < 1:
        raise EntenteError(f"workers {workers}: expected a whole number, at least 1")
    c = compile(scenario, noise)
    if not c.numbers:
        raise EntenteError(
            f"scenario {scenario.id!r} gives no number as a range: give ranges in the file "
            "(see the scenario guide, 'Uncertain numbers') or a relative noise (--noise 0.1)"
        )
    tick = progress or (lambda f: None)
    point_theta = np.array([[u.point for u in c.numbers]])
    point_id = int(c.solve(point_theta).points["nash"][0])
    chunks = _run(c, seed, draws, tick, workers)
    theta = np.concatenate([x.theta for x in chunks])
    found = {p: np.concatenate([x.solved.points[p] for x in chunks]) for p in POINTS}
    found["random_pareto"] = np.concatenate([x.solved.random_pareto for x in chunks])
    rnd = np.concatenate([x.random_outcome for x in chunks])
    found["random_outcome"] = np.where(np.concatenate([x.random_accepted for x in chunks]), rnd, -1)
    left_out = [f"{u.path}: a discount, which the Nash point does not use" for u in c.numbers if u.target.kind == "discount" and protocol == "nash"]  # fmt: skip
    outcome = found["nash"]
    if protocol != "nash":
        outcome, theta = _agents(c, scenario, protocol, theta, seed, tick, workers)
        found = {k: v[: len(theta)] for k, v in found.items()}
        rnd = rnd[: len(theta)]
    tick(0.9)
    labels = _labels(scenario)
    shape = c.model.shape
    y = (bl.options(outcome, shape) != bl.options(np.array([point_id]), shape)).sum(axis=1)
    s1 = bl.first_order(theta, y.astype(np.float64))
    ratification, s2 = _ratification(c, seed, theta, outcome, point_id)
    tips = _tipping(c, point_id, labels) if tipping else [{} for _ in c.numbers]
    total = _sobol(c, sobol, seed, point_id) if sobol else None
    ranking = []
    for d, u in enumerate(c.numbers):
        row: dict[str, Any] = {"number": u.path, "first_order": round(float(s1[d]), 4)}
        if total is not None:
            row |= {"sobol_first": total[0][d], "sobol_total": total[1][d]}
        if s2 is not None:
            row["ratified_first_order"] = round(float(s2[d]), 4)
        ranking.append(row | tips[d])
    if c.rules is not None and s2 is not None:
        for d, u in enumerate(c.rules.numbers):
            ranking.append({"number": u.path, "first_order": 0.0,
                            "ratified_first_order": round(float(s2[len(c.numbers) + d]), 4)})  # fmt: skip
    key = "sobol_total" if total is not None else "first_order"
    ranking.sort(key=lambda r: (-r.get(key, 0.0), -r.get("ratified_first_order", 0.0)))
    tick(1.0)
    top, share = bl.mode(outcome)
    ref = c.reference
    history = None
    if ref is not None:
        ref_id = int(np.ravel_multi_index(ref, shape))
        m = bl.matched(outcome, shape, ref)
        history = {
            "issues": len(shape),
            "matched": bl.spread(m),
            "all_matched": float((m == len(shape)).mean()),
            "on_frontier": float(
                np.concatenate([x.solved.reference_optimal for x in chunks])[: len(theta)].mean()
            ),
            "is_nash": float((found["nash"] == ref_id).mean()),
            "most_probable_is_history": top == ref_id,
        }
    base = {}
    for name in BASELINES:
        ids = found[name]
        row = {"agreement": float((ids >= 0).mean())}
        if ref is not None:
            mb = bl.matched(ids, shape, ref)
            row |= {"matched": bl.spread(mb), "all_matched": float((mb == len(shape)).mean())}
        base[name] = row
    return Sensitivity(
        scenario=scenario.id,
        protocol=protocol,
        draws=len(theta),
        seed=seed,
        noise=noise,
        numbers=[_number(u) for u in c.numbers],
        point=_treaty(point_id, shape, labels),
        agreement=float((outcome >= 0).mean()),
        issues=_per_issue(outcome, shape, labels),
        most_probable={"treaty": _treaty(top, shape, labels), "probability": share}
        if top >= 0
        else {"treaty": None, "probability": share},
        history=history,
        ratification=ratification,
        baselines=base,
        ranking=ranking,
        left_out=left_out,
    )


def _ratification(
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


def _run(c: Compiled, seed: int, draws: int, tick: Progress, workers: int) -> list[Chunk]:
    sizes = [min(CHUNK, draws - s) for s in range(0, draws, CHUNK)]
    out: list[Chunk] = []
    if workers == 1 or len(sizes) == 1:
        for i, n in enumerate(sizes):
            out.append(chunk(c, seed, i, n, POINTS))
            tick(0.7 * (i + 1) / len(sizes))
        return out
    with ProcessPoolExecutor(min(workers, len(sizes)), mp_context=_context()) as pool:
        futures = [pool.submit(chunk, c, seed, i, n, POINTS) for i, n in enumerate(sizes)]
        for i, f in enumerate(futures):
            out.append(f.result())
            tick(0.7 * (i + 1) / len(sizes))
    return out


AGENT_CHUNK = 20
"""Draws of an agent-based protocol handed to a worker at a time."""


def _agents(
    c: Compiled,
    scenario: Scenario,
    protocol: str,
    theta: np.ndarray,
    seed: int,
    tick: Progress,
    workers: int,
) -> tuple[np.ndarray, np.ndarray]:
    """One negotiation per draw (at most `AGENT_DRAWS`) under `protocol`, draw `d` seeded
    `seed + d`: its agreement (a flat id, -1 for none). Chunks of `AGENT_CHUNK` draws go to
    `workers` processes when there are several, with the same results."""
    theta = theta[:AGENT_DRAWS]
    starts = list(range(0, len(theta), AGENT_CHUNK))
    jobs = [(c, scenario, protocol, theta[s : s + AGENT_CHUNK], seed + s) for s in starts]
    out: list[np.ndarray] = []
    if workers == 1 or len(jobs) == 1:
        for i, job in enumerate(jobs):
            out.append(play_draws(*job))
            tick(0.7 + 0.2 * (i + 1) / len(jobs))
    else:
        with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=_context()) as pool:
            futures = [pool.submit(play_draws, *job) for job in jobs]
            for i, f in enumerate(futures):
                out.append(f.result())
                tick(0.7 + 0.2 * (i + 1) / len(jobs))
    return np.concatenate(out), theta


def play_draws(
    c: Compiled, scenario: Scenario, protocol: str, theta: np.ndarray, seed: int
) -> np.ndarray:
    """The agreements (flat ids, -1 for none) of one negotiation per draw of `theta`, the
    scenario's strategies playing (`api.plan`, `api.play` with seed `seed + d`)."""
    from entente import api
    from entente.table import Table

    out = np.full(len(theta), -1, dtype=np.int64)
    for d in range(len(theta)):
        prefs = c.prefs(theta[d], scenario)
        parties = tuple(replace(p, prefs=q) for p, q in zip(scenario.parties, prefs, strict=True))
        variant = replace(scenario, parties=parties, uncertain=())
        plan = api.plan(variant, protocol)
        result = api.play(plan, seed + d, table=Table.build(variant.space, variant.prefs))
        if result.agreement is not None:
            out[d] = int(np.ravel_multi_index(tuple(result.agreement), scenario.space.shape))
    return out


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _tipping(
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
        j = u.target.party
        if c.model.normalized[j]:
            return 0.0, 1.0
        lo = float(min(u.dist.low, 0.0, p - 1.0)) if np.isfinite(u.dist.low) else min(0.0, p - 1.0)
        return lo, float(max(p + 1.0, u.dist.high if np.isfinite(u.dist.high) else p + 1.0))
    width = u.dist.width if np.isfinite(u.dist.width) else 4 * u.dist.sd
    span = max(abs(p), width, 1e-9) or 1.0
    lo = p - span
    if p >= 0 and u.target.kind == "weight":
        lo = max(lo, 0.0)
    return float(lo), float(p + span)


def _sobol(c: Compiled, n: int, seed: int, point_id: int) -> tuple[list[float], list[float]]:
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
    return [round(float(x), 4) for x in res["S1"]], [round(float(x), 4) for x in res["ST"]]


def _labels(scenario: Scenario) -> list[tuple[str, list[str]]]:
    return [(iss.id, list(iss.options)) for iss in scenario.space.issues]


def _treaty(
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
    ta, tb = _treaty(a, shape, labels) or {}, _treaty(b, shape, labels) or {}
    return {k: v for k, v in tb.items() if ta.get(k) != v}


def _per_issue(
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


def _number(u: Any) -> dict[str, Any]:
    return {"number": u.path, "distribution": u.dist.describe(), "point": u.point,
            "source": u.source, "rationale": u.rationale}  # fmt: skip


def brief(found: Sensitivity, top: int = 3) -> dict[str, Any]:
    """The few lines `entente analyze` shows: agreement, the most probable treaty and whether
    it is the point result, history matched, the issues least settled and the numbers that
    matter most."""
    h = found.history
    settled = {i: max(s.values()) for i, s in found.issues.items() if s}
    mp = found.most_probable or {}
    return {
        "draws": found.draws,
        "agreement": found.agreement,
        "most_probable": mp.get("probability", 0.0),
        "most_probable_is_point": bool(mp.get("treaty")) and mp.get("treaty") == found.point,
        "history_is_most_probable": bool(h and h["most_probable_is_history"]),
        "history_all_matched": h["all_matched"] if h else None,
        "ratified": found.ratification["ratified"] if found.ratification else None,
        "unsettled": [i for i, x in sorted(settled.items(), key=lambda t: t[1]) if x < 0.9],
        "pivotal": [row["number"] for row in found.ranking[:top] if row["first_order"] > 0],
    }
