"""Monte Carlo over uncertain numbers: the fast path against brute force, the point result of
zero-width ranges, tipping margins against the loader, and the same numbers on every executor."""

from __future__ import annotations

import json
import re
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import entente
from cli_run import cli
from entente import api
from entente.analysis import baselines as bl
from entente.analysis import pareto, points
from entente.analysis import sensitivity as eng
from entente.formats.scenario_toml import loads
from entente.prefs import RedLine

DATA = Path(__file__).parent / "data" / "ranges"
BORDER = (DATA / "border.toml").read_text()


def _brute(
    shape: tuple[int, ...],
    w: np.ndarray,
    v: np.ndarray,
    off: np.ndarray,
    normalized: np.ndarray,
    lines: list[RedLine],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every outcome, each party's utility computed directly, normalised over the whole space;
    the outcomes no red line forbids."""
    outcomes = np.array(list(product(*(range(s) for s in shape))), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(shape)[:-1]])
    u = np.zeros((len(outcomes), len(w)))
    for j in range(len(w)):
        for i in range(len(shape)):
            u[:, j] += w[j, i] * v[j, starts[i] + outcomes[:, i]]
        lo, hi = u[:, j].min(), u[:, j].max()
        if normalized[j] and hi > lo:  # a constant utility is left as it is
            u[:, j] = (u[:, j] - lo) / (hi - lo)
        else:
            u[:, j] += off[j]
    ok = np.ones(len(outcomes), dtype=bool)
    for line in lines:
        ok &= ~line.crossed(outcomes)
    return outcomes, u, np.flatnonzero(ok)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), k=st.integers(2, 3), group=st.sampled_from([4, 1024]))
def test_the_fast_path_finds_the_points_that_brute_force_finds(
    seed: int, k: int, group: int
) -> None:
    rng = np.random.default_rng(seed)
    shape = tuple(int(x) for x in rng.integers(2, 4, size=int(rng.integers(2, 5))))
    n, o = len(shape), int(sum(shape))
    lines = []
    if rng.random() < 0.5:
        i, j = rng.choice(n, 2, replace=False)
        lines.append(RedLine(((int(i), frozenset({0})), (int(j), frozenset({1})))))
    normalized = rng.random(k) < 0.5
    # values on a coarse grid, so that ties between outcomes happen
    w = np.round(rng.random((k, n)) * 4) / 4
    w[:, 0] += 0.25
    v = np.round(rng.random((k, o)) * 4) / 4
    off = np.zeros(k)
    r = rng.random(k) * 0.5
    old = eng.GROUP_SIZE
    eng.GROUP_SIZE = group  # several groups to merge, or one
    try:
        model = eng.Linear(shape, w, v, off, normalized, r, eng.grouped(shape, lines))
    finally:
        eng.GROUP_SIZE = old
    outcomes, u, ok = _brute(shape, w, v, off, normalized, lines)
    strides = np.array([int(np.prod(shape[i + 1 :])) for i in range(n)])
    ref = tuple(int(x) for x in outcomes[ok[0]]) if len(ok) else None
    got = eng.solve(model, w[None], v[None], r[None], rng=np.random.default_rng(0),
                    which=eng.POINTS, reference=ref)  # fmt: skip
    for name in eng.POINTS:
        i = getattr(points, name)(u[ok], r)
        want = int(outcomes[ok[i]] @ strides) if i >= 0 else -1
        assert got.points[name][0] == want, name
    front = ok[pareto.pareto_mask(u[ok])]
    rational = front[(u[front] >= r - 1e-12).all(axis=1)]
    pick = int(got.random_pareto[0])
    assert (pick == -1) == (len(rational) == 0)
    if pick >= 0:
        assert pick in set((outcomes[rational] @ strides).tolist())
    if ref is not None:
        assert got.reference_optimal[0] == (ok[0] in set(front.tolist()))


def _zero_width(text: str, plain: bool = False) -> str:
    """Every range of the file made zero-width at its point (with `plain`: the point)."""

    def point(m: re.Match[str]) -> str:
        got = dict(re.findall(r"(\w+) = ([-0-9.]+)", m[0]))
        p = got.get("mean") or got.get("mode") or repr((float(got["low"]) + float(got["high"])) / 2)
        return p if plain else f"{{ low = {p}, high = {p} }}"

    return re.sub(r"\{ (low|mean) = [^{}]*\}", point, text)


def test_zero_width_ranges_give_the_point_result() -> None:
    sc = loads(_zero_width(BORDER), "zero.toml")
    found = entente.sensitivity(sc, draws=300, seed=2, tipping=False)
    nash = api.frontier(sc).nash
    point = dict(zip([i.id for i in sc.space.issues],
                     [i.options[x] for i, x in zip(sc.space.issues, sc.space.unflat(np.array([nash]))[0], strict=True)],
                     strict=True))  # fmt: skip
    assert found.point == point
    assert found.agreement == 1.0
    assert found.most_probable == {"treaty": point, "probability": 1.0}
    for issue, shares in found.issues.items():
        assert shares[point[issue]] == 1.0
    assert all(row["first_order"] == 0.0 for row in found.ranking)


def _with(text: str, path: str, value: float) -> str:
    """The file with the range of the number at `path` replaced by `value`."""
    key = path.rsplit(".", 1)[1]
    m = list(re.finditer(rf"\b{key} = \{{ (low|mean) = [^{{}}]*\}}", text))
    assert len(m) == 1, path
    return text[: m[0].start()] + f"{key} = {value!r}" + text[m[0].end() :]


def _treaty(text: str) -> dict[str, str]:
    sc = loads(text, "t.toml")
    nash = api.frontier(sc).nash
    row = sc.space.unflat(np.array([nash]))[0]
    return {iss.id: iss.options[int(x)] for iss, x in zip(sc.space.issues, row, strict=True)}


def test_moving_a_number_past_its_tipping_margin_changes_the_treaty_as_reported() -> None:
    found = entente.sensitivity(loads(BORDER, "border.toml"), draws=50, seed=0)
    point = found.point
    assert point is not None and point == _treaty(BORDER)
    checked = 0
    for row in found.ranking:
        for side in ("down", "up"):
            tip = row.get(side)
            if not tip or not tip["changes"]:
                continue
            inside = _treaty(_with(BORDER, row["number"], tip["holds_to"]))
            past = _treaty(_with(BORDER, row["number"], tip["tips_at"]))
            assert inside == point, (row["number"], side)
            assert {k: v for k, v in past.items() if point[k] != v} == tip["to"], row["number"]
            assert abs(tip["tips_at"] - tip["holds_to"]) < 1e-5
            checked += 1
    assert checked >= 6


def test_same_seed_same_numbers_in_process_and_in_workers() -> None:
    sc = loads(BORDER, "border.toml")
    one = entente.sensitivity(sc, draws=1200, seed=7, tipping=False).as_dict()
    two = entente.sensitivity(sc, draws=1200, seed=7, tipping=False, workers=2).as_dict()
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
    other = entente.sensitivity(sc, draws=1200, seed=8, tipping=False).as_dict()
    assert other["issues"] != one["issues"]


def test_summaries_of_outcomes_by_brute_force() -> None:
    shape = (3, 2, 4)
    ids = np.array([-1, 0, 23, 5, 5, 17])
    ref = (0, 1, 1)
    want = []
    for flat in ids:
        if flat < 0:
            want.append(0)
            continue
        opts = np.unravel_index(flat, shape)
        want.append(sum(int(a) == b for a, b in zip(opts, ref, strict=True)))
    assert bl.matched(ids, shape, ref).tolist() == want
    assert bl.mode(ids) == (5, 2 / 6)
    s = bl.spread(np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    assert s == {"mean": 5.5, "p10": 1.9, "p50": 5.5, "p90": 9.1}
    rng = np.random.default_rng(0)
    theta = rng.random((4000, 3))
    s1 = bl.first_order(theta, (theta[:, 0] > 0.5).astype(float))
    assert s1[0] > 0.9 and s1[1] < 0.02 and s1[2] < 0.02


def test_noise_around_a_scenario_without_ranges() -> None:
    plain = loads(_zero_width(BORDER, plain=True), "p.toml")
    assert plain.uncertain == ()
    with pytest.raises(entente.EntenteError, match="no number as a range"):
        entente.sensitivity(plain, draws=10)
    found = entente.sensitivity(plain, draws=400, noise=0.1, seed=1, tipping=False)
    assert len(found.numbers) > 10
    assert all(n["distribution"].startswith("normal") for n in found.numbers)
    assert 0.0 < found.most_probable["probability"] < 1.0  # type: ignore[index]


def test_an_agent_protocol_plays_one_negotiation_per_draw() -> None:
    found = entente.sensitivity(loads(BORDER, "b.toml"), draws=4, protocol="alternating",
                                tipping=False, seed=3)  # fmt: skip
    assert found.draws == 4 and found.protocol == "alternating"
    assert not any("discount" in line for line in found.left_out)


def test_agent_draws_give_the_same_agreements_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from entente import montecarlo, uncertainty

    monkeypatch.setattr(uncertainty, "AGENT_CHUNK", 3)
    sc = loads(BORDER, "b.toml")
    one = entente.sensitivity(sc, draws=7, protocol="alternating", tipping=False, seed=2)
    two = entente.sensitivity(sc, draws=7, protocol="alternating", tipping=False, seed=2,
                              workers=2)  # fmt: skip
    assert one.as_dict() == two.as_dict()
    # draw d is the negotiation `api.negotiate` plays with the draw's numbers and seed 2 + d
    c = montecarlo.compile(sc)
    theta = montecarlo.chunk(c, 2, 0, 7, ("nash",)).theta
    ids = uncertainty.play_draws(c, sc, "alternating", theta[5:6], 2 + 5)
    prefs = c.prefs(theta[5], sc)
    from dataclasses import replace

    variant = replace(sc, parties=tuple(replace(p, prefs=q) for p, q in zip(sc.parties, prefs, strict=True)))  # fmt: skip
    r = api.negotiate(variant, "alternating", seed=7)
    want = -1 if r.agreement is None else int(np.ravel_multi_index(r.agreement, sc.space.shape))
    assert ids[0] == want


def test_sobol_indices_from_salib() -> None:
    found = entente.sensitivity(loads(BORDER, "b.toml"), draws=100, sobol=32, tipping=False)
    parties = [row for row in found.ranking if row["number"].startswith("parties.")]
    assert all("sobol_total" in row for row in parties)
    totals = [row["sobol_total"] for row in parties]
    assert totals == sorted(totals, reverse=True)


def test_the_command_prints_json_and_text() -> None:
    path = str(DATA / "border.toml")
    r = cli("sensitivity", path, "--draws", "200", "--json", "--no-tipping")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["draws"] == 200 and set(data["baselines"]) == {
        "random_outcome", "random_pareto", "nash", "kalai_smorodinsky", "egalitarian",
        "max_welfare",
    }  # fmt: skip
    assert data["history"]["issues"] == 4
    r = cli("sensitivity", path, "--draws", "200")
    assert r.code == 0 and "Agreement in" in r.out and "random pareto" in r.out


def test_each_draw_is_ratified_as_the_loader_and_settlement_would_ratify_it() -> None:
    """Every uncertain number written out at its drawn value, the file loaded and the draw's
    outcome put to `settlement.ratify`: the same verdict as the arrays give."""
    from entente import montecarlo, montecarlo_ratify
    from entente.settlement import ratify

    sc = loads(BORDER, "border.toml")
    c = montecarlo.compile(sc)
    assert c.rules is not None
    got = montecarlo.chunk(c, 4, 0, 12, ("nash",))
    tc = montecarlo_ratify.draws(c.rules, 4, 0, 12)
    w, v, _ = c.arrays(got.theta)
    ids = got.solved.points["nash"]
    ok = montecarlo_ratify.ratified(c.rules, c.model, w, v, tc, ids)
    numbers = [*c.numbers, *c.rules.numbers]
    for d in range(12):
        text = BORDER
        for u, x in zip(numbers, [*got.theta[d], *tc[d]], strict=True):
            text = _with(text, u.path, float(x))
        variant = loads(text, "drawn.toml")
        assert api.frontier(variant).nash == ids[d]
        # the preferences an agent-based protocol plays with are the loader's
        every = variant.space.all()
        for mine, theirs in zip(c.prefs(got.theta[d], sc), variant.prefs, strict=True):
            np.testing.assert_allclose(mine.utility(every), theirs.utility(every), atol=1e-12)
            assert (mine.reservation, mine.discount) == pytest.approx(
                (theirs.reservation, theirs.discount)
            )
        outcome = tuple(int(x) for x in variant.space.unflat(np.array([ids[d]]))[0])
        assert ratify(variant, outcome).ratified == ok[d], d
    assert 0 < ok.sum() < 12  # both verdicts occur in these draws


def test_ratification_is_reported_with_the_point_verdict() -> None:
    from entente.settlement import ratify

    sc = loads(BORDER, "border.toml")
    found = entente.sensitivity(sc, draws=500, tipping=False)
    assert found.ratification is not None
    assert 0.0 < found.ratification["ratified"] < 1.0
    nash = api.frontier(sc).nash
    outcome = tuple(int(x) for x in sc.space.unflat(np.array([nash]))[0])
    assert found.ratification["point_ratified_at_points"] == ratify(sc, outcome).ratified
    ranked = {row["number"]: row for row in found.ranking}
    assert ranked["ratification.south.constituencies.army.weights.trade"]["first_order"] == 0.0
    assert "ratified_first_order" in ranked["parties.north.weights.line"]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), which=st.sampled_from(["weight", "value", "reservation"]))
def test_tipping_margins_against_brute_force(seed: int, which: str) -> None:
    """One number of a random two-party space moved alone: the prediction holds from the
    point to `before` and is the reported outcome at `after`, by brute force."""
    from entente.analysis.tipping import margin

    rng = np.random.default_rng(seed)
    shape = tuple(int(x) for x in rng.integers(2, 4, size=3))
    n, o = len(shape), int(sum(shape))
    w, v = rng.random((2, n)) + 0.1, rng.random((2, o))
    r = rng.random(2) * 0.4
    starts = np.concatenate([[0], np.cumsum(shape)[:-1]])
    outcomes = np.array(list(product(*(range(s) for s in shape))))

    def predict_one(x: float) -> int:
        ww, vv, rr = w.copy(), v.copy(), r.copy()
        if which == "weight":
            ww[0, 1] = x
        elif which == "value":
            vv[1, starts[2] + 1] = x
        else:
            rr[0] = x
        u = np.zeros((len(outcomes), 2))
        for j in range(2):
            for i in range(n):
                u[:, j] += ww[j, i] * vv[j, starts[i] + outcomes[:, i]]
        return int(points.nash(u, rr))

    def predict(xs: np.ndarray) -> np.ndarray:
        return np.array([predict_one(float(x)) for x in xs])

    point = {"weight": w[0, 1], "value": v[1, starts[2] + 1], "reservation": r[0]}[which]
    base = predict_one(point)
    for limit in (point + 2.0, max(point - 2.0, 0.0)):
        tip = margin(predict, point, limit, base, 1e-7)
        assert predict_one(tip.before) == base
        if tip.after is None:
            assert tip.before == limit
            continue
        assert abs(tip.after - tip.before) <= 1e-7
        assert predict_one(tip.after) == tip.outcome != base


def test_progress_rises_to_one() -> None:
    seen: list[float] = []
    entente.sensitivity(loads(BORDER, "b.toml"), draws=1200, tipping=False, progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) >= 4


def test_a_genius_domain_stays_points_and_takes_noise() -> None:
    from genius_paths import DATA as GENIUS

    sc = api.load(GENIUS / "y2011" / "Laptop")
    assert sc.uncertain == ()
    found = entente.sensitivity(sc, draws=300, noise=0.1, seed=0, tipping=False)
    assert found.history is None and found.ratification is None
    assert found.agreement == 1.0 and len(found.numbers) > 0


def test_analyze_reports_history_matched_beside_the_null_baselines() -> None:
    """`analyze` on a scenario with ranges and a history: the mean and percentiles of issues
    matched, beside a random Pareto point's and a random outcome's, as `sensitivity` measures."""
    import re

    import entente
    from cli_run import cli

    found = entente.sensitivity(entente.load("portsmouth"), draws=200, tipping=False)
    r = cli("analyze", "portsmouth", "--draws", "200", columns=400)
    assert r.code == 0, r.err
    h = found.history
    assert h is not None
    m = h["matched"]
    assert (
        f"Issues matched with history: {m['mean']:.1f} of {h['issues']} on average "
        f"(10th-90th percentile {m['p10']:.0f}-{m['p90']:.0f})." in r.out
    )
    pareto = found.baselines["random_pareto"]["matched"]["mean"]
    said = re.search(r"beats every reservation (\d+\.\d)", r.out)
    assert said is not None and float(said.group(1)) == round(pareto, 1)
