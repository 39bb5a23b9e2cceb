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

from entente import uncertainty_measures as measures
from entente.analysis import baselines as bl
from entente.analysis.sensitivity import POINTS
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
    if protocol != "nash":
        from entente import registry

        try:  # an unknown spec is refused before any draw
            registry.protocol(protocol)
        except EntenteError as e:
            raise EntenteError(f"{e}, or 'nash' (the Nash point of each draw)") from None
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
    tick(0.9)
    labels = measures.labels(scenario)
    shape = c.model.shape
    y = (bl.options(outcome, shape) != bl.options(np.array([point_id]), shape)).sum(axis=1)
    s1 = bl.first_order(theta, y.astype(np.float64))
    ratification, s2 = measures.ratification(c, seed, theta, outcome, point_id)
    tips = measures.tipping(c, point_id, labels) if tipping else [{} for _ in c.numbers]
    total = measures.sobol(c, sobol, seed, point_id) if sobol else None
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
        numbers=[measures.number(u) for u in c.numbers],
        point=measures.treaty(point_id, shape, labels),
        agreement=float((outcome >= 0).mean()),
        issues=measures.per_issue(outcome, shape, labels),
        most_probable={"treaty": measures.treaty(top, shape, labels), "probability": share}
        if top >= 0
        else {"treaty": None, "probability": share},
        history=history,
        ratification=ratification,
        baselines=base,
        ranking=ranking,
        left_out=left_out,
    )


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
        "history_matched": h["matched"] if h else None,
        "issues": h["issues"] if h else None,
        "baseline_matched": {
            name: found.baselines[name]["matched"]["mean"]
            for name in ("random_pareto", "random_outcome")
            if h and name in found.baselines and found.baselines[name].get("matched")
        },
        "ratified": found.ratification["ratified"] if found.ratification else None,
        "unsettled": [i for i, x in sorted(settled.items(), key=lambda t: t[1]) if x < 0.9],
        "pivotal": [row["number"] for row in found.ranking[:top] if row["first_order"] > 0],
    }
