"""Reading a tournament: breakdowns, the payoff matrix, distances and bootstrap comparisons,
each checked against a plain computation on small hand-made rows."""

from __future__ import annotations

import itertools
import json
import math
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from cli_run import assert_refused, cli  # noqa: E402
from entente.errors import EntenteError  # noqa: E402
from entente.tournament import leaderboard  # noqa: E402
from entente.tournament.analysis import breakdown, compare, matrix, plays  # noqa: E402
from entente.tournament.leaderboard import RESAMPLES  # noqa: E402
from entente.tournament.store import schema  # noqa: E402


def row(
    scenario: str, specs: list[str], utils: list[float], rep: int = 0, **kw: Any
) -> dict[str, Any]:
    out = {
        "key": f"{scenario}|{','.join(specs)}|{rep}",
        "scenario": scenario,
        "strategies": specs,
        "roles": [f"p{i}" for i in range(len(specs))],
        "repetition": rep,
        "seed": 7,
        "agreement": kw.get("agreement", [0] * len(specs)),
        "utilities": utils,
        "rounds": kw.get("rounds", 5),
        "seconds": 0.0,
        "frontier_distance": kw.get("frontier", 0.1),
        "nash_distance": kw.get("nash", 0.2),
        "welfare": float(sum(utils)),
    }
    return out


def full_grid(seed: int = 3) -> list[dict[str, Any]]:
    """Every ordered pair of a, b, c (self-play too) on two scenarios, two repetitions."""
    rng = np.random.default_rng(seed)
    rows = []
    for sc in ("s1", "s2"):
        for x, y in itertools.product("abc", repeat=2):
            for rep in range(2):
                u = rng.uniform(0, 1, 2).round(3).tolist()
                none = rng.uniform() < 0.2
                rows.append(
                    row(
                        sc,
                        [x, y],
                        u,
                        rep,
                        agreement=None if none else [1, 1],
                        rounds=int(rng.integers(1, 30)),
                        frontier=None if rng.uniform() < 0.3 else float(rng.uniform()),
                        nash=float(rng.uniform()),
                    )
                )
    return rows


def table(rows: list[dict[str, Any]]) -> Any:
    return pa.Table.from_pylist(rows, schema=schema())


def flat(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plays by a plain loop."""
    out = []
    for r in rows:
        for i, (s, u) in enumerate(zip(r["strategies"], r["utilities"], strict=True)):
            others = [t for j, t in enumerate(r["strategies"]) if j != i]
            out.append({**r, "me": s, "u": u, "seat": i, "others": others})
    return out


def test_plays_match_a_loop() -> None:
    rows = [*full_grid(), row("s3", ["a", "b", "c"], [0.1, 0.2, 0.3])]
    p = plays(table(rows))
    f = flat(rows)
    assert [p.strategies[i] for i in p.strategy] == [x["me"] for x in f]
    assert p.values[:, 0].tolist() == [x["u"] for x in f]
    assert p.party.tolist() == [x["seat"] for x in f]
    agreed = [0.0 if x["agreement"] is None else 1.0 for x in f]
    assert p.values[:, 1].tolist() == agreed
    front = [np.nan if x["frontier_distance"] is None else x["frontier_distance"] for x in f]
    np.testing.assert_array_equal(p.values[:, 4], front)


def test_breakdown_by_scenario_and_opponent_match_loops() -> None:
    rows = [*full_grid(), row("s3", ["a", "b", "c"], [0.1, 0.2, 0.3])]
    t = table(rows)
    by_sc: dict[tuple[str, str], list[float]] = {}
    by_op: dict[tuple[str, str], list[float]] = {}
    for x in flat(rows):
        by_sc.setdefault((x["scenario"], x["me"]), []).append(x["u"])
        for o in x["others"]:
            by_op.setdefault((o, x["me"]), []).append(x["u"])
    for by, want in (("scenario", by_sc), ("opponent", by_op)):
        got = breakdown(t, by, seed=2)
        assert {(g.group, g.standing.strategy) for g in got} == set(want)
        for g in got:
            v = want[(g.group, g.standing.strategy)]
            assert g.standing.n == len(v)
            assert g.standing.utility.mean == pytest.approx(np.mean(v))
            assert min(v) <= g.standing.utility.low <= g.standing.utility.high <= max(v)
        groups = [g.group for g in got]
        assert groups == sorted(groups)
        assert breakdown(t, by, seed=2) == got  # seeded
    # a three-party play counts against each of its two opponents
    three = {(g.group, g.standing.strategy): g.standing.n for g in breakdown(t, "opponent")}
    assert three[("c", "a")] == by_op[("c", "a")].__len__()
    with pytest.raises(EntenteError, match="--by 'role'"):
        breakdown(t, "role")


def test_matrix_matches_a_loop() -> None:
    rows = [*full_grid(), row("s3", ["a", "b", "c"], [0.1, 0.2, 0.3])]
    m = matrix(table(rows))
    assert m.strategies == ["a", "b", "c"]
    for i, s in enumerate(m.strategies):
        for j, o in enumerate(m.strategies):
            v = [x["u"] for x in flat(rows) if x["me"] == s for t in x["others"] if t == o]
            assert m.count[i, j] == len(v)
            assert m.mean[i, j] == pytest.approx(np.mean(v))
    # a pair that never met: NaN and 0, null in JSON
    m = matrix(table([row("s", ["a", "b"], [0.4, 0.6])]))
    assert m.count.tolist() == [[0, 1], [1, 0]] and np.isnan(m.mean[0, 0])
    assert m.to_json()["mean"] == [[None, 0.4], [0.6, None]]


def test_distances_are_leaderboard_columns_with_missing_values_left_out() -> None:
    rows = full_grid()
    board = {s.strategy: s for s in leaderboard(table(rows), seed=0)}
    for s, st in board.items():
        mine = [x for x in flat(rows) if x["me"] == s]
        front = [x["frontier_distance"] for x in mine if x["frontier_distance"] is not None]
        assert st.frontier_distance.mean == pytest.approx(np.mean(front))
        assert st.nash_distance.mean == pytest.approx(np.mean([x["nash_distance"] for x in mine]))
        assert min(front) <= st.frontier_distance.low <= st.frontier_distance.high <= max(front)
    # none at all: NaN, and null in JSON
    lone = leaderboard(table([row("s", ["a", "b"], [0.4, 0.6], frontier=None)]))
    assert math.isnan(lone[0].frontier_distance.mean)
    assert lone[0].to_json()["frontier_distance"] == {"mean": None, "low": None, "high": None}
    assert lone[0].to_json()["nash_distance"]["mean"] == pytest.approx(0.2)


def brute_bootstrap(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Resampled means by a plain loop (one draw of all indices, as the library does)."""
    n = samples.size
    idx = rng.integers(0, n, size=(RESAMPLES, n))
    return np.array([np.mean([samples[k] for k in r]) for r in idx])


def test_paired_comparison_matches_a_loop() -> None:
    rows = full_grid()
    c = compare(table(rows), "a", "b", seed=5)
    assert c.paired and (c.n_a, c.n_b) == (24, 24)
    f = flat(rows)
    # the twin of a's play is b's play where b sits in a's seat, and the others are the same
    d = []
    keys = []
    for x in f:
        if x["me"] != "a":
            continue
        others = x["strategies"][:]
        others[x["seat"]] = "b"
        y = next(
            r
            for r in rows
            if r["scenario"] == x["scenario"]
            and r["strategies"] == others
            and r["repetition"] == x["repetition"]
        )
        keys.append((x["scenario"], x["seat"], x["repetition"], tuple(x["others"])))
        d.append(x["u"] - y["utilities"][x["seat"]])
    order = sorted(range(len(d)), key=lambda i: keys[i])
    dd = np.array([d[i] for i in order])
    assert c.difference == pytest.approx(dd.mean())
    rng = np.random.default_rng([5, zlib.crc32(b"a"), zlib.crc32(b"b")])
    boots = brute_bootstrap(dd, rng)
    null = brute_bootstrap(dd - dd.mean(), rng)
    low, high = np.quantile(boots, [0.025, 0.975])
    assert (c.low, c.high) == pytest.approx((low, high))
    p = (np.count_nonzero(np.abs(null) >= abs(dd.mean()) - 1e-12) + 1) / (RESAMPLES + 1)
    assert c.p_value == pytest.approx(p)
    # the other way round: the opposite difference
    r = compare(table(rows), "b", "a", seed=5)
    assert r.difference == pytest.approx(-c.difference) and r.paired


def test_unpaired_when_plays_do_not_pair_and_exact_p_value() -> None:
    # a met c, b met d: nothing pairs
    ua, ub = [0.9, 0.8, 0.7], [0.2, 0.1, 0.3]
    rows = [row("s", ["a", "c"], [u, 0.5], i) for i, u in enumerate(ua)]
    rows += [row("s", ["b", "d"], [u, 0.5], i) for i, u in enumerate(ub)]
    c = compare(table(rows), "a", "b", seed=1)
    assert not c.paired and (c.n_a, c.n_b) == (3, 3)
    assert c.difference == pytest.approx(0.6)
    # every resample of a lies in [0.7, 0.9], of b in [0.1, 0.3]: the interval within [0.4, 0.8]
    assert 0.4 <= c.low <= 0.6 <= c.high <= 0.8
    # exact null distribution: centred samples, all 27 x 27 resamples equally likely
    ca, cb = np.array(ua) - np.mean(ua), np.array(ub) - np.mean(ub)
    ma = [np.mean(ca[list(i)]) for i in itertools.product(range(3), repeat=3)]
    mb = [np.mean(cb[list(i)]) for i in itertools.product(range(3), repeat=3)]
    exact = np.mean([abs(x - y) >= 0.6 - 1e-12 for x in ma for y in mb])
    assert exact == 0.0 and c.p_value == pytest.approx(1 / (RESAMPLES + 1))
    # a difference of nothing: p near 1
    rows = [row("s", ["a", "c"], [u, 0.5], i) for i, u in enumerate([0.1, 0.5, 0.9])]
    rows += [row("s", ["b", "d"], [u, 0.5], i) for i, u in enumerate([0.9, 0.5, 0.1])]
    c = compare(table(rows), "a", "b", seed=1)
    assert c.difference == pytest.approx(0.0, abs=1e-12) and c.p_value > 0.9


def test_paired_p_value_is_close_to_the_exact_one() -> None:
    d = np.array([0.3, -0.1, 0.2, 0.05])
    rows = []
    for i, x in enumerate(d):
        rows.append(row("s", ["a", "c"], [0.5 + x, 0.5], i))
        rows.append(row("s", ["b", "c"], [0.5, 0.5], i))
    c = compare(table(rows), "a", "b", seed=4)
    assert c.paired and c.difference == pytest.approx(d.mean())
    z = d - d.mean()
    means = [np.mean(z[list(i)]) for i in itertools.product(range(4), repeat=4)]
    exact = np.mean(np.abs(means) >= abs(d.mean()) - 1e-12)
    assert c.p_value == pytest.approx(exact, abs=0.03)


def test_compare_refuses_unknown_and_equal_strategies() -> None:
    t = table(full_grid())
    with pytest.raises(EntenteError, match=r"--compare 'zz'.*expected one of a, b, c"):
        compare(t, "a", "zz")
    with pytest.raises(EntenteError, match="two different"):
        compare(t, "a", "a")


@pytest.fixture
def results(tmp_path: Path) -> Path:
    from entente.tournament import run_tournament

    out = tmp_path / "res"
    lap = str(Path(__file__).parent / "data" / "genius" / "y2011" / "Laptop")
    run_tournament([lap], ["boulware", "conceder", "micro"], out, rounds=20)
    return out


def test_cli_options(results: Path) -> None:
    code, out, err = cli("leaderboard", str(results), "--by", "opponent", "--json")
    assert code == 0, err
    groups = json.loads(out)
    assert {g["group"] for g in groups} == {"boulware(e=0.2)", "conceder(e=5.0)", "micro()"}
    assert all(g["n"] == 2 for g in groups)
    code, out, err = cli("leaderboard", str(results), "--matrix", "--json")
    m = json.loads(out)
    assert code == 0 and m["count"] == [[2, 2, 2]] * 3
    code, out, err = cli("leaderboard", str(results), "--compare", "micro", "boulware", "--json")
    c = json.loads(out)
    assert code == 0 and c["paired"] and c["a"] == "micro()" and 0 < c["p_value"] <= 1
    code, out, err = cli("leaderboard", str(results), "--compare", "micro", "boulware")
    assert code == 0 and "micro() minus boulware(e=0.2)" in out and "paired" in out
    code, out, err = cli("leaderboard", str(results), "--by", "scenario", columns=120)
    assert code == 0 and "Laptop" in out and "to Nash" in out and "Leaderboard in" in out
    code, out, err = cli("leaderboard", str(results), columns=120)
    board = json.loads(cli("leaderboard", str(results), "--json")[1])
    assert code == 0 and "to front" in out and "frontier_distance" in board[0]
    assert_refused(cli("leaderboard", str(results), "--matrix", "--by", "scenario"), "--by")
    assert_refused(cli("leaderboard", str(results), "--compare", "x", "micro"), "--compare", "'x'")
    assert_refused(cli("leaderboard", str(results), "--by", "role"), "--by")
