"""The frontier's cache: an exact frontier is computed once per scenario, whatever budget or
progress callback asked for it; one over its budget falls back to the approximate frontier."""

from __future__ import annotations

import pytest

from entente import api, front


def test_an_exact_frontier_is_cached_whatever_the_callback(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = api.load("portsmouth")
    calls: list[int] = []
    real = front._exact

    def counting(*args: object) -> api.Frontier:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(front, "_exact", counting)
    api._EXACT.pop(sc, None)
    first = api.frontier(sc, progress=lambda f: None)
    again = api.frontier(sc, progress=lambda f: None, budget=100.0)
    assert again is first and len(calls) == 1


def test_over_budget_is_the_approximate_frontier_and_is_not_cached() -> None:
    sc = api.load("portsmouth")
    api._EXACT.pop(sc, None)
    seen: list[float] = []
    rough = api.frontier(sc, budget=1e-9, progress=seen.append)
    assert rough.approximate and seen[-1] == 1.0
    assert sc not in api._EXACT
    exact = api.frontier(sc)
    assert not exact.approximate and len(exact.outcomes) >= 1
