"""Deadlines in seconds (an injected clock makes them deterministic) and MOPaC."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from cli_run import assert_refused, cli
from entente import registry
from entente.errors import EntenteError
from entente.negotiation.actions import Offer
from entente.negotiation.alternating import AlternatingOffers
from entente.negotiation.session import run, trace_jsonl
from test_negotiation import domain


def ticking(step: float) -> Callable[[], float]:
    """A fake clock: each call returns `step` seconds more than the last (starting at 0)."""
    calls = [-1]

    def clock() -> float:
        calls[0] += 1
        return calls[0] * step

    return clock


def pair(spec: str = "hardliner") -> list:  # type: ignore[type-arg]
    return [registry.strategy(spec), registry.strategy(spec)]


def test_clock_alone_sets_the_relative_time_and_ends_the_talks() -> None:
    space, prefs = domain(2)
    r = run(
        AlternatingOffers(), pair(), space, prefs, deadline=None, time_limit=10.0, clock=ticking(1)
    )
    # read once at the start, then once before each move: move j happens (j+1) seconds in;
    # the tenth reading is the limit itself, so the talks end before a tenth move
    assert [m.time for m in r.moves] == pytest.approx([(j + 1) / 10 for j in range(9)])
    assert r.agreement is None and r.time == pytest.approx(0.9)
    expected = [float(p.discounted(p.reservation, 0.9)) for p in prefs]
    assert np.allclose(r.utilities, expected)


def test_the_larger_of_round_and_clock_progress_counts() -> None:
    space, prefs = domain(2)
    slow = run(
        AlternatingOffers(), pair(), space, prefs, deadline=4, time_limit=1e6, clock=ticking(1)
    )
    plain = run(AlternatingOffers(), pair(), space, prefs, deadline=4)
    rounds = [m.time for m in plain.moves]
    clock = [(j + 1) / 1e6 for j in range(len(rounds))]
    assert [m.time for m in slow.moves] == [max(a, b) for a, b in zip(rounds, clock, strict=True)]
    assert rounds[0] == 0.0 and slow.moves[0].time == 1e-6  # only the first move: the clock
    fast = run(
        AlternatingOffers(), pair(), space, prefs, deadline=100, time_limit=4.0, clock=ticking(1)
    )
    assert [m.time for m in fast.moves] == pytest.approx([0.25, 0.5, 0.75])  # the clock leads


def test_a_stopped_clock_changes_nothing() -> None:
    """Results depend on the clock only through relative time: a clock that never moves gives
    exactly the untimed negotiation."""
    space, prefs = domain(2)
    for spec in ("boulware", "conceder", "micro"):
        plain = run(AlternatingOffers(), pair(spec), space, prefs, deadline=30, seed=4)
        timed = run(
            AlternatingOffers(),
            pair(spec),
            space,
            prefs,
            deadline=30,
            seed=4,
            time_limit=5.0,
            clock=lambda: 7.0,
        )
        assert trace_jsonl(timed, space, prefs) == trace_jsonl(plain, space, prefs)
        assert timed.agreement == plain.agreement


def test_timed_negotiations_are_deterministic_and_see_the_clock() -> None:
    space, prefs = domain(2)
    traces = {
        trace_jsonl(
            run(
                AlternatingOffers(),
                pair("conceder"),
                space,
                prefs,
                deadline=None,
                seed=2,
                time_limit=30.0,
                clock=ticking(0.5),
            ),
            space,
            prefs,
        )
        for _ in range(2)
    }
    assert len(traces) == 1

    def own_offers(step: float) -> list[float]:
        r = run(
            AlternatingOffers(),
            [registry.strategy("conceder"), registry.strategy("hardliner")],
            space,
            prefs,
            deadline=None,
            seed=2,
            time_limit=30.0,
            clock=ticking(step),
        )
        offers = [m.action for m in r.moves if m.actor == 0 and isinstance(m.action, Offer)]
        return [float(prefs[0](a.outcome)) for a in offers]

    quick, slow = own_offers(3.0), own_offers(0.5)
    # a faster clock makes a time-dependent conceder ask for less, sooner
    assert len(quick) < len(slow)
    assert all(q <= s + 1e-12 for q, s in zip(quick, slow, strict=False))
    assert any(q < s - 1e-9 for q, s in zip(quick, slow, strict=False))


def test_bad_time_limits_are_refused() -> None:
    space, prefs = domain(2)
    with pytest.raises(EntenteError, match="deadline in rounds or a time limit"):
        run(AlternatingOffers(), pair(), space, prefs, deadline=None)
    with pytest.raises(EntenteError, match="expected a number of seconds above 0"):
        run(AlternatingOffers(), pair(), space, prefs, deadline=3, time_limit=0.0)


def test_cli_time_limit() -> None:
    code, out, err = cli("run", "--time-limit", "60", "--json")
    assert code == 0, err
    assert '"agreement"' in out
    assert_refused(cli("run", "--time-limit", "0"), "--time-limit")
